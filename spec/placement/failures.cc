#include "spec/placement/failures.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>
#include <iterator>

#include "impl/common/assert.h"

namespace crosscheck::spec::placement {
namespace {

using impl::placement::ScenarioKind;

FailureCase datacenter_case(const Deployment& deployment, DatacenterIndex datacenter, bool plus_one_node) {
  const auto& lost = deployment.datacenters[datacenter];
  NodeSet failed = lost.nodes;
  std::string label = lost.name;
  if (plus_one_node && static_cast<int>(failed.size()) < deployment.node_count()) {
    const NodeSet extra = heaviest_nodes(deployment, 1, failed);
    label += " + " + deployment.nodes[extra.front()].name;
    failed.insert(std::upper_bound(failed.begin(), failed.end(), extra.front()), extra.front());
  }
  return {label, survive(deployment, failed)};
}

std::vector<FailureCase> failure_cases(const Deployment& deployment, const Scenario& scenario) {
  if (scenario.kind == ScenarioKind::kAnyNodes) {
    return {{"worst case", survive(deployment, heaviest_nodes(deployment, scenario.count))}};
  }
  std::vector<FailureCase> cases;
  for (DatacenterIndex datacenter = 0; datacenter < static_cast<int>(deployment.datacenters.size()); ++datacenter) {
    cases.push_back(datacenter_case(deployment, datacenter, scenario.kind == ScenarioKind::kAnyDatacenterPlusNode));
  }
  return cases;
}

std::vector<Side> partition_sides(const Deployment& deployment, const Scenario& partition) {
  std::vector<Side> sides;
  for (const auto& component : partition_components(deployment, partition)) {
    Side side;
    side.datacenters = component;
    for (DatacenterIndex datacenter : component) {
      const NodeSet& nodes = deployment.datacenters[datacenter].nodes;
      side.nodes.insert(side.nodes.end(), nodes.begin(), nodes.end());
    }
    std::sort(side.nodes.begin(), side.nodes.end());
    side.votes = deployment.votes(side.nodes);
    side.phase1 = deployment.is_phase1_quorum(side.nodes);
    side.phase2 = deployment.is_phase2_quorum(side.nodes);
    sides.push_back(std::move(side));
  }
  return sides;
}

}  // namespace

Survival survive(const Deployment& deployment, const NodeSet& failed) {
  const NodeSet survivors = deployment.complement(failed);
  return {failed, deployment.votes(survivors), deployment.is_phase1_quorum(survivors),
          deployment.is_phase2_quorum(survivors)};
}

NodeSet heaviest_nodes(const Deployment& deployment, int count, const NodeSet& excluded) {
  NodeSet candidates = deployment.complement(excluded);
  CC_ASSERT(count >= 0 && count <= static_cast<int>(candidates.size()));
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](NodeIndex a, NodeIndex b) { return deployment.nodes[a].votes > deployment.nodes[b].votes; });
  NodeSet chosen(candidates.begin(), candidates.begin() + count);
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

int max_failures_tolerated(const Deployment& deployment) {
  return static_cast<int>(smallest_fatal_failure(deployment).size()) - 1;
}

NodeSet smallest_fatal_failure(const Deployment& deployment) {
  // Losing every node leaves no votes, and every threshold is at least 1.
  for (int count = 0;; ++count) {
    NodeSet failed = heaviest_nodes(deployment, count);
    if (!survive(deployment, failed).live()) return failed;
  }
}

std::vector<std::vector<DatacenterIndex>> partition_components(const Deployment& deployment,
                                                               const Scenario& partition) {
  CC_ASSERT(partition.kind == ScenarioKind::kPartition);
  const size_t datacenters = deployment.datacenters.size();
  std::vector<int> group_of(datacenters, -1);
  for (size_t group = 0; group < partition.between.size(); ++group) {
    for (DatacenterIndex datacenter : partition.between[group]) group_of[datacenter] = static_cast<int>(group);
  }
  boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS> graph(datacenters);
  for (const auto& [a, b] : deployment.links) {
    const bool cut = group_of[a] >= 0 && group_of[b] >= 0 && group_of[a] != group_of[b];
    if (!cut) boost::add_edge(static_cast<size_t>(a), static_cast<size_t>(b), graph);
  }
  std::vector<int> component_of(datacenters);
  const int count = boost::connected_components(graph, component_of.data());
  std::vector<std::vector<DatacenterIndex>> components(static_cast<size_t>(count));
  for (size_t datacenter = 0; datacenter < datacenters; ++datacenter) {
    components[static_cast<size_t>(component_of[datacenter])].push_back(static_cast<DatacenterIndex>(datacenter));
  }
  std::sort(components.begin(), components.end());
  return components;
}

ScenarioResult analyze_scenario(const Deployment& deployment, const Scenario& scenario) {
  CC_ASSERT(deployment.inconsistency().empty());
  ScenarioResult result;
  result.description = deployment.describe(scenario);
  result.scenario = scenario;
  if (scenario.kind == ScenarioKind::kPartition) {
    result.sides = partition_sides(deployment, scenario);
    for (size_t i = 0; i < result.sides.size(); ++i) {
      for (size_t j = 0; j < result.sides.size(); ++j) {
        if (i != j && result.sides[i].phase1 && result.sides[j].phase2) result.split_brain = true;
      }
    }
    const auto progressing =
        std::count_if(result.sides.begin(), result.sides.end(), [](const Side& side) { return side.progresses(); });
    result.ok = progressing == 1 && !result.split_brain;
    return result;
  }
  result.cases = failure_cases(deployment, scenario);
  result.ok = true;
  for (const FailureCase& failure : result.cases) {
    if (failure.survival.live()) continue;
    result.ok = false;
    if (!result.smallest_failing || failure.survival.failed.size() < result.smallest_failing->survival.failed.size()) {
      result.smallest_failing = failure;
    }
  }
  return result;
}

}  // namespace crosscheck::spec::placement
