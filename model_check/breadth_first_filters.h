// The breadth-first search's filters of earlier candidates (phase 1 of
// breadth_first_search.h): a successor one of them finds repeats a
// candidate that comes earlier in the sequential order, so it cannot be new
// and needs no visited-set insert.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "model_check/fingerprint_table.h"
#include "model_check/prefetch.h"

namespace crosscheck::mc::detail {

// Under exact: the candidates of the chunk being generated, by
// fingerprint. A state new to the visited set is typically reached from
// several parents in one batch; only its first occurrence can be the one
// stored, so the later ones are known duplicates without an invariant
// check or a phase-2 insert. An equal fingerprint is not enough here:
// the candidate it points to is compared.
class ChunkFilter {
 public:
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

  void reset() {
    for (uint32_t slot : used_) fingerprints_[slot] = 0;
    used_.clear();
  }
  // The earliest candidate recorded with this fingerprint, or kNone.
  uint32_t find(uint64_t fingerprint) const {
    if (fingerprints_.empty()) return kNone;
    for (size_t i = home_of(fingerprint);; i = (i + 1) & (fingerprints_.size() - 1)) {
      if (fingerprints_[i] == 0) return kNone;
      if (fingerprints_[i] == fingerprint) return candidates_[i];
    }
  }
  void prefetch(uint64_t fingerprint) const {
    if (!fingerprints_.empty()) prefetch_line(fingerprints_.data() + home_of(fingerprint));
  }
  // Records a candidate whose fingerprint the filter does not hold.
  void add(uint64_t fingerprint, uint32_t candidate) {
    if ((used_.size() + 1) * 2 > fingerprints_.size()) grow();
    size_t i = home_of(fingerprint);
    while (fingerprints_[i] != 0) i = (i + 1) & (fingerprints_.size() - 1);
    fingerprints_[i] = fingerprint;
    candidates_[i] = candidate;
    used_.push_back(static_cast<uint32_t>(i));
  }
  size_t bytes() const {
    return fingerprints_.capacity() * sizeof(uint64_t) +
           (candidates_.capacity() + used_.capacity()) * sizeof(uint32_t);
  }

 private:
  size_t home_of(uint64_t fingerprint) const { return fingerprint & (fingerprints_.size() - 1); }

  void grow() {
    std::vector<uint32_t> used = std::move(used_);
    std::vector<uint64_t> fingerprints = std::move(fingerprints_);
    std::vector<uint32_t> candidates = std::move(candidates_);
    fingerprints_.assign(std::max<size_t>(1024, fingerprints.size() * 2), 0);
    candidates_.assign(fingerprints_.size(), 0);
    used_.clear();
    for (uint32_t slot : used) add(fingerprints[slot], candidates[slot]);
  }

  std::vector<uint64_t> fingerprints_;  // 0: empty
  std::vector<uint32_t> candidates_;    // beside them
  std::vector<uint32_t> used_;          // the slots filled in this chunk, to empty them after
};

// Outside exact: the fingerprints of a thread's recent candidates, in a
// two-way set-associative cache kept across chunks, batches and levels.
// A successor found here repeats a candidate that comes earlier in the
// sequential order (a thread takes its chunks in order), so it cannot be
// new and needs no phase-2 insert. A fingerprint the cache has dropped
// only costs its repeats a probe in phase 2, which finds the earlier
// occurrence stored. Which repeats are caught depends on how the threads
// shared the chunks; which occurrence is stored does not.
//
// A cache larger than the core's own (4 MiB at most, in the shared one)
// catches more than it costs: at 10 RMs, 100 M candidates reach phase 2
// with one thread and 128 M with two, where a filter of each chunk's
// candidates let 176 M through. Its array is in transparent huge pages
// (ZeroedWords): its probes are random, and in 4 KiB pages nearly every
// one missed the TLB (9 RMs, one thread, 6% faster in huge pages).
class RecentCandidates {
 public:
  // Sized for a level of `states` states a thread: a small model's
  // search does not clear megabytes. Growing forgets what was cached.
  void fit(size_t states) {
    size_t sets = kMinSets;
    while (sets < states && sets < kMaxSets) sets *= 2;
    if (sets > sets_) {
      sets_ = sets;
      ways_ = ZeroedWords(2 * sets_);
    }
  }
  bool contains(uint64_t fingerprint) const {
    const uint64_t* set = set_of(fingerprint);
    return set[0] == fingerprint || set[1] == fingerprint;
  }
  void prefetch(uint64_t fingerprint) const { prefetch_line(set_of(fingerprint)); }
  size_t bytes() const { return ways_.size() * sizeof(uint64_t); }
  // Records a candidate; the set's older fingerprint makes room.
  void add(uint64_t fingerprint) {
    uint64_t* set = ways_.data() + 2 * (fingerprint & (sets_ - 1));
    set[1] = set[0];
    set[0] = fingerprint;
  }

 private:
  static constexpr size_t kMinSets = size_t{1} << 10;
  static constexpr size_t kMaxSets = size_t{1} << 18;
  const uint64_t* set_of(uint64_t fingerprint) const {
    return ways_.data() + 2 * (fingerprint & (sets_ - 1));
  }

  size_t sets_ = 0;
  ZeroedWords ways_;  // two a set, most recent first; 0: empty
};

}  // namespace crosscheck::mc::detail
