// Consistent hashing with bounded loads over random node sets and keys: no
// node is ever above its capacity ceil((1 + epsilon) m / n), the keys moved
// by a join stay within the paper's bound, and the placement agrees key by
// key with a deliberately simple reference. The seed is printed;
// RC_PARAMS="seed=N" reruns it.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

#include "impl/common/random.h"
#include "impl/hashing/bounded_load.h"
#include "tests/common/property.h"
#include "tests/hashing/generators.h"
#include "tests/hashing/reference.h"
#include "tests/hashing/statistics.h"

namespace crosscheck::impl::hashing {

// For RapidCheck's report of a counterexample.
std::ostream& operator<<(std::ostream& out, const Epsilon& epsilon) {
  return out << epsilon.numerator << "/" << epsilon.denominator;
}

namespace testing {
namespace {

using crosscheck::testing::holds_for;

rc::Gen<Epsilon> epsilons() {
  return rc::gen::element(Epsilon{1, 10}, Epsilon{1, 4}, Epsilon{1, 2}, Epsilon{1, 1},
                          Epsilon{2, 1});
}

// Counts each node's keys from owner() and checks them against the
// capacity and load(); "" when all hold.
std::string capacity_violation(const BoundedLoadRing& ring) {
  std::unordered_map<NodeId, int64_t> counted;
  for (uint64_t key : ring.keys()) ++counted[ring.owner(key)];
  if (ring.owners().size() != ring.keys().size()) return "owners() and keys() differ in length";
  for (const auto& [node, count] : counted) {
    if (!ring.ring().contains(node))
      return "key owned by node " + std::to_string(node) + ", which is not on the ring";
    if (count > ring.capacity()) {
      return "node " + std::to_string(node) + " holds " + std::to_string(count) +
             " keys, above capacity " + std::to_string(ring.capacity());
    }
    if (count != ring.load(node))
      return "node " + std::to_string(node) + " load() disagrees with its keys";
  }
  return "";
}

// One step of a history: insert a batch of keys, a node joins, or one
// leaves (never the last).
void take_step(BoundedLoadRing& ring, std::vector<NodeId>& nodes, SplitMix64& random,
               size_t most_keys) {
  switch (*rc::gen::inRange(0, 3)) {
    case 0: {
      const auto count = *rc::gen::inRange<size_t>(1, most_keys + 1);
      std::vector<uint64_t> batch(count);
      for (auto& key : batch) key = random.next();
      ring.insert(batch);
      return;
    }
    case 1: {
      const NodeId joining = *new_node(nodes);
      nodes.push_back(joining);
      ring.add_node(joining);
      return;
    }
    default: {
      if (nodes.size() < 2) return;
      const auto at = nodes.begin() + *rc::gen::inRange<std::ptrdiff_t>(
                                          0, static_cast<std::ptrdiff_t>(nodes.size()));
      ring.remove_node(*at);
      nodes.erase(at);
      return;
    }
  }
}

TEST(BoundedLoads, NoNodeIsEverAboveItsCapacity) {
  EXPECT_TRUE(holds_for("bounded-loads-capacity", 15, [] {
    auto nodes = *node_sets(1, 50);
    const int points_per_node = *rc::gen::inRange(1, 51);
    BoundedLoadRing ring(points_per_node, *epsilons());
    for (NodeId node : nodes) ring.add_node(node);
    SplitMix64 random(*rc::gen::arbitrary<uint64_t>());
    const int steps = *rc::gen::inRange(1, 9);
    for (int step = 0; step < steps; ++step) {
      take_step(ring, nodes, random, kKeys / 8);
      if (std::string violation = capacity_violation(ring); !violation.empty()) {
        RC_FAIL("after step " + std::to_string(step + 1) + ": " + violation);
      }
    }
  }));
}

// The paper (Theorem 4) bounds the expected number of keys a join moves,
// for epsilon <= 1, by O(1/epsilon^2) times the m/(n+1) any scheme must
// hand the new node. We check the constant 1, (1 + 1/epsilon^2) m/(n+1)
// with the m/(n+1) itself added, on the mean over 8 joins to one node set
// (one join's count varies with the new node's arcs: with k = 10, single
// joins at epsilon = 1 reach 2 m/(n+1) about once in 200; means of 8 stay
// near 1). Measured means: docs/hashing.md.
TEST(BoundedLoads, AJoinMovesWithinThePapersBoundOnAverage) {
  constexpr int kJoins = 8;
  EXPECT_TRUE(holds_for("bounded-loads-join-moves", 8, [] {
    const auto nodes = *node_sets(20, 100);
    const Epsilon epsilon = *rc::gen::element(Epsilon{1, 4}, Epsilon{1, 2}, Epsilon{1, 1});
    BoundedLoadRing ring(*rc::gen::inRange(10, 101), epsilon);
    for (NodeId node : nodes) ring.add_node(node);
    const auto keys = random_keys(*rc::gen::arbitrary<uint64_t>(), kKeys);
    ring.insert(keys);
    const std::vector<NodeId> before = ring.owners();
    const double unavoidable = static_cast<double>(kKeys) / static_cast<double>(nodes.size() + 1);
    std::vector<NodeId> taken = nodes;
    double ratios = 0;
    for (int j = 0; j < kJoins; ++j) {
      const NodeId joining = *new_node(taken);
      taken.push_back(joining);
      ring.add_node(joining);
      ratios += static_cast<double>(moved_count(before, ring.owners())) / unavoidable;
      ring.remove_node(joining);
    }
    const double mean = ratios / kJoins;
    const double e =
        static_cast<double>(epsilon.numerator) / static_cast<double>(epsilon.denominator);
    const double bound = 1 + 1 / (e * e);
    if (mean > bound) {
      RC_FAIL("joins moved " + std::to_string(mean) + " m/(n+1) on average, above " +
              std::to_string(bound));
    }
  }));
}

// After a random history of inserts, joins and leaves, every key's owner is
// the reference's, which places all keys afresh from the final node set.
TEST(BoundedLoads, AgreesWithTheReferenceAfterAnyHistory) {
  EXPECT_TRUE(holds_for("bounded-loads-differential", 100, [] {
    auto nodes = *node_sets(1, 16);
    const int points_per_node = *rc::gen::inRange(1, 9);
    const Epsilon epsilon = *epsilons();
    BoundedLoadRing ring(points_per_node, epsilon);
    for (NodeId node : nodes) ring.add_node(node);
    SplitMix64 random(*rc::gen::arbitrary<uint64_t>());
    const int steps = *rc::gen::inRange(1, 17);
    for (int step = 0; step < steps; ++step) take_step(ring, nodes, random, 1000);
    const auto expected = reference_bounded_owners(nodes, points_per_node, epsilon, ring.keys());
    for (size_t i = 0; i < ring.keys().size(); ++i) {
      const uint64_t key = ring.keys()[i];
      if (ring.owner(key) != expected[i]) {
        RC_FAIL("key " + std::to_string(key) + " (inserted " + std::to_string(i + 1) +
                "th) is on node " + std::to_string(ring.owner(key)) +
                ", the reference puts it on " + std::to_string(expected[i]));
      }
    }
  }));
}

}  // namespace
}  // namespace testing
}  // namespace crosscheck::impl::hashing
