// Receiving a message: etcdraft.tla's Receive, with the departures etcd's
// code makes (docs/validate.md): PreVote, a follower that knows its leader
// refusing votes, votes ignored within a lease, and stale AppendEntries
// answered with a success of index 0.
#include <algorithm>

#include "trace/raft/spec.h"

namespace crosscheck::trace::raft {

namespace {

bool log_ok_for_vote(const LogStore& logs, LogId log, const SpecMessage& m) {
  const uint64_t last_term = logs.last_term(log);
  return m.last_log_term > last_term ||
         (m.last_log_term == last_term && m.last_log_index >= logs.length(log));
}

// The entries an AppendEntries request carries, first to last, as (term,
// configuration) pairs.
std::vector<std::pair<uint64_t, ConfigId>> entries_of(const LogStore& logs, const SpecMessage& m) {
  std::vector<std::pair<uint64_t, ConfigId>> entries;
  for (uint64_t k = m.entry_count; k >= 1; --k) {
    const uint64_t index = m.prev_log_index + k;
    entries.emplace_back(logs.term_at(m.entries_end, index), logs.config_at(m.entries_end, index));
  }
  std::reverse(entries.begin(), entries.end());
  return entries;
}

}  // namespace

void Spec::handle_vote_request(State& s, int i, const SpecMessage& m, Reading reading) {
  NodeState& n = s.nodes[i];
  const bool log_ok = log_ok_for_vote(logs_, n.log, m);
  bool grant = false;
  if (m.term >= n.term) {
    // etcd refuses a vote while it knows a leader of the term; raft.tla
    // does not ask.
    const bool free = n.voted_for == 0 && (!n.knows_leader || reading == Reading::kRaftTla);
    const bool can_vote = n.voted_for == m.source || free || (m.pre_vote && m.term > n.term);
    grant = can_vote && log_ok;
    // The thesis's PreVote (§9.6) grants only a term past the receiver's.
    if (m.pre_vote && reading == Reading::kRaftTla) grant = m.term > n.term && log_ok;
  }
  SpecMessage reply;
  reply.kind = MessageKind::kVoteResponse;
  reply.pre_vote = m.pre_vote;
  reply.term = grant ? m.term : n.term;
  reply.granted = grant;
  reply.source = m.dest;
  reply.dest = m.source;
  if (grant && !m.pre_vote) n.voted_for = m.source;
  answer(s, reply);
}

bool Spec::handle_vote_response(State& s, int i, const SpecMessage& m, std::string& why) const {
  NodeState& n = s.nodes[i];
  const Role campaigning = m.pre_vote ? Role::kPreCandidate : Role::kCandidate;
  if (m.term < n.term) return true;  // stale: dropped
  if (!m.pre_vote && m.term != n.term) {
    why = "a vote of term " + std::to_string(m.term) + " reached it in term " +
          std::to_string(n.term);
    return false;
  }
  if (n.role != campaigning) return true;  // etcd reads it only while campaigning
  n.votes_responded |= bit(m.source);
  if (m.granted) n.votes_granted |= bit(m.source);
  return true;
}

bool Spec::handle_append_request(State& s, int i, const SpecMessage& m, Reading reading) {
  NodeState& n = s.nodes[i];
  SpecMessage reply;
  reply.kind = MessageKind::kAppendResponse;
  reply.source = m.dest;
  reply.dest = m.source;
  reply.term = n.term;
  if (m.term < n.term) {
    // etcd answers a stale AppendEntries with an empty MsgAppResp (no
    // rejection); raft.tla rejects it. Either makes the old leader step down.
    reply.success = reading != Reading::kRaftTla;
    answer(s, reply);
    return true;
  }
  if (n.role == Role::kLeader) return false;  // two leaders of one term
  n.role = Role::kFollower;                   // a candidate returns to follower
  n.knows_leader = true;
  const uint64_t length = logs_.length(n.log);
  const bool log_ok =
      m.prev_log_index == 0 ||
      (m.prev_log_index <= length && logs_.term_at(n.log, m.prev_log_index) == m.prev_log_term);
  if (!log_ok) {
    answer(s, reply);
    return true;
  }
  const uint64_t index = m.prev_log_index + 1;
  reply.success = true;
  reply.subtype = m.subtype == Subtype::kHeartbeat ? Subtype::kHeartbeat : Subtype::kApp;
  // etcd answers a request for committed entries with its commit index and
  // appends nothing; raft.tla treats it as any other.
  if (index <= n.commit && reading != Reading::kRaftTla) {
    if (m.subtype == Subtype::kHeartbeat) n.commit = std::max(n.commit, m.commit);
    reply.match_index = m.subtype == Subtype::kHeartbeat ? m.prev_log_index : n.commit;
    answer(s, reply);
    return true;
  }
  const auto entries = entries_of(logs_, m);
  for (uint64_t k = 0; k < entries.size(); ++k) {
    const uint64_t at = index + k;
    if (at > logs_.length(n.log)) {
      n.log = logs_.append(n.log, entries[k].first, entries[k].second);
    } else if (logs_.term_at(n.log, at) != entries[k].first) {
      n.log = logs_.append(logs_.prefix(n.log, at - 1), entries[k].first, entries[k].second);
    }
  }
  const uint64_t last_new = m.prev_log_index + entries.size();
  n.commit = std::max(n.commit, std::min(m.commit, last_new));
  reply.match_index = last_new;
  answer(s, reply);
  return true;
}

bool Spec::handle_append_response(State& s, int i, const SpecMessage& m, std::string& why) const {
  NodeState& n = s.nodes[i];
  if (m.term < n.term) return true;  // stale: dropped
  if (m.term > n.term) {
    why = "an answer of term " + std::to_string(m.term) + " reached it in term " +
          std::to_string(n.term);
    return false;
  }
  if (m.success && n.role == Role::kLeader) {
    uint64_t& match = n.match[position(m.source)];
    match = std::max(match, m.match_index);
  }
  return true;
}

Spec::Result Spec::receive(const State& s, MessageId id, Reading reading, std::string& why) {
  const SpecMessage& m = messages_.get(id);
  const int i = position(m.dest);
  State next = s;
  take(next.messages, id);
  next.last_answers.clear();
  NodeState& n = next.nodes[i];
  const bool vote_request = m.kind == MessageKind::kVoteRequest;
  if (reading == Reading::kIgnoreInLease) {
    if (!vote_request || m.term <= n.term) {
      why = "only a vote request of a newer term waits out a lease";
      return std::nullopt;
    }
    return next;
  }
  if (m.term > n.term) {
    const bool keeps_term = (vote_request && m.pre_vote) ||
                            (m.kind == MessageKind::kVoteResponse && m.pre_vote && m.granted);
    if (!keeps_term) {
      become_follower_of_term(n, m.term);
      n.knows_leader = m.kind == MessageKind::kAppendRequest;
    }
  }
  bool handled = true;
  switch (m.kind) {
    case MessageKind::kVoteRequest: handle_vote_request(next, i, m, reading); break;
    case MessageKind::kVoteResponse: handled = handle_vote_response(next, i, m, why); break;
    case MessageKind::kAppendRequest:
      handled = handle_append_request(next, i, m, reading);
      if (!handled) why = "a leader got an AppendEntries request of its own term";
      break;
    case MessageKind::kAppendResponse: handled = handle_append_response(next, i, m, why); break;
    case MessageKind::kTimeoutNow: break;  // the campaign it starts is an event of its own
  }
  if (!handled) return std::nullopt;
  return next;
}

}  // namespace crosscheck::trace::raft
