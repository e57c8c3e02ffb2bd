// Round robin: each pick takes the next backend that is up, in id order,
// going round. While the set of up backends stays the same, their pick
// counts differ by at most one.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "impl/balancing/health.h"

namespace crosscheck::impl::balancing {

enum class RoundRobinVariant : uint8_t {
  kCorrect,
  // Known-buggy: a backend marked down stays in the rotation until its
  // turn comes once more, and is picked that once: the balancer routes to
  // it for one pick after it was marked down.
  kSkipDownLate,
};

class RoundRobin {
 public:
  explicit RoundRobin(int backends, RoundRobinVariant variant = RoundRobinVariant::kCorrect);

  // The backend to send the next request to; none when every backend is
  // down.
  std::optional<BackendId> pick();
  void on_complete(BackendId backend);
  void on_health(BackendId backend, Health health);

  const HealthSet& health() const { return health_; }
  RoundRobinVariant variant() const { return variant_; }
  bool operator==(const RoundRobin&) const = default;
  void hash(StableHasher& hasher) const;

 private:
  bool in_rotation(BackendId backend) const;

  RoundRobinVariant variant_;
  HealthSet health_;
  BackendId next_ = 0;  // where the next pick starts looking
  // kSkipDownLate only: backends marked down but still in the rotation.
  std::vector<uint8_t> leaving_late_;
};

}  // namespace crosscheck::impl::balancing
