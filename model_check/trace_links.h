// Parent links for rebuilding traces, at about two bytes a state.
//
// Breadth-first search numbers states in the order it stores them (initial
// states first), and explores them in that same order, appending the new
// states each one produces. So the children of an explored state are a run
// of consecutive numbers, and the runs come in the parents' order: a
// parent is found from its children count alone. Besides that count, each
// state keeps which successor of its parent it was (its ordinal in the
// parent's successor list, or in the initial states), so a trace is rebuilt
// by re-executing successor number k, with no fingerprint kept per state.
//
// Both numbers are bytes, 255 escaping to a side list for the rare larger
// ones; a checkpoint every kBlock explored states bounds the scan.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "impl/common/assert.h"
#include "model_check/checkpoint.h"

namespace crosscheck::mc {

// Small counts in append-only byte blocks, so that growing never copies nor
// leaves more than one block unused.
class SmallCounts {
 public:
  void push(uint64_t value) {
    if (size_ % kBlockBytes == 0) blocks_.push_back(std::make_unique<uint8_t[]>(kBlockBytes));
    if (value >= kEscape) large_.push_back({size_, value});
    blocks_.back()[size_ % kBlockBytes] = static_cast<uint8_t>(std::min<uint64_t>(value, kEscape));
    ++size_;
  }

  uint64_t operator[](uint64_t index) const {
    CC_ASSERT(index < size_);
    uint8_t small = blocks_[index / kBlockBytes][index % kBlockBytes];
    if (small < kEscape) return small;
    auto at =
        std::lower_bound(large_.begin(), large_.end(), std::pair<uint64_t, uint64_t>{index, 0});
    CC_ASSERT(at != large_.end() && at->first == index);
    return at->second;
  }

  uint64_t size() const { return size_; }

  // The large values first, so that loading pushes every value whole.
  void save(CheckpointWriter& out) const {
    out.u64(large_.size());
    for (const auto& [index, value] : large_) {
      out.u64(index);
      out.u64(value);
    }
    out.u64(size_);
    for (uint64_t at = 0; at < size_; at += kBlockBytes) {
      out.bytes(blocks_[at / kBlockBytes].get(), std::min<uint64_t>(kBlockBytes, size_ - at));
    }
  }
  void load(CheckpointReader& in) {
    *this = SmallCounts();
    std::vector<std::pair<uint64_t, uint64_t>> large(in.count(2 * sizeof(uint64_t)));
    for (auto& [index, value] : large) {
      index = in.u64();
      value = in.u64();
    }
    const uint64_t size = in.count(1);
    std::vector<uint8_t> block(kBlockBytes);
    size_t next_large = 0;
    for (uint64_t at = 0; at < size; at += kBlockBytes) {
      const uint64_t length = std::min<uint64_t>(kBlockBytes, size - at);
      in.bytes(block.data(), length);
      for (uint64_t i = 0; i < length; ++i) {
        if (block[i] < kEscape) {
          push(block[i]);
          continue;
        }
        if (next_large == large.size() || large[next_large].first != at + i ||
            large[next_large].second < kEscape) {
          in.fail("parent links: an escaped count without its value");
        }
        push(large[next_large++].second);
      }
    }
    if (next_large != large.size()) in.fail("parent links: values for counts that are not escaped");
  }

  size_t bytes() const {
    return blocks_.size() * kBlockBytes + blocks_.capacity() * sizeof(blocks_[0]) +
           large_.capacity() * sizeof(large_[0]);
  }

 private:
  static constexpr size_t kBlockBytes = 1 << 12;
  static constexpr uint64_t kEscape = 255;

  std::vector<std::unique_ptr<uint8_t[]>> blocks_;
  std::vector<std::pair<uint64_t, uint64_t>> large_;  // (index, value), in index order
  uint64_t size_ = 0;
};

class TraceLinks {
 public:
  static constexpr uint64_t kBlock = 256;

  // Stores the next state: its ordinal among its parent's successors, or
  // among the initial states for a root.
  void add_state(uint64_t ordinal) { ordinals_.push(ordinal); }
  // Every state stored so far is a root (an initial state).
  void seal_roots() { roots_ = ordinals_.size(); }
  // The next state in storage order has been explored and produced
  // `children` new states.
  void add_explored(uint64_t children) {
    if (children_.size() % kBlock == 0) checkpoints_.push_back(explored_children_);
    children_.push(children);
    explored_children_ += children;
  }

  uint64_t stored() const { return ordinals_.size(); }
  bool is_root(uint64_t state) const { return state < roots_; }
  uint64_t ordinal(uint64_t state) const { return ordinals_[state]; }

  // The state that produced `state`, which must not be a root.
  uint64_t parent(uint64_t state) const {
    CC_ASSERT(state >= roots_ && state < roots_ + explored_children_);
    const uint64_t rank = state - roots_;  // among all children, in order
    auto block =
        std::upper_bound(checkpoints_.begin(), checkpoints_.end(), rank) - checkpoints_.begin() - 1;
    uint64_t explored = static_cast<uint64_t>(block) * kBlock;
    uint64_t before = checkpoints_[block];
    while (before + children_[explored] <= rank) before += children_[explored++];
    return explored;
  }

  size_t bytes() const {
    return ordinals_.bytes() + children_.bytes() +
           checkpoints_.capacity() * sizeof(checkpoints_[0]);
  }

  uint64_t explored() const { return children_.size(); }
  uint64_t children(uint64_t explored_state) const { return children_[explored_state]; }
  uint64_t roots() const { return roots_; }

  void save(CheckpointWriter& out) const {
    out.u64(roots_);
    ordinals_.save(out);
    children_.save(out);
  }
  // Checks that the links are consistent with `stored` states.
  void load(CheckpointReader& in, uint64_t stored) {
    *this = TraceLinks();
    roots_ = in.u64();
    if (roots_ > stored) in.fail("parent links: more initial states than states");
    ordinals_.load(in);
    SmallCounts children;
    children.load(in);
    for (uint64_t i = 0; i < children.size(); ++i) {
      if (children[i] > stored - explored_children_)
        in.fail("parent links: more children than states");
      add_explored(children[i]);
    }
    if (ordinals_.size() != stored || roots_ > stored || roots_ + explored_children_ != stored ||
        children_.size() > stored) {
      in.fail("parent links inconsistent with the state count");
    }
  }

 private:
  SmallCounts ordinals_;               // per stored state
  SmallCounts children_;               // per explored state
  std::vector<uint64_t> checkpoints_;  // children of the explored states before each block
  uint64_t explored_children_ = 0;
  uint64_t roots_ = 0;
};

}  // namespace crosscheck::mc
