// RapidCheck properties over small random deployments (up to 4 datacenters
// of up to 3 nodes, any of the three quorum systems, random connected
// links and partitions): Z3's intersection verdict, the failure analysis'
// worst cases and the partition sides agree with a brute-force
// enumeration of every set of nodes, with the links' reachability taken
// from a transitive closure rather than from Boost.Graph. RapidCheck prints its seed ("Using
// configuration: seed=..."); RC_PARAMS="seed=N" reruns exactly that test.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "spec/placement/report.h"

namespace crosscheck::spec::placement {
namespace {

using impl::placement::Deployment;
using impl::placement::QuorumSystemKind;
using impl::placement::ScenarioKind;

// A set of nodes as a bit mask: bit i is node i.
using Mask = uint32_t;

// An integer in [min, end), uniform from the first test on: RapidCheck's
// inRange grows its range with the test's size, which would spend the
// early tests on one-node deployments.
int uniform(int min, int end) {
  return *rc::gen::resize(rc::kNominalSize, rc::gen::inRange(min, end));
}

Deployment random_deployment() {
  Deployment deployment;
  deployment.quorum.kind =
      *rc::gen::element(QuorumSystemKind::kMajority, QuorumSystemKind::kWeightedMajority,
                        QuorumSystemKind::kFlexible);
  const bool weighted = deployment.quorum.kind == QuorumSystemKind::kWeightedMajority;
  const int datacenters = uniform(1, 5);
  for (int d = 0; d < datacenters; ++d) {
    const DatacenterIndex datacenter = deployment.add_datacenter("dc" + std::to_string(d + 1));
    const int size = uniform(1, 4);
    for (int i = 0; i < size; ++i) {
      const int votes = weighted ? uniform(0, 4) : 1;
      deployment.add_node(datacenter, "n" + std::to_string(deployment.node_count() + 1), votes);
    }
  }
  if (weighted && deployment.total_votes() == 0) deployment.nodes[0].votes = 1;
  const int n = deployment.node_count();
  if (deployment.quorum.kind == QuorumSystemKind::kFlexible) {
    deployment.quorum.phase1_size = uniform(1, n + 1);
    deployment.quorum.phase2_size = uniform(1, n + 1);
  }
  // A random spanning tree keeps every datacenter reachable, as a file
  // must; a few random links on top of it, so that a datacenter often is
  // the only way between others.
  std::vector<std::pair<DatacenterIndex, DatacenterIndex>> links;
  for (DatacenterIndex b = 1; b < datacenters; ++b) links.emplace_back(uniform(0, b), b);
  for (DatacenterIndex a = 0; a < datacenters; ++a) {
    for (DatacenterIndex b = a + 1; b < datacenters; ++b) {
      const bool in_tree =
          std::find(links.begin(), links.end(), std::make_pair(a, b)) != links.end();
      if (!in_tree && uniform(0, 4) == 0) links.emplace_back(a, b);
    }
  }
  for (const auto& [a, b] : links) deployment.add_link(a, b);
  deployment.scenarios.push_back({ScenarioKind::kAnyNodes, uniform(1, n + 1), {}});
  deployment.scenarios.push_back({ScenarioKind::kAnyDatacenter, 0, {}});
  deployment.scenarios.push_back({ScenarioKind::kAnyDatacenterPlusNode, 0, {}});
  // Each datacenter in one of three groups, or in none (its links stay).
  std::vector<std::vector<DatacenterIndex>> groups(3);
  for (DatacenterIndex datacenter = 0; datacenter < datacenters; ++datacenter) {
    const int group = uniform(-1, 3);
    if (group >= 0) groups[static_cast<size_t>(group)].push_back(datacenter);
  }
  std::erase_if(groups, [](const auto& group) { return group.empty(); });
  if (groups.size() >= 2) deployment.scenarios.push_back({ScenarioKind::kPartition, 0, groups});
  RC_ASSERT(deployment.inconsistency() == "");
  return deployment;
}

// Which datacenters reach which: the transitive closure of the links,
// without those in `removed` and without the links between two different
// groups of `between`.
std::vector<std::vector<bool>> reachability(
    const Deployment& deployment, const std::vector<std::vector<DatacenterIndex>>& between,
    int removed = -1) {
  const size_t count = deployment.datacenters.size();
  std::vector<int> group_of(count, -1);
  for (size_t g = 0; g < between.size(); ++g) {
    for (DatacenterIndex datacenter : between[g]) group_of[datacenter] = static_cast<int>(g);
  }
  std::vector<std::vector<bool>> reach(count, std::vector<bool>(count, false));
  for (size_t d = 0; d < count; ++d) reach[d][d] = static_cast<int>(d) != removed;
  for (const auto& [a, b] : deployment.links) {
    if (a == removed || b == removed) continue;
    if (group_of[a] < 0 || group_of[b] < 0 || group_of[a] == group_of[b])
      reach[a][b] = reach[b][a] = true;
  }
  for (size_t k = 0; k < count; ++k) {
    for (size_t i = 0; i < count; ++i) {
      for (size_t j = 0; j < count; ++j) reach[i][j] = reach[i][j] || (reach[i][k] && reach[k][j]);
    }
  }
  return reach;
}

// Groups of datacenters that reach each other, each in increasing order,
// ordered by their first datacenter.
std::vector<std::vector<DatacenterIndex>> groups_of(const std::vector<std::vector<bool>>& reach) {
  std::vector<std::vector<DatacenterIndex>> groups;
  for (size_t d = 0; d < reach.size(); ++d) {
    const bool first_of_its_group =
        reach[d][d] && std::none_of(reach[d].begin(), reach[d].begin() + static_cast<long>(d),
                                    [](bool reachable) { return reachable; });
    if (!first_of_its_group) continue;
    groups.emplace_back();
    for (size_t e = 0; e < reach.size(); ++e) {
      if (reach[d][e]) groups.back().push_back(static_cast<DatacenterIndex>(e));
    }
  }
  return groups;
}

// The brute force knows the deployment only as votes per node, the two
// thresholds, the datacenters' members and which datacenters reach which.
struct Enumeration {
  explicit Enumeration(const Deployment& deployment)
      : n(deployment.node_count()),
        all((Mask{1} << n) - 1),
        phase1(deployment.phase1_votes()),
        phase2(deployment.phase2_votes()) {
    for (const auto& node : deployment.nodes) votes.push_back(node.votes);
    for (const auto& datacenter : deployment.datacenters) {
      Mask members = 0;
      for (NodeIndex node : datacenter.nodes) members |= Mask{1} << node;
      datacenter_members.push_back(members);
    }
    for (size_t d = 0; d < deployment.datacenters.size(); ++d) {
      groups_without.push_back(
          node_groups(groups_of(reachability(deployment, {}, static_cast<int>(d)))));
    }
  }

