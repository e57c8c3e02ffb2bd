// Deliberately simple references for the structures in impl/hashing: each
// answers "which node owns this key" straight from the definition, by
// looking at every node (or every point) for every key, with no sorted
// index, no incremental bookkeeping and no jumps. The differential tests
// check the real structures against them key by key.
#pragma once

#include <cstdint>
#include <vector>

#include "impl/hashing/bounded_load.h"
#include "impl/hashing/key.h"

namespace crosscheck::impl::hashing::testing {

// The ring: the point at the least clockwise distance from the key's
// digest (distance 0 included), of equal distances the smaller node id.
class ReferenceRing {
 public:
  ReferenceRing(const std::vector<NodeId>& nodes, int points_per_node);
  NodeId owner(uint64_t key) const;

 private:
  struct Point {
    uint64_t position;
    NodeId node;
  };
  std::vector<Point> points_;  // in no particular order
};

// Rendezvous: every node's weight, sorted; the first.
NodeId reference_rendezvous_owner(const std::vector<NodeId>& nodes, uint64_t key);

// Jump hash walked one bucket at a time: a key in bucket b with its draw r
// moves on to bucket j, the first later one, as soon as (j + 1) r exceeds
// b + 1, and then draws again.
int32_t reference_jump(uint64_t digest, int32_t buckets);

// Bounded loads: for each key in order, every point sorted by clockwise
// distance from the key, and the first whose node is below capacity.
std::vector<NodeId> reference_bounded_owners(const std::vector<NodeId>& nodes, int points_per_node,
                                             Epsilon epsilon, const std::vector<uint64_t>& keys);

}  // namespace crosscheck::impl::hashing::testing
