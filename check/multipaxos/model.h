// The Multi-Paxos implementation as a model: impl/multipaxos replicas and
// clients in the actor harness, with a history variable holding
//
//   - every Paxos message ever sent, per slot, as Paxos.tla's msgs records
//     it (Prepare a 1a, each Promise a 1b in every slot, Accept a 2a,
//     Accepted a 2b), from which "chosen" is defined;
//   - the clients' history: each request's invocation (its first send) and
//     response (the first reply the client takes), in the order they
//     happened;
//
// and the properties: slot agreement, every learned command chosen, apply
// agreement, linearizability of the client history against a key-value
// map, and, when the bounds fit spec/paxos's, Paxos.tla's Inv in each
// slot and each step's projection on each slot a Paxos.tla step (the
// refinement map is spec/multipaxos/refinement.h).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "impl/common/small_vector.h"
#include "impl/multipaxos/multipaxos.h"
#include "model_check/actor.h"
#include "model_check/linearizability.h"
#include "spec/multipaxos/refinement.h"
#include "spec/paxos/paxos.h"  // layer: each slot refines single-decree Paxos.tla

namespace crosscheck::check::multipaxos {

namespace implmp = crosscheck::impl::multipaxos;
namespace specmp = crosscheck::spec::multipaxos;
namespace specpaxos = crosscheck::spec::paxos;

// One record of msgs (spec/multipaxos/refinement.h).
using PaxosRecord = specmp::PaxosRecord;

// A client's request sent for the first time, or answered for the first
// time.
struct ClientEvent {
  bool response = false;
  implmp::Command request;
  implmp::Answer answer = 0;  // a response's
  auto operator<=>(const ClientEvent&) const = default;
};

struct History {
  SmallVector<PaxosRecord, 16> msgs;  // sorted, no repeats
  // In the order of events, except that within a run of consecutive
  // invocations, or of consecutive responses, events are sorted: their
  // order there precedes nothing in real time, so it is no part of the
  // history's meaning, and states that differ only in it are one.
  SmallVector<ClientEvent, 8> client_events;
  auto operator<=>(const History&) const = default;
  bool operator==(const History&) const = default;

  void record(const PaxosRecord& record);
  void record(const ClientEvent& event);
  bool invoked(const implmp::Command& request) const;
  bool answered(const implmp::Command& request) const;
};

// The client history as the linearizability checker reads it: operation i
// is the i-th request invoked; times are positions in the event order;
// clients and keys are numbered from 1, as the labels name them.
mc::lin::History<mc::lin::KvSpec> client_history(const History& history);

// A client's local input: issue its next request.
struct IssueRequest {
  implmp::CommandKind kind = implmp::CommandKind::kGet;
  uint8_t key = 0;
  auto operator<=>(const IssueRequest&) const = default;
};

struct ImplBounds {
  // Check Paxos.tla's Inv in every slot and RefinesPaxosPerSlot on every
  // step; needs the bounds of spec/paxos (at most 5 replicas, ballots
  // 0..3, and clients * requests + 1 values).
  bool check_refinement = true;
  int max_messages = 0;  // more messages in flight are outside the bounds; 0: no limit
};

class ImplBinding {
 public:
  using Node = std::variant<implmp::Replica, implmp::Client>;
  using Message = implmp::Message;
  using Timer = implmp::Timer;
  using Input = IssueRequest;
  using History = multipaxos::History;
  using State = mc::ActorState<ImplBinding>;
  using Action = mc::ActorAction<ImplBinding>;
  static constexpr bool kLoopback = true;

  // std::invalid_argument when the configuration is out of range, or the
  // refinement is asked for outside spec/paxos's bounds.
  ImplBinding(implmp::Config config, ImplBounds bounds);

  const implmp::Config& config() const { return config_; }
  const ImplBounds& bounds() const { return bounds_; }
  int node_count() const { return config_.node_count(); }
  Node initial_node(NodeId id) const;
  void start(NodeId id, Node& node, implmp::MultiPaxosOutbox& out) const;
  void on_message(NodeId self, Node& node, NodeId from, const Message& m,
                  implmp::MultiPaxosOutbox& out) const;
  void on_timeout(NodeId self, Node& node, Timer timer, implmp::MultiPaxosOutbox& out) const;
  void inputs(NodeId self, const Node& node, std::vector<Input>& out) const;
  void on_input(NodeId self, Node& node, const Input& input, implmp::MultiPaxosOutbox& out) const;
  void restart(NodeId self, Node& node, implmp::MultiPaxosOutbox& out) const;
  bool within_bounds(const State& state) const;

  void record_send(History& history, NodeId from, NodeId to, const Message& m) const;
  void record_delivery(History& history, NodeId from, NodeId to, const Message& m) const;
  void hash_history(const History& history, StableHasher& hasher) const;
  mc::Json history_json(const History& history) const;

  void hash(const Node& node, StableHasher& hasher) const;
  std::string node_name(NodeId id) const;
  mc::Json node_json(NodeId id, const Node& node) const;
  std::string timer_label(Timer timer) const { return std::string(implmp::to_string(timer)); }
  std::string input_label(const Input& input) const;

  std::vector<mc::StateProperty<State>> properties() const;
  std::vector<mc::TransitionProperty<State, Action>> transition_properties() const;

  // The refinement map of one slot to Paxos.tla
  // (spec/multipaxos/refinement.h), and Paxos.tla with the slot's
  // constants. Only with check_refinement.
  specpaxos::State slot_state(const State& state, int slot) const;
  const specpaxos::PaxosModel& slot_spec() const { return refinement_->spec(); }
  bool slot_refines(const State& from, const State& to, int slot) const;

 private:
  implmp::Config config_;
  ImplBounds bounds_;
  std::optional<specmp::SlotRefinement> refinement_;
};

using ImplModel = mc::ActorModel<ImplBinding>;
using ImplState = ImplBinding::State;
using ImplAction = ImplBinding::Action;

ImplModel make_impl_model(implmp::Config config, ImplBounds bounds, mc::FaultBudgets budgets);

// The properties over the implementation's global state.
// SlotAgreement: in no slot are two commands chosen (a majority voted for
// each in some ballot).
bool slot_agreement(const implmp::Config& config, const ImplState& state);
// DecidedIsChosen: every command a replica learned is chosen in its slot.
bool decided_is_chosen(const implmp::Config& config, const ImplState& state);
// ApplyAgreement: no two replicas applied different commands at a slot.
bool apply_agreement(const implmp::Config& config, const ImplState& state);
// Linearizable: the client history is linearizable.
bool linearizable(const ImplState& state);
// The part of the history that decides linearizability: invocations after
// the last response are pending operations the checker may always leave
// out, so a history is linearizable exactly when it is without them.
SmallVector<ClientEvent, 8> up_to_last_response(const History& history);
// The command chosen in a slot, or none.
implmp::Command chosen(const implmp::Config& config, const History& history, int slot);

}  // namespace crosscheck::check::multipaxos
