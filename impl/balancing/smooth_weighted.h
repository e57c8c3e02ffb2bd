// Smooth weighted round robin, nginx's algorithm (ngx_http_upstream_round_
// robin.c, 2012): each backend has a weight w and a current weight, zero at
// first. A pick adds every up backend's weight to its current weight,
// takes the backend with the largest current weight (the lowest id among
// equals), and subtracts the total weight S of the up backends from it.
// The current weights then sum to zero again, and after S picks each is
// back at zero with each backend picked exactly w times; the sequence
// repeats, so every window of S consecutive picks holds each backend
// exactly w times. The picks are spread rather than bunched: a backend is
// picked twice in a row only when no other backend is a whole pick behind
// its share (checked exhaustively for small weights and by property test;
// no proof here).
//
// A change of health starts a new cycle from zero, so that the windows of
// the new set of up backends are exact from the change on.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "impl/balancing/health.h"

namespace crosscheck::impl::balancing {

class SmoothWeightedRoundRobin {
 public:
  // Precondition: every weight is at least 1.
  explicit SmoothWeightedRoundRobin(std::vector<int> weights);

  std::optional<BackendId> pick();
  void on_complete(BackendId backend);
  void on_health(BackendId backend, Health health);

  const HealthSet& health() const { return health_; }
  const std::vector<int>& weights() const { return weights_; }
  bool operator==(const SmoothWeightedRoundRobin&) const = default;

 private:
  std::vector<int> weights_;
  std::vector<int64_t> current_;
  HealthSet health_;
};

}  // namespace crosscheck::impl::balancing
