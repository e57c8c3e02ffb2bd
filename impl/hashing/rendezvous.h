// Rendezvous, or highest-random-weight, hashing (Thaler & Ravishankar
// 1996): every node scores every key, and the key belongs to the node with
// the highest score. Adding a node takes exactly the keys it now outscores
// everyone on, and removing one hands each of its keys to its runner-up,
// so keys move only to or from the changed node. Each node's share is
// a Binomial draw from the keys with no ring arcs to add variance; the
// price is O(n) work a lookup.
#pragma once

#include <cstdint>
#include <vector>

#include "impl/hashing/key.h"

namespace crosscheck::impl::hashing {

class Rendezvous {
 public:
  // Preconditions: add a node not present, remove one present.
  void add_node(NodeId node);
  void remove_node(NodeId node);
  bool contains(NodeId node) const;

  // The node of highest weight; of equal weights, the smaller id.
  // Precondition: at least one node.
  NodeId owner(uint64_t key) const;

  const std::vector<NodeId>& nodes() const { return nodes_; }  // ascending

  // Node `node`'s score for `key`. Built from the two digests so that a
  // lookup costs one mix a node.
  static uint64_t weight(NodeId node, uint64_t key) {
    return combine(node_digest(node), key_digest(key));
  }

 private:
  static uint64_t node_digest(NodeId node) {
    return StableHasher(kRendezvousSeed).add(node).digest();
  }
  static uint64_t combine(uint64_t node_digest, uint64_t key_digest) {
    return StableHasher::mix(node_digest ^ key_digest);
  }

  std::vector<NodeId> nodes_;
  std::vector<uint64_t> node_digests_;  // node_digests_[i] belongs to nodes_[i]
};

}  // namespace crosscheck::impl::hashing
