#include "model_check/fingerprint_table.h"

#include <bit>

#include "impl/common/assert.h"
#include "impl/common/hash.h"

namespace crosscheck::mc {

FingerprintTable::FingerprintTable(size_t initial_capacity) {
  size_t capacity = std::bit_ceil(initial_capacity < 16 ? size_t{16} : initial_capacity);
  slots_.resize(capacity);
  mask_ = capacity - 1;
}

size_t FingerprintTable::find_slot(uint64_t fingerprint) const {
  // Fingerprints are already well mixed; one more mix keeps a model with a
  // weak hash from clustering. Linear probing.
  size_t index = StableHasher::mix(fingerprint) & mask_;
  while (slots_[index].fingerprint != 0 && slots_[index].fingerprint != fingerprint) {
    index = (index + 1) & mask_;
  }
  return index;
}

bool FingerprintTable::insert(uint64_t fingerprint, uint64_t parent) {
  CC_ASSERT(fingerprint != 0);
  size_t index = find_slot(fingerprint);
  if (slots_[index].fingerprint == fingerprint) return false;
  slots_[index] = {fingerprint, parent};
  ++size_;
  // Grow at a load factor of 3/4.
  if (size_ * 4 > slots_.size() * 3) grow();
  return true;
}

bool FingerprintTable::contains(uint64_t fingerprint) const {
  return slots_[find_slot(fingerprint)].fingerprint == fingerprint;
}

uint64_t FingerprintTable::parent(uint64_t fingerprint) const {
  const Slot& slot = slots_[find_slot(fingerprint)];
  return slot.fingerprint == fingerprint ? slot.parent : kNoParent;
}

void FingerprintTable::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.size() * 2, Slot{});
  mask_ = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.fingerprint != 0) slots_[find_slot(slot.fingerprint)] = slot;
  }
}

}  // namespace crosscheck::mc
