#include "impl/balancing/smooth_weighted.h"

#include <algorithm>
#include <numeric>

#include "impl/common/assert.h"

namespace crosscheck::impl::balancing {

SmoothWeightedRoundRobin::SmoothWeightedRoundRobin(std::vector<int> weights)
    : weights_(std::move(weights)),
      current_(weights_.size(), 0),
      health_(static_cast<int>(weights_.size())) {
  CC_ASSERT(std::all_of(weights_.begin(), weights_.end(), [](int w) { return w >= 1; }));
}

std::optional<BackendId> SmoothWeightedRoundRobin::pick() {
  if (health_.up().empty()) return std::nullopt;
  int64_t total = 0;
  BackendId best = health_.up().front();
  for (BackendId backend : health_.up()) {
    const auto i = static_cast<size_t>(backend);
    current_[i] += weights_[i];
    total += weights_[i];
    if (current_[i] > current_[static_cast<size_t>(best)]) best = backend;
  }
  current_[static_cast<size_t>(best)] -= total;
  // The up backends' current weights sum to zero after every pick.
  CC_ASSERT(std::accumulate(health_.up().begin(), health_.up().end(), int64_t{0},
                            [this](int64_t sum, BackendId b) {
                              return sum + current_[static_cast<size_t>(b)];
                            }) == 0);
  return best;
}

void SmoothWeightedRoundRobin::on_complete(BackendId backend) {
  CC_ASSERT(backend >= 0 && backend < health_.size());
}

void SmoothWeightedRoundRobin::on_health(BackendId backend, Health health) {
  if (health_.set(backend, health)) std::fill(current_.begin(), current_.end(), 0);
}

}  // namespace crosscheck::impl::balancing
