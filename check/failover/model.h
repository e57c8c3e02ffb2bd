// Primary-backup failover (impl/failover) as a binding of the actor harness
// (model_check/actor.h) with explicit time.
//
// The state: the replicas and clients, the messages in flight (a sorted
// multiset: unbounded delay and reordering), the harness's clocks
// (model_check/actor_time.h, model_check/clocks.h: global time, each
// replica's clock within `drift` ahead of it, pauses; clients have no
// clock), the replicas that crashed (for good: the harness's crash-stop)
// and the clients' history of invocations and responses.
//
// The steps: deliver a message; a client issues its next request (an
// input: a read or a write); global time advances a tick (clocks that would
// fall behind are carried along); one replica's clock ticks ahead, within
// the drift window, even while it is paused; a replica pauses for
// 1..max_pause ticks (it takes no step, its clock runs on, and the pause
// may outlast the horizon); a replica stops for good; within budgets, a
// message is dropped. A replica that is running sees every move of its
// clock at once (on_tick within the same step), and a paused one when it
// wakes, so a replica never acts on a clock reading older than its clock.
//
// Global time stops at the horizon: every state is within it, and at the
// horizon only messages, requests and faults happen. The properties are
// safety properties, so a message still in flight at the horizon stands
// for one delayed past it, or lost.
//
// Properties:
//   AtMostOneValidPrimary: at every global time, at most one running
//     replica is a primary whose lease holds at its current clock reading.
//   AcknowledgedWriteNeverLost: every write a client was told succeeded is
//     in the log of the primary of the newest epoch (among replicas up).
//   Linearizable: the client history is linearizable as a single register
//     (model_check/linearizability.h, KvSpec with one key).
// and the goals WriteAcknowledged, ReadAnswered and BackupPromoted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "impl/common/small_vector.h"
#include "impl/failover/failover.h"
#include "model_check/actor.h"
#include "model_check/clocks.h"
#include "model_check/json.h"
#include "model_check/linearizability.h"
#include "model_check/model.h"
#include "model_check/result.h"

namespace crosscheck::check::failover {

namespace implfo = crosscheck::impl::failover;

// The defaults are `crosscheck check failover`'s (docs/failover.md).
struct Bounds {
  int horizon = 6;       // global time stops here
  int max_pause = 0;     // the longest pause, in global ticks (0: no pauses)
  int max_pauses = 0;    // pauses in all
  int max_crashes = 1;   // replicas that crash (and stay down)
  int max_drops = 0;     // messages the network may lose
  int max_messages = 4;  // more messages in flight are outside the bounds; 0: no limit
  // How far the harness lets clocks drift; -1: the drift the replicas
  // assume (Config::drift). Larger than that, it breaks their assumption,
  // which shows what the 2 * drift margin is for.
  int clock_drift = -1;
};

// A client's request sent, or the answer it took.
struct ClientEvent {
  bool response = false;
  uint8_t client = 0;
  uint8_t seq = 0;
  bool write = false;
  uint8_t value = 0;  // a write's value, a read's answer (0: nothing written)
  auto operator<=>(const ClientEvent&) const = default;
};

// The clients' history, in the order things happened. Within a run of
// consecutive invocations, or of consecutive responses, events are kept
// sorted: their order there precedes nothing in real time, so states that
// differ only in it are one.
struct History {
  SmallVector<ClientEvent, 8> events;
  bool operator==(const History&) const = default;
};

// A client's next request: a write of a fresh value, or a read.
struct Request {
  bool write = false;
  uint8_t value = 0;  // a write's value
  bool operator==(const Request&) const = default;
  std::string label() const {
    return write ? "write " + std::to_string(value) : std::string("read");
  }
};

class FailoverBinding {
 public:
  using Node = std::variant<implfo::Replica, implfo::Client>;
  using Message = implfo::Message;
  using Timer = implfo::Timer;
  using Input = Request;
  using Time = mc::ClockTime;
  using History = failover::History;
  using State = mc::ActorState<FailoverBinding>;
  using Action = mc::ActorAction<FailoverBinding>;
  static constexpr size_t kInlineNodes = implfo::kMaxReplicas + implfo::kMaxClients;
  static constexpr size_t kInlineMessages = 12;

  FailoverBinding(implfo::Config config, Bounds bounds) : config_(config), bounds_(bounds) {}

  const implfo::Config& config() const { return config_; }
  const Bounds& bounds() const { return bounds_; }

  int node_count() const { return config_.node_count(); }
  Node initial_node(NodeId id) const;
  void start(NodeId self, Node& node, implfo::FailoverOutbox& out) const;
  void on_message(NodeId self, Node& node, NodeId from, const Message& m,
                  implfo::FailoverOutbox& out) const;
  void on_timeout(NodeId self, Node& node, Timer timer, implfo::FailoverOutbox& out) const;
  void on_tick(NodeId self, Node& node, uint8_t reading, implfo::FailoverOutbox& out) const;
  void inputs(NodeId self, const Node& node, std::vector<Input>& out) const;
  void on_input(NodeId self, Node& node, const Input& input, implfo::FailoverOutbox& out) const;
  void restart(NodeId self, Node& node, implfo::FailoverOutbox& out) const;

  // Replicas have clocks, pause and crash; clients do none of these.
  bool has_clock(NodeId id) const { return id < config_.replicas; }
  bool can_crash(NodeId id) const { return id < config_.replicas; }
  bool inert(const State& state, NodeId from, NodeId to, const Message& m) const;
  bool within_bounds(const State& state) const;

  void record_step(History& history, NodeId self, const Node& before, const Node& after) const;
  void hash_history(const History& history, StableHasher& hasher) const;
  mc::Json history_json(const History& history) const;

  void hash(const Node& node, StableHasher& hasher) const;
  std::string node_name(NodeId id) const;
  mc::Json node_json(NodeId id, const Node& node, uint8_t reading) const;
  std::string timer_label(Timer) const { return "none"; }

  std::vector<mc::StateProperty<State>> properties() const;

 private:
  implfo::Config config_;
  Bounds bounds_;
};

using State = FailoverBinding::State;
using Action = FailoverBinding::Action;

// The checker's model: the binding in the actor harness with clocks, the
// fault budget and the clock bounds taken from Bounds.
class FailoverModel : public mc::ActorModel<FailoverBinding> {
 public:
  // std::invalid_argument when the configuration or bounds are out of range.
  FailoverModel(implfo::Config config, Bounds bounds);

  const implfo::Config& config() const { return protocol().config(); }
  const Bounds& bounds() const { return protocol().bounds(); }
  std::string node_name(int node) const { return protocol().node_name(node); }
};

// The replicas and clients of a state.
const implfo::Replica& replica(const State& state, int r);
const implfo::Client& client(const State& state, int c, const implfo::Config& config);
int replica_count(const State& state);

// The properties, over a state.
bool at_most_one_valid_primary(const State& state);
bool acknowledged_write_never_lost(const State& state);
bool linearizable(const State& state);
// The client history as the linearizability checker reads it: operation i
// is the i-th request invoked; times are positions in the event order;
// clients numbered from 1, one key (1); a read of 0 is "absent".
mc::lin::History<mc::lin::KvSpec> client_history(const State& state);

}  // namespace crosscheck::check::failover
