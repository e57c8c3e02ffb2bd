#include "impl/balancing/least_connections.h"

namespace crosscheck::impl::balancing {

LeastConnections::LeastConnections(int backends) : health_(backends), active_(backends) {}

std::optional<BackendId> LeastConnections::pick() {
  if (health_.up().empty()) return std::nullopt;
  BackendId best = health_.up().front();
  for (BackendId backend : health_.up()) {
    if (active(backend) < active(best)) best = backend;
  }
  active_.add(best);
  return best;
}

void LeastConnections::on_complete(BackendId backend) { active_.complete(backend); }

void LeastConnections::on_health(BackendId backend, Health health) { health_.set(backend, health); }

}  // namespace crosscheck::impl::balancing
