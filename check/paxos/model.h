// The Paxos implementation as a model: impl/paxos proposers, acceptors and
// a learner in the actor harness, with a history of every message sent
// (Paxos.tla's msgs), agreement and validity, and the refinement of
// Paxos.tla (spec/paxos/refinement.h) checked on every step.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "impl/paxos/paxos.h"
#include "model_check/actor.h"
#include "spec/paxos/paxos.h"

namespace crosscheck::check::paxos {

namespace implpaxos = crosscheck::impl::paxos;
namespace specpaxos = crosscheck::spec::paxos;

struct NoInput {
  auto operator<=>(const NoInput&) const = default;
};

class ImplBinding {
 public:
  using Node = std::variant<implpaxos::Proposer, implpaxos::Acceptor, implpaxos::Learner>;
  using Message = implpaxos::Message;
  using Timer = implpaxos::Timer;
  using Input = NoInput;
  using History = specpaxos::MessageSet;  // msgs: every message ever sent, as Paxos.tla records
  using State = mc::ActorState<ImplBinding>;
  using Action = mc::ActorAction<ImplBinding>;
  // Partial-order reduction (model_check/actor_commutation.h): msgs is a
  // set, so two nodes' sends add to it in either order alike, and the
  // bounds are the harness's copies of one message.
  static constexpr bool kNodeStepsCommute = true;

  // std::invalid_argument when the configuration is outside the spec's
  // bounds.
  explicit ImplBinding(implpaxos::Config config);

  const implpaxos::Config& config() const { return config_; }
  const specpaxos::PaxosModel& spec() const { return spec_; }
  int node_count() const { return config_.learner_id() + 1; }
  Node initial_node(NodeId id) const;
  void start(NodeId id, Node& node, implpaxos::PaxosOutbox& out) const;
  void on_message(NodeId self, Node& node, NodeId from, const Message& m,
                  implpaxos::PaxosOutbox& out) const;
  void on_timeout(NodeId self, Node& node, Timer timer, implpaxos::PaxosOutbox& out) const;
  void inputs(NodeId, const Node&, std::vector<Input>&) const {}
  void on_input(NodeId, Node&, const Input&, implpaxos::PaxosOutbox&) const {}
  void restart(NodeId self, Node& node, implpaxos::PaxosOutbox& out) const;
  void record_send(History& history, NodeId from, NodeId to, const Message& m) const;
  void hash_history(const History& history, StableHasher& hasher) const;

  // Symmetry (model_check/actor_symmetry.h): the acceptors are
  // interchangeable, as in MCPaxos's Permutations(Acceptor). The proposers
  // are not: each owns its ballots.
  std::vector<std::vector<NodeId>> interchangeable_nodes() const;
  void rename(Node& node, const NodeRenaming& renaming) const;
  void rename_history(History& history, const NodeRenaming& renaming) const;
  uint64_t name_free_key(const Node& node) const;

  void hash(const Node& node, StableHasher& hasher) const;
  std::string node_name(NodeId id) const;
  mc::Json node_json(NodeId id, const Node& node) const;
  std::string timer_label(Timer) const { return "retry"; }
  std::string input_label(const Input&) const { return "?"; }

  std::vector<mc::StateProperty<State>> properties() const;
  std::vector<mc::TransitionProperty<State, Action>> transition_properties() const;
  // The learner eventually learns a value (under weak fairness of delivery
  // and the proposers' retry timers).
  std::vector<mc::LivenessProperty<State>> liveness_properties() const;

  // The refinement map (spec/paxos/refinement.h) over this configuration.
  specpaxos::State abstract_state(const State& state) const;

 private:
  implpaxos::Config config_;
  specpaxos::PaxosModel spec_;
};

using ImplModel = mc::ActorModel<ImplBinding>;
using ImplState = ImplBinding::State;

ImplModel make_impl_model(implpaxos::Config config, mc::FaultBudgets budgets);

}  // namespace crosscheck::check::paxos
