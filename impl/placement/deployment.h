// A multi-datacenter deployment: nodes placed in datacenters, the network
// links between datacenters, a quorum system, and the failure scenarios a
// reader wants answered.
//
// Every quorum system here is a pair of vote thresholds: a set of nodes is
// a phase-1 quorum when its votes reach phase1_votes() and a phase-2 quorum
// when they reach phase2_votes() (Flexible Paxos, Howard, Malkhi and
// Spiegelman 2016, names the phases after Paxos's prepare and accept).
//   majority           one vote a node; both thresholds floor(n/2) + 1
//   weighted majority  each node's own votes; both floor(total/2) + 1
//   flexible           one vote a node; |Q1| and |Q2| as given
// Being a quorum is monotone: a superset of a quorum is a quorum. The
// analysis in spec/placement relies on that.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crosscheck::impl::placement {

using NodeIndex = int;
using DatacenterIndex = int;
// Node indices in increasing order.
using NodeSet = std::vector<NodeIndex>;

constexpr int kMaxNodes = 256;
constexpr int kMaxDatacenters = 64;
constexpr int kMaxVotes = 1000;  // a node's
constexpr int kMaxScenarios = 64;
constexpr int kMaxNameLength = 64;

struct Node {
  std::string name;
  DatacenterIndex datacenter = 0;
  int votes = 1;
};

struct Datacenter {
  std::string name;
  NodeSet nodes;
};

enum class QuorumSystemKind { kMajority, kWeightedMajority, kFlexible };
std::string_view to_string(QuorumSystemKind kind);

struct QuorumSystem {
  QuorumSystemKind kind = QuorumSystemKind::kMajority;
  // kFlexible only: how many nodes a phase-1 (phase-2) quorum needs.
  int phase1_size = 0;
  int phase2_size = 0;
};

enum class ScenarioKind { kAnyNodes, kAnyDatacenter, kAnyDatacenterPlusNode, kPartition };
std::string_view to_string(ScenarioKind kind);

struct Scenario {
  ScenarioKind kind = ScenarioKind::kAnyNodes;
  int count = 0;  // kAnyNodes: how many nodes fail
  // kPartition: groups of datacenters; every link between datacenters of
  // two different groups is cut, every other link stays.
  std::vector<std::vector<DatacenterIndex>> between;
};

struct Deployment {
  std::string name;
  std::vector<Datacenter> datacenters;
  std::vector<Node> nodes;
  // Datacenter pairs (first < second) whose nodes can reach each other.
  std::vector<std::pair<DatacenterIndex, DatacenterIndex>> links;
  QuorumSystem quorum;
  std::vector<Scenario> scenarios;

  DatacenterIndex add_datacenter(std::string datacenter_name);
  NodeIndex add_node(DatacenterIndex datacenter, std::string node_name, int node_votes = 1);
  void add_link(DatacenterIndex a, DatacenterIndex b);
  void link_every_pair();

  int node_count() const { return static_cast<int>(nodes.size()); }
  int total_votes() const;
  int votes(const NodeSet& set) const;
  int phase1_votes() const;
  int phase2_votes() const;
  bool is_phase1_quorum(const NodeSet& set) const { return votes(set) >= phase1_votes(); }
  bool is_phase2_quorum(const NodeSet& set) const { return votes(set) >= phase2_votes(); }

  NodeSet all_nodes() const;
  NodeSet complement(const NodeSet& set) const;
  // Node names separated by spaces; "(none)" for the empty set.
  std::string names(const NodeSet& set) const;
  std::string describe(const Scenario& scenario) const;

  // Why the deployment is not one the analysis can take ("" when it is):
  // the file reader reports each of these with its place in the file, so a
  // non-empty answer here is a bug in whoever built the deployment.
  std::string inconsistency() const;
};

}  // namespace crosscheck::impl::placement
