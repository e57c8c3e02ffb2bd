// The two-phase commit implementation as a model: impl/twophase nodes in the
// actor harness, with the global properties of atomic commitment, and the
// refinement of TCommit (spec/twophase/refinement.h) checked on every step.
#pragma once

#include <compare>
#include <string>
#include <variant>
#include <vector>

#include "impl/twophase/messages.h"
#include "impl/twophase/resource_manager.h"
#include "impl/twophase/transaction_manager.h"
#include "model_check/actor.h"

namespace crosscheck::check::twophase {

namespace impl2pc = crosscheck::impl::twophase;

// Inputs a node takes from its environment rather than from the network.
enum class LocalInput : uint8_t {
  kAbortOnItsOwn,  // an RM that has not voted decides to abort (RMChooseToAbort)
};

class ImplBinding {
 public:
  using Node = std::variant<impl2pc::TransactionManager, impl2pc::ResourceManager>;
  using Message = impl2pc::Message;
  using Timer = impl2pc::Timer;
  using Input = LocalInput;
  using State = mc::ActorState<ImplBinding>;
  using Action = mc::ActorAction<ImplBinding>;
  // Partial-order reduction (model_check/actor_commutation.h): no history,
  // and the bounds are the harness's copies of one message.
  static constexpr bool kNodeStepsCommute = true;

  explicit ImplBinding(impl2pc::Config config) : config_(config) {}

  const impl2pc::Config& config() const { return config_; }
  int node_count() const { return config_.rm_count + 1; }
  Node initial_node(NodeId id) const;
  void start(NodeId id, Node& node, impl2pc::TwoPhaseOutbox& out) const;
  void on_message(NodeId self, Node& node, NodeId from, const Message& message,
                  impl2pc::TwoPhaseOutbox& out) const;
  void on_timeout(NodeId self, Node& node, Timer timer, impl2pc::TwoPhaseOutbox& out) const;
  void inputs(NodeId self, const Node& node, std::vector<Input>& out) const;
  void on_input(NodeId self, Node& node, const Input& input, impl2pc::TwoPhaseOutbox& out) const;
  void restart(NodeId self, Node& node, impl2pc::TwoPhaseOutbox& out) const;

  // Symmetry (model_check/actor_symmetry.h): the RMs are interchangeable,
  // as TwoPhase.tla's RM is.
  std::vector<std::vector<NodeId>> interchangeable_nodes() const;
  void rename(Node& node, const NodeRenaming& renaming) const;
  uint64_t name_free_key(const Node& node) const;

  void hash(const Node& node, StableHasher& hasher) const;
  std::string node_name(NodeId id) const;
  mc::Json node_json(NodeId id, const Node& node) const;
  std::string message_label(const Message& message) const;
  std::string timer_label(Timer timer) const;
  std::string input_label(const Input& input) const;

  std::vector<mc::StateProperty<State>> properties() const;
  std::vector<mc::TransitionProperty<State, Action>> transition_properties() const;
  // Every RM eventually decides (commits or aborts), under weak fairness
  // of message delivery and timers.
  std::vector<mc::LivenessProperty<State>> liveness_properties() const;

 private:
  impl2pc::Config config_;
};

using ImplModel = mc::ActorModel<ImplBinding>;
using ImplState = ImplBinding::State;

ImplModel make_impl_model(impl2pc::Config config, mc::FaultBudgets budgets);

const impl2pc::TransactionManager& transaction_manager(const ImplState& state);
const impl2pc::ResourceManager& resource_manager(const ImplState& state, NodeId rm);

// Never one RM committed while another aborted.
bool atomicity_holds(const ImplState& state);
// Commit is decided, or applied by an RM, only if every RM voted yes.
bool validity_holds(const ImplState& state);

}  // namespace crosscheck::check::twophase
