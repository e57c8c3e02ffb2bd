// The ABD register (abd.h) as a model: its servers and clients in
// Crosscheck's actor harness (model_check/actor.h), which explores every
// order of their steps; the clients' history of invocations and returns as
// a history variable; and the property that history must have:
//
//   Linearizable: the history is linearizable as a single read/write
//     register, initially 0 (model_check/linearizability.h's RegisterSpec).
//
// and the goals EveryOperationReturned, WriteReturned and
// ReadReturnedWrittenValue (the last two where the bounds have writes, and
// reads), which show that the bounds let operations finish.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "abd.h"
#include "impl/common/small_vector.h"
#include "model_check/actor.h"
#include "model_check/linearizability.h"

namespace abd {

namespace mc = crosscheck::mc;

// An operation invoked or returned, as its client told its application.
struct ClientEvent {
  bool returned = false;  // or else invoked
  uint8_t client = 0;     // its node id
  bool write = false;
  Value value = 0;  // the value written, or (returned) the value read
  auto operator<=>(const ClientEvent&) const = default;
};

// In the order they happened, except that within a run of invocations,
// or of returns, they are sorted: no order within such a run is a
// real-time order between operations.
using ClientHistory = crosscheck::SmallVector<ClientEvent, 8>;

// A client begins its next operation.
struct Input {
  bool write = false;
  Value value = 0;  // a write's
  auto operator<=>(const Input&) const = default;
};

class Binding {
 public:
  using Node = std::variant<Server, Client>;
  using Message = abd::Message;
  using Timer = abd::Timer;
  using Input = abd::Input;
  using History = ClientHistory;
  using State = mc::ActorState<Binding>;
  using Action = mc::ActorAction<Binding>;
  // Invoke and Return are calls between a client and its application,
  // never on the network.
  static constexpr bool kLoopback = true;

  // std::invalid_argument when the configuration is out of range.
  explicit Binding(Config config);

  const Config& config() const { return config_; }
  int node_count() const { return config_.node_count(); }
  Node initial_node(NodeId id) const;
  void start(NodeId, Node&, AbdOutbox&) const {}
  void on_message(NodeId self, Node& node, NodeId from, const Message& message,
                  AbdOutbox& out) const;
  void on_timeout(NodeId, Node&, Timer, AbdOutbox&) const {}
  void inputs(NodeId self, const Node& node, std::vector<Input>& out) const;
  void on_input(NodeId self, Node& node, const Input& input, AbdOutbox& out) const;
  void restart(NodeId self, Node& node, AbdOutbox& out) const;
  void record_send(History& history, NodeId from, NodeId to, const Message& message) const;
  void hash_history(const History& history, crosscheck::StableHasher& hasher) const;
  mc::Json history_json(const History& history) const;

  void hash(const Node& node, crosscheck::StableHasher& hasher) const;
  std::string node_name(NodeId id) const;
  mc::Json node_json(NodeId id, const Node& node) const;
  std::string message_label(const Message& message) const { return message.label(); }
  std::string timer_label(Timer) const { return "none"; }
  std::string input_label(const Input& input) const;

  std::vector<mc::StateProperty<State>> properties() const;
  std::vector<mc::TransitionProperty<State, Action>> transition_properties() const { return {}; }

 private:
  Config config_;
};

using AbdState = Binding::State;

// The harness's model, less the messages that can no longer change
// anything: after every step they are taken out of the network, so that
// states that differ only in them are one. Without this, every reply that
// comes after its phase ended multiplies the states by its being in flight
// or not, and three operations are tens of millions of states.
class AbdModel : public mc::ActorModel<Binding> {
 public:
  using mc::ActorModel<Binding>::ActorModel;
  void successors(const State& state, std::vector<mc::Successor<Action, State>>& out) const;
};

// Whether delivering the packet could change a node: not when it is a
// reply to a phase its client has left, a query whose reply would be
// such a reply, an update its server has already superseded whose
// acknowledgement would be such a reply, or a message to a node stopped
// for good. Once inert, a message stays inert: a client's (operation,
// phase) and a server's tag only grow.
bool inert(const AbdState& state, const mc::Packet<Binding>& packet);

AbdModel make_model(Config config, mc::FaultBudgets budgets);

// The history as the linearizability checker reads it: operation i is the
// i-th invoked, times are positions in the history, clients are node ids.
mc::lin::History<mc::lin::RegisterSpec> operations(const ClientHistory& history);
bool linearizable(const ClientHistory& history);

}  // namespace abd
