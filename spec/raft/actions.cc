// raft.tla's actions (RaftModel's successors, raft.h), one function each.
// The order in which they add successors is the order the search meets
// them, which decides the shortest counterexample it reports (the tests pin
// those): keep it. Each action also says, when asked (`refused` not null),
// which of its conjuncts was false where it took no step or another branch.
#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "spec/raft/raft.h"

namespace crosscheck::spec::raft {
namespace {

using Kind = Action::Kind;
using Successors = std::vector<mc::Successor<Action, State>>;
using Refusals = std::vector<Refusal>;

// Notes that `guard` refused `action` (or sent it to successor `taken`).
void refuse(Refusals* refused, const Action& action, Guard guard, int taken = -1) {
  if (refused != nullptr) refused->push_back({action, guard, taken});
}

Action action_of(Kind kind, int i, int peer = 0) {
  return {kind, static_cast<uint8_t>(i), static_cast<uint8_t>(peer)};
}

void reply(State& s, const Message& response, const Message& request) {
  s.messages.remove(request);
  s.messages.add(response);
}

void restart(const State& s, int i, Successors& out) {
  State next = s;
  Server& server = next.servers[i];
  server.role = Role::kFollower;
  server.votes_responded = 0;
  server.votes_granted = 0;
  server.next_index.fill(1);
  server.match_index.fill(0);
  server.commit_index = server.snapshot_index;  // 0 in raft.tla, which has no snapshots
  ++next.restarts;
  out.push_back({action_of(Kind::kRestart, i), std::move(next)});
}

// CheckQuorum's step down (Config::check_quorum): a leader becomes a
// follower of its own term; nothing else changes.
void check_quorum_step_down(const State& s, int i, Successors& out, Refusals* refused) {
  if (s.servers[i].role != Role::kLeader) {
    return refuse(refused, action_of(Kind::kCheckQuorumStepDown, i), Guard::kAdvanceState);
  }
  State next = s;
  next.servers[i].role = Role::kFollower;
  out.push_back({action_of(Kind::kCheckQuorumStepDown, i), std::move(next)});
}

// PreVote's term news (Config::pre_vote): server i becomes a follower of
// a newer term t that some server has reached, with no vote, as UpdateTerm
// does for a message of term t. A refused pre-vote carries the refuser's
// term, which only grows, so some server has t when the answer arrives.
void update_term_from_pre_vote(const State& s, int i, int servers, Successors& out) {
  int newest = 0;
  for (int j = 0; j < servers; ++j) newest = std::max<int>(newest, s.servers[j].current_term);
  for (int t = s.servers[i].current_term + 1; t <= newest; ++t) {
    State next = s;
    Server& me = next.servers[i];
    me.current_term = static_cast<uint8_t>(t);
    me.role = Role::kFollower;
    me.voted_for = kNil;
    Action action = action_of(Kind::kUpdateTermFromPreVote, i);
    action.value = static_cast<uint8_t>(t);
    out.push_back({action, std::move(next)});
  }
}

void timeout(const State& s, int i, Successors& out, Refusals* refused) {
  const Server& me = s.servers[i];
  if (me.role != Role::kFollower && me.role != Role::kCandidate) {
    return refuse(refused, action_of(Kind::kTimeout, i), Guard::kTimeoutState);
  }
  State next = s;
  Server& server = next.servers[i];
  server.role = Role::kCandidate;
  ++server.current_term;
  server.voted_for = kNil;
  server.votes_responded = 0;
  server.votes_granted = 0;
  out.push_back({{Kind::kTimeout, static_cast<uint8_t>(i)}, std::move(next)});
}

// RequestVote(i, j) for every j that has not answered yet.
void request_vote(const State& s, int i, int servers, Successors& out, Refusals* refused) {
  const Server& me = s.servers[i];
  const auto id = static_cast<uint8_t>(i);
  for (int j = 0; j < servers; ++j) {
    const Guard guard = me.role != Role::kCandidate        ? Guard::kRequestVoteState
                        : (me.votes_responded & (1u << j)) ? Guard::kNotResponded
                                                           : Guard::kNone;
    if (guard != Guard::kNone) {
      refuse(refused, action_of(Kind::kRequestVote, i, j), guard);
      continue;
    }
    Message m;
    m.type = MessageType::kRequestVoteRequest;
    m.term = me.current_term;
    m.last_log_term = me.log.last_term();
    m.last_log_index = static_cast<uint8_t>(me.log.length());
    m.source = id;
    m.dest = static_cast<uint8_t>(j);
    State next = s;
    next.messages.add(m);
    out.push_back({action_of(Kind::kRequestVote, i, j), std::move(next)});
  }
}

void become_leader(const State& s, int i, int servers, Successors& out, Refusals* refused) {
  const Server& me = s.servers[i];
  if (me.role != Role::kCandidate) {
    return refuse(refused, action_of(Kind::kBecomeLeader, i), Guard::kBecomeLeaderState);
  }
  if (!is_quorum_of(me.votes_granted, configuration_of(me.log, servers))) {
    return refuse(refused, action_of(Kind::kBecomeLeader, i), Guard::kVotesQuorum);
  }
  State next = s;
  Server& server = next.servers[i];
  server.role = Role::kLeader;
  server.next_index.fill(static_cast<uint8_t>(me.log.length() + 1));
  server.match_index.fill(0);
  next.history.leaders[me.current_term] |= static_cast<uint8_t>(1u << i);
  out.push_back({{Kind::kBecomeLeader, static_cast<uint8_t>(i)}, std::move(next)});
}

// ClientRequest(i, v) for every value v.
void client_request(const State& s, int i, int values, Successors& out, Refusals* refused) {
  const Server& me = s.servers[i];
  const Guard guard = me.role != Role::kLeader ? Guard::kClientRequestState
                      : me.log.full()          ? Guard::kLogRoom
                                               : Guard::kNone;
  for (int v = 1; v <= values; ++v) {
    Action action = action_of(Kind::kClientRequest, i);
    action.value = static_cast<uint8_t>(v);
    if (guard != Guard::kNone) {
      refuse(refused, action, guard);
      continue;
    }
    State next = s;
    next.servers[i].log.append({me.current_term, static_cast<uint8_t>(v)});
    out.push_back({action, std::move(next)});
  }
}

// ChangeMembership(i, c) (Config::membership; thesis §4.1): leader i
// appends configuration c, which adds or removes one server other than i,
// once its latest configuration is committed ("the leader ... will not
// begin another change until the first change has been committed") and
// an entry of its own term is (the rule Ongaro added in 2015: without it,
// two leaders elected by changes of different terms may not overlap).
Guard membership_change_guard(const Server& me, int servers) {
  bool own_term_committed = false;
  for (int index = 1; index <= me.commit_index; ++index)
    own_term_committed = own_term_committed || me.log.term_at(index) == me.current_term;
  return me.role != Role::kLeader                            ? Guard::kClientRequestState
         : me.log.full()                                     ? Guard::kLogRoom
         : configuration_index(me.log) > me.commit_index     ? Guard::kConfigurationCommitted
         : configuration_of(me.log, servers).old_voters != 0 ? Guard::kNotJoint
         : !own_term_committed                               ? Guard::kTermEntryCommitted
                                                             : Guard::kNone;
}

void change_membership(const State& s, int i, int servers, Successors& out, Refusals* refused) {
  const Server& me = s.servers[i];
  const uint32_t current = configuration_of(me.log, servers).voters;
  const Guard guard = membership_change_guard(me, servers);
  for (int j = 0; j < servers; ++j) {
    if (j == i) continue;
    Action action = action_of(Kind::kChangeMembership, i);
    action.value = static_cast<uint8_t>(current ^ (1u << j));
    if (guard != Guard::kNone) {
      refuse(refused, action, guard);
      continue;
    }
    State next = s;
    next.servers[i].log.append({me.current_term, 0, action.value});
    out.push_back({action, std::move(next)});
  }
}

// ChangeMembershipJoint(i, c) (Config::joint_consensus): as
// ChangeMembership, for new voters c that keep i and change two or more.
void change_membership_jointly(const State& s, int i, int servers, Successors& out,
                               Refusals* refused) {
  const Server& me = s.servers[i];
  const uint32_t current = configuration_of(me.log, servers).voters;
  const Guard guard = membership_change_guard(me, servers);
  for (uint32_t voters = 1; voters < (1u << servers); ++voters) {
    if (!(voters & (1u << i)) || std::popcount(voters ^ current) < 2) continue;
    Action action = action_of(Kind::kChangeMembershipJoint, i);
    action.value = static_cast<uint8_t>(voters);
    if (guard != Guard::kNone) {
      refuse(refused, action, guard);
      continue;
    }
    State next = s;
    next.servers[i].log.append({me.current_term, 0, action.value, static_cast<uint8_t>(current)});
    out.push_back({action, std::move(next)});
  }
}

// LeaveJoint(i): leader i, whose latest configuration is joint and
// committed, appends its new voters alone.
void leave_joint(const State& s, int i, int servers, Successors& out, Refusals* refused) {
  const Server& me = s.servers[i];
  const Action action = action_of(Kind::kLeaveJoint, i);
  const Configuration current = configuration_of(me.log, servers);
  const Guard guard = me.role != Role::kLeader  ? Guard::kClientRequestState
                      : me.log.full()           ? Guard::kLogRoom
                      : current.old_voters == 0 ? Guard::kJoint
                      : configuration_index(me.log) > me.commit_index
                          ? Guard::kConfigurationCommitted
                          : Guard::kNone;
  if (guard != Guard::kNone) return refuse(refused, action, guard);
  State next = s;
  next.servers[i].log.append({me.current_term, 0, static_cast<uint8_t>(current.voters)});
  out.push_back({action, std::move(next)});
}

}  // namespace

int highest_agreed_index(const Server& me, int i, int servers) {
  const Configuration configuration = configuration_of(me.log, servers);
  for (int index = me.log.length(); index >= 1; --index) {
    uint32_t agree = 1u << i;
    for (int k = 0; k < servers; ++k) {
      if (me.match_index[k] >= index) agree |= 1u << k;
    }
    if (is_quorum_of(agree, configuration)) return index;
  }
  return 0;
}

namespace {

void advance_commit_index(const State& s, int i, int servers, Successors& out, Refusals* refused) {
  const Server& me = s.servers[i];
  const Action action = action_of(Kind::kAdvanceCommitIndex, i);
  if (me.role != Role::kLeader) return refuse(refused, action, Guard::kAdvanceState);
  const int agreed = highest_agreed_index(me, i, servers);
  const Guard no_commit = agreed == 0                                 ? Guard::kAgreeIndexes
                          : me.log.term_at(agreed) != me.current_term ? Guard::kCommitCurrentTerm
                                                                      : Guard::kNone;
  if (no_commit != Guard::kNone) {
    refuse(refused, action, no_commit, static_cast<int>(out.size()));  // the ELSE branch, below
  }
  State next = s;
  Server& server = next.servers[i];
  if (no_commit == Guard::kNone) {
    server.commit_index = static_cast<uint8_t>(agreed);
    History& history = next.history;
    for (int index = history.committed_length + 1; index <= agreed; ++index) {
      history.committed[index - 1] = {me.log.at(index), me.current_term};
      history.committed_length = static_cast<uint8_t>(index);
    }
  }
  out.push_back({action, std::move(next)});
}

Message append_entries_request(const Server& me, int i, int j) {
  const int next_index = me.next_index[j];
  const int prev_log_index = next_index - 1;
  const int last_entry = std::min(me.log.length(), next_index);
  Message m;
  m.type = MessageType::kAppendEntriesRequest;
  m.term = me.current_term;
  m.prev_log_index = static_cast<uint8_t>(prev_log_index);
  m.prev_log_term = me.log.term_at(prev_log_index);
  if (next_index <= last_entry) {
    m.has_entry = true;
    m.entry = me.log.at(next_index);
  }
  m.commit_index = static_cast<uint8_t>(std::min<int>(me.commit_index, last_entry));
  m.source = static_cast<uint8_t>(i);
  m.dest = static_cast<uint8_t>(j);
  return m;
}

// AppendEntries(i, j) for every other server j (whose next entry i has
// not compacted away).
void append_entries(const State& s, int i, int servers, Successors& out, Refusals* refused) {
  const Server& me = s.servers[i];
  for (int j = 0; j < servers; ++j) {
    if (j == i) continue;
    const Guard guard = me.role != Role::kLeader                ? Guard::kAppendEntriesState
                        : me.next_index[j] <= me.snapshot_index ? Guard::kEntriesKept
                                                                : Guard::kNone;
    if (guard != Guard::kNone) {
      refuse(refused, action_of(Kind::kAppendEntries, i, j), guard);
      continue;
    }
    State next = s;
    next.messages.add(append_entries_request(me, i, j));
    out.push_back({action_of(Kind::kAppendEntries, i, j), std::move(next)});
  }
}

// Receive(m) by the handler `kind`.
Action receive_action(const Message& m, Kind kind) {
  Action action{kind, m.dest};
  action.message = m;
  return action;
}

// A step of Receive(m), by the handler `kind`.
void emit(const Message& m, Kind kind, State next, Successors& out) {
  out.push_back({receive_action(m, kind), std::move(next)});
}

// The handler of m's type for a message of the receiver's term.
Kind handler_of(const Message& m) {
  switch (m.type) {
    case MessageType::kRequestVoteRequest: return Kind::kHandleRequestVoteRequest;
    case MessageType::kRequestVoteResponse: return Kind::kHandleRequestVoteResponse;
    case MessageType::kAppendEntriesRequest: return Kind::kHandleAppendEntriesRequest;
    case MessageType::kAppendEntriesResponse: return Kind::kHandleAppendEntriesResponse;
    case MessageType::kInstallSnapshot: return Kind::kHandleInstallSnapshotRequest;
  }
  return Kind::kHandleRequestVoteRequest;
}

bool is_request(const Message& m) {
  return m.type == MessageType::kRequestVoteRequest ||
         m.type == MessageType::kAppendEntriesRequest || m.type == MessageType::kInstallSnapshot;
}

// m stays in the bag, to be handled in the new term.
void update_term(const State& s, const Message& m, Successors& out) {
  State next = s;
  Server& server = next.servers[m.dest];
  server.current_term = m.term;
  server.role = Role::kFollower;
  server.voted_for = kNil;
  emit(m, Kind::kUpdateTerm, std::move(next), out);
}

void handle_request_vote_request(const State& s, const Message& m, Successors& out,
                                 Refusals* refused) {
  const int i = m.dest;
  const int j = m.source;
  const Server& me = s.servers[i];
  const bool log_ok =
      m.last_log_term > me.log.last_term() ||
      (m.last_log_term == me.log.last_term() && m.last_log_index >= me.log.length());
  const Guard no_grant = m.term != me.current_term                   ? Guard::kGrantTerm
                         : !log_ok                                   ? Guard::kGrantLogOk
                         : me.voted_for != kNil && me.voted_for != j ? Guard::kGrantVotedFor
                                                                     : Guard::kNone;
  const bool grant = no_grant == Guard::kNone;
  if (!grant) {
    refuse(refused, receive_action(m, Kind::kHandleRequestVoteRequest), no_grant,
           static_cast<int>(out.size()));
  }
  State next = s;
  if (grant) next.servers[i].voted_for = static_cast<int8_t>(j);
  Message response;
  response.type = MessageType::kRequestVoteResponse;
  response.term = me.current_term;
  response.vote_granted = grant;
  response.source = m.dest;
  response.dest = m.source;
  reply(next, response, m);
  emit(m, Kind::kHandleRequestVoteRequest, std::move(next), out);
}

// HandleRequestVoteResponse and HandleAppendEntriesResponse, or
// DropStaleResponse for a response of an older term.
void handle_response(const State& s, const Message& m, Successors& out, Refusals* refused) {
  const int i = m.dest;
  const int j = m.source;
  if (m.term < s.servers[i].current_term) {
    refuse(refused, receive_action(m, handler_of(m)), Guard::kResponseTerm);
    State next = s;
    next.messages.remove(m);
    emit(m, Kind::kDropStaleResponse, std::move(next), out);
    return;
  }
  refuse(refused, receive_action(m, Kind::kDropStaleResponse), Guard::kStaleTerm);
  State next = s;
  Server& server = next.servers[i];
  if (m.type == MessageType::kRequestVoteResponse) {
    server.votes_responded |= static_cast<uint8_t>(1u << j);
    if (m.vote_granted) server.votes_granted |= static_cast<uint8_t>(1u << j);
  } else if (m.success) {
    server.next_index[j] = static_cast<uint8_t>(m.match_index + 1);
    server.match_index[j] = m.match_index;
  } else {
    server.next_index[j] = static_cast<uint8_t>(std::max(server.next_index[j] - 1, 1));
  }
  next.messages.remove(m);
  emit(m, handler_of(m), std::move(next), out);
}

// The answer to an AppendEntries request (or an InstallSnapshot), before
// its verdict.
Message append_response(const Server& me, const Message& m) {
  Message response;
  response.type = MessageType::kAppendEntriesResponse;
  response.term = me.current_term;
  response.source = m.dest;
  response.dest = m.source;
  return response;
}

// Receive(m) by `kind`: the reply `response` sent and m gone.
void answer(const State& s, const Message& m, Kind kind, const Message& response, Successors& out) {
  State next = s;
  reply(next, response, m);
  emit(m, kind, std::move(next), out);
}

// "return to follower state": a candidate of the request's term steps
// down; the request stays, to be handled as a follower's.
void return_to_follower(const State& s, const Message& m, Kind kind, Successors& out) {
  State next = s;
  next.servers[m.dest].role = Role::kFollower;
  emit(m, kind, std::move(next), out);
}

void handle_append_entries_request(const State& s, const Message& m, Successors& out,
                                   Refusals* refused) {
  constexpr Kind kHandle = Kind::kHandleAppendEntriesRequest;
  const Action action = receive_action(m, kHandle);
  const int i = m.dest;
  const Server& me = s.servers[i];
  const Log& log = me.log;
  const bool log_ok = m.prev_log_index == 0 || (m.prev_log_index <= log.length() &&
                                                m.prev_log_term == log.term_at(m.prev_log_index));
  Message response = append_response(me, m);
  if (m.term < me.current_term || (me.role == Role::kFollower && !log_ok)) {  // reject request
    const Guard no_accept = m.term < me.current_term ? Guard::kAcceptTerm : Guard::kAcceptLogOk;
    refuse(refused, action, no_accept, static_cast<int>(out.size()));
    return answer(s, m, kHandle, response, out);
  }
  if (me.role == Role::kCandidate) return return_to_follower(s, m, kHandle, out);
  if (me.role != Role::kFollower) return refuse(refused, action, Guard::kAcceptState);
  const int index = m.prev_log_index + 1;
  const bool already_done =
      !m.has_entry || (log.length() >= index && log.term_at(index) == m.entry.term);
  if (already_done) {
    State next = s;
    next.servers[i].commit_index = m.commit_index;
    response.success = true;
    response.match_index = static_cast<uint8_t>(m.prev_log_index + (m.has_entry ? 1 : 0));
    reply(next, response, m);
    emit(m, kHandle, std::move(next), out);
  } else if (log.length() >= index) {  // conflict: remove 1 entry
    refuse(refused, action, Guard::kDoneEntryMatches, static_cast<int>(out.size()));
    State next = s;
    Log& changed = next.servers[i].log;
    changed.truncate(changed.length() - 1);
    emit(m, kHandle, std::move(next), out);
  } else if (log.length() == m.prev_log_index && !log.full()) {  // no conflict: append entry
    refuse(refused, action, Guard::kDoneHasEntry, static_cast<int>(out.size()));
    State next = s;
    next.servers[i].log.append(m.entry);
    emit(m, kHandle, std::move(next), out);
  } else {
    refuse(refused, action, Guard::kAppendRoom);
  }
}

// CompactLog(i) (Config::snapshots): "each server takes snapshots
// independently, covering just the committed entries in its log" (§7).
void compact_log(const State& s, int i, Successors& out, Refusals* refused) {
  const Server& me = s.servers[i];
  if (me.commit_index <= me.snapshot_index) {
    return refuse(refused, action_of(Kind::kCompactLog, i), Guard::kCompactCommitted);
  }
  State next = s;
  next.servers[i].snapshot_index = me.commit_index;
  out.push_back({action_of(Kind::kCompactLog, i), std::move(next)});
}

// SendSnapshot(i, j) for every j whose next entry leader i has compacted.
void send_snapshot(const State& s, int i, int servers, Successors& out, Refusals* refused) {
  const Server& me = s.servers[i];
  for (int j = 0; j < servers; ++j) {
    if (j == i) continue;
    const Guard guard = me.role != Role::kLeader               ? Guard::kAppendEntriesState
                        : me.next_index[j] > me.snapshot_index ? Guard::kSnapshotNeeded
                                                               : Guard::kNone;
    if (guard != Guard::kNone) {
      refuse(refused, action_of(Kind::kSendSnapshot, i, j), guard);
      continue;
    }
    Message m;
    m.type = MessageType::kInstallSnapshot;
    m.term = me.current_term;
    m.source = static_cast<uint8_t>(i);
    m.dest = static_cast<uint8_t>(j);
    for (int index = 1; index <= me.snapshot_index; ++index) m.snapshot.append(me.log.at(index));
    State next = s;
    next.messages.add(m);
    out.push_back({action_of(Kind::kSendSnapshot, i, j), std::move(next)});
  }
}

// HandleInstallSnapshotRequest (§7), with HandleAppendEntriesRequest's
// term and role cases. A snapshot beyond the follower's own is installed:
// if the follower's log holds its last entry, the entries after it are
// kept; otherwise the log becomes the snapshot and the commit index its
// last. Either way the answer is a success up to the snapshot's last
// index.
void handle_install_snapshot(const State& s, const Message& m, Successors& out, Refusals* refused) {
  constexpr Kind kHandle = Kind::kHandleInstallSnapshotRequest;
  const Action action = receive_action(m, kHandle);
  const int i = m.dest;
  const Server& me = s.servers[i];
  Message response = append_response(me, m);
  if (m.term < me.current_term) {
    refuse(refused, action, Guard::kAcceptTerm, static_cast<int>(out.size()));
    return answer(s, m, kHandle, response, out);
  }
  if (me.role == Role::kCandidate) return return_to_follower(s, m, kHandle, out);
  if (me.role != Role::kFollower) return refuse(refused, action, Guard::kAcceptState);
  State next = s;
  Server& server = next.servers[i];
  const int last = m.snapshot.length();
  if (last > me.snapshot_index) {
    const bool describes_prefix =
        me.log.length() >= last && me.log.term_at(last) == m.snapshot.last_term();
    if (describes_prefix) {
      server.commit_index = std::max(me.commit_index, static_cast<uint8_t>(last));
    } else {
      server.log = m.snapshot;
      server.commit_index = static_cast<uint8_t>(last);
    }
    server.snapshot_index = static_cast<uint8_t>(last);
  }
  response.success = true;
  response.match_index = static_cast<uint8_t>(last);
  reply(next, response, m);
  emit(m, kHandle, std::move(next), out);
}

}  // namespace

void RaftModel::server_successors(const State& s, int i, Successors& out, Refusals* refused) const {
  const int n = config_.servers;
  restart(s, i, out);
  timeout(s, i, out, refused);
  request_vote(s, i, n, out, refused);
  become_leader(s, i, n, out, refused);
  client_request(s, i, config_.values, out, refused);
  advance_commit_index(s, i, n, out, refused);
  append_entries(s, i, n, out, refused);
  if (config_.check_quorum) check_quorum_step_down(s, i, out, refused);
  if (config_.pre_vote) update_term_from_pre_vote(s, i, n, out);
  if (config_.membership) change_membership(s, i, n, out, refused);
  if (config_.joint_consensus) {
    change_membership_jointly(s, i, n, out, refused);
    leave_joint(s, i, n, out, refused);
  }
  if (config_.snapshots) {
    compact_log(s, i, out, refused);
    send_snapshot(s, i, n, out, refused);
  }
  for (const Bag::Item& item : s.messages) {  // Receive(m), m.mdest = i
    if (item.message.dest == i) receive(s, item.message, out, refused);
  }
}

void RaftModel::receive(const State& s, const Message& m, Successors& out,
                        Refusals* refused) const {
  if (m.term > s.servers[m.dest].current_term) {
    update_term(s, m, out);
    const Guard handler_guard = is_request(m) ? Guard::kRequestTerm : Guard::kResponseTerm;
    refuse(refused, receive_action(m, handler_of(m)), handler_guard);
    if (!is_request(m))
      refuse(refused, receive_action(m, Kind::kDropStaleResponse), Guard::kStaleTerm);
    return;
  }
  refuse(refused, receive_action(m, Kind::kUpdateTerm), Guard::kNewerTerm);
  switch (m.type) {
    case MessageType::kRequestVoteRequest: handle_request_vote_request(s, m, out, refused); return;
    case MessageType::kRequestVoteResponse:
    case MessageType::kAppendEntriesResponse: handle_response(s, m, out, refused); return;
    case MessageType::kAppendEntriesRequest:
      handle_append_entries_request(s, m, out, refused);
      return;
    case MessageType::kInstallSnapshot: handle_install_snapshot(s, m, out, refused); return;
  }
}

bool RaftModel::take(State& s, const Action& action, Successors& scratch) const {
  scratch.clear();
  const int i = action.server;
  const int n = config_.servers;
  switch (action.kind) {
    case Kind::kRestart: restart(s, i, scratch); break;
    case Kind::kTimeout: timeout(s, i, scratch, nullptr); break;
    case Kind::kRequestVote: request_vote(s, i, n, scratch, nullptr); break;
    case Kind::kBecomeLeader: become_leader(s, i, n, scratch, nullptr); break;
    case Kind::kClientRequest: client_request(s, i, config_.values, scratch, nullptr); break;
    case Kind::kAdvanceCommitIndex: advance_commit_index(s, i, n, scratch, nullptr); break;
    case Kind::kAppendEntries: append_entries(s, i, n, scratch, nullptr); break;
    case Kind::kCheckQuorumStepDown:
      if (config_.check_quorum) check_quorum_step_down(s, i, scratch, nullptr);
      break;
    case Kind::kUpdateTermFromPreVote:
      if (config_.pre_vote) update_term_from_pre_vote(s, i, n, scratch);
      break;
    case Kind::kChangeMembership:
      if (config_.membership) change_membership(s, i, n, scratch, nullptr);
      break;
    case Kind::kChangeMembershipJoint:
      if (config_.joint_consensus) change_membership_jointly(s, i, n, scratch, nullptr);
      break;
    case Kind::kLeaveJoint:
      if (config_.joint_consensus) leave_joint(s, i, n, scratch, nullptr);
      break;
    case Kind::kCompactLog:
      if (config_.snapshots) compact_log(s, i, scratch, nullptr);
      break;
    case Kind::kSendSnapshot:
      if (config_.snapshots) send_snapshot(s, i, n, scratch, nullptr);
      break;
    case Kind::kDuplicateMessage:
    case Kind::kDropMessage:
      if (s.messages.count(action.message) > 0) network_successors(s, action.message, scratch);
      break;
    default:  // Receive(m): one successor, by the handler m gets
      if (s.messages.count(action.message) > 0) receive(s, action.message, scratch, nullptr);
      break;
  }
  const bool receive =
      action.kind >= Kind::kUpdateTerm && action.kind <= Kind::kHandleInstallSnapshotRequest;
  for (auto& [taken, next] : scratch) {
    if (receive ||
        (taken.kind == action.kind && taken.peer == action.peer && taken.value == action.value)) {
      s = std::move(next);
      return true;
    }
  }
  return false;
}

void RaftModel::network_successors(const State& s, const Message& m, Successors& out) const {
  Action action{Kind::kDuplicateMessage, m.dest};
  action.message = m;
  State duplicated = s;
  duplicated.messages.add(m);
  out.push_back({action, std::move(duplicated)});
  action.kind = Kind::kDropMessage;
  State dropped = s;
  dropped.messages.remove(m);
  out.push_back({action, std::move(dropped)});
}

void RaftModel::successors(const State& s, Successors& out) const {
  for (int i = 0; i < config_.servers; ++i) server_successors(s, i, out);
  for (const Bag::Item& item : s.messages) network_successors(s, item.message, out);
}

}  // namespace crosscheck::spec::raft
