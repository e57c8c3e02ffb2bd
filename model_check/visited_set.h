// The visited set of a search: tables partitioned by the top bits of the
// fingerprint, so that threads can insert into disjoint partitions without
// locks, and read all of them while nobody writes.
//
// Table is FingerprintTable (a state is its fingerprint) or StateTable<S>
// (--exact: a state is itself, its fingerprint only a hash).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "model_check/checkpoint.h"
#include "model_check/fingerprint_table.h"
#include "model_check/state_table.h"

namespace crosscheck::mc {

template <class Table>
class PartitionedSet {
 public:
  static constexpr int kPartitionBits = 6;
  static constexpr int kPartitions = 1 << kPartitionBits;
  // Whether membership compares whole states rather than fingerprints.
  static constexpr bool kExact = !std::is_same_v<Table, FingerprintTable>;

  PartitionedSet() {
    partitions_.reserve(kPartitions);
    for (int p = 0; p < kPartitions; ++p) {
      if constexpr (kExact) {
        partitions_.emplace_back();
      } else {
        partitions_.emplace_back(FingerprintTable::kMinCapacity, &recycled_);
      }
    }
  }
  // The partitions point at recycled_.
  PartitionedSet(const PartitionedSet&) = delete;
  PartitionedSet& operator=(const PartitionedSet&) = delete;

  static int partition_of(uint64_t fingerprint) {
    return static_cast<int>(fingerprint >> (64 - kPartitionBits));
  }

  // `key` is the state (its orbit's representative under symmetry); only an
  // exact set looks at it.
  template <class Key>
  bool contains(uint64_t fingerprint, const Key& key) const {
    if constexpr (kExact) {
      return partitions_[partition_of(fingerprint)].contains(fingerprint, key);
    } else {
      return partitions_[partition_of(fingerprint)].contains(fingerprint);
    }
  }
  // Only one thread may insert into a partition at a time.
  template <class Key>
  bool insert(uint64_t fingerprint, const Key& key) {
    if constexpr (kExact) {
      return partitions_[partition_of(fingerprint)].insert(fingerprint, key);
    } else {
      return partitions_[partition_of(fingerprint)].insert(fingerprint);
    }
  }
  void prefetch(uint64_t fingerprint) const {
    partitions_[partition_of(fingerprint)].prefetch(fingerprint);
  }

  size_t bytes_to_hold(int partition, size_t count) const {
    return partitions_[partition].bytes_to_hold(count);
  }
  bool grows_with(int partition, size_t count) const {
    return partitions_[partition].grows_with(count);
  }
  // Grows a partition now as `count` more inserts would; only while no
  // other thread uses it.
  void reserve(int partition, size_t count) { partitions_[partition].reserve(count); }

  size_t size() const {
    size_t total = 0;
    for (const auto& table : partitions_) total += table.size();
    return total;
  }
  size_t bytes() const {
    size_t total = 0;
    for (const auto& table : partitions_) total += table.bytes();
    return total;
  }
  // Each partition's fingerprints (a fingerprint set's only).
  void save(CheckpointWriter& out) const requires(!kExact) {
    for (const auto& table : partitions_) {
      out.u64(table.size());
      table.for_each_key([&](uint64_t key) { out.u64(key); });
    }
  }
  void load(CheckpointReader& in) requires(!kExact) {
    for (int p = 0; p < kPartitions; ++p) {
      const uint64_t size = in.count(sizeof(uint64_t));
      partitions_[p].reserve(size);
      for (uint64_t i = 0; i < size; ++i) {
        const uint64_t key = in.u64();
        if (key == 0 || !partitions_[p].insert_key(key))
          in.fail("the visited set holds an empty or repeated key");
      }
      if (partitions_[p].size() != size) in.fail("the visited set's partition sizes disagree");
    }
  }

  // Memory kept for the partitions to grow into, besides bytes().
  size_t recycled_bytes() { return recycled_.bytes(); }

 private:
  RecycledWords
      recycled_;  // before the partitions, which give their arrays back to it when destroyed
  // A partition's table on cache lines of its own: neighbouring partitions
  // belong to different threads in phase 2, and every insert writes its
  // table's size.
  struct alignas(64) Partition : Table {
    using Table::Table;
  };
  std::vector<Partition> partitions_;
};

using VisitedSet = PartitionedSet<FingerprintTable>;

template <class State>
using ExactVisitedSet = PartitionedSet<StateTable<State>>;

}  // namespace crosscheck::mc
