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

// Whether the spec has messages of m's type (PreVote's and TimeoutNow it
// has not: the refinement map leaves them out of the bag, as steps no
// raft.tla server takes part in; InstallSnapshot it has, as an addition).
inline bool in_raft_tla(const implraft::Message& m) {
  return m.type != implraft::MessageType::kPreVoteRequest &&
         m.type != implraft::MessageType::kPreVoteResponse &&
         m.type != implraft::MessageType::kTimeoutNow;
}

// raft.tla's record of message `m` from node `from` to node `to`; only for
// a message in_raft_tla.
Message abstract_message(const implraft::Message& m, NodeId from, NodeId to);

// raft.tla's variables of one server, from the node's (a pre-candidate is
// there the follower or candidate it was when it began to ask).
Server abstract_server(const implraft::RaftNode& node);

// The refinement map, for a binding whose nodes are impl/raft's.
template <class P>
requires std::same_as<typename P::Node, implraft::RaftNode> State
abstract_state(const mc::ActorState<P>& state) {
  State s;
  for (size_t k = 0; k < state.nodes.size(); ++k) s.servers[k] = abstract_server(state.nodes[k]);
  for (const auto& packet : state.network) {
    if (!in_raft_tla(packet.message)) continue;
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
// states around it, the server that acts, for a drop or a duplicate the
// message the network acts on, and which handler of the node's took it.
struct AbstractStep {
  enum class Handler : uint8_t {
    kOther,  // a step the direct map does not know (it leaves it to the search)
    kDeliver,
    kDuplicate,  // a delivery of a copy that stays in flight
    kDrop,
    kElectionTimeout,
    kHeartbeat,
    kClientRequest,
    kReadRequest,  // ReadIndex's round of heartbeats
    kTimeoutNow,   // a leadership transfer's campaign
    kCompact,      // CompactLog
    kRestart,
  };
  State from;
  State to;
  int server = 0;
  std::optional<Message> network_message;
  Handler handler = Handler::kOther;
  Message message{};  // kDeliver, kDuplicate, kDrop: raft.tla's record of it
  uint8_t value = 0;  // kClientRequest
};

template <class P>
requires std::same_as<typename P::Node, implraft::RaftNode> AbstractStep abstract_step(
    const mc::ActorState<P>& from, const mc::ActorAction<P>& action, const mc::ActorState<P>& to) {
  using Kind = typename mc::ActorAction<P>::Kind;
  using Handler = AbstractStep::Handler;
  AbstractStep step{abstract_state(from), abstract_state(to), static_cast<int>(action.node), {}};
  const bool network_step = action.kind == Kind::kDeliver || action.kind == Kind::kDrop ||
                            action.kind == Kind::kDuplicate;
  // A TimeoutNow's delivery is the campaign an election timeout starts.
  // Any other step on a message raft.tla has not (PreVote's; a
  // TimeoutNow's drop or duplicate) the search judges.
  if (action.kind == Kind::kDeliver && action.message.type == implraft::MessageType::kTimeoutNow) {
    step.handler = Handler::kTimeoutNow;
    return step;
  }
  if (network_step && !in_raft_tla(action.message)) return step;
  switch (action.kind) {
    case Kind::kDeliver: step.handler = Handler::kDeliver; break;
    case Kind::kDuplicate: step.handler = Handler::kDuplicate; break;
    case Kind::kDrop: step.handler = Handler::kDrop; break;
    case Kind::kTimeout:
      step.handler = action.timer == implraft::Timer::kElection ? Handler::kElectionTimeout
                                                                : Handler::kHeartbeat;
      break;
    case Kind::kInput:
      if (action.input.kind == implraft::ClientRequest::Kind::kWrite) {
        step.handler = Handler::kClientRequest;
        step.value = action.input.value;
      } else if (action.input.kind == implraft::ClientRequest::Kind::kRead) {
        step.handler = Handler::kReadRequest;
      } else if (action.input.kind == implraft::ClientRequest::Kind::kCompact) {
        step.handler = Handler::kCompact;
      }  // a transfer sends an AppendEntries, or a message raft.tla has not
      break;
    case Kind::kCrash: step.handler = Handler::kRestart; break;
    default: break;
  }
  if (network_step) step.message = abstract_message(action.message, action.from, action.node);
  // A delivery that changes no server (a request ignored in CheckQuorum's
  // lease) is at most raft.tla's DropMessage.
  if (action.kind == Kind::kDeliver && step.from.servers == step.to.servers) {
    step.network_message = step.message;
  }
  if (action.kind == Kind::kDrop || action.kind == Kind::kDuplicate) {
    step.network_message = step.message;
  }
  return step;
}

// The direct map (docs/raft.md): the raft.tla steps the handler that took
// an implementation step should be. A delivery is Receive(m) until m is
// gone (UpdateTerm first for a newer term, one removal per conflicting
// entry, the append, the answer), then BecomeLeader and AdvanceCommitIndex
// where enabled; a duplicate is DuplicateMessage first; a drop
// DropMessage; an election timeout the campaign (Timeout, RequestVote to
// itself, its grant, the tally, BecomeLeader where enabled, RequestVote to
// each peer), and so is a TimeoutNow's delivery; a heartbeat, and a read
// request, AppendEntries to each peer; a client request ClientRequest then
// AdvanceCommitIndex; a crash Restart.
Plan direct_plan(const AbstractStep& step, int servers);

// RefinesRaftSpec on one implementation step: it is a sequence of at most
// max_spec_steps steps of the acting server. The direct map's steps are
// tried first (RaftModel::reaches_by_plan); where they do not lead to the
// implementation's state, the search decides
// (RaftModel::reaches_by_server_steps), so the verdict is the search's.
template <class P>
bool refines(const RaftModel& spec, const mc::ActorState<P>& from, const mc::ActorAction<P>& action,
             const mc::ActorState<P>& to) {
  const AbstractStep step = abstract_step(from, action, to);
  const int servers = spec.config().servers;
  const Plan plan = direct_plan(step, servers);
  return spec.reaches_by_plan(step.from, step.to, step.server, max_spec_steps(servers), plan) ||
         spec.reaches_by_server_steps(step.from, step.to, step.server, max_spec_steps(servers),
                                      step.network_message);
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
