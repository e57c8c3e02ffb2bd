#include "impl/hashing/rendezvous.h"

#include <algorithm>

#include "impl/common/assert.h"

namespace crosscheck::impl::hashing {

bool Rendezvous::contains(NodeId node) const {
  return std::binary_search(nodes_.begin(), nodes_.end(), node);
}

void Rendezvous::add_node(NodeId node) {
  CC_ASSERT(!contains(node));
  const auto at = std::lower_bound(nodes_.begin(), nodes_.end(), node);
  node_digests_.insert(node_digests_.begin() + (at - nodes_.begin()), node_digest(node));
  nodes_.insert(at, node);
}

void Rendezvous::remove_node(NodeId node) {
  CC_ASSERT(contains(node));
  const auto at = std::lower_bound(nodes_.begin(), nodes_.end(), node);
  node_digests_.erase(node_digests_.begin() + (at - nodes_.begin()));
  nodes_.erase(at);
}

NodeId Rendezvous::owner(uint64_t key) const {
  CC_ASSERT(!nodes_.empty());
  const uint64_t digest = key_digest(key);
  size_t best = 0;
  uint64_t best_weight = combine(node_digests_[0], digest);
  // Ascending ids and a strict comparison: the smaller id keeps a tie.
  for (size_t i = 1; i < nodes_.size(); ++i) {
    const uint64_t w = combine(node_digests_[i], digest);
    if (w > best_weight) {
      best = i;
      best_weight = w;
    }
  }
  return nodes_[best];
}

}  // namespace crosscheck::impl::hashing
