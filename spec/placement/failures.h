// Which failures a deployment survives, and which side of a partition can
// still make progress.
//
// The survivors of a failure are split into groups by the datacenter link
// graph (link_graph.h): a node failure leaves its datacenter's network up,
// so the survivors stay one group (the file reader insists the links
// connect every datacenter); a datacenter failure takes its links with it,
// and the datacenters it joined may then be cut off from each other.
// Live: one group of survivors holds both a phase-1 and a phase-2 quorum,
// so a new leader can be chosen (phase 1) and can then get values accepted
// (phase 2). Both thresholds are monotone in the votes of a group, so among
// the ways a scenario can strike, the worst is the one that leaves the
// best-placed group the fewest votes; that is the one analysed, and a
// scenario is survived when its worst case is live:
//   any k nodes           the k nodes with the most votes;
//   any one datacenter    each datacenter in turn;
//   a datacenter plus one node
//                         each datacenter with whichever node outside it
//                         leaves the fewest votes in the best group (the
//                         datacenter alone when no node is outside it).
// tests/placement check these worst cases against every instance.
//
// Partitions: a partition cuts every link between datacenters of two of
// its groups, and each connected component of what is left is one side. A
// side can make progress when it holds a phase-1 and a phase-2 quorum. A
// partition splits the brain when one side holds a phase-1 quorum and
// another a phase-2 quorum: a leader elected on the first need not learn
// what an old leader still gets accepted on the second. Intersecting
// quorums rule that out. A partition is survived when exactly one side can
// make progress and the brain is not split.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "impl/placement/deployment.h"

namespace crosscheck::spec::placement {

using impl::placement::DatacenterIndex;
using impl::placement::Deployment;
using impl::placement::NodeIndex;
using impl::placement::NodeSet;
using impl::placement::Scenario;

struct Survival {
  NodeSet failed;
  // The votes of each group of survivors that can reach each other, in
  // link_components' order; groups with no surviving node are left out.
  std::vector<int> group_votes;
  bool phase1 = false;  // a group of survivors holds a phase-1 quorum
  bool phase2 = false;  // a group of survivors holds a phase-2 quorum
  // The group with the most votes holds every threshold any group holds,
  // so one group holds both quorums exactly when some group holds each.
  bool live() const { return phase1 && phase2; }
  int votes_left() const;
  int best_group_votes() const;
};

// `failed_datacenter`: a datacenter that fails as a whole, its links with
// it (its nodes are among `failed`); -1 for none.
Survival survive(const Deployment& deployment, const NodeSet& failed,
                 DatacenterIndex failed_datacenter = -1);

// The `count` nodes outside `excluded` with the most votes (on equal votes,
// the earlier node), in index order.
NodeSet heaviest_nodes(const Deployment& deployment, int count, const NodeSet& excluded = {});

// The largest k such that any k nodes may fail and leave a live quorum.
int max_failures_tolerated(const Deployment& deployment);
// max_failures_tolerated + 1 nodes whose failure leaves no live quorum:
// no smaller failure does that.
NodeSet smallest_fatal_failure(const Deployment& deployment);

// One way a failure scenario strikes, at its worst.
struct FailureCase {
  std::string label;  // "any 2 nodes", "east", "east + w1"
  Survival survival;
};

struct Side {
  std::vector<DatacenterIndex> datacenters;
  NodeSet nodes;
  int votes = 0;
  bool phase1 = false;
  bool phase2 = false;
  bool progresses() const { return phase1 && phase2; }
};

struct ScenarioResult {
  std::string description;
  Scenario scenario;
  std::vector<FailureCase> cases;  // failure scenarios
  std::vector<Side> sides;         // partitions
  // Partitions: one side holds a phase-1 quorum and another a phase-2 quorum.
  bool split_brain = false;
  // Failure scenarios: every case is live. Partitions: exactly one side
  // makes progress, and the brain is not split.
  bool ok = false;
  // A failure scenario that is not ok: its failing case with the fewest
  // failed nodes (the earliest, on a tie).
  std::optional<FailureCase> smallest_failing;
};

ScenarioResult analyze_scenario(const Deployment& deployment, const Scenario& scenario);

}  // namespace crosscheck::spec::placement
