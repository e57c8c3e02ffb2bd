// The spec a trace is validated against: raft.tla as etcd's etcdraft.tla
// departs from it (docs/validate.md lists each departure), in plain C++.
// Each action is a function of etcdraft.tla's name that returns the
// successor state, or nothing when the action is not enabled.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "trace/raft/store.h"
#include "trace/raft/trace.h"

namespace crosscheck::trace::raft {

enum class MessageKind : uint8_t {
  kVoteRequest,
  kVoteResponse,
  kAppendRequest,
  kAppendResponse,
  kTimeoutNow,  // a leader handing over leadership (thesis §3.10)
};
enum class Subtype : uint8_t { kApp, kHeartbeat, kSnapshot };

struct SpecMessage {
  MessageKind kind = MessageKind::kVoteRequest;
  Subtype subtype = Subtype::kApp;
  bool pre_vote = false;
  uint64_t term = 0;
  NodeId source = 0;
  NodeId dest = 0;
  uint64_t last_log_term = 0;   // vote requests
  uint64_t last_log_index = 0;  // vote requests
  bool granted = false;         // vote responses
  uint64_t prev_log_index = 0;  // append requests
  uint64_t prev_log_term = 0;
  LogId entries_end = kEmptyLog;  // the sender's log up to the last entry sent
  uint64_t entry_count = 0;
  uint64_t commit = 0;
  bool success = false;  // append responses
  uint64_t match_index = 0;

  bool operator==(const SpecMessage&) const = default;
};

using MessageId = uint32_t;

class MessageStore {
 public:
  MessageId intern(const SpecMessage& message);
  const SpecMessage& get(MessageId id) const { return messages_[id]; }

 private:
  struct Hash {
    size_t operator()(const SpecMessage& m) const;
  };
  std::deque<SpecMessage> messages_;  // a deque: references stay valid as it grows
  std::unordered_map<SpecMessage, MessageId, Hash> ids_;
};

// A multiset of messages, ascending by id.
using Bag = std::vector<std::pair<MessageId, uint32_t>>;
void take(Bag& bag, MessageId id);
void put(Bag& bag, MessageId id);
bool contains(const std::vector<NodeId>& ids, NodeId id);

struct Durable {
  uint64_t term = 0;
  NodeId voted_for = 0;
  uint64_t log_length = 0;
  uint64_t commit = 0;
  ConfigId config = kNoConfig;
  uint64_t config_index = 0;

  bool operator==(const Durable&) const = default;
};

struct NodeState {
  uint64_t term = 0;
  NodeId voted_for = 0;
  Role role = Role::kFollower;
  LogId log = kEmptyLog;
  uint64_t commit = 0;
  ConfigId config = kNoConfig;
  // The log index of the configuration entry in force (0: none applied):
  // configuration entries are applied in order, each once.
  uint64_t config_index = 0;
  uint64_t votes_responded = 0;  // bit k: the trace's k-th node
  uint64_t votes_granted = 0;
  std::vector<uint64_t> match;  // a leader's, by node position
  uint64_t pending_conf_index = 0;
  bool knows_leader = false;  // etcd's r.lead != None
  Durable durable;

  bool operator==(const NodeState&) const = default;
};

struct State {
  std::vector<NodeState> nodes;  // by position in Trace::nodes
  Bag messages;                  // delivered to the network
  Bag pending;                   // sent, waiting for the sender's Ready
  // Answers the spec's receive gave that the trace has not yet logged as
  // sent: a logged send moves one to `pending` (Spec::log_answer); the
  // sender's Ready forgets the rest, which the implementation did not send.
  Bag unlogged;
  // The answers of the last receive, for a report to quote when the trace
  // logs another; not part of the state (neither compared nor hashed), and
  // merged when two states prove equal.
  mutable std::vector<MessageId> last_answers;

  bool operator==(const State& other) const {
    return nodes == other.nodes && messages == other.messages && pending == other.pending &&
           unlogged == other.unlogged;
  }
};

size_t hash_of(const State& state);

// The actions, over a trace's nodes. Failure reasons name what was not
// enabled, for the report of an invalid trace.
class Spec {
 public:
  explicit Spec(std::vector<NodeId> nodes);

