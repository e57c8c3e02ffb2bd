// The visited set's storage: 64-bit state fingerprints in an open-addressing
// table (linear probing) of 8-byte slots. Parents are not stored here: the
// search keeps them in discovery order (trace_links.h), so a state costs its
// slot and about two bytes more.
//
// The table does not grow by doubling: doubling leaves it between half full
// and full, so a state would cost up to twice its slot. Any capacity is
// allowed (a fingerprint's home slot is a multiply-high, not a mask), the
// table grows by a quarter when three quarters full, and so stays between
// 60% and 75% full: 10.7 to 13.3 bytes a state.
#pragma once

#include <cstddef>
#include <cstdint>

namespace crosscheck::mc {

// An array of zeroed 64-bit words from the kernel, faulted in writable when
// allocated (a table between 60% and 75% full touches every page anyway);
// large arrays ask for transparent huge pages, which spares a TLB miss on
// most random probes.
class ZeroedWords {
 public:
  ZeroedWords() = default;
  explicit ZeroedWords(size_t count);
  ZeroedWords(const ZeroedWords&) = delete;
  ZeroedWords& operator=(const ZeroedWords&) = delete;
  ZeroedWords(ZeroedWords&& other) noexcept;
  ZeroedWords& operator=(ZeroedWords&& other) noexcept;
  ~ZeroedWords();

  uint64_t* data() { return words_; }
  const uint64_t* data() const { return words_; }
  size_t size() const { return count_; }

 private:
  void release();

  uint64_t* words_ = nullptr;
  size_t count_ = 0;
};

class FingerprintTable {
 public:
  static constexpr size_t kMinCapacity = 16;

  explicit FingerprintTable(size_t initial_capacity = kMinCapacity);

  // 0 marks an empty slot, and the search uses 0 and 1 as markers, so a
  // state whose hash is 0 or 1 is stored as 2 or 3.
  static constexpr uint64_t normalize(uint64_t hash) { return hash <= 1 ? hash + 2 : hash; }

  // Inserts a normalized fingerprint; false when it was already present.
  bool insert(uint64_t fingerprint);
  bool contains(uint64_t fingerprint) const;
  // Starts loading the fingerprint's home slot into the cache, so that a
  // batch of probes waits for memory once rather than once each.
  void prefetch(uint64_t fingerprint) const { __builtin_prefetch(slots_.data() + home_of(fingerprint)); }

  // The bytes the table will occupy once `count` more fingerprints are
  // inserted (an upper bound when some of them are already present).
  size_t bytes_to_hold(size_t count) const { return capacity_for(size_ + count) * sizeof(uint64_t); }

  size_t size() const { return size_; }
  size_t capacity() const { return slots_.size(); }
  size_t bytes() const { return slots_.size() * sizeof(uint64_t); }

 private:
  size_t home_of(uint64_t fingerprint) const;
  size_t capacity_for(size_t count) const;
  void rehash(size_t capacity);

  ZeroedWords slots_;
  size_t size_ = 0;
};

}  // namespace crosscheck::mc
