// The visited set of a search: fingerprint tables partitioned by the top
// bits of the fingerprint, so that threads can insert into disjoint
// partitions without locks, and read all of them while nobody writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model_check/fingerprint_table.h"

namespace crosscheck::mc {

class VisitedSet {
 public:
  static constexpr int kPartitionBits = 6;
  static constexpr int kPartitions = 1 << kPartitionBits;

  VisitedSet() : partitions_(kPartitions, FingerprintTable(1 << 10)) {}

  static int partition_of(uint64_t fingerprint) { return static_cast<int>(fingerprint >> (64 - kPartitionBits)); }

  bool contains(uint64_t fingerprint) const { return partitions_[partition_of(fingerprint)].contains(fingerprint); }
  uint64_t parent(uint64_t fingerprint) const { return partitions_[partition_of(fingerprint)].parent(fingerprint); }
  // Only one thread may insert into a partition at a time.
  bool insert(uint64_t fingerprint, uint64_t parent) {
    return partitions_[partition_of(fingerprint)].insert(fingerprint, parent);
  }

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

 private:
  std::vector<FingerprintTable> partitions_;
};

}  // namespace crosscheck::mc
