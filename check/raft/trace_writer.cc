#include "check/raft/trace_writer.h"

#include <ostream>
#include <sstream>

namespace crosscheck::check::raft {

namespace {

using implraft::MessageType;
using implraft::Role;

// etcd's node ids start at 1; the harness's at 0.
std::string id(NodeId node) { return std::to_string(node + 1); }

std::string role_name(Role role) {
  switch (role) {
    case Role::kFollower: return "StateFollower";
    case Role::kCandidate: return "StateCandidate";
    case Role::kLeader: return "StateLeader";
    case Role::kPreCandidate: return "StatePreCandidate";
  }
  return "?";
}

std::string voters(uint8_t set) {
  std::string list;
  for (NodeId node = 0; node < implraft::kMaxServers; ++node) {
    if (set & (1u << node)) list += (list.empty() ? "\"" : ",\"") + id(node) + "\"";
  }
  return "[" + list + "]";
}

// The message's etcd type, or "" for one etcd does not log.
std::string etcd_type(MessageType type) {
  switch (type) {
    case MessageType::kRequestVoteRequest: return "MsgVote";
    case MessageType::kRequestVoteResponse: return "MsgVoteResp";
    case MessageType::kPreVoteRequest: return "MsgPreVote";
    case MessageType::kPreVoteResponse: return "MsgPreVoteResp";
    case MessageType::kAppendEntriesRequest: return "MsgApp";
    case MessageType::kAppendEntriesResponse: return "MsgAppResp";
    case MessageType::kInstallSnapshot: return "MsgSnap";
    case MessageType::kTimeoutNow: return "MsgTimeoutNow";
  }
  return "";
}

// What etcd's Send and Receive events of a message type are called after.
std::string event_noun(MessageType type) {
  switch (type) {
    case MessageType::kRequestVoteRequest:
    case MessageType::kPreVoteRequest: return "RequestVoteRequest";
    case MessageType::kRequestVoteResponse:
    case MessageType::kPreVoteResponse: return "RequestVoteResponse";
    case MessageType::kAppendEntriesResponse: return "AppendEntriesResponse";
    case MessageType::kTimeoutNow: return "TimeoutNow";
    default: return "AppendEntriesRequest";
  }
}

std::string message_json(NodeId from, NodeId to, const implraft::Message& m) {
  uint64_t index = 0, log_term = 0, entries = 0, commit = 0;
  bool reject = false;
  switch (m.type) {
    case MessageType::kRequestVoteRequest:
    case MessageType::kPreVoteRequest:
      index = m.last_log_index;
      log_term = m.last_log_term;
      break;
    case MessageType::kRequestVoteResponse:
    case MessageType::kPreVoteResponse: reject = !m.vote_granted; break;
    case MessageType::kAppendEntriesRequest:
      index = m.prev_log_index;
      log_term = m.prev_log_term;
      entries = m.has_entry ? 1 : 0;
      commit = m.commit_index;
      break;
    case MessageType::kAppendEntriesResponse:
      reject = !m.success;
      index = m.match_index;
      break;
    default: break;
  }
  std::ostringstream out;
  out << R"("msg":{"type":")" << etcd_type(m.type) << R"(","term":)" << int{m.term}
      << R"(,"from":")" << id(from) << R"(","to":")" << id(to) << R"(","entries":)" << entries
      << R"(,"logTerm":)" << log_term << R"(,"index":)" << index << R"(,"commit":)" << commit
      << R"(,"vote":"0","reject":)" << (reject ? "true" : "false") << R"(,"rejectHint":0})";
  return out.str();
}

implraft::Message self_vote(const implraft::RaftNode& node) {
  implraft::Message vote;
  const bool pre = node.role() == Role::kPreCandidate;
  vote.type = pre ? MessageType::kPreVoteResponse : MessageType::kRequestVoteResponse;
  vote.term = static_cast<uint8_t>(node.term() + (pre ? 1 : 0));
  vote.vote_granted = true;
  return vote;
}

implraft::Message self_ack(const implraft::RaftNode& node) {
  implraft::Message ack;
  ack.type = MessageType::kAppendEntriesResponse;
  ack.term = node.term();
  ack.success = true;
  ack.match_index = static_cast<uint8_t>(node.full_log_length());
  return ack;
}

}  // namespace

void ImplTraceWriter::event(const std::string& name, NodeId node, const Node& state,
                            const std::string& extra) {
  const int vote = state.persistent().voted_for;
  out_ << R"({"tag":"trace","event":{"name":")" << name << R"(","nid":")" << id(node)
       << R"(","state":{"term":)" << int{state.term()} << R"(,"vote":")"
       << (vote == implraft::kNoVote ? "0" : id(vote)) << R"(","commit":)"
       << int{state.commit_index()} << R"(},"role":")" << role_name(state.role()) << R"(","log":)"
       << state.full_log_length() << R"(,"conf":[)" << voters(state.configuration()) << ","
       << voters(state.old_configuration()) << "]" << (extra.empty() ? "" : "," + extra) << "}}\n";
}