  Mask members_of(const std::vector<DatacenterIndex>& group) const {
    Mask members = 0;
    for (DatacenterIndex datacenter : group) members |= datacenter_members[datacenter];
    return members;
  }
  std::vector<Mask> node_groups(const std::vector<std::vector<DatacenterIndex>>& groups) const {
    std::vector<Mask> masks;
    for (const auto& group : groups) masks.push_back(members_of(group));
    return masks;
  }
  int votes_of(Mask set) const {
    int sum = 0;
    for (int node = 0; node < n; ++node) sum += (set >> node & 1u) ? votes[node] : 0;
    return sum;
  }
  // Live: one group of survivors holds enough votes for both phases.
  bool live_in(const std::vector<Mask>& groups, Mask failed) const {
    return std::any_of(groups.begin(), groups.end(), [&](Mask group) {
      const int left = votes_of(group & ~failed);
      return left >= phase1 && left >= phase2;
    });
  }
  // Node failures leave every datacenter's links up: one group.
  bool live_after(Mask failed) const { return live_in({all}, failed); }
  bool disjoint_quorums_exist() const {
    for (Mask set = 0; set <= all; ++set) {
      if (votes_of(set) >= phase1 && votes_of(all & ~set) >= phase2) return true;
    }
    return false;
  }
  std::vector<Mask> sets_of_size(int size) const {
    std::vector<Mask> sets;
    for (Mask set = 0; set <= all; ++set) {
      if (std::popcount(set) == size) sets.push_back(set);
    }
    return sets;
  }

