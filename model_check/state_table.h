// The visited set's storage for exact runs (--exact): every state kept in
// full and compared with ==, so two distinct states with the same
// fingerprint are both stored. Costs the state itself plus 16 bytes a slot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>

#include "impl/common/hash.h"
#include "model_check/fingerprint_table.h"

namespace crosscheck::mc {

template <class State>
class StateTable {
 public:
  StateTable() : fingerprints_(kMinCapacity), indices_(kMinCapacity) {}

  // Inserts a state with its (normalized) fingerprint; false when an equal
  // state was already present.
  bool insert(uint64_t fingerprint, const State& state) {
    if ((states_.size() + 1) * 2 > fingerprints_.size()) rehash(fingerprints_.size() * 2);
    size_t index = find(fingerprint, state);
    if (indices_.data()[index] != 0) return false;
    states_.push_back(state);
    fingerprints_.data()[index] = fingerprint;
    indices_.data()[index] = states_.size();
    return true;
  }

  // Whether `count` more inserts would make it grow; reserve grows it now
  // as they would.
  bool grows_with(size_t count) const {
    return capacity_for(states_.size() + count) > fingerprints_.size();
  }
  void reserve(size_t count) {
    if (grows_with(count)) rehash(capacity_for(states_.size() + count));
  }

  bool contains(uint64_t fingerprint, const State& state) const {
    return indices_.data()[find(fingerprint, state)] != 0;
  }

  void prefetch(uint64_t fingerprint) const {
    prefetch_line(fingerprints_.data() + home_of(fingerprint));
  }

  size_t bytes_to_hold(size_t count) const {
    return capacity_for(states_.size() + count) * 2 * sizeof(uint64_t) +
           (states_.size() + count) * sizeof(State);
  }

  size_t size() const { return states_.size(); }
  size_t bytes() const {
    return fingerprints_.size() * 2 * sizeof(uint64_t) + states_.size() * sizeof(State);
  }

 private:
  static constexpr size_t kMinCapacity = 16;

  size_t home_of(uint64_t fingerprint) const {
    return StableHasher::mix(fingerprint) & (fingerprints_.size() - 1);
  }

  // The slot holding an equal state, or the empty slot where it belongs.
  size_t find(uint64_t fingerprint, const State& state) const {
    const size_t mask = fingerprints_.size() - 1;
    size_t index = home_of(fingerprint);
    for (; indices_.data()[index] != 0; index = (index + 1) & mask) {
      if (fingerprints_.data()[index] == fingerprint &&
          states_[indices_.data()[index] - 1] == state)
        break;
    }
    return index;
  }

  // A power of two at most half full: exact runs favour short probes over
  // memory, since each probe may compare whole states.
  size_t capacity_for(size_t count) const {
    size_t capacity = fingerprints_.size();
    while (count * 2 > capacity) capacity *= 2;
    return capacity;
  }

  void rehash(size_t capacity) {
    ZeroedWords old_fingerprints = std::exchange(fingerprints_, ZeroedWords(capacity));
    ZeroedWords old_indices = std::exchange(indices_, ZeroedWords(capacity));
    for (size_t i = 0; i < old_indices.size(); ++i) {
      if (old_indices.data()[i] == 0) continue;
      size_t index = home_of(old_fingerprints.data()[i]);
      while (indices_.data()[index] != 0) index = (index + 1) & (capacity - 1);
      fingerprints_.data()[index] = old_fingerprints.data()[i];
      indices_.data()[index] = old_indices.data()[i];
    }
  }

  ZeroedWords fingerprints_;  // of the state in the same slot of indices_
  ZeroedWords indices_;       // 1 + the state's index in states_; 0: empty
  std::deque<State> states_;  // in insertion order; a deque never moves them
};

}  // namespace crosscheck::mc
