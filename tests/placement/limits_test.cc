// Deployments at the file's limit of 256 nodes: Z3 decides their quorum
// intersection both ways, and the failure analysis covers every datacenter
// with every other node.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>

#include "spec/placement/report.h"

namespace crosscheck::spec::placement {
namespace {

using impl::placement::kMaxDatacenters;
using impl::placement::kMaxNodes;
using impl::placement::QuorumSystemKind;
using impl::placement::ScenarioKind;

Deployment largest(QuorumSystemKind kind, int phase1_size = 0, int phase2_size = 0) {
  Deployment deployment;
  deployment.quorum = {kind, phase1_size, phase2_size};
  constexpr int kNodesPerDatacenter = kMaxNodes / kMaxDatacenters;
  for (int d = 0; d < kMaxDatacenters; ++d) {
    const auto datacenter = deployment.add_datacenter("dc" + std::to_string(d));
    for (int i = 0; i < kNodesPerDatacenter; ++i) {
      const int votes = kind == QuorumSystemKind::kWeightedMajority ? 1 + (d + i) % 3 : 1;
      deployment.add_node(datacenter, "n" + std::to_string(d) + "." + std::to_string(i), votes);
    }
  }
  deployment.link_every_pair();
  return deployment;
}

TEST(Limits, FlexibleQuorumsOf256NodesIntersectExactlyWhenTheSizesAddUpToMore) {
  EXPECT_TRUE(check_intersection(largest(QuorumSystemKind::kFlexible, 128, 129)).holds);
  const Deployment deployment = largest(QuorumSystemKind::kFlexible, 128, 128);
  const IntersectionResult result = check_intersection(deployment);
  ASSERT_FALSE(result.holds);
  EXPECT_EQ(result.phase1_quorum.size(), 128u);
  EXPECT_EQ(result.phase2_quorum.size(), 128u);
  NodeSet common;
  std::set_intersection(result.phase1_quorum.begin(), result.phase1_quorum.end(),
                        result.phase2_quorum.begin(), result.phase2_quorum.end(),
                        std::back_inserter(common));
  EXPECT_TRUE(common.empty());
  EXPECT_EQ(smallest_safe_phase1_size(deployment), 129);
}

TEST(Limits, AWeightedMajorityOf256NodesIsAnalysedWhole) {
  Deployment deployment = largest(QuorumSystemKind::kWeightedMajority);
  deployment.scenarios = {{ScenarioKind::kAnyNodes, 100, {}},
                          {ScenarioKind::kAnyDatacenter, 0, {}},
                          {ScenarioKind::kAnyDatacenterPlusNode, 0, {}}};
  const PlacementAnalysis analysis = analyze(deployment);
  EXPECT_TRUE(analysis.intersection.holds);
  ASSERT_EQ(analysis.scenarios.size(), 3u);
  EXPECT_FALSE(analysis.scenarios[0].ok);  // the 100 heaviest nodes hold most of the votes
  EXPECT_TRUE(analysis.scenarios[1].ok);
  EXPECT_TRUE(analysis.scenarios[2].ok);
  EXPECT_EQ(analysis.scenarios[2].cases.size(), 64u);
}

}  // namespace
}  // namespace crosscheck::spec::placement
