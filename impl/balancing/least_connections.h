// Least connections: each pick takes an up backend with the fewest active
// requests (the lowest id among equals) and counts the request as active
// there until on_complete. A backend marked down keeps its active count:
// the requests it holds still complete, or fail, later.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "impl/balancing/health.h"

namespace crosscheck::impl::balancing {

class LeastConnections {
 public:
  explicit LeastConnections(int backends);

  std::optional<BackendId> pick();
  // Precondition: the backend has an active request.
  void on_complete(BackendId backend);
  void on_health(BackendId backend, Health health);

  int64_t active(BackendId backend) const { return active_.of(backend); }
  const HealthSet& health() const { return health_; }
  bool operator==(const LeastConnections&) const = default;

 private:
  HealthSet health_;
  ActiveCounts active_;
};

}  // namespace crosscheck::impl::balancing
