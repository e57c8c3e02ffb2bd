// Consistent hashing with bounded loads (Mirrokni, Thorup & Zadimoghaddam,
// "Consistent Hashing with Bounded Loads", SODA 2018).
//
// Nodes and keys sit on a ring as in HashRing, and every node has the same
// capacity, ceil((1 + epsilon) * m / n) for m keys and n nodes. The keys
// are placed one by one in the order they were inserted: each goes to the
// first node at or after its digest, going round, that is below capacity.
// The total capacity is at least (1 + epsilon) m, so a key always finds
// room within one lap, and no node ever holds more than the capacity.
//
// The placement is a function of the node set, the keys in their insertion
// order and epsilon: a change of nodes, or a key that raises the capacity,
// replaces it by placing every key again. Keys that move are the price of
// the cap; the paper bounds their expected number on a node's join or
// leave by O(1/epsilon^2) times what an uncapped scheme moves (m/n) for
// epsilon <= 1.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "impl/hashing/ring.h"

namespace crosscheck::impl::hashing {

// epsilon as a fraction, so that the capacity is computed exactly.
struct Epsilon {
  int64_t numerator;
  int64_t denominator;
};

class BoundedLoadRing {
 public:
  BoundedLoadRing(int points_per_node, Epsilon epsilon);

  // Preconditions: add a node not present; remove one present, and not the
  // last while keys remain.
  void add_node(NodeId node);
  void remove_node(NodeId node);

  // Appends keys to the insertion order. Precondition: no key is present
  // already, and there is a node.
  void insert(const std::vector<uint64_t>& keys);
  void insert(uint64_t key) { insert(std::vector<uint64_t>{key}); }

  // Precondition: the key was inserted.
  NodeId owner(uint64_t key) const;
  int64_t load(NodeId node) const;
  // ceil((1 + epsilon) * m / n); 0 without nodes.
  int64_t capacity() const { return capacity_for(static_cast<int64_t>(keys_.size())); }

  const HashRing& ring() const { return ring_; }
  const std::vector<uint64_t>& keys() const { return keys_; }    // in insertion order
  const std::vector<NodeId>& owners() const { return owners_; }  // owners()[i] holds keys()[i]
  Epsilon epsilon() const { return epsilon_; }

 private:
  int64_t capacity_for(int64_t keys) const;
  size_t slot_of(NodeId node) const;
  void place(size_t key_index, int64_t capacity);
  void place_all();

  HashRing ring_;
  Epsilon epsilon_;
  std::vector<uint64_t> keys_;
  std::vector<std::pair<uint64_t, size_t>> index_;  // (key, its place in keys_), ascending
  std::vector<NodeId> owners_;                      // owners_[i] holds keys_[i]
  // A node's slot is its index in ring_.nodes(); a walk round the ring
  // reads point_slots_ and loads_ rather than looking nodes up.
  std::vector<size_t> point_slots_;   // point_slots_[i]: the slot of ring_.points()[i]'s node
  std::vector<int64_t> loads_;        // by slot
  int64_t placed_with_capacity_ = 0;  // the capacity the current placement used
};

}  // namespace crosscheck::impl::hashing
