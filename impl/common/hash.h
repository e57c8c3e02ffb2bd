// A stable 64-bit hash for protocol values.
//
// std::hash is neither stable across platforms nor well mixed, and the model
// checker stores only fingerprints of states, so every value the checker
// stores feeds itself into a StableHasher. The mixing function is the
// finalizer of SplitMix64; combining is order-sensitive.
#pragma once

#include <cstdint>
#include <string_view>
#include <type_traits>

namespace crosscheck {

class StableHasher {
 public:
  explicit StableHasher(uint64_t seed = 0x9e3779b97f4a7c15ULL) : state_(seed) {}

  static constexpr uint64_t mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }

  StableHasher& add(uint64_t value) {
    state_ = mix(state_ ^ mix(value + length_));
    ++length_;
    return *this;
  }

  template <class E>
  requires std::is_enum_v<E> StableHasher& add(E value) {
    return add(static_cast<uint64_t>(value));
  }

  StableHasher& add(bool value) { return add(static_cast<uint64_t>(value)); }
  StableHasher& add(int value) { return add(static_cast<uint64_t>(static_cast<int64_t>(value))); }

  StableHasher& add(std::string_view text) {
    add(static_cast<uint64_t>(text.size()));
    for (char c : text) add(static_cast<uint64_t>(static_cast<unsigned char>(c)));
    return *this;
  }

  uint64_t digest() const { return mix(state_ ^ length_); }

 private:
  uint64_t state_;
  uint64_t length_ = 0;
};

}  // namespace crosscheck