void ImplTraceWriter::message_event(const std::string& name, NodeId node, const Node& state,
                                    NodeId from, NodeId to, const implraft::Message& message) {
  event(name, node, state, message_json(from, to, message));
}

void ImplTraceWriter::start(const ImplState& initial) {
  for (NodeId node = 0; node < static_cast<NodeId>(initial.nodes.size()); ++node)
    event("InitState", node, initial.nodes[node]);
}

void ImplTraceWriter::role_changes(NodeId node, const Node& before, const Node& after,
                                   const ImplAction& action, bool& campaigned) {
  const bool timeout = action.kind == ImplAction::Kind::kTimeout;
  if (after.term() > before.term() && after.role() != Role::kCandidate)
    event("BecomeFollower", node, after);
  if (after.role() == Role::kCandidate &&
      (before.role() != Role::kCandidate || after.term() != before.term())) {
    event("BecomeCandidate", node, after);
    campaigned = true;
  }
  if (after.role() == Role::kPreCandidate && (before.role() != Role::kPreCandidate || timeout)) {
    event("BecomePreCandidate", node, after);
    campaigned = true;
  }
  if (after.term() == before.term() && after.role() == Role::kFollower &&
      before.role() != Role::kFollower) {
    event("BecomeFollower", node, after);
  }
  if (after.role() == Role::kLeader && before.role() != Role::kLeader)
    event("BecomeLeader", node, after);
}

void ImplTraceWriter::sends(NodeId node, const ImplState& before, const ImplAction& action,
                            const ImplState& after) {
  for (const auto& packet : after.network) {
    if (packet.from != node || etcd_type(packet.message.type).empty()) continue;
    int earlier = 0;
    for (const auto& old : before.network)
      if (old.same_message(packet)) earlier = old.count;
    if (action.kind == ImplAction::Kind::kDeliver && action.from == packet.from &&
        action.node == packet.to && action.message == packet.message) {
      --earlier;  // the delivered copy left the network
    }
    const std::string name = "Send" + event_noun(packet.message.type);
    for (int copy = earlier; copy < packet.count; ++copy)
      message_event(name, node, after.nodes[node], packet.from, packet.to, packet.message);
  }
}

void ImplTraceWriter::step(const ImplState& before, const ImplAction& action,
                           const ImplState& after) {
  using Kind = ImplAction::Kind;
  if (action.kind != Kind::kDeliver && action.kind != Kind::kTimeout &&
      action.kind != Kind::kInput && action.kind != Kind::kCrash)
    return;  // drops leave no trace
  const NodeId node = action.node;
  const Node& was = before.nodes[node];
  const Node& is = after.nodes[node];
  if (action.kind == Kind::kCrash) {
    event("InitState", node, is);
    return;
  }
  const bool delivered_answer =
      action.kind == Kind::kDeliver && action.message.type == MessageType::kAppendEntriesResponse;
  if (action.kind == Kind::kDeliver && !etcd_type(action.message.type).empty()) {
    message_event("Receive" + event_noun(action.message.type), node, was, action.from, node,
                  action.message);
  }
  bool campaigned = false;
  role_changes(node, was, is, action, campaigned);
  const bool appended = is.role() == Role::kLeader && is.full_log_length() > was.full_log_length();
  if (appended) {
    for (int index = was.full_log_length(); index < is.full_log_length(); ++index)
      event("Replicate", node, was);  // the log before the entry (one entry a step here)
  }
  if (delivered_answer && is.role() == Role::kLeader && was.role() == Role::kLeader)
    event("Commit", node, is);
  if (campaigned) message_event("SendRequestVoteResponse", node, is, node, node, self_vote(is));
  if (appended) message_event("SendAppendEntriesResponse", node, is, node, node, self_ack(is));
  sends(node, before, action, after);
  event("Ready", node, is);
  if (campaigned) message_event("ReceiveRequestVoteResponse", node, is, node, node, self_vote(is));
  if (appended) {
    message_event("ReceiveAppendEntriesResponse", node, is, node, node, self_ack(is));
    event("Commit", node, is);
  }
}

std::string trace_refusal(const implraft::Config& config, const ImplBounds& bounds,
                          const mc::FaultBudgets& budgets) {
  if (config.lease_reads) return "lease reads run on clocks, which a trace does not show";
  if (bounds.membership || bounds.joint_consensus) {
    return "the node takes a configuration when it appends it (thesis §4.1), etcd when it "
           "applies it, and the spec follows etcd";
  }
  if (bounds.snapshots) return "InstallSnapshot is not etcd's MsgSnap";
  if (budgets.max_duplicates > 0) return "a duplicated message cannot be logged as one";
  return "";
}

}  // namespace crosscheck::check::raft
