// The C++ Raft node's behaviour in the actor harness, written as the trace
// etcd-io/raft's trace logger would write of it (docs/validate.md), for
// `crosscheck validate raft`. Each harness step is one node's step; the
// writer derives the node's events from its state before and after, and
// from the messages the step sent:
//   - a delivery is a Receive event with the node's state before;
//   - a term raised by a message, a return to follower, a step down, a
//     campaign (pre-vote or vote), a win: Become* events with the state
//     after;
//   - each entry a leader appends: Replicate (ChangeConf for a
//     configuration), with the log before;
//   - a leader that handled an AppendEntries answer: Commit;
//   - every message sent, except TimeoutNow, which etcd does not log;
//   - then Ready: the node persists its state at every step and the
//     harness puts its messages on the network at once;
//   - a crash and restart: InitState with the state it restarts in.
// The node counts its own vote and its own log as etcd does with messages
// to itself; the writer logs those messages (a candidate's vote response
// to itself, a leader's append response to itself) around the Ready that
// would carry them.
#pragma once

#include <iosfwd>
#include <string>

#include "check/raft/model.h"

namespace crosscheck::check::raft {

class ImplTraceWriter {
 public:
  explicit ImplTraceWriter(std::ostream& out) : out_(out) {}

  // InitState for every node of the harness's initial state.
  void start(const ImplState& initial);
  void step(const ImplState& before, const ImplAction& action, const ImplState& after);

 private:
  using Node = implraft::RaftNode;
  void event(const std::string& name, NodeId node, const Node& state,
             const std::string& extra = "");
  void message_event(const std::string& name, NodeId node, const Node& state, NodeId from,
                     NodeId to, const implraft::Message& message);
  void role_changes(NodeId node, const Node& before, const Node& after, const ImplAction& action,
                    bool& campaigned);
  void sends(NodeId node, const ImplState& before, const ImplAction& action,
             const ImplState& after);

  std::ostream& out_;
};

// Why a configuration's behaviour cannot be written as an etcd trace, or
// "" when it can.
std::string trace_refusal(const implraft::Config& config, const ImplBounds& bounds,
                          const mc::FaultBudgets& budgets);

}  // namespace crosscheck::check::raft
