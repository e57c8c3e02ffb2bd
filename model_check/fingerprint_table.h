// The visited set's storage: 64-bit state fingerprints in an open-addressing
// table of 8-byte slots. Parents are not stored here: the search keeps them
// in discovery order (trace_links.h), so a state costs its slot and about
// two bytes more.
//
// The table is an ordered linear-probing table (Amble and Knuth, 1974). A
// slot holds key = scramble(fingerprint), a bijection; a key's home slot is
// its multiply-high with the capacity, so homes are in key order; and each
// run of occupied slots is kept sorted, an insert shifting the larger keys
// of its run one slot up. Then:
//  - a key is found, or found absent, at the first slot from its home that
//    holds a key not smaller than it: 2.5 slots on average at 75% full,
//    where plain linear probing walks to the end of the run when the key
//    is absent (8.5), and a state inserted late, the likeliest to be
//    generated again, sits at the end of its run;
//  - the whole table is in key order (runs do not wrap around: a few spare
//    slots past the last home take the overflow, and the last slot is
//    always empty), so growing it streams the old table into the new one.
//
// The table does not grow by doubling: doubling leaves it between half full
// and full, so a state would cost up to twice its slot. Any capacity is
// allowed (a home slot is a multiply-high, not a mask), the table grows by
// a quarter when three quarters full, and so stays between 60% and 75%
// full: 10.7 to 13.3 bytes a state, and 1/64 more for the spare slots.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "model_check/prefetch.h"

namespace crosscheck::mc {

// An array of zeroed 64-bit words from the kernel, faulted in writable when
// allocated (a table between 60% and 75% full touches every page anyway),
// in a reservation of address space four times its size that a recycled
// array can grow into; large arrays ask for transparent huge pages, which
// spares a TLB miss on most random probes.
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

  size_t committed_bytes() const { return committed_bytes_; }

  // Whether the array's reservation has room for `count` words.
  bool can_hold(size_t count) const;
  // Makes the array `count` words long within its reservation, faulting in
  // any new pages. The words keep what they held (the new ones are zero):
  // for recycling an array, which its next user empties itself.
  void reuse_for(size_t count);

 private:
  void release();

  uint64_t* words_ = nullptr;
  size_t count_ = 0;
  size_t committed_bytes_ = 0;  // faulted in, from words_
  size_t reserved_bytes_ = 0;   // mapped, from words_
};

// Arrays that tables have grown out of, for other tables to grow into.
// Memory a process gives back to the kernel comes back zeroed and faulted
// in again, page by page; in a virtual machine a fault may also reach the
// host. Growing a table by a quarter at a time would take five times its
// final size from the kernel over a run; the partitions of a visited set
// grow at about the same pace, so one partition's old table has room for
// the next one's new table. (At 9 RMs: 1.4 times the final size taken
// from the kernel, and runs 6 to 8% faster; docs/performance.md.)
class RecycledWords {
 public:
  // An array of at least `count` words holding stale values, or an empty
  // one when none is large enough.
  ZeroedWords take(size_t count);
  void give(ZeroedWords block);
  // The memory the arrays kept hold, for memory limits.
  size_t bytes();

 private:
  static constexpr size_t kMaxBlocks = 4;
  std::mutex mutex_;
  std::vector<ZeroedWords> blocks_;
};

class FingerprintTable {
 public:
  static constexpr size_t kMinCapacity = 16;

  // Tables that share `recycled` grow into each other's old arrays (and
  // give theirs back when destroyed); it must outlive them.
  explicit FingerprintTable(size_t initial_capacity = kMinCapacity,
                            RecycledWords* recycled = nullptr);
  FingerprintTable(FingerprintTable&&) = default;
  FingerprintTable& operator=(FingerprintTable&&) = default;
  ~FingerprintTable();

  // 0 marks an empty slot, and the search uses 0 and 1 as markers, so a
  // state whose hash is 0 or 1 is stored as 2 or 3.
  static constexpr uint64_t normalize(uint64_t hash) { return hash <= 1 ? hash + 2 : hash; }

