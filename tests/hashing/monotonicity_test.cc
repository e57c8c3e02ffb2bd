// Monotonicity (Karger et al. 1997) over random node sets and 10^5 random
// keys: adding a node moves keys only to the new node, and removing one
// moves only its keys. The seed is printed; RC_PARAMS="seed=N" reruns it.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "impl/hashing/jump.h"
#include "impl/hashing/rendezvous.h"
#include "impl/hashing/ring.h"
#include "tests/common/property.h"
#include "tests/hashing/monotonicity.h"
#include "tests/hashing/statistics.h"

namespace crosscheck::impl::hashing::testing {
namespace {

using crosscheck::testing::holds_for;

TEST(RingMonotonicity, AddingANodeMovesKeysOnlyToItAndRemovingOneMovesOnlyItsKeys) {
  EXPECT_TRUE(holds_for("ring-monotonicity", 30, [] {
    const auto nodes = *node_sets(1, 100);
    const NodeId joining = *new_node(nodes);
    const NodeId leaving = *rc::gen::elementOf(nodes);
    const int points_per_node = *rc::gen::inRange(1, 201);
    const auto keys = random_keys(*rc::gen::arbitrary<uint64_t>(), kKeys);
    const std::string violation =
        monotonicity_violation(HashRing(points_per_node), nodes, joining, leaving, keys);
    if (!violation.empty()) RC_FAIL(violation);
  }));
}

TEST(RendezvousMonotonicity, AddingANodeMovesKeysOnlyToItAndRemovingOneMovesOnlyItsKeys) {
  EXPECT_TRUE(holds_for("rendezvous-monotonicity", 20, [] {
    const auto nodes = *node_sets(1, 100);
    const NodeId joining = *new_node(nodes);
    const NodeId leaving = *rc::gen::elementOf(nodes);
    const auto keys = random_keys(*rc::gen::arbitrary<uint64_t>(), kKeys);
    const std::string violation =
        monotonicity_violation(Rendezvous(), nodes, joining, leaving, keys);
    if (!violation.empty()) RC_FAIL(violation);
  }));
}

// Jump hash's buckets come and go only at the end: n to n+1 moves keys only
// into bucket n, and n+1 to n moves only bucket n's keys (the same keys,
// read backwards).
TEST(JumpMonotonicity, AGrowingBucketCountMovesKeysOnlyIntoTheNewBucket) {
  EXPECT_TRUE(holds_for("jump-monotonicity", 100, [] {
    const int32_t buckets = *rc::gen::inRange(1, 10'001);
    const auto keys = random_keys(*rc::gen::arbitrary<uint64_t>(), kKeys);
    for (uint64_t key : keys) {
      const int32_t before = jump_bucket(key, buckets);
      const int32_t after = jump_bucket(key, buckets + 1);
      if (before != after && after != buckets) RC_FAIL(describe_move(key, before, after));
    }
  }));
}

}  // namespace
}  // namespace crosscheck::impl::hashing::testing
