// The checker's random numbers: the project's SplitMix64
// (impl/common/random.h), never std:: distributions, whose algorithms are
// unspecified, so that a printed seed reproduces a run anywhere, in any
// later version.
#pragma once

#include <cstdint>

#include "impl/common/hash.h"
#include "impl/common/random.h"

namespace crosscheck::mc {

using SeededRandom = SplitMix64;

// The seed of one of a run's numbered streams (walk w, swarm configuration
// c): independent of how many streams there are or which thread draws them.
inline uint64_t stream_seed(uint64_t run_seed, uint64_t stream, uint64_t salt = 0) {
  return StableHasher::mix(StableHasher::mix(run_seed ^ salt) + StableHasher::mix(stream));
}

}  // namespace crosscheck::mc
