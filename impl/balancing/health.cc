#include "impl/balancing/health.h"

#include <algorithm>

#include "impl/common/assert.h"

namespace crosscheck::impl::balancing {

HealthSet::HealthSet(int backends) : up_flags_(static_cast<size_t>(backends), 1) {
  CC_ASSERT(backends >= 1);
  for (BackendId backend = 0; backend < backends; ++backend) up_.push_back(backend);
}

bool HealthSet::is_up(BackendId backend) const {
  CC_ASSERT(backend >= 0 && backend < size());
  return up_flags_[static_cast<size_t>(backend)] != 0;
}

bool HealthSet::set(BackendId backend, Health health) {
  const bool up = health == Health::kUp;
  if (is_up(backend) == up) return false;
  up_flags_[static_cast<size_t>(backend)] = up ? 1 : 0;
  const auto at = std::lower_bound(up_.begin(), up_.end(), backend);
  if (up) {
    up_.insert(at, backend);
  } else {
    up_.erase(at);
  }
  return true;
}

void HealthSet::hash(StableHasher& hasher) const {
  hasher.add(static_cast<uint64_t>(up_.size()));
  for (BackendId backend : up_) hasher.add(backend);
}

void ActiveCounts::complete(BackendId backend) {
  CC_ASSERT(of(backend) > 0);
  --counts_[static_cast<size_t>(backend)];
}

}  // namespace crosscheck::impl::balancing
