// Jump consistent hash (Lamping & Veach 2014, "A Fast, Minimal Memory,
// Consistent Hash Algorithm").
//
// Buckets are numbered 0..n-1 and only the last can come or go. Going from
// n to n+1 buckets, a key moves with probability 1/(n+1) (to within the
// generator's 31-bit draws), and only to the new bucket n. The key seeds a linear congruential
// generator; from its current bucket b, the key's next jump is to the first bucket j at which it
// would move, floor((b+1)/r) for the generator's next r in (0, 1]; the last jump below n is its
// bucket. O(log n) expected steps, no memory.
#pragma once

#include <cstdint>

#include "impl/hashing/key.h"

namespace crosscheck::impl::hashing {

// The paper's generator: 64-bit LCG, its top 31 bits (plus one) read as r
// in units of 2^-31.
inline constexpr uint64_t kJumpMultiplier = 2862933555777941757ULL;

inline uint64_t jump_step(uint64_t state) { return state * kJumpMultiplier + 1; }
// r * 2^31, in 1..2^31.
inline uint64_t jump_draw(uint64_t state) { return (state >> 33) + 1; }

// The bucket in 0..buckets-1 of a 64-bit `digest` that is already uniform.
// Precondition: buckets >= 1.
int32_t jump_consistent_hash(uint64_t digest, int32_t buckets);

// A key's bucket: the key is digested first, as the paper asks of keys
// that are not uniform already (sequential ids, say).
inline int32_t jump_bucket(uint64_t key, int32_t buckets) {
  return jump_consistent_hash(key_digest(key), buckets);
}

}  // namespace crosscheck::impl::hashing
