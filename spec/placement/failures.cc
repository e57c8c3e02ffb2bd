#include "spec/placement/failures.h"

#include <algorithm>
#include <iterator>
#include <numeric>

#include "impl/common/assert.h"
#include "spec/placement/link_graph.h"

namespace crosscheck::spec::placement {
namespace {

using impl::placement::ScenarioKind;

NodeSet nodes_of(const Deployment& deployment, const std::vector<DatacenterIndex>& datacenters) {
  NodeSet nodes;
  for (DatacenterIndex datacenter : datacenters) {
    const NodeSet& members = deployment.datacenters[datacenter].nodes;
    nodes.insert(nodes.end(), members.begin(), members.end());
  }
  std::sort(nodes.begin(), nodes.end());
  return nodes;
}

NodeSet with(NodeSet set, NodeIndex node) {
  set.insert(std::upper_bound(set.begin(), set.end(), node), node);
  return set;
}

// A datacenter fails, and with `plus_one_node` also whichever node outside
// it does the most harm.
FailureCase datacenter_case(const Deployment& deployment, DatacenterIndex datacenter,
                            bool plus_one_node) {
  const auto& lost = deployment.datacenters[datacenter];
  FailureCase worst{lost.name, survive(deployment, lost.nodes, datacenter)};
  if (!plus_one_node) return worst;
  bool first = true;
  for (NodeIndex extra : deployment.complement(lost.nodes)) {
    Survival survival = survive(deployment, with(lost.nodes, extra), datacenter);
    if (first || survival.best_group_votes() < worst.survival.best_group_votes()) {
      worst = {lost.name + " + " + deployment.nodes[extra].name, std::move(survival)};
      first = false;
    }
  }
  return worst;
}

std::vector<FailureCase> failure_cases(const Deployment& deployment, const Scenario& scenario) {
  if (scenario.kind == ScenarioKind::kAnyNodes) {
    return {{"worst case", survive(deployment, heaviest_nodes(deployment, scenario.count))}};
  }
  std::vector<FailureCase> cases;
  for (DatacenterIndex datacenter = 0; datacenter < static_cast<int>(deployment.datacenters.size());
       ++datacenter) {
    cases.push_back(datacenter_case(deployment, datacenter,
                                    scenario.kind == ScenarioKind::kAnyDatacenterPlusNode));
  }
  return cases;
}

std::vector<Side> partition_sides(const Deployment& deployment, const Scenario& partition) {
  std::vector<Side> sides;
  for (const auto& component : link_components(deployment, partition.between)) {
    Side side;
    side.datacenters = component;
    side.nodes = nodes_of(deployment, component);
    side.votes = deployment.votes(side.nodes);
    side.phase1 = deployment.is_phase1_quorum(side.nodes);
    side.phase2 = deployment.is_phase2_quorum(side.nodes);
    sides.push_back(std::move(side));
  }
  return sides;
}

void check_connected(const Deployment& deployment) {
  CC_ASSERT(deployment.inconsistency().empty());
  CC_ASSERT(link_components(deployment).size() == 1);
}

}  // namespace

int Survival::votes_left() const {
  return std::accumulate(group_votes.begin(), group_votes.end(), 0);
}

int Survival::best_group_votes() const {
  return group_votes.empty() ? 0 : *std::max_element(group_votes.begin(), group_votes.end());
}

Survival survive(const Deployment& deployment, const NodeSet& failed,
                 DatacenterIndex failed_datacenter) {
  Survival survival;
  survival.failed = failed;
  std::vector<DatacenterIndex> removed;
  if (failed_datacenter >= 0) removed.push_back(failed_datacenter);
  for (const auto& component : link_components(deployment, {}, removed)) {
    NodeSet survivors;
    const NodeSet members = nodes_of(deployment, component);
    std::set_difference(members.begin(), members.end(), failed.begin(), failed.end(),
                        std::back_inserter(survivors));
    if (survivors.empty()) continue;
    survival.group_votes.push_back(deployment.votes(survivors));
    survival.phase1 = survival.phase1 || deployment.is_phase1_quorum(survivors);
    survival.phase2 = survival.phase2 || deployment.is_phase2_quorum(survivors);
  }
  return survival;
}

NodeSet heaviest_nodes(const Deployment& deployment, int count, const NodeSet& excluded) {
  NodeSet candidates = deployment.complement(excluded);
  CC_ASSERT(count >= 0 && count <= static_cast<int>(candidates.size()));
  std::stable_sort(candidates.begin(), candidates.end(), [&](NodeIndex a, NodeIndex b) {
    return deployment.nodes[a].votes > deployment.nodes[b].votes;
  });
  NodeSet chosen(candidates.begin(), candidates.begin() + count);
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

int max_failures_tolerated(const Deployment& deployment) {
  return static_cast<int>(smallest_fatal_failure(deployment).size()) - 1;
}

NodeSet smallest_fatal_failure(const Deployment& deployment) {
  check_connected(deployment);
  // Losing every node leaves no votes, and every threshold is at least 1.
  for (int count = 0;; ++count) {
    NodeSet failed = heaviest_nodes(deployment, count);
    if (!survive(deployment, failed).live()) return failed;
  }
}

ScenarioResult analyze_scenario(const Deployment& deployment, const Scenario& scenario) {
  check_connected(deployment);
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
    const auto progressing = std::count_if(result.sides.begin(), result.sides.end(),
                                           [](const Side& side) { return side.progresses(); });
    result.ok = progressing == 1 && !result.split_brain;
    return result;
  }
  result.cases = failure_cases(deployment, scenario);
  result.ok = true;
  for (const FailureCase& failure : result.cases) {
    if (failure.survival.live()) continue;
    result.ok = false;
    if (!result.smallest_failing ||
        failure.survival.failed.size() < result.smallest_failing->survival.failed.size()) {
      result.smallest_failing = failure;
    }
  }
  return result;
}

}  // namespace crosscheck::spec::placement
