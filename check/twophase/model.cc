#include "check/twophase/model.h"

#include "impl/common/assert.h"
#include "spec/twophase/refinement.h"

namespace crosscheck::check::twophase {

using impl2pc::Decision;
using impl2pc::ResourceManager;
using impl2pc::RmStatus;
using impl2pc::RmVote;
using impl2pc::TransactionManager;
namespace spec2pc = crosscheck::spec::twophase;

ImplBinding::Node ImplBinding::initial_node(NodeId id) const {
  if (id == impl2pc::kTransactionManager) return TransactionManager(config_);
  return ResourceManager(config_);
}

void ImplBinding::start(NodeId id, Node& node, impl2pc::TwoPhaseOutbox& out) const {
  if (id == impl2pc::kTransactionManager) std::get<TransactionManager>(node).start(out);
}

void ImplBinding::on_message(NodeId /*self*/, Node& node, NodeId from, const Message& message,
                             impl2pc::TwoPhaseOutbox& out) const {
  std::visit([&](auto& actor) { actor.on_message(from, message, out); }, node);
}

void ImplBinding::on_timeout(NodeId /*self*/, Node& node, Timer timer,
                             impl2pc::TwoPhaseOutbox& out) const {
  std::visit([&](auto& actor) { actor.on_timeout(timer, out); }, node);
}

void ImplBinding::inputs(NodeId /*self*/, const Node& node, std::vector<Input>& out) const {
  if (const auto* rm = std::get_if<ResourceManager>(&node); rm && rm->can_abort_on_its_own()) {
    out.push_back(LocalInput::kAbortOnItsOwn);
  }
}

void ImplBinding::on_input(NodeId /*self*/, Node& node, const Input& input,
                           impl2pc::TwoPhaseOutbox& out) const {
  CC_ASSERT(input == LocalInput::kAbortOnItsOwn);
  std::get<ResourceManager>(node).abort_on_its_own(out);
}

void ImplBinding::restart(NodeId /*self*/, Node& node, impl2pc::TwoPhaseOutbox& out) const {
  std::visit([&](auto& actor) { actor.restart(out); }, node);
}

std::vector<std::vector<NodeId>> ImplBinding::interchangeable_nodes() const {
  std::vector<NodeId> rms;
  for (NodeId rm = 1; rm <= config_.rm_count; ++rm) rms.push_back(rm);
  return {rms};
}

void ImplBinding::rename(Node& node, const NodeRenaming& renaming) const {
  if (auto* tm = std::get_if<TransactionManager>(&node)) tm->rename(renaming);
}

uint64_t ImplBinding::name_free_key(const Node& node) const {
  // An RM mentions no node; the TM is not renamed.
  StableHasher hasher;
  hash(node, hasher);
  return hasher.digest();
}

void ImplBinding::hash(const Node& node, StableHasher& hasher) const {
  hasher.add(static_cast<uint64_t>(node.index()));
  std::visit([&](const auto& actor) { actor.hash(hasher); }, node);
}

std::string ImplBinding::node_name(NodeId id) const {
  return id == impl2pc::kTransactionManager ? "tm" : "rm" + std::to_string(id);
}

mc::Json ImplBinding::node_json(NodeId /*id*/, const Node& node) const {
  mc::Json json = mc::Json::object();
  if (const auto* tm = std::get_if<TransactionManager>(&node)) {
    json.set("decision", std::string(to_string(tm->log().decision)));
    if (tm->volatile_state().unlogged_decision != Decision::kNone) {
      json.set("unlogged_decision", std::string(to_string(tm->volatile_state().unlogged_decision)));
    }
    auto rm_set = [&](uint32_t bits) {
      mc::Json set = mc::Json::array();
      for (int rm = 1; rm <= config_.rm_count; ++rm) {
        if (bits & (1u << (rm - 1))) set.push(node_name(rm));
      }
      return set;
    };
    json.set("yes_votes", rm_set(tm->volatile_state().yes_votes));
    json.set("acks", rm_set(tm->volatile_state().acks));
  } else {
    const auto& rm = std::get<ResourceManager>(node);
    json.set("status", std::string(to_string(rm.status())));
    json.set("vote", std::string(to_string(rm.vote())));
  }
  return json;
}

std::string ImplBinding::message_label(const Message& message) const {
  return std::string(to_string(message.kind));
}

std::string ImplBinding::timer_label(Timer timer) const {
  return std::string(impl2pc::to_string(timer));
}

std::string ImplBinding::input_label(const Input& /*input*/) const { return "abort-on-its-own"; }

const TransactionManager& transaction_manager(const ImplState& state) {
  return std::get<TransactionManager>(state.nodes[impl2pc::kTransactionManager]);
}

const ResourceManager& resource_manager(const ImplState& state, NodeId rm) {
  return std::get<ResourceManager>(state.nodes[rm]);
}

bool atomicity_holds(const ImplState& state) {
  bool committed = false;
  bool aborted = false;
  for (NodeId rm = 1; rm < static_cast<NodeId>(state.nodes.size()); ++rm) {
    committed |= resource_manager(state, rm).status() == RmStatus::kCommitted;
    aborted |= resource_manager(state, rm).status() == RmStatus::kAborted;
  }
  return !(committed && aborted);
}

bool validity_holds(const ImplState& state) {
  bool commit_seen = transaction_manager(state).decision() == Decision::kCommit;
  bool all_voted_yes = true;
  for (NodeId rm = 1; rm < static_cast<NodeId>(state.nodes.size()); ++rm) {
    commit_seen |= resource_manager(state, rm).status() == RmStatus::kCommitted;
    all_voted_yes &= resource_manager(state, rm).vote() == RmVote::kYes;
  }
  return !commit_seen || all_voted_yes;
}

std::vector<mc::StateProperty<ImplState>> ImplBinding::properties() const {
  const int rm_count = config_.rm_count;
  auto all_in = [rm_count](RmStatus status) {
    return [rm_count, status](const ImplState& state) {
      for (NodeId rm = 1; rm <= rm_count; ++rm) {
        if (resource_manager(state, rm).status() != status) return false;
      }
      return true;
    };
  };
  return {
      mc::always<ImplState>("Atomicity", atomicity_holds),
      mc::always<ImplState>("Validity", validity_holds),
      mc::sometimes<ImplState>("AllCommitted", all_in(RmStatus::kCommitted)),
      mc::sometimes<ImplState>("AllAborted", all_in(RmStatus::kAborted)),
  };
}

std::vector<mc::TransitionProperty<ImplState, ImplBinding::Action>>
ImplBinding::transition_properties() const {
  return {{"RefinesTCommit",
           [](const ImplState& from, const Action& /*action*/, const ImplState& to) {
             return spec::tcommit::is_step_or_stutter(spec2pc::abstract_state(from),
                                                      spec2pc::abstract_state(to));
           },
           /*stutters_hold=*/true}};
}

std::vector<mc::LivenessProperty<ImplState>> ImplBinding::liveness_properties() const {
  const int rm_count = config_.rm_count;
  return {mc::eventually<ImplState>("EveryRmDecides", [rm_count](const ImplState& state) {
    for (NodeId rm = 1; rm <= rm_count; ++rm) {
      const RmStatus status = resource_manager(state, rm).status();
      if (status != RmStatus::kCommitted && status != RmStatus::kAborted) return false;
    }
    return true;
  })};
}

ImplModel make_impl_model(impl2pc::Config config, mc::FaultBudgets budgets) {
  CC_ASSERT(config.rm_count >= 1 && config.rm_count <= impl2pc::kMaxResourceManagers);
  return ImplModel(ImplBinding(config), budgets);
}

}  // namespace crosscheck::check::twophase