  int n;
  Mask all;
  int phase1;
  int phase2;
  std::vector<int> votes;
  std::vector<Mask> datacenter_members;
  std::vector<std::vector<Mask>>
      groups_without;  // [d]: the groups that reach each other once d has failed
};

Mask mask_of(const NodeSet& set) {
  Mask mask = 0;
  for (NodeIndex node : set) mask |= Mask{1} << node;
  return mask;
}

void check_intersection_against(const Enumeration& all, const PlacementAnalysis& analysis) {
  RC_ASSERT(analysis.intersection.holds == !all.disjoint_quorums_exist());
  if (analysis.intersection.holds) return;
  const Mask q1 = mask_of(analysis.intersection.phase1_quorum);
  const Mask q2 = mask_of(analysis.intersection.phase2_quorum);
  RC_ASSERT((q1 & q2) == 0u);
  RC_ASSERT(all.votes_of(q1) >= all.phase1);
  RC_ASSERT(all.votes_of(q2) >= all.phase2);
  for (int node = 0; node < all.n; ++node) {
    const Mask bit = Mask{1} << node;
    if (q1 & bit) RC_ASSERT(all.votes_of(q1 & ~bit) < all.phase1);
    if (q2 & bit) RC_ASSERT(all.votes_of(q2 & ~bit) < all.phase2);
  }
}

void check_tolerance_against(const Enumeration& all, const PlacementAnalysis& analysis) {
  int tolerated = -1;
  for (int k = 0; k <= all.n; ++k) {
    const auto sets = all.sets_of_size(k);
    if (!std::all_of(sets.begin(), sets.end(), [&](Mask failed) { return all.live_after(failed); }))
      break;
    tolerated = k;
  }
  RC_ASSERT(analysis.max_failures_tolerated == tolerated);
  RC_ASSERT(static_cast<int>(analysis.smallest_fatal_failure.size()) == tolerated + 1);
  RC_ASSERT(!all.live_after(mask_of(analysis.smallest_fatal_failure)));
}

void check_any_nodes_against(const Enumeration& all, const ScenarioResult& result) {
  const auto sets = all.sets_of_size(result.scenario.count);
  int fewest_left = all.votes_of(all.all);
  for (Mask failed : sets) fewest_left = std::min(fewest_left, all.votes_of(all.all & ~failed));
  RC_ASSERT(result.cases.size() == 1u);
  RC_ASSERT(result.cases[0].survival.failed.size() == static_cast<size_t>(result.scenario.count));
  RC_ASSERT(result.cases[0].survival.votes_left() == fewest_left);
  RC_ASSERT(result.ok == std::all_of(sets.begin(), sets.end(),
                                     [&](Mask failed) { return all.live_after(failed); }));
}

// A datacenter fails with its links; with the extra node, every node
// outside it is tried.
void check_datacenter_failures_against(const Enumeration& all, const ScenarioResult& result) {
  RC_ASSERT(result.cases.size() == all.datacenter_members.size());
  bool every_case_live = true;
  for (size_t d = 0; d < all.datacenter_members.size(); ++d) {
    const Mask lost = all.datacenter_members[d];
    const auto& groups = all.groups_without[d];
    bool live = all.live_in(groups, lost);
    if (result.scenario.kind == ScenarioKind::kAnyDatacenterPlusNode && lost != all.all) {
      live = true;
      for (int node = 0; node < all.n; ++node) {
        const Mask extra = Mask{1} << node;
        if (!(lost & extra) && !all.live_in(groups, lost | extra)) live = false;
      }
    }
    const Survival& survival = result.cases[d].survival;
    RC_ASSERT((mask_of(survival.failed) & lost) == lost);
    RC_ASSERT(survival.live() == live);
    std::vector<int> group_votes;
    for (Mask group : groups) {
      if (group & ~mask_of(survival.failed))
        group_votes.push_back(all.votes_of(group & ~mask_of(survival.failed)));
    }
    RC_ASSERT(survival.group_votes == group_votes);
    every_case_live = every_case_live && live;
  }
  RC_ASSERT(result.ok == every_case_live);
  RC_ASSERT(result.smallest_failing.has_value() == !every_case_live);
}

void check_partition_against(const Deployment& deployment, const Enumeration& all,
                             const ScenarioResult& result) {
  const auto groups = groups_of(reachability(deployment, result.scenario.between));
  RC_ASSERT(result.sides.size() == groups.size());
  int progressing = 0;
  for (size_t s = 0; s < groups.size(); ++s) {
    RC_ASSERT(result.sides[s].datacenters == groups[s]);
    const Mask members = all.members_of(groups[s]);
    RC_ASSERT(mask_of(result.sides[s].nodes) == members);
    const bool phase1 = all.votes_of(members) >= all.phase1;
    const bool phase2 = all.votes_of(members) >= all.phase2;
    RC_ASSERT(result.sides[s].phase1 == phase1);
    RC_ASSERT(result.sides[s].phase2 == phase2);
    progressing += phase1 && phase2;
  }
  bool split = false;
  for (size_t i = 0; i < groups.size(); ++i) {
    for (size_t j = 0; j < groups.size(); ++j) {
      split = split || (i != j && result.sides[i].phase1 && result.sides[j].phase2);
    }
  }
  RC_ASSERT(result.split_brain == split);
  RC_ASSERT(result.ok == (progressing == 1 && !split));
}

RC_GTEST_PROP(PlacementProperties, AnalysisAgreesWithEnumeratingEverySetOfNodes, ()) {
  const Deployment deployment = random_deployment();
  const PlacementAnalysis analysis = analyze(deployment);
  RC_LOG() << placement_text("generated deployment", deployment, analysis);
  const Enumeration all(deployment);
  RC_CLASSIFY(!analysis.intersection.holds, "quorums do not intersect");
  RC_CLASSIFY(analysis.ok(), "every scenario survived");
  check_intersection_against(all, analysis);
  check_tolerance_against(all, analysis);
  for (const ScenarioResult& result : analysis.scenarios) {
    switch (result.scenario.kind) {
      case ScenarioKind::kAnyNodes: check_any_nodes_against(all, result); break;
      case ScenarioKind::kAnyDatacenter:
      case ScenarioKind::kAnyDatacenterPlusNode:
        check_datacenter_failures_against(all, result);
        break;
      case ScenarioKind::kPartition: check_partition_against(deployment, all, result); break;
    }
  }
  if (deployment.quorum.kind == QuorumSystemKind::kFlexible) {
    int smallest = all.n;
    for (int size = all.n; size >= 1; --size) {
      Enumeration sized = all;
      sized.phase1 = size;
      if (!sized.disjoint_quorums_exist()) smallest = size;
    }
    RC_ASSERT(analysis.smallest_safe_phase1_size == smallest);
  }
}

}  // namespace
}  // namespace crosscheck::spec::placement
