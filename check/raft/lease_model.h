// Lease-based reads (Ongaro's thesis §6.4.1) as a model: impl/raft nodes
// with lease reads on, in the actor harness with explicit clocks
// (model_check/actor_time.h: global time up to a horizon, each server's
// clock within `drift` ticks ahead of it). Each server learns its clock
// through on_tick; its election timer is a deadline on that clock
// (RaftNode::on_clock), armed for the harness to fire only once the clock
// reaches it; the leader's heartbeat timer stays abstract (a heartbeat may
// go out at any moment, which only helps a lease).
//
// The properties are ImplBinding's: ElectionSafety, LogMatching,
// StateMachineSafety, AppliedEntriesKept, LocalInvariants and
// ReadsAreLinearizable over ReadHistory, which judges a read answered from
// the lease against every entry committed anywhere when it began; and on
// every step LeaderAppendOnly and RefinesRaftSpec, to which a clock's tick
// is a stutter and a timeout by the clock raft.tla's Timeout.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "check/raft/model.h"
#include "impl/raft/node.h"
#include "model_check/actor.h"

namespace crosscheck::check::raft {

class LeaseBinding {
 public:
  using Node = implraft::RaftNode;
  using Message = implraft::Message;
  using Timer = implraft::Timer;
  using Input = ClientRequest;
  using History = ReadHistory;
  using Time = mc::ClockTime;
  using State = mc::ActorState<LeaseBinding>;
  static constexpr size_t kInlineNodes = ImplBinding::kInlineNodes;
  static constexpr size_t kInlineMessages = ImplBinding::kInlineMessages;
  using Action = mc::ActorAction<LeaseBinding>;

  // The configuration has lease_reads on; bounds.max_reads reads in all.
  LeaseBinding(implraft::Config config, ImplBounds bounds);

  const implraft::Config& config() const { return raft_.config(); }
  const ImplBounds& bounds() const { return raft_.bounds(); }
  int node_count() const { return raft_.node_count(); }
  Node initial_node(NodeId id) const { return raft_.initial_node(id); }
  // Each step's effects go through the node's clock_election_timer.
  void start(NodeId self, Node& node, implraft::RaftOutbox& out) const;
  void on_message(NodeId self, Node& node, NodeId from, const Message& m,
                  implraft::RaftOutbox& out) const;
  void on_timeout(NodeId self, Node& node, Timer timer, implraft::RaftOutbox& out) const;
  void on_tick(NodeId, Node& node, uint8_t reading, implraft::RaftOutbox& out) const {
    node.on_clock(reading, out);
  }
  void inputs(NodeId self, const Node& node, std::vector<Input>& out) const {
    raft_.inputs(self, node, out);
  }
  void on_input(NodeId self, Node& node, const Input& input, implraft::RaftOutbox& out) const;
  void restart(NodeId, Node& node, implraft::RaftOutbox& out) const { node.restart_on_clock(out); }
  bool within_bounds(const State& state) const {
    return raft_.within_bounds(servers_of(state), state.history, state.copies_in_flight());
  }

  std::vector<std::vector<NodeId>> interchangeable_nodes() const {
    return raft_.interchangeable_nodes();
  }
  void rename(Node& node, const NodeRenaming& renaming) const { raft_.rename(node, renaming); }
  void rename(Message& message, const NodeRenaming& renaming) const {
    raft_.rename(message, renaming);
  }
  void rename_history(History& history, const NodeRenaming& renaming) const {
    raft_.rename_history(history, renaming);
  }
  uint64_t name_free_key(const Node& node) const;

  std::string node_name(NodeId id) const { return raft_.node_name(id); }
  mc::Json node_json(NodeId id, const Node& node, uint8_t reading) const;
  std::string timer_label(Timer timer) const { return raft_.timer_label(timer); }
  std::string input_label(const Input& input) const { return raft_.input_label(input); }
  void hash_history(const History& history, StableHasher& hasher) const {
    raft_.hash_history(history, hasher);
  }
  void record_step(History& history, NodeId self, const Node& before, const Node& after) const {
    raft_.record_step(history, self, before, after);
  }
  mc::Json history_json(const History& history) const { return raft_.history_json(history); }

  std::vector<mc::StateProperty<State>> properties() const;
  std::vector<mc::TransitionProperty<State, Action>> transition_properties() const;

 private:
  ImplBinding raft_;
};

using LeaseModel = mc::ActorModel<LeaseBinding>;
using LeaseState = LeaseBinding::State;
using LeaseAction = LeaseBinding::Action;

// The clocks' bounds: how far a clock may run ahead of global time (the
// drift the servers assume, config.drift, unless clock_drift says
// otherwise) and where global time stops.
struct LeaseClocks {
  int horizon = 8;
  int clock_drift = -1;  // -1: config.drift
};

// std::invalid_argument when the configuration asks for what the model
// leaves out (transfers, membership changes) or leaves no lease at all.
LeaseModel make_lease_model(implraft::Config config, ImplBounds bounds, mc::FaultBudgets budgets,
                            LeaseClocks clocks);

}  // namespace crosscheck::check::raft
