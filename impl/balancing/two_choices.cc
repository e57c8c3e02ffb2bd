#include "impl/balancing/two_choices.h"

namespace crosscheck::impl::balancing {

PowerOfTwoChoices::PowerOfTwoChoices(int backends, SplitMix64 random)
    : health_(backends), active_(backends), random_(random) {}

std::optional<BackendId> PowerOfTwoChoices::pick() {
  const auto& up = health_.up();
  if (up.empty()) return std::nullopt;
  BackendId chosen = up.front();
  if (up.size() > 1) {
    // The second draw skips the first's index, so the two are distinct and
    // every pair is equally likely.
    const uint64_t first = random_.below(up.size());
    uint64_t second = random_.below(up.size() - 1);
    if (second >= first) ++second;
    const BackendId a = up[first];
    const BackendId b = up[second];
    chosen = active(b) < active(a) ? b : a;
  }
  active_.add(chosen);
  return chosen;
}

void PowerOfTwoChoices::on_complete(BackendId backend) { active_.complete(backend); }

void PowerOfTwoChoices::on_health(BackendId backend, Health health) {
  health_.set(backend, health);
}

}  // namespace crosscheck::impl::balancing
