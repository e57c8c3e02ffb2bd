#include "impl/hashing/bounded_load.h"

#include <algorithm>

#include "impl/common/assert.h"

namespace crosscheck::impl::hashing {

BoundedLoadRing::BoundedLoadRing(int points_per_node, Epsilon epsilon)
    : ring_(points_per_node), epsilon_(epsilon) {
  CC_ASSERT(epsilon.numerator >= 0 && epsilon.denominator >= 1);
}

int64_t BoundedLoadRing::capacity_for(int64_t keys) const {
  const auto nodes = static_cast<int64_t>(ring_.nodes().size());
  if (nodes == 0) return 0;
  // ceil((den + num) * m / (den * n)) in integers.
  const int64_t numerator = (epsilon_.denominator + epsilon_.numerator) * keys;
  const int64_t denominator = epsilon_.denominator * nodes;
  return (numerator + denominator - 1) / denominator;
}

void BoundedLoadRing::add_node(NodeId node) {
  ring_.add_node(node);
  place_all();
}

void BoundedLoadRing::remove_node(NodeId node) {
  CC_ASSERT(ring_.nodes().size() > 1 || keys_.empty());
  ring_.remove_node(node);
  place_all();
}

void BoundedLoadRing::insert(const std::vector<uint64_t>& keys) {
  CC_ASSERT(!ring_.nodes().empty());
  const size_t old_count = index_.size();
  for (uint64_t key : keys) {
    index_.push_back({key, keys_.size()});
    keys_.push_back(key);
  }
  std::sort(index_.begin() + static_cast<std::ptrdiff_t>(old_count), index_.end());
  std::inplace_merge(index_.begin(), index_.begin() + static_cast<std::ptrdiff_t>(old_count),
                     index_.end());
  const auto repeated =
      std::adjacent_find(index_.begin(), index_.end(),
                         [](const auto& a, const auto& b) { return a.first == b.first; });
  CC_ASSERT(repeated == index_.end());
  // With the capacity unchanged, the keys before them would be placed as
  // they are: only the new ones need placing.
  if (capacity() != placed_with_capacity_) {
    place_all();
    return;
  }
  for (size_t i = owners_.size(); i < keys_.size(); ++i) place(i, placed_with_capacity_);
}

size_t BoundedLoadRing::slot_of(NodeId node) const {
  const auto& nodes = ring_.nodes();
  return static_cast<size_t>(std::lower_bound(nodes.begin(), nodes.end(), node) - nodes.begin());
}

void BoundedLoadRing::place(size_t key_index, int64_t capacity) {
  const auto& points = ring_.points();
  size_t at = ring_.successor_index(key_digest(keys_[key_index]));
  // Total capacity is at least the key count, so a lap finds room.
  for (size_t visited = 0; visited < points.size(); ++visited) {
    int64_t& load = loads_[point_slots_[at]];
    if (load < capacity) {
      ++load;
      owners_.push_back(points[at].node);
      return;
    }
    at = at + 1 == points.size() ? 0 : at + 1;
  }
  CC_ASSERT(false && "no node below capacity");
}

void BoundedLoadRing::place_all() {
  owners_.clear();
  loads_.assign(ring_.nodes().size(), 0);
  placed_with_capacity_ = capacity();
  // Nodes join one by one before any key arrives: no walk, no slots.
  if (keys_.empty()) return;
  point_slots_.clear();
  for (const auto& point : ring_.points()) point_slots_.push_back(slot_of(point.node));
  for (size_t i = 0; i < keys_.size(); ++i) place(i, placed_with_capacity_);
}

NodeId BoundedLoadRing::owner(uint64_t key) const {
  const auto at =
      std::lower_bound(index_.begin(), index_.end(), std::pair<uint64_t, size_t>{key, 0});
  CC_ASSERT(at != index_.end() && at->first == key);
  return owners_[at->second];
}

int64_t BoundedLoadRing::load(NodeId node) const {
  if (!ring_.contains(node)) return 0;
  return loads_[slot_of(node)];
}

}  // namespace crosscheck::impl::hashing
