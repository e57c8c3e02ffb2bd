// Health-check failover as plain actors: backends that crash and recover,
// a health checker that probes them every round and marks a backend down
// once it missed `missed_heartbeats` probes in a row (up again at its next
// heartbeat), and a router that sends each client request to the backend
// its round robin picks.
//
// Time is rounds: the checker's tick starts one. At each tick the checker
// sends the router the full set of backends it holds up (Status) and
// probes every backend; a backend that is up answers with a heartbeat. The
// router follows the Status: it marks backends down and up in its round
// robin, sends every request held by a backend now down to another, and
// sends again any request unanswered for two Status messages (lost with a
// backend that crashed, or dropped). A request that finds every backend
// down waits for the next Status that shows one up.
//
// Node ids: backends 0..B-1, the checker B, the router B+1.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>

#include "impl/balancing/round_robin.h"
#include "impl/common/hash.h"
#include "impl/common/outbox.h"

namespace crosscheck::impl::balancing::failover {

constexpr int kMaxBackends = 4;
constexpr int kMaxRequests = 4;
constexpr int kMaxMissedHeartbeats = 4;

enum class MessageType : uint8_t { kProbe, kHeartbeat, kStatus, kForward, kResponse };

struct Message {
  MessageType type = MessageType::kProbe;
  int8_t request = -1;  // Forward, Response
  uint8_t up_mask = 0;  // Status: bit b set when the checker holds backend b up
  auto operator<=>(const Message&) const = default;
  void hash(StableHasher& hasher) const;
  std::string label() const;
};

enum class Timer : uint8_t { kTick };

enum class InputKind : uint8_t {
  kRequest,  // a client request reaches the router
  kCrash,    // a backend stops: it answers nothing until it recovers
  kRecover,
};

struct Input {
  InputKind kind = InputKind::kRequest;
  auto operator<=>(const Input&) const = default;
};

struct Config {
  int backends = 2;
  int requests = 2;  // client requests the router receives in all
  int missed_heartbeats = 2;
  RoundRobinVariant variant = RoundRobinVariant::kCorrect;

  NodeId checker_id() const { return backends; }
  NodeId router_id() const { return backends + 1; }
  uint8_t all_backends() const { return static_cast<uint8_t>((1u << backends) - 1); }
  auto operator<=>(const Config&) const = default;
};

using FailoverOutbox = Outbox<Message, Timer>;

class Backend {
 public:
  void on_message(NodeId from, const Message& m, FailoverOutbox& out);
  void crash();
  void recover();

  bool alive() const { return alive_; }
  int crashes() const { return crashes_; }
  auto operator<=>(const Backend&) const = default;
  void hash(StableHasher& hasher) const;

 private:
  bool alive_ = true;
  int8_t crashes_ = 0;
};

class HealthChecker {
 public:
  explicit HealthChecker(const Config& config);

  void start(FailoverOutbox& out);
  void on_tick(FailoverOutbox& out);
  void on_message(NodeId from, const Message& m, FailoverOutbox& out);

  uint8_t up_mask() const { return up_mask_; }
  int missed(int backend) const { return missed_[static_cast<size_t>(backend)]; }
  auto operator<=>(const HealthChecker&) const = default;
  void hash(StableHasher& hasher) const;

 private:
  Config config_;
  uint8_t up_mask_ = 0;
  // Heartbeats this round. Backends start healthy: the first tick counts
  // them heard.
  uint8_t heard_ = 0;
  std::array<int8_t, kMaxBackends> missed_{};  // probes missed in a row, up to missed_heartbeats
};

class Router {
 public:
  enum class Stage : uint8_t { kNotArrived, kQueued, kRouted, kAnswered };
  struct Request {
    Stage stage = Stage::kNotArrived;
    int8_t backend = -1;             // kRouted: where it was sent last
    int8_t statuses_unanswered = 0;  // kRouted: Status messages since it was sent
    int8_t answered_by = -1;         // kAnswered
    auto operator<=>(const Request&) const = default;
  };

  explicit Router(const Config& config);

  bool accepts_requests() const { return arrived_ < config_.requests; }
  void on_request(FailoverOutbox& out);
  void on_message(NodeId from, const Message& m, FailoverOutbox& out);

  const RoundRobin& picker() const { return picker_; }
  // The backends the last Status showed down: the router's own view.
  uint8_t marked_down() const { return marked_down_; }
  int arrived() const { return arrived_; }
  const Request& request(int id) const { return requests_[static_cast<size_t>(id)]; }
  bool operator==(const Router&) const = default;
  void hash(StableHasher& hasher) const;

 private:
  void on_status(uint8_t up_mask, FailoverOutbox& out);
  void route(int id, FailoverOutbox& out);

  Config config_;
  RoundRobin picker_;
  uint8_t marked_down_ = 0;
  int8_t arrived_ = 0;
  std::array<Request, kMaxRequests> requests_{};
};

}  // namespace crosscheck::impl::balancing::failover