  // Inserts a normalized fingerprint; false when it was already present.
  bool insert(uint64_t fingerprint) { return insert_key(scramble(fingerprint)); }

  // The stored keys (scrambled fingerprints), in the table's order, for a
  // checkpoint; insert_key takes them back.
  template <class F>
  void for_each_key(F f) const {
    const uint64_t* slots = slots_.data();
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (slots[i] != 0) f(slots[i]);
    }
  }
  bool insert_key(uint64_t key) {
    if (over_max_load(size_ + 1, capacity_)) rehash(capacity_for(size_ + 1));
    for (;;) {
      uint64_t* slots = slots_.data();
      size_t index = first_not_below(key);
      if (slots[index] == key) return false;
      size_t empty = index;
      while (slots[empty] != 0) ++empty;
      if (empty + 1 < slots_.size()) {
        for (; empty > index; --empty) slots[empty] = slots[empty - 1];
        slots[index] = key;
        ++size_;
        return true;
      }
      rehash(grown(capacity_));  // the run would reach the last slot
    }
  }
  // Whether `count` more inserts would make it grow; reserve grows it now
  // as they would.
  bool grows_with(size_t count) const { return over_max_load(size_ + count, capacity_); }
  void reserve(size_t count) {
    if (grows_with(count)) rehash(capacity_for(size_ + count));
  }
  bool contains(uint64_t fingerprint) const {
    const uint64_t key = scramble(fingerprint);
    return slots_.data()[first_not_below(key)] == key;
  }
  // Starts loading the fingerprint's home slot, and the line after it
  // where its run may continue, into the cache, so that a batch of probes
  // waits for memory once rather than once each.
  void prefetch(uint64_t fingerprint) const {
    const uint64_t* home = slots_.data() + home_of(scramble(fingerprint));
    prefetch_line(home);
    prefetch_line(home + kSlotsPerLine);
  }

  // The bytes the table will occupy once `count` more fingerprints are
  // inserted (an upper bound when some of them are already present).
  size_t bytes_to_hold(size_t count) const {
    return with_spares(capacity_for(size_ + count)) * sizeof(uint64_t);
  }

  size_t size() const { return size_; }
  // The slots homes map onto; the spare ones past them are not counted.
  size_t capacity() const { return capacity_; }
  size_t bytes() const { return slots_.size() * sizeof(uint64_t); }

 private:
  static constexpr size_t kSlotsPerLine = 8;

  // SplitMix64's finalizer without its increment: a bijection that keeps 0
  // at 0 (the empty slot) and spreads a model's weak fingerprints over the
  // table, as homes in key order need.
  static constexpr uint64_t scramble(uint64_t x) {
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }
  size_t home_of(uint64_t key) const {
    return static_cast<size_t>((static_cast<unsigned __int128>(key) * capacity_) >> 64);
  }
  // The slot where `key` is or would be inserted: the first from its home
  // that is empty or holds a key not smaller than it. The last slot, always
  // empty, ends every scan.
  size_t first_not_below(uint64_t key) const {
    const uint64_t* slots = slots_.data();
    size_t index = home_of(key);
    while (slots[index] != 0 && slots[index] < key) ++index;
    return index;
  }
  // Load factor bounds, as fractions of 4: grow when an insert would pass
  // 3/4 full, by a quarter (and never by less than kMinCapacity slots).
  static bool over_max_load(size_t count, size_t capacity) { return count * 4 > capacity * 3; }
  static size_t grown(size_t capacity);
  // Spare slots past the last home, for runs that start near the end.
  static size_t with_spares(size_t capacity) { return capacity + capacity / 64 + kSlotsPerLine; }
  size_t capacity_for(size_t count) const;
  void rehash(size_t capacity);

  size_t capacity_;
  ZeroedWords slots_;  // with_spares(capacity_) of them, in key order
  size_t size_ = 0;
  RecycledWords* recycled_;
};

}  // namespace crosscheck::mc
