// What every balancer in impl/balancing shares: backends numbered
// 0..n-1, and which of them are up.
#pragma once

#include <cstdint>
#include <vector>

#include "impl/common/hash.h"

namespace crosscheck::impl::balancing {

using BackendId = int;

enum class Health : uint8_t { kUp, kDown };

// Backends start up. A balancer never picks a backend marked down until it
// is marked up again.
class HealthSet {
 public:
  explicit HealthSet(int backends);

  int size() const { return static_cast<int>(up_flags_.size()); }
  bool is_up(BackendId backend) const;
  // Returns whether the backend's health changed.
  bool set(BackendId backend, Health health);
  const std::vector<BackendId>& up() const { return up_; }  // ascending

  bool operator==(const HealthSet&) const = default;
  void hash(StableHasher& hasher) const;

 private:
  std::vector<uint8_t> up_flags_;
  std::vector<BackendId> up_;  // Invariant: exactly the backends whose flag is set, ascending.
};

// Requests picked and not yet complete, per backend: what least
// connections and two choices compare.
class ActiveCounts {
 public:
  explicit ActiveCounts(int backends) : counts_(static_cast<size_t>(backends), 0) {}

  int64_t of(BackendId backend) const { return counts_[static_cast<size_t>(backend)]; }
  void add(BackendId backend) { ++counts_[static_cast<size_t>(backend)]; }
  // Precondition: the backend has an active request.
  void complete(BackendId backend);

  bool operator==(const ActiveCounts&) const = default;

 private:
  std::vector<int64_t> counts_;
};

}  // namespace crosscheck::impl::balancing
