// Health-check failover (impl/balancing/failover.h) in the actor harness,
// with rounds and a bounded-response property.
//
// The harness lets any armed timer fire at any point. Here the checker's
// tick, which starts a round, fires only once every message of the round
// has been delivered or lost: message delay is below the probing period,
// the assumption under which missed heartbeats mean a crash. Without it a
// scheduler could hold a heartbeat back for ever and no bound on response
// would hold.
//
// The checker has no liveness checking yet, so "every request is
// eventually answered when a backend is up" is checked in bounded form: a
// history variable counts, for each pending request, the rounds that began
// with at least one backend up, and BoundedResponse requires that count to
// stay within `response_rounds`. The crash budget bounds how often the
// environment can take the chosen backend away.
#pragma once

#include <array>
#include <string>
#include <variant>
#include <vector>

#include "impl/balancing/failover.h"
#include "model_check/actor.h"

namespace crosscheck::check::balancing {

namespace failover = crosscheck::impl::balancing::failover;

struct FailoverBounds {
  int max_crashes = 1;      // backend crashes in all; a crashed backend may recover
  int response_rounds = 2;  // BoundedResponse: rounds a request may wait while a backend is up
};

class FailoverBinding {
 public:
  using Node = std::variant<failover::Backend, failover::HealthChecker, failover::Router>;
  using Message = failover::Message;
  using Timer = failover::Timer;
  using Input = failover::Input;
  // Rounds each request has waited, unanswered, that began with a backend
  // up; kept up to response_rounds + 1.
  struct History {
    std::array<uint8_t, failover::kMaxRequests> rounds_waited{};
    bool operator==(const History&) const = default;
  };
  using State = mc::ActorState<FailoverBinding>;
  using Action = mc::ActorAction<FailoverBinding>;

  FailoverBinding(failover::Config config, FailoverBounds bounds);

  const failover::Config& config() const { return config_; }
  const FailoverBounds& bounds() const { return bounds_; }
  int node_count() const { return config_.backends + 2; }
  Node initial_node(NodeId id) const;
  void start(NodeId id, Node& node, failover::FailoverOutbox& out) const;
  void on_message(NodeId self, Node& node, NodeId from, const Message& m,
                  failover::FailoverOutbox& out) const;
  void on_timeout(NodeId self, Node& node, Timer timer, failover::FailoverOutbox& out) const;
  void inputs(NodeId self, const Node& node, std::vector<Input>& out) const;
  void on_input(NodeId self, Node& node, const Input& input, failover::FailoverOutbox& out) const;
  void restart(NodeId self, Node& node, failover::FailoverOutbox& out) const;
  bool within_bounds(const State& state) const;
  void record_send(History&, NodeId, NodeId, const Message&) const {}
  void hash_history(const History& history, StableHasher& hasher) const;

  void hash(const Node& node, StableHasher& hasher) const;
  std::string node_name(NodeId id) const;
  mc::Json node_json(NodeId id, const Node& node) const;
  std::string timer_label(Timer) const { return "tick"; }
  std::string input_label(const Input& input) const;

  std::vector<mc::StateProperty<State>> properties() const;
  std::vector<mc::TransitionProperty<State, Action>> transition_properties() const;

  const failover::Router& router(const State& state) const;
  bool some_backend_up(const State& state) const;

 private:
  failover::Config config_;
  FailoverBounds bounds_;
};

using FailoverState = FailoverBinding::State;
using FailoverAction = FailoverBinding::Action;

// The actor model with the round discipline and the clock of waiting
// requests; everything else is the harness's.
class FailoverModel {
 public:
  using State = FailoverState;
  using Action = FailoverAction;

  // Faults: drops and duplicates from `budgets`; the harness's own crash
  // (an instant restart) is not used, backends crash by input instead.
  FailoverModel(FailoverBinding binding, mc::FaultBudgets budgets);

  const FailoverBinding& binding() const { return actors_.protocol(); }
  std::vector<State> initial_states() const { return actors_.initial_states(); }
  void successors(const State& state, std::vector<mc::Successor<Action, State>>& out) const;
  bool within_bounds(const State& state) const { return actors_.within_bounds(state); }
  uint64_t fingerprint(const State& state) const { return actors_.fingerprint(state); }
  mc::Json state_json(const State& state) const;
  std::string action_label(const Action& action) const { return actors_.action_label(action); }
  std::vector<mc::StateProperty<State>> properties() const { return actors_.properties(); }
  std::vector<mc::TransitionProperty<State, Action>> transition_properties() const {
    return actors_.transition_properties();
  }

 private:
  mc::ActorModel<FailoverBinding> actors_;
};

FailoverModel make_failover_model(failover::Config config, FailoverBounds bounds,
                                  mc::FaultBudgets budgets);

}  // namespace crosscheck::check::balancing
