// Chang and Roberts' ring election as a model: impl/ring_election nodes in
// the actor harness (model_check/actor.h), with the properties of leader
// election stated over the nodes' state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "impl/ring_election/ring_election.h"
#include "model_check/actor.h"

namespace crosscheck::check::ring_election {

namespace ring = crosscheck::impl::ring_election;

// Inputs a node takes from its environment rather than from the network.
enum class LocalInput : uint8_t {
  kStartElection,  // a non-participant starts an election with its own id
};

class RingBinding {
 public:
  using Node = ring::RingNode;
  using Message = ring::Message;
  using Timer = ring::Timer;
  using Input = LocalInput;
  using State = mc::ActorState<RingBinding>;
  using Action = mc::ActorAction<RingBinding>;

  // std::invalid_argument when config.nodes is outside 2..5.
  explicit RingBinding(ring::Config config);

  const ring::Config& config() const { return config_; }
  int node_count() const { return config_.nodes; }
  Node initial_node(NodeId id) const { return Node(id, config_); }
  void start(NodeId, Node&, ring::RingOutbox&) const {}
  void on_message(NodeId self, Node& node, NodeId from, const Message& message,
                  ring::RingOutbox& out) const;
  void on_timeout(NodeId self, Node& node, Timer timer, ring::RingOutbox& out) const;
  void inputs(NodeId self, const Node& node, std::vector<Input>& out) const;
  void on_input(NodeId self, Node& node, const Input& input, ring::RingOutbox& out) const;
  // The algorithm assumes nodes that do not fail, and the command line
  // offers no crash budget; a node keeps all it knows across a restart.
  void restart(NodeId, Node&, ring::RingOutbox&) const {}

  void hash(const Node& node, StableHasher& hasher) const { node.hash(hasher); }
  std::string node_name(NodeId id) const { return "n" + std::to_string(id + 1); }
  mc::Json node_json(NodeId id, const Node& node) const;
  std::string message_label(const Message& message) const { return message.label(); }
  std::string timer_label(Timer) const { return "none"; }
  std::string input_label(const Input&) const { return "StartElection"; }

  std::vector<mc::StateProperty<State>> properties() const;
  std::vector<mc::TransitionProperty<State, Action>> transition_properties() const { return {}; }
  // Once any node has started an election, every node learns the leader,
  // under weak fairness of delivery (starting is a node's choice, never
  // required).
  std::vector<mc::LivenessProperty<State>> liveness_properties() const;

 private:
  ring::Config config_;
};

using RingModel = mc::ActorModel<RingBinding>;
using RingState = RingBinding::State;

RingModel make_ring_model(ring::Config config, mc::FaultBudgets budgets);

// The properties, over the nodes' state.
// No two nodes have declared themselves leader.
bool at_most_one_leader(const RingState& state);
// No two nodes that learned a leader learned different ones.
bool agree_on_leader(const RingState& state);
// A node that declared itself leader holds the largest id.
bool leader_is_maximum(const RingState& state);
// Every node knows the leader: the election is over.
bool every_node_knows_leader(const RingState& state);
// Some node has joined an election.
bool election_started(const RingState& state);

}  // namespace crosscheck::check::ring_election
