// The checker's own random numbers: SplitMix64, with integer ranges by
// multiply-high. std::mt19937 is specified, but std::uniform_int_distribution
// and its siblings are not, so the same seed draws different choices on
// different standard libraries; a printed seed must reproduce a run
// anywhere, in any later version.
#pragma once

#include <cstdint>

#include "impl/common/hash.h"

namespace crosscheck::mc {

class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return StableHasher::mix(state_ - 0x9e3779b97f4a7c15ULL);
  }

  // Uniform in [0, n), n > 0. The multiply-high's bias (at most n / 2^64)
  // is far below anything a walk could notice.
  uint64_t below(uint64_t n) { return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64); }

 private:
  uint64_t state_;
};

// The seed of one of a run's numbered streams (walk w, swarm configuration
// c): independent of how many streams there are or which thread draws them.
inline uint64_t stream_seed(uint64_t run_seed, uint64_t stream, uint64_t salt = 0) {
  return StableHasher::mix(StableHasher::mix(run_seed ^ salt) + StableHasher::mix(stream));
}

}  // namespace crosscheck::mc
