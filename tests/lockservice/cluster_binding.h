// The lock service replicated on a Raft cluster, in the actor harness: lock
// servers (ids 0..servers-1), clients (the next ids) and the protected
// resource (the last id) as actors, for scenario and property tests.
//
// ClusterBinding is the actor binding. Time is a node's own input: the
// harness has no clocks of its own yet, so a node offers to read any clock
// reading beyond its last one (on_tick), and whoever drives the steps
// decides which reading it gets. TimedCluster is that driver: an
// ActorSystem of the binding and mc::Clocks beside it (global time, local
// clocks within the drift bound, client pauses), which hands each node its
// clock's reading before the node's next step, as the checker's lock
// service model does (check/lockservice/model.h).
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "impl/common/hash.h"
#include "impl/lockservice/lockservice.h"
#include "model_check/actor.h"
#include "model_check/actor_system.h"
#include "model_check/clocks.h"
#include "model_check/json.h"
#include "model_check/model.h"

namespace crosscheck::impl::lockservice::testing {

// A step a node takes on its own: a client's input, or reading the clock.
struct LocalInput {
  enum class Kind : uint8_t { kClient, kClock };
  Kind kind = Kind::kClient;
  ClientInput client{};  // kClient
  uint8_t reading = 0;   // kClock: the clock reading the node is given
  auto operator<=>(const LocalInput&) const = default;

  static LocalInput of_client(ClientInput input) { return {Kind::kClient, input, 0}; }
  static LocalInput clock(uint8_t reading) { return {Kind::kClock, {}, reading}; }
};

class ClusterBinding {
 public:
  using Node = std::variant<LockServer, LockClient, Resource>;
  using Message = lockservice::Message;
  using Timer = lockservice::Timer;
  using Input = LocalInput;
  using State = mc::ActorState<ClusterBinding>;
  using Action = mc::ActorAction<ClusterBinding>;

  // Clocks read at most `max_reading`.
  ClusterBinding(Config config, int max_reading);

  const Config& config() const { return config_; }
  int node_count() const { return config_.node_count(); }
  Node initial_node(NodeId id) const;
  void start(NodeId, Node& node, LockOutbox& out) const;
  void on_message(NodeId, Node& node, NodeId from, const Message& m, LockOutbox& out) const;
  void on_timeout(NodeId, Node& node, Timer timer, LockOutbox& out) const;
  // A client's enabled inputs, and every reading past a server's or a
  // client's last one.
  void inputs(NodeId, const Node& node, std::vector<Input>& out) const;
  void on_input(NodeId, Node& node, const Input& input, LockOutbox& out) const;
  // A server restarts from its log; a client or the resource has nothing
  // volatile to lose.
  void restart(NodeId, Node& node, LockOutbox& out) const;

  void hash(const Node& node, StableHasher& hasher) const;
  std::string node_name(NodeId id) const;
  mc::Json node_json(NodeId id, const Node& node) const;
  std::string message_label(const Message& m) const { return m.label(); }
  std::string timer_label(Timer timer) const { return std::string(raft::to_string(timer)); }
  std::string input_label(const Input& input) const;
  // The lock service's properties need global time, which TimedCluster
  // keeps: its tests check them.
  std::vector<mc::StateProperty<State>> properties() const { return {}; }
  std::vector<mc::TransitionProperty<State, Action>> transition_properties() const { return {}; }

 private:
  Config config_;
  uint8_t max_reading_;
};

// The lock service with time, one step at a time. Each method is one step
// of the environment (a node's step, preceded by its clock reading when
// that changed); the checks a test runs after each step read the state
// here. A write reaches the resource at once: what makes it late is the
// client's pause between its lease check and the write.
class TimedCluster {
 public:
  using System = mc::ActorSystem<ClusterBinding>;

  TimedCluster(Config config, int max_pause);

  const Config& config() const { return config_; }
  const System& system() const { return system_; }
  const std::vector<System::Envelope>& in_flight() const { return system_.in_flight(); }
  const LockServer& server(int s) const { return std::get<LockServer>(system_.node(s)); }
  const LockClient& client(int c) const;
  const Resource& resource() const;
  uint8_t now() const { return clocks_.now; }
  uint8_t clock(NodeId id) const { return clocks_.local[id]; }
  bool paused(NodeId id) const { return clocks_.paused(id); }
  bool armed(int s, Timer timer) const { return system_.armed(s, timer); }
  bool some_leader() const;
  // The resource accepted a write with a token below one it accepted before.
  bool stale_write_accepted() const { return stale_accepted_; }
  // Clients that believe they hold the lock at the current global time.
  int believers() const;

  // Delivers in_flight()[i]; a message across the partition is lost, and
  // one to a paused client waits for it to wake.
  void deliver(size_t i);
  void drop(size_t i) { system_.drop(i); }
  // False unless the server's timer is armed.
  bool fire(int s, Timer timer);
  // The client's enabled inputs; none while it is paused.
  std::vector<ClientInput> inputs(int c);
  // False unless the client is running and offers the input.
  bool input(int c, ClientInput input);
  bool advance();
  bool tick(NodeId id);
  bool pause(int c, int ticks);
  void restart(int s) { system_.crash(s); }
  // Cuts the server off from every other node (and heals any earlier cut).
  void isolate(int s);
  void heal() { system_.heal(); }

 private:
  static constexpr int kClocks = 8;

  // The node reads its clock before its next step, unless it is paused.
  void sync(NodeId id);
  void deliver_writes();

  Config config_;
  mc::ClockBounds bounds_;
  mc::Clocks<kClocks> clocks_;
  System system_;
  uint8_t max_accepted_ = 0;
  bool stale_accepted_ = false;
};

}  // namespace crosscheck::impl::lockservice::testing
