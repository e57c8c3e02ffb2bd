// RapidCheck properties over small random deployments (up to 4 datacenters
// of up to 3 nodes, any of the three quorum systems, random links and
// partitions): Z3's intersection verdict, the failure analysis' worst
// cases and the partition sides agree with a brute-force enumeration of
// every set of nodes. RapidCheck prints its seed ("Using configuration:
// seed=..."); RC_PARAMS="seed=N" reruns exactly that test.
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

Deployment random_deployment() {
  Deployment deployment;
  deployment.quorum.kind =
      *rc::gen::element(QuorumSystemKind::kMajority, QuorumSystemKind::kWeightedMajority, QuorumSystemKind::kFlexible);
  const bool weighted = deployment.quorum.kind == QuorumSystemKind::kWeightedMajority;
  const int datacenters = *rc::gen::inRange(1, 5);
  for (int d = 0; d < datacenters; ++d) {
    const DatacenterIndex datacenter = deployment.add_datacenter("dc" + std::to_string(d + 1));
    const int size = *rc::gen::inRange(1, 4);
    for (int i = 0; i < size; ++i) {
      const int votes = weighted ? *rc::gen::inRange(0, 4) : 1;
      deployment.add_node(datacenter, "n" + std::to_string(deployment.node_count() + 1), votes);
    }
  }
  if (weighted && deployment.total_votes() == 0) deployment.nodes[0].votes = 1;
  const int n = deployment.node_count();
  if (deployment.quorum.kind == QuorumSystemKind::kFlexible) {
    deployment.quorum.phase1_size = *rc::gen::inRange(1, n + 1);
    deployment.quorum.phase2_size = *rc::gen::inRange(1, n + 1);
  }
  for (DatacenterIndex a = 0; a < datacenters; ++a) {
    for (DatacenterIndex b = a + 1; b < datacenters; ++b) {
      if (*rc::gen::arbitrary<bool>()) deployment.add_link(a, b);
    }
  }
  deployment.scenarios.push_back({ScenarioKind::kAnyNodes, *rc::gen::inRange(1, n + 1), {}});
  deployment.scenarios.push_back({ScenarioKind::kAnyDatacenter, 0, {}});
  deployment.scenarios.push_back({ScenarioKind::kAnyDatacenterPlusNode, 0, {}});
  // Each datacenter in one of three groups, or in none (its links stay).
  std::vector<std::vector<DatacenterIndex>> groups(3);
  for (DatacenterIndex datacenter = 0; datacenter < datacenters; ++datacenter) {
    const int group = *rc::gen::inRange(-1, 3);
    if (group >= 0) groups[static_cast<size_t>(group)].push_back(datacenter);
  }
  std::erase_if(groups, [](const auto& group) { return group.empty(); });
  if (groups.size() >= 2) deployment.scenarios.push_back({ScenarioKind::kPartition, 0, groups});
  RC_ASSERT(deployment.inconsistency() == "");
  return deployment;
}

// The brute force knows the deployment only as votes per node, the two
// thresholds and the datacenters' members.
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
  }

  int votes_of(Mask set) const {
    int sum = 0;
    for (int node = 0; node < n; ++node) sum += (set >> node & 1u) ? votes[node] : 0;
    return sum;
  }
  bool live_after(Mask failed) const {
    const int left = votes_of(all & ~failed);
    return left >= phase1 && left >= phase2;
  }
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
    if (!std::all_of(sets.begin(), sets.end(), [&](Mask failed) { return all.live_after(failed); })) break;
    tolerated = k;
  }
  RC_ASSERT(analysis.max_failures_tolerated == tolerated);
  RC_ASSERT(static_cast<int>(analysis.smallest_fatal_failure.size()) == tolerated + 1);
  RC_ASSERT(!all.live_after(mask_of(analysis.smallest_fatal_failure)));
}

