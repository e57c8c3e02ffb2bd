// Power of two choices (Azar, Broder, Karlin & Upfal 1994; Mitzenmacher
// 2001): each pick draws two distinct up backends at random and takes the
// one with fewer active requests (the first drawn among equals). Placing n
// requests on n backends that never complete, the busiest ends with about
// ln ln n / ln 2 + O(1) requests, against ln n / ln ln n (1 + o(1)) when
// each request takes one random backend.
//
// The randomness is a SplitMix64 the caller seeds and passes in; it is part
// of the balancer's state, so a copy of the balancer makes the same picks.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "impl/balancing/health.h"
#include "impl/common/random.h"

namespace crosscheck::impl::balancing {

class PowerOfTwoChoices {
 public:
  PowerOfTwoChoices(int backends, SplitMix64 random);

  std::optional<BackendId> pick();
  // Precondition: the backend has an active request.
  void on_complete(BackendId backend);
  void on_health(BackendId backend, Health health);

  int64_t active(BackendId backend) const { return active_.of(backend); }
  const HealthSet& health() const { return health_; }
  bool operator==(const PowerOfTwoChoices&) const = default;

 private:
  HealthSet health_;
  ActiveCounts active_;
  SplitMix64 random_;
};

}  // namespace crosscheck::impl::balancing
