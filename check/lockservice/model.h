// The lock service (impl/lockservice) with explicit time, for the checker:
// a binding of the actor harness (model_check/actor.h) with clocks.
//
// One lock server (a Raft cluster of one: the lock table is its persistent
// state and each command is applied as it arrives), 2 or 3 clients and the
// protected resource, exchanging messages through a network that may
// deliver in any order (and, within budgets, lose messages or crash and
// restart the server). Time is the harness's ClockTime
// (model_check/actor_time.h, model_check/clocks.h): the checker advances
// global time, lets the server's and the clients' clocks run ahead of it
// within the drift bound d, and can pause a client process for up to
// max_pause ticks; every node whose clock reading changed gets an on_tick
// with the new reading before it takes another step (a paused client gets
// it when it wakes). Global time stops at the horizon. A running client's
// own steps take no time: global time does not advance while a running
// client is between checking its lease and writing (time_waits_for), so
// only a pause can put time there (otherwise every slow step would be a
// pause). A paused client's clock stays at the lower edge of the drift
// window, and every pause ends by the horizon, so the paused client always
// wakes to write.
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
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "impl/common/assert.h"
#include "impl/lockservice/lockservice.h"
#include "model_check/actor.h"
#include "model_check/clocks.h"
#include "model_check/json.h"
#include "model_check/liveness.h"
#include "model_check/model.h"

namespace crosscheck::check::lockservice {

namespace ls = crosscheck::impl::lockservice;

// A new grant carries a larger generation, and the generation never falls.
bool tokens_strictly_increase(const ls::LockTable& before, const ls::LockTable& after);
// A new holder is the oldest waiter: every node created before its own is gone.
bool grants_in_queue_order(const ls::LockTable& before, const ls::LockTable& after);
// Ending one client's session leaves the grant of another client, whose own
// session goes on, as it was.
bool expiry_keeps_others_locks(const ls::LockTable& before, const ls::LockTable& after,
                               int clients);

struct LockBounds {
  mc::ClockBounds clocks{.drift = 1, .horizon = 5, .max_pause = 3, .max_pauses = 1};
  int max_crashes = 0;     // server crashes (each an immediate restart)
  int max_drops = 0;       // messages lost
  int max_keepalives = 0;  // KeepAlives each client sends in all
  int max_retries = 0;     // requests each client resends in all
};

// A client, with the keepalives and retries it has sent (each bounded).
struct ClientNode {
  ls::LockClient client;
  uint8_t keepalives = 0;
  uint8_t retries = 0;
  bool operator==(const ClientNode&) const = default;
};

// The resource, with what it has done over the run: the largest token of
// a write it accepted, and whether it accepted a smaller one after it.
struct ResourceNode {
  ls::Resource resource;
  uint8_t max_accepted = 0;
  bool stale_accepted = false;
  bool operator==(const ResourceNode&) const = default;
};

// The server, shared between states until a step changes it: a state is
// copied for every successor the checker generates, most steps leave the
// server as it was, and its idle Raft node is most of its size.
class SharedServer {
 public:
  SharedServer() = default;
  explicit SharedServer(ls::LockServer server)
      : server_(std::make_shared<const ls::LockServer>(std::move(server))) {}

  const ls::LockServer& get() const {
    CC_ASSERT(server_ != nullptr);
    return *server_;
  }
  // Runs `change` on a copy of the server, which replaces it if it differs.
  template <class Change>
  void change(Change&& change) {
    ls::LockServer copy = get();
    change(copy);
    if (!(copy == *server_)) server_ = std::make_shared<const ls::LockServer>(std::move(copy));
  }

  bool operator==(const SharedServer& other) const {
    return server_ == other.server_ ||
           (server_ != nullptr && other.server_ != nullptr && *server_ == *other.server_);
  }

 private:
  std::shared_ptr<const ls::LockServer> server_;
};

class LockBinding {
 public:
  using Node = std::variant<ClientNode, ResourceNode, SharedServer>;
  using Message = ls::Message;
  using Timer = ls::Timer;
  using Input = ls::ClientInput;
  using Time = mc::ClockTime;
  using State = mc::ActorState<LockBinding>;
  using Action = mc::ActorAction<LockBinding>;
  // A server, up to kMaxClients clients and the resource; each client has
  // at most one request or answer in flight, and the server one per client.
  static constexpr size_t kInlineNodes = 2 + ls::kMaxClients;
  static constexpr size_t kInlineMessages = 8;

  LockBinding(ls::Config config, LockBounds bounds);

  const ls::Config& config() const { return config_; }
  const LockBounds& bounds() const { return bounds_; }

  int node_count() const { return config_.node_count(); }
  Node initial_node(NodeId id) const;
  void start(NodeId id, Node& node, ls::LockOutbox& out) const;
  void on_message(NodeId self, Node& node, NodeId from, const Message& m,
                  ls::LockOutbox& out) const;
  void on_timeout(NodeId self, Node& node, Timer timer, ls::LockOutbox& out) const;
  void on_tick(NodeId self, Node& node, uint8_t reading, ls::LockOutbox& out) const;
  void inputs(NodeId self, const Node& node, std::vector<Input>& out) const;
  void on_input(NodeId self, Node& node, const Input& input, ls::LockOutbox& out) const;
  void restart(NodeId self, Node& node, ls::LockOutbox& out) const;

  // The resource has no clock and is never paused; only clients pause, and
  // only the server crashes. A write reaches the resource at once: what can
  // make it late is the client's own pause between checking its lease and
  // writing.
  bool has_clock(NodeId id) const { return id != config_.resource_id(); }
  bool pausable(NodeId id) const { return config_.is_client(id); }
  bool can_crash(NodeId id) const { return config_.is_server(id); }
  bool delivered_at_once(NodeId, NodeId to) const { return to == config_.resource_id(); }
  bool time_waits_for(NodeId id, const Node& node) const;

  void hash(const Node& node, StableHasher& hasher) const;
  std::string node_name(NodeId id) const;
  mc::Json node_json(NodeId id, const Node& node, uint8_t reading) const;
  std::string input_label(const Input& input) const { return std::string(ls::to_string(input)); }

  std::vector<mc::StateProperty<State>> properties() const;
  std::vector<mc::TransitionProperty<State, Action>> transition_properties() const;
  std::vector<mc::LivenessProperty<State>> liveness_properties() const;

  const ls::LockServer& server(const State& state) const;
  const ls::LockClient& client(const State& state, int c) const;
  const ResourceNode& resource(const State& state) const;
  // How many clients believe they hold the lock, each by its own clock.
  int believers(const State& state) const;

 private:
  ls::Config config_;
  LockBounds bounds_;
};

using LockState = LockBinding::State;
using LockAction = LockBinding::Action;

// The checker's model: the binding in the actor harness with clocks, the
// fault budget and the clock bounds taken from LockBounds.
class LockModel : public mc::ActorModel<LockBinding> {
 public:
  LockModel(ls::Config config, LockBounds bounds);

  const ls::Config& config() const { return protocol().config(); }
  const LockBounds& bounds() const { return protocol().bounds(); }
  int believers(const State& state) const { return protocol().believers(state); }
  std::string node_name(NodeId id) const { return protocol().node_name(id); }
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

}  // namespace crosscheck::check::lockservice
