// A small seeded random generator for protocol code and tests.
//
// Code that needs randomness (power of two choices, generated keys) takes
// a SplitMix64 by reference, never a global one, so a printed seed
// reproduces the run. The std:: distributions are not used: their
// algorithms are unspecified, so the same seed may give other numbers on
// another standard library.
#pragma once

#include <cstdint>

#include "impl/common/assert.h"
#include "impl/common/hash.h"

namespace crosscheck {

// SplitMix64 (Steele, Lea & Flood 2014): a counter stepped by the golden
// ratio, each value the counter passed through StableHasher's finalizer.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    const uint64_t value = StableHasher::mix(state_);
    state_ += 0x9e3779b97f4a7c15ULL;
    return value;
  }

  // Uniform in [0, bound). Values below 2^64 mod bound are redrawn, so that
  // every residue is equally likely (a plain `next() % bound` favours the
  // small ones).
  uint64_t below(uint64_t bound) {
    CC_ASSERT(bound > 0);
    const uint64_t biased_below = (0 - bound) % bound;
    for (;;) {
      const uint64_t value = next();
      if (value >= biased_below) return value % bound;
    }
  }

  bool operator==(const SplitMix64&) const = default;

 private:
  uint64_t state_;
};

}  // namespace crosscheck
