// Primary-backup failover (impl/failover) as a model with explicit time.
//
// The state: the replicas and clients, the messages in flight (a sorted
// multiset: unbounded delay and reordering), the clocks of
// model_check/clocks.h (global time, each replica's clock within `drift`
// ahead of it, pauses), the replicas that crashed (for good) and the
// clients' history of invocations and responses.
//
// The steps: deliver a message; a client issues its next request (a read
// or a write); global time advances a tick (clocks that would fall behind
// are carried along); one replica's clock ticks ahead, within the drift
// window; a replica pauses for 1..max_pause ticks (it takes no step, its
// clock runs on); a replica crashes for good; within budgets, a message is
// dropped. A replica that is running sees every move of its clock at once
// (on_tick within the same step), and a paused one when it wakes, so a
// replica never acts on a clock reading older than its clock.
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

#include <cstdint>
#include <string>
#include <vector>

#include "impl/common/small_vector.h"
#include "impl/failover/failover.h"
#include "model_check/clocks.h"
#include "model_check/json.h"
#include "model_check/linearizability.h"
#include "model_check/model.h"
#include "model_check/result.h"

namespace crosscheck::spec::failover {

namespace implfo = crosscheck::impl::failover;

// The defaults are `crosscheck check failover`'s (docs/failover.md).
struct Bounds {
  int horizon = 6;      // global time stops here
  int max_pause = 0;    // the longest pause, in global ticks (0: no pauses)
  int max_pauses = 0;   // pauses in all
  int max_crashes = 1;  // replicas that crash (and stay down)
  int max_drops = 0;    // messages the network may lose
  int max_messages = 4; // more messages in flight are outside the bounds; 0: no limit
  // How far the harness lets clocks drift; -1: the drift the replicas
  // assume (Config::drift). Larger than that, it breaks their assumption,
  // which shows what the 2 * drift margin is for.
  int clock_drift = -1;
};

struct Packet {
  uint8_t from = 0;
  uint8_t to = 0;
  implfo::Message message;
  uint8_t count = 1;
  bool same_message(const Packet& other) const {
    return from == other.from && to == other.to && message == other.message;
  }
  auto operator<=>(const Packet&) const = default;
  bool operator==(const Packet&) const = default;
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

using Clocks = mc::Clocks<implfo::kMaxReplicas>;

struct State {
  SmallVector<implfo::Replica, implfo::kMaxReplicas> replicas;
  SmallVector<implfo::Client, implfo::kMaxClients> clients;
  SmallVector<Packet, 12> network;  // sorted by (from, to, message), counts > 0
  Clocks clocks;
  uint8_t crashed = 0;  // bit r: replica r is down for good
  uint8_t drops = 0;
  SmallVector<ClientEvent, 8> events;  // in the order they happened
  bool operator==(const State&) const = default;

  bool up(int replica) const { return (crashed >> replica & 1) == 0; }
  int in_flight() const;
};

struct Action {
  enum class Kind : uint8_t { kDeliver, kDrop, kIssue, kAdvance, kTick, kPause, kCrash };
  Kind kind = Kind::kAdvance;
  uint8_t node = 0;  // the receiver, the client, the replica whose clock ticks, pauses or crashes
  uint8_t from = 0;
  implfo::Message message;
  uint8_t amount = 0;  // kIssue: 1 for a write; kPause: ticks
};

class FailoverModel {
 public:
  using State = failover::State;
  using Action = failover::Action;

  // std::invalid_argument when the configuration or bounds are out of range.
  FailoverModel(implfo::Config config, Bounds bounds);

  const implfo::Config& config() const { return config_; }
  const Bounds& bounds() const { return bounds_; }
  mc::ClockBounds clock_bounds() const;

  std::vector<State> initial_states() const;
  void successors(const State& state, std::vector<mc::Successor<Action, State>>& out) const;
  bool within_bounds(const State& state) const;
  uint64_t fingerprint(const State& state) const;
  mc::Json state_json(const State& state) const;
  std::string action_label(const Action& action) const;
  std::vector<mc::StateProperty<State>> properties() const;

  std::vector<std::string> lifelines() const;
  mc::StepEvent initial_event(const State& state) const;
  mc::StepEvent step_event(const State& from, const Action& action, const State& to) const;

  std::string node_name(int node) const;

 private:
  void generate(const State& state, std::vector<mc::Successor<Action, State>>& out) const;
  bool inert(const State& state, const Packet& packet) const;
  void collect(State& state) const;
  void deliver(State& state, uint8_t from, uint8_t to, const implfo::Message& m) const;
  // Offers on_tick to every running replica whose clock moved since it last looked.
  void catch_up(State& state) const;
  void apply(State& state, int self, const implfo::FailoverOutbox& out) const;
  void add_time_steps(const State& state, std::vector<mc::Successor<Action, State>>& out) const;
  void add_sent(mc::StepEvent& event, const State& before, const State& after, const Action* action) const;

  implfo::Config config_;
  Bounds bounds_;
};

// The properties, over a state.
bool at_most_one_valid_primary(const State& state);
bool acknowledged_write_never_lost(const State& state);
bool linearizable(const State& state);
// The client history as the linearizability checker reads it: operation i
// is the i-th request invoked; times are positions in the event order;
// clients numbered from 1, one key (1); a read of 0 is "absent".
mc::lin::History<mc::lin::KvSpec> client_history(const State& state);

}  // namespace crosscheck::spec::failover
