#include "check/ring_election/model.h"

#include <algorithm>
#include <stdexcept>

#include "impl/common/assert.h"

namespace crosscheck::check::ring_election {

RingBinding::RingBinding(ring::Config config) : config_(config) {
  if (!config_.valid()) {
    throw std::invalid_argument("the ring takes " + std::to_string(ring::kMinNodes) + ".." +
                                std::to_string(ring::kMaxNodes) + " nodes");
  }
}

void RingBinding::on_message(NodeId, Node& node, NodeId from, const Message& message,
                             ring::RingOutbox& out) const {
  node.on_message(from, message, out);
}

void RingBinding::on_timeout(NodeId, Node&, Timer, ring::RingOutbox&) const {
  CC_ASSERT(false && "a ring node arms no timer");
}

void RingBinding::inputs(NodeId, const Node& node, std::vector<Input>& out) const {
  if (node.can_start_election()) out.push_back(LocalInput::kStartElection);
}

void RingBinding::on_input(NodeId, Node& node, const Input& input, ring::RingOutbox& out) const {
  CC_ASSERT(input == LocalInput::kStartElection);
  node.start_election(out);
}

mc::Json RingBinding::node_json(NodeId, const Node& node) const {
  mc::Json json = mc::Json::object();
  json.set("id", int{node.id()});
  json.set("participant", node.participant());
  if (node.leader() == ring::kNoLeader) {
    json.set("leader", mc::Json());
  } else {
    json.set("leader", int{node.leader()});
  }
  return json;
}

bool at_most_one_leader(const RingState& state) {
  return std::count_if(state.nodes.begin(), state.nodes.end(),
                       [](const ring::RingNode& node) { return node.is_leader(); }) <= 1;
}

bool agree_on_leader(const RingState& state) {
  uint8_t learned = ring::kNoLeader;
  for (const ring::RingNode& node : state.nodes) {
    if (node.leader() == ring::kNoLeader) continue;
    if (learned != ring::kNoLeader && node.leader() != learned) return false;
    learned = node.leader();
  }
  return true;
}

bool leader_is_maximum(const RingState& state) {
  const auto largest = std::max_element(
      state.nodes.begin(), state.nodes.end(),
      [](const ring::RingNode& a, const ring::RingNode& b) { return a.id() < b.id(); });
  return std::none_of(state.nodes.begin(), state.nodes.end(), [&](const ring::RingNode& node) {
    return node.is_leader() && node.id() != largest->id();
  });
}

bool every_node_knows_leader(const RingState& state) {
  return std::all_of(state.nodes.begin(), state.nodes.end(),
                     [](const ring::RingNode& node) { return node.leader() != ring::kNoLeader; });
}

bool election_started(const RingState& state) {
  return std::any_of(state.nodes.begin(), state.nodes.end(),
                     [](const ring::RingNode& node) { return node.participant(); });
}

std::vector<mc::StateProperty<RingState>> RingBinding::properties() const {
  return {
      mc::always<RingState>("AtMostOneLeader", at_most_one_leader),
      mc::always<RingState>("AgreeOnLeader", agree_on_leader),
      mc::always<RingState>("LeaderIsMaximum", leader_is_maximum),
      mc::sometimes<RingState>("LeaderElected", every_node_knows_leader),
  };
}

std::vector<mc::LivenessProperty<RingState>> RingBinding::liveness_properties() const {
  return {
      mc::leads_to<RingState>("StartedElectionEnds", election_started, every_node_knows_leader)};
}

RingModel make_ring_model(ring::Config config, mc::FaultBudgets budgets) {
  return RingModel(RingBinding(config), budgets);
}

}  // namespace crosscheck::check::ring_election
