// Where a key lands: every structure in impl/hashing places a key by the
// same stable 64-bit digest of it (StableHasher, never std::hash, whose
// values differ between standard libraries), so one key set means the
// same thing to each of them.
#pragma once

#include <cstdint>

#include "impl/common/hash.h"
#include "impl/common/outbox.h"

namespace crosscheck::impl::hashing {

using crosscheck::NodeId;

// Distinct seeds keep keys, ring points and rendezvous weights apart: a
// key and a node with equal numbers do not collide by construction.
inline constexpr uint64_t kKeySeed = 0x6b65792d64696765ULL;
inline constexpr uint64_t kPointSeed = 0x72696e672d707473ULL;
inline constexpr uint64_t kRendezvousSeed = 0x72656e64657a766fULL;

inline uint64_t key_digest(uint64_t key) { return StableHasher(kKeySeed).add(key).digest(); }

}  // namespace crosscheck::impl::hashing
