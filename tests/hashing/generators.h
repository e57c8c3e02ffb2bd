// What the hashing properties draw, and how they compare owners before and
// after a change of nodes.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "impl/common/random.h"
#include "impl/hashing/key.h"

namespace crosscheck::impl::hashing::testing {

// The key count of the statistical properties.
inline constexpr size_t kKeys = 100'000;

// Between `fewest` and `most` distinct node ids. RapidCheck shrinks a
// failing set toward fewer nodes with small ids.
inline rc::Gen<std::vector<NodeId>> node_sets(int fewest, int most) {
  return rc::gen::mapcat(rc::gen::inRange(fewest, most + 1), [](int count) {
    return rc::gen::unique<std::vector<NodeId>>(static_cast<size_t>(count),
                                                rc::gen::inRange<NodeId>(0, 1 << 30));
  });
}

// A node id not in `nodes`.
inline rc::Gen<NodeId> new_node(const std::vector<NodeId>& nodes) {
  return rc::gen::suchThat(rc::gen::inRange<NodeId>(0, 1 << 30), [nodes](NodeId node) {
    return std::find(nodes.begin(), nodes.end(), node) == nodes.end();
  });
}

// `count` distinct node ids from a seeded generator, for measurements that
// need many node sets from one seed.
inline std::vector<NodeId> distinct_nodes(SplitMix64& random, size_t count) {
  std::vector<NodeId> nodes;
  while (nodes.size() < count) {
    const auto node = static_cast<NodeId>(random.below(1u << 30));
    if (std::find(nodes.begin(), nodes.end(), node) == nodes.end()) nodes.push_back(node);
  }
  return nodes;
}

template <class OwnerOf>
std::vector<NodeId> owners(const std::vector<uint64_t>& keys, OwnerOf owner_of) {
  std::vector<NodeId> result;
  result.reserve(keys.size());
  for (uint64_t key : keys) result.push_back(owner_of(key));
  return result;
}

inline std::string describe_move(uint64_t key, NodeId from, NodeId to) {
  return "key " + std::to_string(key) + " moved from node " + std::to_string(from) + " to node " +
         std::to_string(to);
}

// The first key that moved to a node other than `joined`; "" if none did.
inline std::string move_not_to(const std::vector<uint64_t>& keys, const std::vector<NodeId>& before,
                               const std::vector<NodeId>& after, NodeId joined) {
  for (size_t i = 0; i < keys.size(); ++i) {
    if (before[i] != after[i] && after[i] != joined)
      return describe_move(keys[i], before[i], after[i]);
  }
  return "";
}

// The first key that moved although it was not on `left`; "" if none did.
inline std::string move_not_from(const std::vector<uint64_t>& keys,
                                 const std::vector<NodeId>& before,
                                 const std::vector<NodeId>& after, NodeId left) {
  for (size_t i = 0; i < keys.size(); ++i) {
    if (before[i] != after[i] && before[i] != left)
      return describe_move(keys[i], before[i], after[i]);
  }
  return "";
}

inline size_t moved_count(const std::vector<NodeId>& before, const std::vector<NodeId>& after) {
  size_t moved = 0;
  for (size_t i = 0; i < before.size(); ++i) moved += before[i] != after[i];
  return moved;
}

}  // namespace crosscheck::impl::hashing::testing
