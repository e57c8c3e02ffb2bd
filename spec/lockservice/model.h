// The lock service (impl/lockservice) with explicit time, for the checker.
//
// One lock server (a Raft cluster of one: the lock table is its persistent
// state and each command is applied as it arrives), 2 or 3 clients and the
// protected resource, exchanging messages through a network that may
// deliver in any order (and, within budgets, lose messages or crash and
// restart the server). Time is mc::Clocks (model_check/clocks.h): the
// checker advances global time, lets a clock run ahead of it within the
// drift bound d, and can pause a client process for up to max_pause ticks;
// every node whose clock reading changed gets an on_tick with the new
// reading before it takes another step (a paused client gets it when it
// wakes). Global time stops at the horizon. A running client's own steps
// take no time: global time does not advance while a running client is
// between checking its lease and writing, so only a pause can put time
// there (otherwise every slow step would be a pause).
//
// Replication on a real Raft cluster (three servers) is covered by the
// RapidCheck properties (tests/lockservice/schedule_property_test.cc); a
// model of a full cluster with clients and time is far beyond these bounds.
//
// Properties (docs/lockservice.md):
//   LeaseMutualExclusion (always): at no global time do two clients believe
//     they hold the lock (the server said so and their own clock has not
//     reached the end of their lease).
//   FencedMutualExclusion (always): the resource never accepts a write from
//     a holder after it accepted one from a later holder (a larger token).
//   OneWakeupPerRelease (always): no deletion of a lock node wakes more than
//     one client.
//   TokensStrictlyIncrease, GrantsInQueueOrder, ExpiryKeepsOthersLocks (step).
//   WaiterEventuallyGranted (leads-to, --liveness): once the table grants
//     the lock to a client whose session is alive, that client eventually
//     learns it holds the lock, or its session ends.
//
// The redlock-majority variant is a model of its own (RedlockModel below).
//
// The step properties are functions of the lock table before and after a
// step, so that the RapidCheck schedules on a Raft cluster check the same
// predicates on every replica.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "impl/common/small_vector.h"
#include "impl/lockservice/lockservice.h"
#include "model_check/clocks.h"
#include "model_check/json.h"
#include "model_check/liveness.h"
#include "model_check/model.h"

namespace crosscheck::spec::lockservice {

namespace ls = crosscheck::impl::lockservice;

// A new grant carries a larger generation, and the generation never falls.
bool tokens_strictly_increase(const ls::LockTable& before, const ls::LockTable& after);
// A new holder is the oldest waiter: every node created before its own is gone.
bool grants_in_queue_order(const ls::LockTable& before, const ls::LockTable& after);
// Ending one client's session leaves the grant of another client, whose own
// session goes on, as it was.
bool expiry_keeps_others_locks(const ls::LockTable& before, const ls::LockTable& after, int clients);

struct LockBounds {
  mc::ClockBounds clocks{.drift = 1, .horizon = 5, .max_pause = 3, .max_pauses = 1};
  int max_crashes = 0;  // server crashes (each an immediate restart)
  int max_drops = 0;    // messages lost
  int max_keepalives = 0;  // KeepAlives each client sends in all
  int max_retries = 0;     // requests each client resends in all
};

struct Packet {
  NodeId from = 0;
  NodeId to = 0;
  ls::Message message{};
  uint8_t count = 1;
  auto operator<=>(const Packet&) const = default;
};

// What the run has done beyond what the nodes hold.
struct History {
  uint8_t max_accepted = 0;     // the largest token of a write the resource accepted
  bool stale_accepted = false;  // the resource accepted a token below max_accepted
  auto operator<=>(const History&) const = default;
};

struct LockState {
  mc::Clocks<1 + ls::kMaxClients> clocks;  // index: the node id (server 0, clients 1..n)
  ls::LockServer server;
  std::array<ls::LockClient, ls::kMaxClients> clients{};
  ls::Resource resource;
  SmallVector<Packet, 8> network;  // sorted, counts > 0
  uint8_t crashes = 0;
  uint8_t drops = 0;
  std::array<uint8_t, ls::kMaxClients> keepalives{};  // sent by each client
  std::array<uint8_t, ls::kMaxClients> retries{};     // resent by each client
  History history;
  bool operator==(const LockState&) const = default;
};

struct LockAction {
  enum class Kind : uint8_t { kDeliver, kInput, kAdvance, kTick, kPause, kCrash, kDrop };
  Kind kind = Kind::kAdvance;
  NodeId node = 0;  // the receiver, the input's client, the ticking, pausing or crashing node
  NodeId from = 0;
  ls::Message message{};
  ls::ClientInput input{};
  uint8_t ticks = 0;  // a pause's length
};

class LockModel {
 public:
  using State = LockState;
  using Action = LockAction;

