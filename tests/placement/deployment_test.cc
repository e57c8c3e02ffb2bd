// The deployment model: what a quorum is under each quorum system, and the
// consistency a deployment must have before it is analysed.
#include "impl/placement/deployment.h"

#include <gtest/gtest.h>

namespace crosscheck::impl::placement {
namespace {

// Datacenters of the given sizes, nodes named n1, n2, ... in order.
Deployment spread(const std::vector<int>& sizes, QuorumSystem quorum = {}) {
  Deployment deployment;
  deployment.quorum = quorum;
  int next = 1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    const DatacenterIndex datacenter = deployment.add_datacenter("dc" + std::to_string(i + 1));
    for (int j = 0; j < sizes[i]; ++j)
      deployment.add_node(datacenter, "n" + std::to_string(next++));
  }
  deployment.link_every_pair();
  return deployment;
}

TEST(Deployment, AMajorityIsMoreThanHalfTheNodes) {
  EXPECT_EQ(spread({1, 1, 1}).phase1_votes(), 2);
  EXPECT_EQ(spread({2, 2, 1}).phase1_votes(), 3);
  const Deployment six = spread({3, 3});
  EXPECT_EQ(six.phase1_votes(), 4);
  EXPECT_EQ(six.phase2_votes(), 4);
  EXPECT_FALSE(six.is_phase1_quorum({0, 1, 2}));
  EXPECT_TRUE(six.is_phase1_quorum({0, 1, 2, 3}));
}

TEST(Deployment, AWeightedMajorityIsMoreThanHalfTheVotes) {
  Deployment deployment = spread({2, 1}, {QuorumSystemKind::kWeightedMajority});
  deployment.nodes[0].votes = 3;  // n1
  deployment.nodes[2].votes = 0;  // n3, a non-voting member
  EXPECT_EQ(deployment.total_votes(), 4);
  EXPECT_EQ(deployment.phase1_votes(), 3);
  EXPECT_TRUE(deployment.is_phase2_quorum({0}));
  EXPECT_FALSE(deployment.is_phase2_quorum({1, 2}));
  EXPECT_EQ(deployment.inconsistency(), "");
}

TEST(Deployment, FlexibleQuorumsHaveTheirOwnSizePerPhase) {
  const Deployment deployment = spread({2, 2, 1}, {QuorumSystemKind::kFlexible, 4, 2});
  EXPECT_EQ(deployment.phase1_votes(), 4);
  EXPECT_EQ(deployment.phase2_votes(), 2);
  EXPECT_TRUE(deployment.is_phase2_quorum({3, 4}));
  EXPECT_FALSE(deployment.is_phase1_quorum({0, 1, 2}));
}

TEST(Deployment, NamesAndScenariosReadAsInTheReports) {
  const Deployment deployment = spread({2, 1});
  EXPECT_EQ(deployment.names({0, 2}), "n1 n3");
  EXPECT_EQ(deployment.names({}), "(none)");
  EXPECT_EQ(deployment.complement({1}), (NodeSet{0, 2}));
  EXPECT_EQ(deployment.describe({ScenarioKind::kAnyNodes, 1, {}}), "any 1 node");
  EXPECT_EQ(deployment.describe({ScenarioKind::kAnyNodes, 2, {}}), "any 2 nodes");
  EXPECT_EQ(deployment.describe({ScenarioKind::kPartition, 0, {{1}, {0}}}),
            "partition {dc2} | {dc1}");
}

TEST(Deployment, InconsistenciesAreNamed) {
  Deployment flexible = spread({2, 1}, {QuorumSystemKind::kFlexible, 4, 1});
  EXPECT_EQ(flexible.inconsistency(), "a quorum size out of range");
  Deployment votes = spread({2, 1});
  votes.nodes[0].votes = 2;
  EXPECT_EQ(votes.inconsistency(), "votes outside weighted-majority");
  Deployment twice = spread({2, 1});
  twice.nodes[1].name = "n1";
  EXPECT_EQ(twice.inconsistency(), "two nodes named n1");
  Deployment link = spread({1, 1});
  link.add_link(0, 1);
  EXPECT_EQ(link.inconsistency(), "a link listed twice");
  Deployment partition = spread({1, 1});
  partition.scenarios.push_back({ScenarioKind::kPartition, 0, {{0}, {0, 1}}});
  EXPECT_EQ(partition.inconsistency(), "a datacenter in two partition groups");
  Deployment count = spread({1, 1});
  count.scenarios.push_back({ScenarioKind::kAnyNodes, 3, {}});
  EXPECT_EQ(count.inconsistency(), "a node count out of range");
}

}  // namespace
}  // namespace crosscheck::impl::placement
