#include "check/paxos/model.h"

#include <algorithm>
#include <array>
#include <bit>
#include <memory>
#include <stdexcept>

#include "spec/paxos/refinement.h"

namespace crosscheck::check::paxos {

using implpaxos::Acceptor;
using implpaxos::Learner;
using implpaxos::Proposer;

namespace {

specpaxos::Config spec_config(const implpaxos::Config& config) {
  if (config.proposers < 1 || config.proposers > implpaxos::kMaxProposers) {
    throw std::invalid_argument("Paxos takes 1.." + std::to_string(implpaxos::kMaxProposers) +
                                " proposers");
  }
  specpaxos::Config c;
  c.acceptors = config.acceptors;
  c.values = config.proposers;  // each proposer's own value
  c.max_ballot = config.max_ballot;
  // The spec keeps its majorities whatever the implementation's variant
  // counts as a quorum: it says what Paxos must do.
  return c;
}

}  // namespace

ImplBinding::ImplBinding(implpaxos::Config config) : config_(config), spec_(spec_config(config)) {}

ImplBinding::Node ImplBinding::initial_node(NodeId id) const {
  if (id < config_.proposers) return Proposer(id, config_);
  if (id < config_.learner_id()) return Acceptor(config_);
  return Learner(config_);
}

void ImplBinding::start(NodeId, Node& node, implpaxos::PaxosOutbox& out) const {
  if (auto* proposer = std::get_if<Proposer>(&node)) proposer->start(out);
}

void ImplBinding::on_message(NodeId, Node& node, NodeId from, const Message& m,
                             implpaxos::PaxosOutbox& out) const {
  std::visit([&](auto& actor) { actor.on_message(from, m, out); }, node);
}

void ImplBinding::on_timeout(NodeId, Node& node, Timer, implpaxos::PaxosOutbox& out) const {
  std::get<Proposer>(node).on_timeout(out);
}

void ImplBinding::restart(NodeId, Node& node, implpaxos::PaxosOutbox& out) const {
  std::visit([&](auto& actor) { actor.restart(out); }, node);
}

void ImplBinding::record_send(History& history, NodeId from, NodeId, const Message& m) const {
  history.insert(specpaxos::abstract_message(spec_.universe(), config_, from, m));
}

void ImplBinding::hash_history(const History& history, StableHasher& hasher) const {
  for (uint64_t word : history.words()) hasher.add(word);
}

std::vector<std::vector<NodeId>> ImplBinding::interchangeable_nodes() const {
  std::vector<NodeId> acceptors;
  for (int a = 0; a < config_.acceptors; ++a) acceptors.push_back(config_.acceptor_id(a));
  return {acceptors};
}

void ImplBinding::rename(Node& node, const NodeRenaming& renaming) const {
  if (auto* proposer = std::get_if<Proposer>(&node)) proposer->rename(renaming);
  if (auto* learner = std::get_if<Learner>(&node)) learner->rename(renaming);
}

uint64_t ImplBinding::name_free_key(const Node& node) const {
  // An acceptor mentions no node; the others are not renamed among themselves.
  StableHasher hasher;
  if (const auto* acceptor = std::get_if<Acceptor>(&node)) acceptor->hash(hasher);
  return hasher.digest();
}

void ImplBinding::rename_history(History& history, const NodeRenaming& renaming) const {
  std::array<int8_t, specpaxos::kMaxAcceptors> to{};
  for (int a = 0; a < config_.acceptors; ++a) {
    to[a] = static_cast<int8_t>(config_.acceptor_index(renaming(config_.acceptor_id(a))));
  }
  history = spec_.universe().renamed(history, to);
}

void ImplBinding::hash(const Node& node, StableHasher& hasher) const {
  hasher.add(static_cast<uint64_t>(node.index()));
  std::visit([&](const auto& actor) { actor.hash(hasher); }, node);
}

std::string ImplBinding::node_name(NodeId id) const {
  if (id < config_.proposers) return "p" + std::to_string(id + 1);
  if (id < config_.learner_id()) return "a" + std::to_string(config_.acceptor_index(id) + 1);
  return "learner";
}

mc::Json ImplBinding::node_json(NodeId, const Node& node) const {
  mc::Json json = mc::Json::object();
  if (const auto* p = std::get_if<Proposer>(&node)) {
    json.set("ballot", int{p->ballot()});
    json.set("proposed", p->proposed());
  } else if (const auto* a = std::get_if<Acceptor>(&node)) {
    json.set("maxBal", int{a->persistent().max_ballot});
    json.set("maxVBal", int{a->persistent().voted_ballot});
    json.set("maxVal", int{a->persistent().voted_value});
  } else {
    mc::Json learned = mc::Json::array();
    const uint8_t bits = std::get<Learner>(node).learned();
    for (int v = 1; v <= 8; ++v) {
      if (bits & (1u << (v - 1))) learned.push("v" + std::to_string(v));
    }
    json.set("learned", std::move(learned));
  }
  return json;
}

specpaxos::State ImplBinding::abstract_state(const State& state) const {
  return specpaxos::abstract_state(config_, state);
}

std::vector<mc::StateProperty<ImplState>> ImplBinding::properties() const {
  // A copy shared by the properties: they may outlive this binding.
  const auto self = std::make_shared<const ImplBinding>(*this);
  const NodeId learner = config_.learner_id();
  return {
      mc::always<ImplState>(
          "Agreement",
          [self](const ImplState& s) { return self->spec_.agreement(self->abstract_state(s)); }),
      mc::always<ImplState>("LearnedOneValue",
                            [learner](const ImplState& s) {
                              return std::popcount(std::get<Learner>(s.nodes[learner]).learned()) <=
                                     1;
                            }),
      // What the learner learns is chosen: a quorum voted for it in one
      // ballot (Paxos.tla's chosen), whatever the learner tallied.
      mc::always<ImplState>("LearnedIsChosen",
                            [self, learner](const ImplState& s) {
                              const uint8_t learned = std::get<Learner>(s.nodes[learner]).learned();
                              const specpaxos::State abstract = self->abstract_state(s);
                              for (int v = 1; v <= 8; ++v) {
                                if ((learned >> (v - 1) & 1u) && !self->spec_.chosen(abstract, v))
                                  return false;
                              }
                              return true;
                            }),
      mc::always<ImplState>(
          "Validity",
          [self](const ImplState& s) { return self->spec_.validity(self->abstract_state(s)); }),
      mc::always<ImplState>(
          "Inv", [self](const ImplState& s) { return self->spec_.inv(self->abstract_state(s)); }),
      mc::sometimes<ImplState>("ValueLearned",
                               [learner](const ImplState& s) {
                                 return std::get<Learner>(s.nodes[learner]).learned() != 0;
                               }),
  };
}

std::vector<mc::TransitionProperty<ImplState, ImplBinding::Action>>
ImplBinding::transition_properties() const {
  // A copy shared by the properties: they may outlive this binding.
  const auto self = std::make_shared<const ImplBinding>(*this);
  return {{"RefinesPaxosSpec",
           [self](const ImplState& from, const Action&, const ImplState& to) {
             const specpaxos::State before = self->abstract_state(from);
             const specpaxos::State after = self->abstract_state(to);
             if (before == after) return true;
             std::vector<mc::Successor<specpaxos::Action, specpaxos::State>> steps;
             self->spec_.successors(before, steps);
             return std::any_of(steps.begin(), steps.end(),
                                [&](const auto& step) { return step.state == after; });
           },
           /*stutters_hold=*/true}};
}

std::vector<mc::LivenessProperty<ImplState>> ImplBinding::liveness_properties() const {
  const NodeId learner = config_.learner_id();
  return {mc::eventually<ImplState>("ValueEventuallyLearned", [learner](const ImplState& s) {
    return std::get<Learner>(s.nodes[learner]).learned() != 0;
  })};
}

ImplModel make_impl_model(implpaxos::Config config, mc::FaultBudgets budgets) {
  return ImplModel(ImplBinding(config), budgets);
}

}  // namespace crosscheck::check::paxos
