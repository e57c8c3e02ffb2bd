#include "tests/hashing/reference.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "impl/hashing/jump.h"
#include "impl/hashing/rendezvous.h"
#include "impl/hashing/ring.h"

namespace crosscheck::impl::hashing::testing {

ReferenceRing::ReferenceRing(const std::vector<NodeId>& nodes, int points_per_node) {
  for (NodeId node : nodes) {
    for (int replica = 0; replica < points_per_node; ++replica) {
      points_.push_back({HashRing::point_position(node, replica), node});
    }
  }
}

NodeId ReferenceRing::owner(uint64_t key) const {
  const uint64_t digest = key_digest(key);
  const Point* best = nullptr;
  for (const Point& point : points_) {
    // Unsigned subtraction is the clockwise distance round a 2^64 ring.
    if (best == nullptr || std::make_tuple(point.position - digest, point.node) <
                               std::make_tuple(best->position - digest, best->node)) {
      best = &point;
    }
  }
  return best->node;
}

NodeId reference_rendezvous_owner(const std::vector<NodeId>& nodes, uint64_t key) {
  std::vector<std::pair<uint64_t, NodeId>> ranked;
  for (NodeId node : nodes) ranked.push_back({Rendezvous::weight(node, key), node});
  // Highest weight first; of equal weights the smaller id.
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  return ranked.front().second;
}

int32_t reference_jump(uint64_t digest, int32_t buckets) {
  int64_t bucket = 0;
  uint64_t state = jump_step(digest);
  for (int64_t j = 1; j < buckets; ++j) {
    // r = draw / 2^31, so (j + 1) r > b + 1 in integers.
    if (static_cast<uint64_t>(j + 1) * jump_draw(state) > static_cast<uint64_t>(bucket + 1) << 31) {
      bucket = j;
      state = jump_step(state);
    }
  }
  return static_cast<int32_t>(bucket);
}

std::vector<NodeId> reference_bounded_owners(const std::vector<NodeId>& nodes, int points_per_node,
                                             Epsilon epsilon, const std::vector<uint64_t>& keys) {
  const auto n = static_cast<int64_t>(nodes.size());
  const auto m = static_cast<int64_t>(keys.size());
  // ceil((1 + num/den) m / n), in exact rational arithmetic.
  const int64_t capacity =
      ((epsilon.denominator + epsilon.numerator) * m + epsilon.denominator * n - 1) /
      (epsilon.denominator * n);
  std::map<NodeId, int64_t> load;
  std::vector<NodeId> owners;
  for (uint64_t key : keys) {
    const uint64_t digest = key_digest(key);
    std::vector<std::pair<uint64_t, NodeId>> by_distance;
    for (NodeId node : nodes) {
      for (int replica = 0; replica < points_per_node; ++replica) {
        by_distance.push_back({HashRing::point_position(node, replica) - digest, node});
      }
    }
    std::sort(by_distance.begin(), by_distance.end());
    for (const auto& [distance, node] : by_distance) {
      if (load[node] < capacity) {
        ++load[node];
        owners.push_back(node);
        break;
      }
    }
  }
  return owners;
}

}  // namespace crosscheck::impl::hashing::testing
