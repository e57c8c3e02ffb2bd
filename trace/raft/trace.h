// A trace of a Raft implementation: what each node did, in the order it
// did it, as etcd-io/raft's trace logger writes it (docs/validate.md): one
// JSON object a line, each an event of one node with that node's state.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace crosscheck::trace::raft {

// etcd's node ids are 64-bit numbers written as decimal strings; 0 is none.
using NodeId = uint64_t;

enum class EventKind {
  kInitState,
  kBootstrap,
  kBecomeFollower,
  kBecomePreCandidate,
  kBecomeCandidate,
  kBecomeLeader,
  kSendRequestVoteRequest,
  kReceiveRequestVoteRequest,
  kSendRequestVoteResponse,
  kReceiveRequestVoteResponse,
  kSendAppendEntriesRequest,
  kReceiveAppendEntriesRequest,
  kSendAppendEntriesResponse,
  kReceiveAppendEntriesResponse,
  kSendSnapshot,
  kReceiveSnapshot,
  kSendTimeoutNow,
  kReceiveTimeoutNow,
  kReplicate,
  kCommit,
  kChangeConf,
  kApplyConfChange,
  kReady,
  kReduceNextIndex,
};

enum class MessageType {
  kApp,
  kAppResp,
  kHeartbeat,
  kHeartbeatResp,
  kSnap,
  kVote,
  kVoteResp,
  kPreVote,
  kPreVoteResp,
  kTimeoutNow,
};

enum class Role { kFollower, kPreCandidate, kCandidate, kLeader };

enum class ConfAction { kAddNewServer, kRemoveServer, kAddLearner };

// A message as its sender sent it or its receiver received it.
struct Message {
  MessageType type = MessageType::kApp;
  uint64_t term = 0;
  NodeId from = 0;
  NodeId to = 0;
  uint64_t entries = 0;  // for MsgSnap, the snapshot's last index
  uint64_t log_term = 0;
  uint64_t index = 0;
  uint64_t commit = 0;
  NodeId vote = 0;
  bool reject = false;
  uint64_t reject_hint = 0;

  bool operator==(const Message&) const = default;
};

struct ConfChange {
  NodeId node = 0;
  ConfAction action = ConfAction::kAddNewServer;

  bool operator==(const ConfChange&) const = default;
};

struct Event {
  int line = 0;  // in the file, counting every line from 1
  EventKind kind = EventKind::kInitState;
  NodeId node = 0;
  // The node's state as the event shows it: its hard state, role, last log
  // index and configuration (voters, and the outgoing voters of a joint one).
  uint64_t term = 0;
  NodeId vote = 0;
  uint64_t commit = 0;
  Role role = Role::kFollower;
  uint64_t log = 0;
  std::vector<NodeId> voters;
  std::vector<NodeId> outgoing;
  std::optional<Message> message;               // events that send or receive one
  std::vector<ConfChange> changes;              // ChangeConf
  std::optional<std::vector<NodeId>> new_conf;  // ApplyConfChange
};

struct Trace {
  std::vector<Event> events;
  std::vector<NodeId> nodes;  // every node with an InitState, ascending
  int lines = 0;              // lines read, trace or not
};

// Malformed input: the line it is on and what is wrong, one sentence.
class TraceError : public std::runtime_error {
 public:
  TraceError(int line, const std::string& problem);
  int line() const { return line_; }
  const std::string& problem() const { return problem_; }

 private:
  int line_;
  std::string problem_;
};

// Reads a trace: every line that is a JSON object with "tag":"trace" is an
// event; other JSON lines and blank lines are passed over. Throws
// TraceError for a line that is not JSON, an unknown event or message
// type, a missing or mistyped field, a node's event before its InitState,
// and a message whose sender or receiver is not the event's node or is no
// node of the trace. `threads` parse the lines (the answer is the same
// whatever their number: the first malformed line is the error).
Trace read_trace(std::istream& in, int threads = 1);

std::string to_string(EventKind kind);
std::string to_string(MessageType type);
std::string to_string(Role role);
std::string to_string(ConfAction action);

// Whether the event sends or receives a message.
bool is_send(EventKind kind);
bool is_receive(EventKind kind);

}  // namespace crosscheck::trace::raft
