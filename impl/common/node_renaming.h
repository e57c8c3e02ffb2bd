// A renaming of node ids: a permutation of 0..n-1. Symmetry reduction
// identifies a state with the states that differ from it only in the names
// of interchangeable nodes; a node whose state mentions other nodes (a vote
// for one, a set of those that answered, an index per peer) renames them
// with one of these, so that the renamed state is the same protocol state
// under other names.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "impl/common/assert.h"
#include "impl/common/outbox.h"

namespace crosscheck {

class NodeRenaming {
 public:
  static constexpr int kMaxNodes = 32;

  // The identity on `nodes` nodes.
  explicit NodeRenaming(int nodes) : nodes_(static_cast<uint8_t>(nodes)) {
    CC_ASSERT(nodes >= 0 && nodes <= kMaxNodes);
    for (int id = 0; id < kMaxNodes; ++id) to_[id] = static_cast<uint8_t>(id);
  }

  int nodes() const { return nodes_; }
  void set(NodeId from, NodeId to) {
    CC_ASSERT(from >= 0 && from < nodes_ && to >= 0 && to < nodes_);
    to_[from] = static_cast<uint8_t>(to);
  }

  // A node's new id. A negative id means "none" (no vote, no leader) and
  // stays as it is.
  NodeId operator()(NodeId id) const { return id < 0 ? id : NodeId{to_[id]}; }

  // A set of nodes, bit n for node n + offset (offset > 0 when bit 0 is a
  // node other than node 0, e.g. the first acceptor).
  uint32_t set_of(uint32_t members, int offset = 0) const {
    uint32_t renamed = 0;
    for (int bit = 0; bit + offset < nodes_; ++bit) {
      if ((members >> bit) & 1u) renamed |= 1u << ((*this)(bit + offset) - offset);
    }
    return renamed;
  }

  // An array indexed by node (plus offset): the entry of node n moves to
  // the node n is renamed to.
  template <class T, size_t N>
  std::array<T, N> indexed(const std::array<T, N>& by_node, int offset = 0) const {
    std::array<T, N> renamed = by_node;
    for (int i = 0; i < static_cast<int>(N) && i + offset < nodes_; ++i) {
      renamed[(*this)(i + offset) - offset] = by_node[i];
    }
    return renamed;
  }

 private:
  uint8_t nodes_;
  std::array<uint8_t, kMaxNodes> to_{};
};

}  // namespace crosscheck
