// The ring's placement of points and keys, and its known-buggy variant
// ring-modulo caught by the monotonicity property with a shrunk
// counterexample.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <iostream>
#include <string>

#include "impl/hashing/ring.h"
#include "tests/common/shrink.h"
#include "tests/hashing/monotonicity.h"
#include "tests/hashing/statistics.h"

namespace crosscheck::impl::hashing::testing {
namespace {

TEST(HashRing, EachNodePlacesItsPointsInOrderAndRemovalTakesThemAll) {
  HashRing ring(4);
  for (NodeId node : {7, 3, 11}) ring.add_node(node);
  EXPECT_EQ(ring.nodes(), (std::vector<NodeId>{3, 7, 11}));
  ASSERT_EQ(ring.points().size(), 12u);
  EXPECT_TRUE(std::is_sorted(ring.points().begin(), ring.points().end()));
  ring.remove_node(7);
  EXPECT_EQ(ring.points().size(), 8u);
  for (const auto& point : ring.points()) EXPECT_NE(point.node, 7);
}

TEST(HashRing, APositionOnAPointBelongsToThatPointAndPastTheLastWrapsToTheFirst) {
  HashRing ring(8);
  for (NodeId node : {1, 2, 3}) ring.add_node(node);
  const auto& points = ring.points();
  for (size_t i = 0; i < points.size(); ++i) EXPECT_EQ(ring.successor_index(points[i].position), i);
  ASSERT_LT(points.back().position, UINT64_MAX);
  EXPECT_EQ(ring.successor_index(points.back().position + 1), 0u);
  EXPECT_EQ(ring.successor_index(points[2].position - 1), 2u);
}

TEST(HashRing, TheOnlyNodeOwnsEveryKey) {
  HashRing ring(3);
  ring.add_node(42);
  for (uint64_t key : random_keys(1, 1000)) EXPECT_EQ(ring.owner(key), 42);
}

struct ModuloRun {
  bool violated = false;
  std::vector<NodeId> nodes;
  NodeId joining = 0;
  std::string violation;
};

std::string describe(const ModuloRun& run) {
  std::string nodes;
  for (NodeId node : run.nodes) nodes += (nodes.empty() ? "" : ", ") + std::to_string(node);
  return "nodes {" + nodes + "}, joining " + std::to_string(run.joining) + ": " + run.violation;
}

// hash mod n is monotone from one node to two (the new node takes every
// key whose residue names it, the old node keeps the rest), so the least
// counterexample has two nodes and a third joining: the residues mod 2 and
// mod 3 disagree on two thirds of the keys, and half of those move between
// the two old nodes.
TEST(HashRingVariants, RingModuloIsCaughtByMonotonicityAndShrinksToTwoNodesAndAJoin) {
  auto failure = crosscheck::testing::shrink_failure<ModuloRun>("ring-modulo", 100, [] {
    ModuloRun run;
    run.nodes = *node_sets(1, 100);
    run.joining = *new_node(run.nodes);
    const NodeId leaving = *rc::gen::elementOf(run.nodes);
    const auto keys = random_keys(*rc::gen::arbitrary<uint64_t>(), kKeys);
    run.violation =
        monotonicity_violation(HashRing(*rc::gen::inRange(1, 201), RingVariant::kModulo), run.nodes,
                               run.joining, leaving, keys);
    run.violated = !run.violation.empty();
    return run;
  });
  ASSERT_TRUE(failure.found) << "no node set caught ring-modulo";
  std::cerr << "shrunk counterexample for ring-modulo: " << describe(failure.run) << "\n";
  EXPECT_EQ(failure.run.nodes.size(), 2u) << describe(failure.run);
  EXPECT_EQ(failure.run.violation.rfind("adding node", 0), 0u) << describe(failure.run);
}

}  // namespace
}  // namespace crosscheck::impl::hashing::testing
