// The refinement map from the Raft implementation (impl/raft) in the actor
// harness (model_check/actor.h) to raft.tla: each node's persistent and
// volatile variables are raft.tla's, the network is its message bag,
// crashes are its restarts.
#pragma once

#include <concepts>
#include <optional>

#include "impl/common/outbox.h"
#include "impl/raft/node.h"
#include "model_check/actor.h"
#include "spec/raft/raft.h"

namespace crosscheck::spec::raft {

namespace implraft = crosscheck::impl::raft;

// raft.tla's record of message `m` from node `from` to node `to`.
Message abstract_message(const implraft::Message& m, NodeId from, NodeId to);

// raft.tla's variables of one server, from the node's.
Server abstract_server(const implraft::RaftNode& node);

// The refinement map, for a binding whose nodes are impl/raft's.
template <class P>
requires std::same_as<typename P::Node, implraft::RaftNode> State
abstract_state(const mc::ActorState<P>& state) {
  State s;
  for (size_t k = 0; k < state.nodes.size(); ++k) s.servers[k] = abstract_server(state.nodes[k]);
  for (const auto& packet : state.network) {
    const Message m = abstract_message(packet.message, packet.from, packet.to);
    for (int copy = 0; copy < packet.count; ++copy) s.messages.add(m);
  }
  s.restarts = static_cast<uint8_t>(state.crashes);
  return s;
}

// Steps of one server that an implementation step may take at once: a
// campaign (Timeout, a RequestVote to itself and its answer, RequestVote to
// every peer), or a request that truncates a whole suffix and appends
// (UpdateTerm, one removal per entry, the append, the reply).
int max_spec_steps(int servers);

// An implementation step as the refinement check sees it: the abstract
// states around it, the server that acts, and for a drop or a duplicate
// the message the network acts on.
struct AbstractStep {
  State from;
  State to;
  int server = 0;
  std::optional<Message> network_message;
};

template <class P>
requires std::same_as<typename P::Node, implraft::RaftNode> AbstractStep abstract_step(
    const mc::ActorState<P>& from, const mc::ActorAction<P>& action, const mc::ActorState<P>& to) {
  using Kind = typename mc::ActorAction<P>::Kind;
  AbstractStep step{abstract_state(from), abstract_state(to), static_cast<int>(action.node), {}};
  if (action.kind == Kind::kDrop || action.kind == Kind::kDuplicate) {
    step.network_message = abstract_message(action.message, action.from, action.node);
  }
  return step;
}

// RefinesRaftSpec on one implementation step: it is a sequence of at most
// max_spec_steps steps of the acting server (RaftModel::reaches_by_server_steps).
template <class P>
bool refines(const RaftModel& spec, const mc::ActorState<P>& from, const mc::ActorAction<P>& action,
             const mc::ActorState<P>& to) {
  const AbstractStep step = abstract_step(from, action, to);
  return spec.reaches_by_server_steps(step.from, step.to, step.server,
                                      max_spec_steps(spec.config().servers), step.network_message);
}

// Why an implementation step does not refine the spec
// (RaftModel::explain_server_steps).
template <class P>
mc::StepExplanation explain_refinement(const RaftModel& spec, const mc::ActorState<P>& from,
                                       const mc::ActorAction<P>& action,
                                       const mc::ActorState<P>& to) {
  const AbstractStep step = abstract_step(from, action, to);
  return spec.explain_server_steps(step.from, step.to, step.server,
                                   max_spec_steps(spec.config().servers), step.network_message);
}

}  // namespace crosscheck::spec::raft
