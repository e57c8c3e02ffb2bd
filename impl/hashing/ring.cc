#include "impl/hashing/ring.h"

#include <algorithm>

#include "impl/common/assert.h"

namespace crosscheck::impl::hashing {

HashRing::HashRing(int points_per_node, RingVariant variant)
    : points_per_node_(points_per_node), variant_(variant) {
  CC_ASSERT(points_per_node >= 1);
}

uint64_t HashRing::point_position(NodeId node, int replica) {
  return StableHasher(kPointSeed).add(node).add(replica).digest();
}

bool HashRing::contains(NodeId node) const {
  return std::binary_search(nodes_.begin(), nodes_.end(), node);
}

void HashRing::add_node(NodeId node) {
  CC_ASSERT(!contains(node));
  nodes_.insert(std::lower_bound(nodes_.begin(), nodes_.end(), node), node);
  std::vector<Point> added;
  added.reserve(static_cast<size_t>(points_per_node_));
  for (int replica = 0; replica < points_per_node_; ++replica)
    added.push_back({point_position(node, replica), node});
  std::sort(added.begin(), added.end());
  const auto old_size = static_cast<std::ptrdiff_t>(points_.size());
  points_.insert(points_.end(), added.begin(), added.end());
  std::inplace_merge(points_.begin(), points_.begin() + old_size, points_.end());
}

void HashRing::remove_node(NodeId node) {
  CC_ASSERT(contains(node));
  nodes_.erase(std::lower_bound(nodes_.begin(), nodes_.end(), node));
  std::erase_if(points_, [node](const Point& point) { return point.node == node; });
}

size_t HashRing::successor_index(uint64_t position) const {
  CC_ASSERT(!points_.empty());
  const auto at =
      std::lower_bound(points_.begin(), points_.end(), position,
                       [](const Point& point, uint64_t p) { return point.position < p; });
  return at == points_.end() ? 0 : static_cast<size_t>(at - points_.begin());
}

NodeId HashRing::owner(uint64_t key) const {
  CC_ASSERT(!nodes_.empty());
  const uint64_t digest = key_digest(key);
  if (variant_ == RingVariant::kModulo) return nodes_[digest % nodes_.size()];
  return points_[successor_index(digest)].node;
}

}  // namespace crosscheck::impl::hashing
