#include "impl/placement/deployment.h"

#include <algorithm>
#include <iterator>
#include <set>

#include "impl/common/assert.h"

namespace crosscheck::impl::placement {

std::string_view to_string(QuorumSystemKind kind) {
  switch (kind) {
    case QuorumSystemKind::kMajority: return "majority";
    case QuorumSystemKind::kWeightedMajority: return "weighted-majority";
    case QuorumSystemKind::kFlexible: return "flexible";
  }
  return "?";
}

std::string_view to_string(ScenarioKind kind) {
  switch (kind) {
    case ScenarioKind::kAnyNodes: return "any-nodes";
    case ScenarioKind::kAnyDatacenter: return "any-datacenter";
    case ScenarioKind::kAnyDatacenterPlusNode: return "any-datacenter-plus-node";
    case ScenarioKind::kPartition: return "partition";
  }
  return "?";
}

DatacenterIndex Deployment::add_datacenter(std::string datacenter_name) {
  datacenters.push_back({std::move(datacenter_name), {}});
  return static_cast<DatacenterIndex>(datacenters.size() - 1);
}

NodeIndex Deployment::add_node(DatacenterIndex datacenter, std::string node_name, int node_votes) {
  CC_ASSERT(datacenter >= 0 && datacenter < static_cast<int>(datacenters.size()));
  nodes.push_back({std::move(node_name), datacenter, node_votes});
  const NodeIndex index = node_count() - 1;
  datacenters[datacenter].nodes.push_back(index);
  return index;
}

void Deployment::add_link(DatacenterIndex a, DatacenterIndex b) {
  CC_ASSERT(a != b);
  links.emplace_back(std::min(a, b), std::max(a, b));
}

void Deployment::link_every_pair() {
  links.clear();
  const int count = static_cast<int>(datacenters.size());
  for (DatacenterIndex a = 0; a < count; ++a) {
    for (DatacenterIndex b = a + 1; b < count; ++b) links.emplace_back(a, b);
  }
}

int Deployment::total_votes() const { return votes(all_nodes()); }

int Deployment::votes(const NodeSet& set) const {
  int sum = 0;
  for (NodeIndex node : set) sum += nodes[node].votes;
  return sum;
}

int Deployment::phase1_votes() const {
  switch (quorum.kind) {
    case QuorumSystemKind::kMajority: return node_count() / 2 + 1;
    case QuorumSystemKind::kWeightedMajority: return total_votes() / 2 + 1;
    case QuorumSystemKind::kFlexible: return quorum.phase1_size;
  }
  return 0;
}

int Deployment::phase2_votes() const {
  return quorum.kind == QuorumSystemKind::kFlexible ? quorum.phase2_size : phase1_votes();
}

NodeSet Deployment::all_nodes() const {
  NodeSet all;
  for (NodeIndex node = 0; node < node_count(); ++node) all.push_back(node);
  return all;
}

NodeSet Deployment::complement(const NodeSet& set) const {
  const NodeSet all = all_nodes();
  NodeSet rest;
  std::set_difference(all.begin(), all.end(), set.begin(), set.end(), std::back_inserter(rest));
  return rest;
}

std::string Deployment::names(const NodeSet& set) const {
  if (set.empty()) return "(none)";
  std::string text;
  for (NodeIndex node : set) text += (text.empty() ? "" : " ") + nodes[node].name;
  return text;
}

std::string Deployment::describe(const Scenario& scenario) const {
  switch (scenario.kind) {
    case ScenarioKind::kAnyNodes:
      return "any " + std::to_string(scenario.count) + (scenario.count == 1 ? " node" : " nodes");
    case ScenarioKind::kAnyDatacenter: return "any one datacenter";
    case ScenarioKind::kAnyDatacenterPlusNode: return "any datacenter plus one node";
    case ScenarioKind::kPartition: {
      std::string text = "partition";
      for (size_t group = 0; group < scenario.between.size(); ++group) {
        text += group == 0 ? " {" : " | {";
        for (size_t i = 0; i < scenario.between[group].size(); ++i) {
          text += (i ? ", " : "") + datacenters[scenario.between[group][i]].name;
        }
        text += "}";
      }
      return text;
    }
  }
  return "?";
}

namespace {

std::string scenario_inconsistency(const Deployment& deployment, const Scenario& scenario) {
  const int datacenter_count = static_cast<int>(deployment.datacenters.size());
  switch (scenario.kind) {
    case ScenarioKind::kAnyNodes:
      if (scenario.count < 1 || scenario.count > deployment.node_count())
        return "a node count out of range";
      return "";
    case ScenarioKind::kAnyDatacenter:
    case ScenarioKind::kAnyDatacenterPlusNode: return "";
    case ScenarioKind::kPartition: {
      if (scenario.between.size() < 2) return "a partition of fewer than two groups";
      std::set<DatacenterIndex> seen;
      for (const auto& group : scenario.between) {
        if (group.empty()) return "an empty partition group";
        for (DatacenterIndex datacenter : group) {
          if (datacenter < 0 || datacenter >= datacenter_count)
            return "a partition naming no datacenter";
          if (!seen.insert(datacenter).second) return "a datacenter in two partition groups";
        }
      }
      return "";
    }
  }
  return "an unknown scenario";
}

}  // namespace

std::string Deployment::inconsistency() const {
  if (nodes.empty() || node_count() > kMaxNodes) return "the node count is out of range";
  if (datacenters.empty() || datacenters.size() > static_cast<size_t>(kMaxDatacenters)) {
    return "the datacenter count is out of range";
  }
  std::set<std::string> node_names;
  std::vector<int> placed(nodes.size(), 0);
  for (size_t datacenter = 0; datacenter < datacenters.size(); ++datacenter) {
    for (NodeIndex node : datacenters[datacenter].nodes) {
      if (node < 0 || node >= node_count()) return "a datacenter lists a node that does not exist";
      if (nodes[node].datacenter != static_cast<DatacenterIndex>(datacenter))
        return "a node's datacenter disagrees";
      ++placed[node];
    }
    if (!std::is_sorted(datacenters[datacenter].nodes.begin(),
                        datacenters[datacenter].nodes.end())) {
      return "a datacenter's nodes are not in index order";
    }
  }
  for (const Node& node : nodes) {
    if (!node_names.insert(node.name).second) return "two nodes named " + node.name;
    if (node.votes < 0 || node.votes > kMaxVotes) return "votes out of range at " + node.name;
    if (quorum.kind != QuorumSystemKind::kWeightedMajority && node.votes != 1)
      return "votes outside weighted-majority";
  }
  if (std::count(placed.begin(), placed.end(), 1) != node_count())
    return "a node is not in exactly one datacenter";
  if (total_votes() < 1) return "no votes";
  if (phase1_votes() < 1 || phase1_votes() > total_votes() || phase2_votes() < 1 ||
      phase2_votes() > total_votes()) {
    return "a quorum size out of range";
  }
  std::set<std::pair<DatacenterIndex, DatacenterIndex>> distinct_links;
  for (const auto& [a, b] : links) {
    if (a < 0 || a >= b || b >= static_cast<int>(datacenters.size())) return "a malformed link";
    if (!distinct_links.insert({a, b}).second) return "a link listed twice";
  }
  if (scenarios.size() > static_cast<size_t>(kMaxScenarios)) return "too many scenarios";
  for (const Scenario& scenario : scenarios) {
    std::string why = scenario_inconsistency(*this, scenario);
    if (!why.empty()) return why;
  }
  return "";
}

}  // namespace crosscheck::impl::placement
