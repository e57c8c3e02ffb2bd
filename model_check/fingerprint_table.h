// The visited set: 64-bit state fingerprints, each with its parent's
// fingerprint so that a trace can be rebuilt by re-executing actions from an
// initial state (16 bytes a state, no state kept).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace crosscheck::mc {

class FingerprintTable {
 public:
  // The parent recorded for an initial state.
  static constexpr uint64_t kNoParent = 0;

  explicit FingerprintTable(size_t initial_capacity = 1 << 16);

  // 0 marks an empty slot, so a state whose hash is 0 is stored as 1.
  static uint64_t normalize(uint64_t hash) { return hash == 0 ? 1 : hash; }

  // Inserts a normalized fingerprint; false when it was already present (its
  // parent is then left as first recorded, which in breadth-first order is a
  // parent on a shortest path).
  bool insert(uint64_t fingerprint, uint64_t parent);

  bool contains(uint64_t fingerprint) const;
  // The recorded parent; kNoParent for an initial state or an absent one.
  uint64_t parent(uint64_t fingerprint) const;

  size_t size() const { return size_; }
  size_t capacity() const { return slots_.size(); }
  size_t bytes() const { return slots_.size() * sizeof(Slot); }

 private:
  struct Slot {
    uint64_t fingerprint = 0;
    uint64_t parent = 0;
  };

  size_t find_slot(uint64_t fingerprint) const;
  void grow();

  std::vector<Slot> slots_;
  size_t mask_;
  size_t size_ = 0;
};

}  // namespace crosscheck::mc