  int position(NodeId node) const;  // -1: not a node of the trace
  const std::vector<NodeId>& nodes() const { return nodes_; }
  LogStore& logs() { return logs_; }
  const LogStore& logs() const { return logs_; }
  ConfigStore& configs() { return configs_; }
  const ConfigStore& configs() const { return configs_; }
  const MessageStore& messages() const { return messages_; }

  // A node's state at the start: `length` entries of term 1 that each set
  // the configuration, as etcd's bootstrap writes them.
  NodeState bootstrapped(uint64_t term, NodeId vote, Role role, uint64_t length, uint64_t commit,
                         const Config& config);

  using Result = std::optional<State>;
  Result timeout(const State& s, int i, std::string& why) const;
  Result pre_vote_timeout(const State& s, int i, std::string& why) const;
  Result request_vote(const State& s, int i, int j, std::string& why);
  Result become_leader(const State& s, int i, std::string& why) const;
  Result client_request(const State& s, int i, std::string& why);
  Result advance_commit_index(const State& s, int i, std::string& why) const;
  Result append_entries(const State& s, int i, int j, uint64_t begin, uint64_t end, Subtype subtype,
                        std::string& why);
  Result append_entries_to_self(const State& s, int i, std::string& why);
  Result timeout_now(const State& s, int i, int j, std::string& why);
  // One change is a simple one; several enter a joint configuration, which
  // the leader leaves, once it has applied it, with an entry it appends
  // without logging it (etcd's auto-leave: leave_joint).
  Result change_config(const State& s, int i, const std::vector<ConfChange>& changes,
                       std::string& why);
  bool may_leave_joint(const State& s, int i) const;
  Result leave_joint(const State& s, int i);
  Result apply_config(const State& s, int i, const std::optional<std::vector<NodeId>>& voters,
                      std::string& why) const;
  Result ready(const State& s, int i) const;
  // A logged answer: one of the node's unlogged answers that `matches`.
  template <class Matches>
  Result log_answer(const State& s, int i, Matches matches, std::string& why) const {
    for (const auto& [id, count] : s.unlogged) {
      const SpecMessage& m = messages_.get(id);
      if (m.source != nodes_[i] || !matches(m)) continue;
      State next = s;
      take(next.unlogged, id);
      put(next.pending, id);
      return next;
    }
    why = "no request it received is answered so";
    return std::nullopt;
  }
  Result step_down(const State& s, int i, std::string& why) const;
  // Back from its durable state, with the commit index the restarted
  // node shows: etcd keeps the persisted one, raft.tla forgets it (0), a
  // snapshot's index is in between; any up to the persisted one will do.
  Result restart(const State& s, int i, uint64_t commit, std::string& why) const;
  // Receives one message: every step etcdraft.tla takes with it, up to and
  // including the one that takes it off the network (a newer term first,
  // then a conflicting suffix, then the append and the reply). Where etcd
  // and raft.tla answer differently, `reading` says whose answer to give:
  // both are Raft, and a trace may show either (docs/validate.md).
  enum class Reading {
    kEtcd,
    kRaftTla,
    // A vote request of a newer term dropped unread, as etcd does within
    // a leader's lease under CheckQuorum.
    kIgnoreInLease,
  };
  Result receive(const State& s, MessageId m, Reading reading, std::string& why);

 private:
  MessageId send(State& s, const SpecMessage& m);
  MessageId answer(State& s, const SpecMessage& m);
  bool is_quorum(const Config& config, uint64_t granted) const;
  uint64_t bit(NodeId node) const;
  bool can_campaign(const NodeState& n, int i) const;
  void become_follower_of_term(NodeState& n, uint64_t term) const;
  void handle_vote_request(State& s, int i, const SpecMessage& m, Reading reading);
  bool handle_vote_response(State& s, int i, const SpecMessage& m, std::string& why) const;
  bool handle_append_request(State& s, int i, const SpecMessage& m, Reading reading);
  bool handle_append_response(State& s, int i, const SpecMessage& m, std::string& why) const;

  std::vector<NodeId> nodes_;
  LogStore logs_;
  ConfigStore configs_;
  MessageStore messages_;
};

}  // namespace crosscheck::trace::raft
