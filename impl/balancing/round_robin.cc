#include "impl/balancing/round_robin.h"

#include "impl/common/assert.h"

namespace crosscheck::impl::balancing {

RoundRobin::RoundRobin(int backends, RoundRobinVariant variant)
    : variant_(variant), health_(backends), leaving_late_(static_cast<size_t>(backends), 0) {}

bool RoundRobin::in_rotation(BackendId backend) const {
  return health_.is_up(backend) || leaving_late_[static_cast<size_t>(backend)] != 0;
}

std::optional<BackendId> RoundRobin::pick() {
  const int n = health_.size();
  for (int step = 0; step < n; ++step) {
    const BackendId backend = (next_ + step) % n;
    if (!in_rotation(backend)) continue;
    next_ = (backend + 1) % n;
    leaving_late_[static_cast<size_t>(backend)] = 0;
    CC_ASSERT(variant_ != RoundRobinVariant::kCorrect || health_.is_up(backend));
    return backend;
  }
  return std::nullopt;
}

void RoundRobin::on_complete(BackendId backend) {
  CC_ASSERT(backend >= 0 && backend < health_.size());
}

void RoundRobin::on_health(BackendId backend, Health health) {
  const bool changed = health_.set(backend, health);
  uint8_t& late = leaving_late_[static_cast<size_t>(backend)];
  if (health == Health::kUp) {
    late = 0;
  } else if (changed && variant_ == RoundRobinVariant::kSkipDownLate) {
    late = 1;
  }
}

void RoundRobin::hash(StableHasher& hasher) const {
  health_.hash(hasher);
  hasher.add(next_);
  for (uint8_t late : leaving_late_) hasher.add(uint64_t{late});
}

}  // namespace crosscheck::impl::balancing