void check_failure_scenario_against(const Enumeration& all, const ScenarioResult& result) {
  if (result.scenario.kind == ScenarioKind::kAnyNodes) {
    const auto sets = all.sets_of_size(result.scenario.count);
    int fewest_left = all.votes_of(all.all);
    for (Mask failed : sets) fewest_left = std::min(fewest_left, all.votes_of(all.all & ~failed));
    RC_ASSERT(result.cases.size() == 1u);
    RC_ASSERT(result.cases[0].survival.failed.size() == static_cast<size_t>(result.scenario.count));
    RC_ASSERT(result.cases[0].survival.votes_left == fewest_left);
    RC_ASSERT(result.ok == std::all_of(sets.begin(), sets.end(), [&](Mask failed) { return all.live_after(failed); }));
    return;
  }
  RC_ASSERT(result.cases.size() == all.datacenter_members.size());
  bool every_case_live = true;
  for (size_t d = 0; d < all.datacenter_members.size(); ++d) {
    const Mask lost = all.datacenter_members[d];
    bool live = all.live_after(lost);
    if (result.scenario.kind == ScenarioKind::kAnyDatacenterPlusNode && lost != all.all) {
      live = true;
      for (int node = 0; node < all.n; ++node) {
        const Mask extra = Mask{1} << node;
        if (!(lost & extra) && !all.live_after(lost | extra)) live = false;
      }
    }
    RC_ASSERT((mask_of(result.cases[d].survival.failed) & lost) == lost);
    RC_ASSERT(result.cases[d].survival.live() == live);
    every_case_live = every_case_live && live;
  }
  RC_ASSERT(result.ok == every_case_live);
  RC_ASSERT(result.smallest_failing.has_value() == !every_case_live);
}

// Sides by reachability: the transitive closure of the links left uncut.
std::vector<std::vector<DatacenterIndex>> reachable_groups(const Deployment& deployment, const Scenario& partition) {
  const size_t count = deployment.datacenters.size();
  std::vector<int> group_of(count, -1);
  for (size_t g = 0; g < partition.between.size(); ++g) {
    for (DatacenterIndex datacenter : partition.between[g]) group_of[datacenter] = static_cast<int>(g);
  }
  std::vector<std::vector<bool>> reach(count, std::vector<bool>(count, false));
  for (size_t d = 0; d < count; ++d) reach[d][d] = true;
  for (const auto& [a, b] : deployment.links) {
    if (group_of[a] < 0 || group_of[b] < 0 || group_of[a] == group_of[b]) reach[a][b] = reach[b][a] = true;
  }
  for (size_t k = 0; k < count; ++k) {
    for (size_t i = 0; i < count; ++i) {
      for (size_t j = 0; j < count; ++j) reach[i][j] = reach[i][j] || (reach[i][k] && reach[k][j]);
    }
  }
  std::vector<std::vector<DatacenterIndex>> groups;
  for (size_t d = 0; d < count; ++d) {
    const bool first_of_its_group = std::none_of(reach[d].begin(), reach[d].begin() + static_cast<long>(d),
                                                 [](bool reachable) { return reachable; });
    if (!first_of_its_group) continue;
    groups.emplace_back();
    for (size_t e = 0; e < count; ++e) {
      if (reach[d][e]) groups.back().push_back(static_cast<DatacenterIndex>(e));
    }
  }
  return groups;
}

void check_partition_against(const Deployment& deployment, const Enumeration& all, const ScenarioResult& result) {
  const auto groups = reachable_groups(deployment, result.scenario);
  RC_ASSERT(result.sides.size() == groups.size());
  int progressing = 0;
  bool phase1_somewhere = false;
  for (size_t s = 0; s < groups.size(); ++s) {
    RC_ASSERT(result.sides[s].datacenters == groups[s]);
    Mask members = 0;
    for (DatacenterIndex datacenter : groups[s]) members |= all.datacenter_members[datacenter];
    RC_ASSERT(mask_of(result.sides[s].nodes) == members);
    const bool phase1 = all.votes_of(members) >= all.phase1;
    const bool phase2 = all.votes_of(members) >= all.phase2;
    RC_ASSERT(result.sides[s].phase1 == phase1);
    RC_ASSERT(result.sides[s].phase2 == phase2);
    progressing += phase1 && phase2;
    phase1_somewhere = phase1_somewhere || phase1;
  }
  bool split = false;
  for (size_t i = 0; i < groups.size(); ++i) {
    for (size_t j = 0; j < groups.size(); ++j)
      split = split || (i != j && result.sides[i].phase1 && result.sides[j].phase2);
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
    if (result.scenario.kind == ScenarioKind::kPartition) {
      check_partition_against(deployment, all, result);
    } else {
      check_failure_scenario_against(all, result);
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
