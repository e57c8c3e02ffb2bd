// Each structure against its deliberately simple reference (reference.h),
// key by key, after a random history of joins and leaves: the sorted
// points, the incremental bookkeeping and the jumps must give the owner
// the definition gives. The seed is printed; RC_PARAMS="seed=N" reruns it.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <string>
#include <vector>

#include "impl/hashing/jump.h"
#include "impl/hashing/rendezvous.h"
#include "impl/hashing/ring.h"
#include "tests/common/property.h"
#include "tests/hashing/generators.h"
#include "tests/hashing/reference.h"
#include "tests/hashing/statistics.h"

namespace crosscheck::impl::hashing::testing {
namespace {

using crosscheck::testing::holds_for;

constexpr size_t kDifferentialKeys = 5000;

// Builds `structure` from a random node set, then lets up to 12 nodes join
// or leave (never the last); returns the nodes it ends with.
template <class Structure>
std::vector<NodeId> random_history(Structure& structure, int most_nodes) {
  std::vector<NodeId> nodes = *node_sets(1, most_nodes);
  for (NodeId node : nodes) structure.add_node(node);
  const int changes = *rc::gen::inRange(0, 13);
  for (int change = 0; change < changes; ++change) {
    if (nodes.size() > 1 && *rc::gen::arbitrary<bool>()) {
      const auto at = nodes.begin() + *rc::gen::inRange<std::ptrdiff_t>(
                                          0, static_cast<std::ptrdiff_t>(nodes.size()));
      structure.remove_node(*at);
      nodes.erase(at);
    } else {
      nodes.push_back(*new_node(nodes));
      structure.add_node(nodes.back());
    }
  }
  return nodes;
}

std::string disagreement(uint64_t key, NodeId actual, NodeId expected) {
  return "key " + std::to_string(key) + ": owner " + std::to_string(actual) + ", reference " +
         std::to_string(expected);
}

TEST(RingDifferential, EveryKeyHasTheReferenceOwner) {
  EXPECT_TRUE(holds_for("ring-differential", 100, [] {
    const int points_per_node = *rc::gen::inRange(1, 51);
    HashRing ring(points_per_node);
    const auto nodes = random_history(ring, 50);
    const ReferenceRing reference(nodes, points_per_node);
    for (uint64_t key : random_keys(*rc::gen::arbitrary<uint64_t>(), kDifferentialKeys)) {
      if (ring.owner(key) != reference.owner(key))
        RC_FAIL(disagreement(key, ring.owner(key), reference.owner(key)));
    }
  }));
}

TEST(RendezvousDifferential, EveryKeyHasTheReferenceOwner) {
  EXPECT_TRUE(holds_for("rendezvous-differential", 100, [] {
    Rendezvous rendezvous;
    const auto nodes = random_history(rendezvous, 50);
    for (uint64_t key : random_keys(*rc::gen::arbitrary<uint64_t>(), kDifferentialKeys)) {
      const NodeId expected = reference_rendezvous_owner(nodes, key);
      if (rendezvous.owner(key) != expected)
        RC_FAIL(disagreement(key, rendezvous.owner(key), expected));
    }
  }));
}

// Random digests, and a few at the edges of the 64-bit range.
TEST(JumpDifferential, EveryKeyHasTheReferenceBucket) {
  EXPECT_TRUE(holds_for("jump-differential", 100, [] {
    const int32_t buckets = *rc::gen::inRange(1, 5001);
    std::vector<uint64_t> digests = random_keys(*rc::gen::arbitrary<uint64_t>(), 2000);
    digests.insert(digests.end(), {0, 1, UINT64_MAX, UINT64_MAX - 1, kJumpMultiplier});
    for (uint64_t digest : digests) {
      const int32_t actual = jump_consistent_hash(digest, buckets);
      const int32_t expected = reference_jump(digest, buckets);
      if (actual != expected) RC_FAIL(disagreement(digest, actual, expected));
    }
  }));
}

}  // namespace
}  // namespace crosscheck::impl::hashing::testing
