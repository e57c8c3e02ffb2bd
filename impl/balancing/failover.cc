#include "impl/balancing/failover.h"

#include "impl/common/assert.h"

namespace crosscheck::impl::balancing::failover {

namespace {
uint8_t bit(int backend) { return static_cast<uint8_t>(1u << backend); }
}  // namespace

void Message::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{static_cast<uint8_t>(type)} | uint64_t{static_cast<uint8_t>(request)} << 8 |
             uint64_t{up_mask} << 16);
}

std::string Message::label() const {
  switch (type) {
    case MessageType::kProbe: return "Probe";
    case MessageType::kHeartbeat: return "Heartbeat";
    case MessageType::kStatus: {
      std::string up;
      for (int b = 0; b < kMaxBackends; ++b) {
        if (up_mask & bit(b)) up += (up.empty() ? "b" : ", b") + std::to_string(b + 1);
      }
      return "Status(up: " + (up.empty() ? std::string("none") : up) + ")";
    }
    case MessageType::kForward: return "Forward(r" + std::to_string(request + 1) + ")";
    case MessageType::kResponse: return "Response(r" + std::to_string(request + 1) + ")";
  }
  return "?";
}

void Backend::on_message(NodeId from, const Message& m, FailoverOutbox& out) {
  if (!alive_) return;  // a crashed backend loses what reaches it
  if (m.type == MessageType::kProbe) out.send(from, {MessageType::kHeartbeat});
  if (m.type == MessageType::kForward) out.send(from, {MessageType::kResponse, m.request});
}

void Backend::crash() {
  CC_ASSERT(alive_);
  alive_ = false;
  ++crashes_;
}

void Backend::recover() {
  CC_ASSERT(!alive_);
  alive_ = true;
}

void Backend::hash(StableHasher& hasher) const { hasher.add(alive_).add(int{crashes_}); }

HealthChecker::HealthChecker(const Config& config)
    : config_(config), up_mask_(config.all_backends()), heard_(config.all_backends()) {
  CC_ASSERT(config.backends >= 1 && config.backends <= kMaxBackends);
  CC_ASSERT(config.missed_heartbeats >= 1 && config.missed_heartbeats <= kMaxMissedHeartbeats);
}

void HealthChecker::start(FailoverOutbox& out) { out.set_timer(Timer::kTick); }

void HealthChecker::on_tick(FailoverOutbox& out) {
  for (int b = 0; b < config_.backends; ++b) {
    int8_t& missed = missed_[static_cast<size_t>(b)];
    if (heard_ & bit(b)) {
      missed = 0;
      up_mask_ |= bit(b);
    } else if (missed < config_.missed_heartbeats && ++missed == config_.missed_heartbeats) {
      up_mask_ &= static_cast<uint8_t>(~bit(b));
    }
  }
  heard_ = 0;
  out.send(config_.router_id(), {MessageType::kStatus, -1, up_mask_});
  for (int b = 0; b < config_.backends; ++b) out.send(b, {MessageType::kProbe});
  out.set_timer(Timer::kTick);
}

void HealthChecker::on_message(NodeId from, const Message& m, FailoverOutbox&) {
  CC_ASSERT(m.type == MessageType::kHeartbeat && from >= 0 && from < config_.backends);
  heard_ |= bit(from);
}

void HealthChecker::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{up_mask_}).add(uint64_t{heard_});
  for (int8_t missed : missed_) hasher.add(int{missed});
}

Router::Router(const Config& config) : config_(config), picker_(config.backends, config.variant) {
  CC_ASSERT(config.requests >= 0 && config.requests <= kMaxRequests);
}

void Router::on_request(FailoverOutbox& out) {
  CC_ASSERT(accepts_requests());
  route(arrived_++, out);
}

void Router::route(int id, FailoverOutbox& out) {
  Request& request = requests_[static_cast<size_t>(id)];
  const auto backend = picker_.pick();
  request.statuses_unanswered = 0;
  if (!backend) {
    request.stage = Stage::kQueued;
    request.backend = -1;
    return;
  }
  request.stage = Stage::kRouted;
  request.backend = static_cast<int8_t>(*backend);
  out.send(*backend, {MessageType::kForward, static_cast<int8_t>(id)});
}

void Router::on_message(NodeId from, const Message& m, FailoverOutbox& out) {
  if (m.type == MessageType::kStatus) {
    on_status(m.up_mask, out);
    return;
  }
  CC_ASSERT(m.type == MessageType::kResponse && m.request >= 0 && m.request < arrived_);
  Request& request = requests_[static_cast<size_t>(m.request)];
  if (request.stage == Stage::kAnswered) return;  // a late answer to a request sent twice
  request.stage = Stage::kAnswered;
  request.answered_by = static_cast<int8_t>(from);
  request.backend = -1;
  request.statuses_unanswered = 0;
  picker_.on_complete(from);
}

void Router::on_status(uint8_t up_mask, FailoverOutbox& out) {
  for (int b = 0; b < config_.backends; ++b) {
    const bool up = (up_mask & bit(b)) != 0;
    const bool was_down = (marked_down_ & bit(b)) != 0;
    if (up == was_down) picker_.on_health(b, up ? Health::kUp : Health::kDown);
  }
  marked_down_ = static_cast<uint8_t>(~up_mask & config_.all_backends());
  for (int id = 0; id < arrived_; ++id) {
    Request& request = requests_[static_cast<size_t>(id)];
    if (request.stage == Stage::kQueued) {
      route(id, out);
    } else if (request.stage == Stage::kRouted) {
      // Within a round every message is delivered or lost, so a request
      // unanswered across two Status messages will not be answered.
      const bool held_by_down_backend = (marked_down_ & bit(request.backend)) != 0;
      if (held_by_down_backend || ++request.statuses_unanswered == 2) route(id, out);
    }
  }
}

void Router::hash(StableHasher& hasher) const {
  picker_.hash(hasher);
  hasher.add(uint64_t{marked_down_}).add(int{arrived_});
  for (const Request& request : requests_) {
    hasher.add(static_cast<uint64_t>(request.stage) |
               uint64_t{static_cast<uint8_t>(request.backend)} << 8 |
               uint64_t{static_cast<uint8_t>(request.statuses_unanswered)} << 16 |
               uint64_t{static_cast<uint8_t>(request.answered_by)} << 24);
  }
}

}  // namespace crosscheck::impl::balancing::failover