  LockModel(ls::Config config, LockBounds bounds);

  const ls::Config& config() const { return config_; }
  const LockBounds& bounds() const { return bounds_; }

  std::vector<State> initial_states() const;
  void successors(const State& state, std::vector<mc::Successor<Action, State>>& out) const;
  bool within_bounds(const State& state) const;
  uint64_t fingerprint(const State& state) const;
  mc::Json state_json(const State& state) const;
  std::string action_label(const Action& action) const;
  std::vector<std::string> action_kinds() const;
  std::vector<mc::StateProperty<State>> properties() const;
  std::vector<mc::TransitionProperty<State, Action>> transition_properties() const;

  std::vector<mc::LivenessProperty<State>> liveness_properties() const;
  std::optional<uint64_t> fair_class(const Action& action) const;
  std::string fairness() const;

  std::vector<std::string> lifelines() const;
  mc::StepEvent initial_event(const State& state) const;
  mc::StepEvent step_event(const State& from, const Action& action, const State& to) const;

  // Helpers for properties and tests.
  int believers(const State& state) const;
  std::string node_name(NodeId id) const;

 private:
  using Outbox = ls::LockOutbox;
  NodeId client_node(int c) const { return config_.client_id(c); }
  bool paused(const State& state, NodeId id) const;
  void sync(State& state, NodeId id) const;  // on_tick if the node's reading is behind its clock
  void deliver(State& state, NodeId from, NodeId to, const ls::Message& message) const;
  void send_all(State& state, NodeId from, const Outbox& out) const;
  static void remove_copy(State& state, size_t index);

  ls::Config config_;
  LockBounds bounds_;
};

// Redlock on a majority of independent, non-replicated lock nodes: a client
// holds the lock once a majority of the nodes granted it; a lock node keeps
// its grant in memory only, so one restart can forget it. Two clients can
// then hold the lock at once (MutualExclusion), which is why the variant is
// known-buggy.
struct RedlockState {
  std::array<int8_t, 5> owner{-1, -1, -1, -1, -1};  // each lock node's holder, or -1
  std::array<uint8_t, 2> granted{};                 // bit n: node n granted client c
  uint8_t restarts = 0;
  auto operator<=>(const RedlockState&) const = default;
};

struct RedlockAction {
  enum class Kind : uint8_t { kGrant, kRestart };
  Kind kind = Kind::kGrant;
  int8_t client = 0;
  int8_t node = 0;
};

class RedlockModel {
 public:
  using State = RedlockState;
  using Action = RedlockAction;

  RedlockModel(int nodes, int max_restarts) : nodes_(nodes), max_restarts_(max_restarts) {}

  std::vector<State> initial_states() const { return {State{}}; }
  void successors(const State& state, std::vector<mc::Successor<Action, State>>& out) const;
  bool within_bounds(const State&) const { return true; }
  uint64_t fingerprint(const State& state) const;
  mc::Json state_json(const State& state) const;
  std::string action_label(const Action& action) const;
  std::vector<mc::StateProperty<State>> properties() const;
  bool holds(const State& state, int client) const;

 private:
  int nodes_;
  int max_restarts_;
};

}  // namespace crosscheck::spec::lockservice
