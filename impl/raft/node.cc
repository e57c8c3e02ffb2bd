#include "impl/raft/node.h"

#include <algorithm>
#include <bit>

#include "impl/common/assert.h"

namespace crosscheck::impl::raft {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::kFollower: return "follower";
    case Role::kCandidate: return "candidate";
    case Role::kLeader: return "leader";
    case Role::kPreCandidate: return "pre-candidate";
  }
  return "?";
}

std::string_view to_string(MessageType type) {
  switch (type) {
    case MessageType::kRequestVoteRequest: return "RequestVote";
    case MessageType::kRequestVoteResponse: return "RequestVoteResponse";
    case MessageType::kAppendEntriesRequest: return "AppendEntries";
    case MessageType::kAppendEntriesResponse: return "AppendEntriesResponse";
    case MessageType::kPreVoteRequest: return "PreVote";
    case MessageType::kPreVoteResponse: return "PreVoteResponse";
    case MessageType::kTimeoutNow: return "TimeoutNow";
    case MessageType::kInstallSnapshot: return "InstallSnapshot";
  }
  return "?";
}

std::string_view to_string(Timer timer) {
  switch (timer) {
    case Timer::kElection: return "election";
    case Timer::kHeartbeat: return "heartbeat";
  }
  return "?";
}

std::string_view to_string(LocalViolation violation) {
  switch (violation) {
    case LocalViolation::kNone: return "none";
    case LocalViolation::kTermDecreased: return "current term decreased";
    case LocalViolation::kCommitDecreased: return "commit index decreased";
    case LocalViolation::kCommitBeyondLog: return "commit index beyond the end of the log";
  }
  return "?";
}

void Message::hash(StableHasher& hasher) const {
  // Two words rather than a mix per field: hashing is on the checker's hot
  // path.
  const uint64_t header =
      uint64_t{static_cast<uint8_t>(type)} | uint64_t{term} << 8 | uint64_t{last_log_term} << 16 |
      uint64_t{last_log_index} << 24 | uint64_t{vote_granted} << 32 | uint64_t{has_entry} << 33 |
      uint64_t{success} << 34 | uint64_t{transfer} << 35 | uint64_t{entry.old_voters} << 40;
  const uint64_t body = uint64_t{prev_log_index} | uint64_t{prev_log_term} << 8 |
                        uint64_t{entry.term} << 16 | uint64_t{entry.value} << 24 |
                        uint64_t{commit_index} << 32 | uint64_t{match_index} << 40 |
                        uint64_t{read_round} << 48 | uint64_t{entry.voters} << 56;
  hasher.add(header).add(body);
  if (type == MessageType::kInstallSnapshot) hash_snapshot(snapshot, hasher);
}

namespace {

std::string set_label(uint8_t members) {
  std::string text;
  for (int j = 0; j < kMaxServers; ++j) {
    if (members & (1u << j)) text += (text.empty() ? "s" : ",s") + std::to_string(j + 1);
  }
  return "{" + text + "}";
}

}  // namespace

std::string entry_label(const Entry& entry) {
  std::string text = std::to_string(entry.term) + ":";
  if (!entry.is_configuration()) return text + std::to_string(entry.value);
  text += set_label(entry.voters);
  return entry.is_joint() ? text + "&" + set_label(entry.old_voters) : text;
}

std::string Message::label() const {
  const std::string t = "term " + std::to_string(term);
  const std::string round = read_round == 0 ? "" : ", read round " + std::to_string(read_round);
  switch (type) {
    case MessageType::kRequestVoteRequest:
      return "RequestVote(" + t + ", last log " + std::to_string(last_log_index) + "/" +
             std::to_string(last_log_term) + (transfer ? ", transfer" : "") + ")";
    case MessageType::kRequestVoteResponse:
      return std::string("RequestVoteResponse(") + t + (vote_granted ? ", granted)" : ", denied)");
    case MessageType::kAppendEntriesRequest: {
      std::string text = "AppendEntries(" + t + ", prev " + std::to_string(prev_log_index) + "/" +
                         std::to_string(prev_log_term);
      if (has_entry) text += ", entry " + entry_label(entry);
      return text + ", commit " + std::to_string(commit_index) + round + ")";
    }
    case MessageType::kAppendEntriesResponse:
      return "AppendEntriesResponse(" + t +
             (success ? ", ok, match " + std::to_string(match_index) : ", failed") + round + ")";
    case MessageType::kPreVoteRequest:
      return "PreVote(" + t + ", last log " + std::to_string(last_log_index) + "/" +
             std::to_string(last_log_term) + ")";
    case MessageType::kPreVoteResponse:
      return std::string("PreVoteResponse(") + t + (vote_granted ? ", granted)" : ", denied)");
    case MessageType::kTimeoutNow: return "TimeoutNow(" + t + ")";
    case MessageType::kInstallSnapshot: {
      std::string text = "InstallSnapshot(" + t + ", last " + std::to_string(snapshot.index) + "/" +
                         std::to_string(snapshot.term) + ", entries";
      for (int k = 0; k < snapshot.index; ++k) text += " " + entry_label(snapshot.entries[k]);
      return text + round + ")";
    }
  }
  return "?";
}

RaftNode::RaftNode(NodeId id, const Config& config)
    : id_(id),
      servers_(static_cast<uint8_t>(config.servers)),
      variant_(config.variant),
      pre_vote_(config.pre_vote),
      check_quorum_(config.check_quorum),
      lease_reads_(config.lease_reads),
      election_timeout_(static_cast<uint8_t>(config.election_timeout)),
      lease_length_(lease_length(config)) {
  CC_ASSERT(config.servers >= 1 && config.servers <= kMaxServers);
  CC_ASSERT(id >= 0 && id < config.servers);
}

// The latest configuration entry in the log, or else in the snapshot (the
// configuration a snapshot carries, as the paper's §7 has it).
const Entry* RaftNode::configuration_entry(int* index_out) const {
  const Snapshot& snapshot = persistent_.snapshot;
  for (int index = last_log_index(); index >= 1; --index) {
    const Entry& entry =
        index > snapshot.index ? entry_at(index) : snapshot.entries[static_cast<size_t>(index - 1)];
    if (!entry.is_configuration()) continue;
    if (index_out != nullptr) *index_out = index;
    return &entry;
  }
  if (index_out != nullptr) *index_out = 0;
  return nullptr;
}

int RaftNode::configuration_index() const {
  int index = 0;
  configuration_entry(&index);
  return index;
}

uint8_t RaftNode::configuration() const {
  const Entry* entry = configuration_entry(nullptr);
  if (entry == nullptr) return static_cast<uint8_t>((1u << servers_) - 1);  // every server
  return entry->voters;
}

uint8_t RaftNode::old_configuration() const {
  const Entry* entry = configuration_entry(nullptr);
  return entry == nullptr ? 0 : entry->old_voters;
}

// A majority of the voters, and in a joint configuration of the old ones too.
bool RaftNode::is_quorum(uint32_t members) const {
  auto majority = [members](uint32_t voters) {
    return std::popcount(members & voters) * 2 > std::popcount(voters);
  };
  const uint32_t old = old_configuration();
  return majority(configuration()) && (old == 0 || majority(old));
}

void RaftNode::start(RaftOutbox& out) { out.set_timer(Timer::kElection); }

void RaftNode::on_message(NodeId from, const Message& m, RaftOutbox& out) {
  CC_ASSERT(from >= 0 && from < servers_);
  const Persistent before = persistent_;
  const uint8_t before_commit = volatile_.commit_index;
  // Any message of a newer term makes the receiver a follower of that term
  // first; then the message is handled in it. Not a pre-vote request, nor
  // a pre-vote granted: their term is one nobody has campaigned in yet.
  const bool names_future_term =
      (m.type == MessageType::kPreVoteRequest && variant_ != Variant::kPreVoteRaisesTerm) ||
      (m.type == MessageType::kPreVoteResponse && m.vote_granted);
  if (ignores_as_in_lease(m)) return;
  if (m.term > persistent_.current_term && !names_future_term) become_follower(m.term, out);
  switch (m.type) {
    case MessageType::kRequestVoteRequest: handle_request_vote(from, m, out); break;
    case MessageType::kRequestVoteResponse: handle_vote_response(from, m, out); break;
    case MessageType::kAppendEntriesRequest: handle_append_entries(from, m, out); break;
    case MessageType::kAppendEntriesResponse: handle_append_response(from, m, out); break;
    case MessageType::kPreVoteRequest: handle_pre_vote(from, m, before.current_term, out); break;
    case MessageType::kPreVoteResponse: handle_pre_vote_response(from, m, out); break;
    case MessageType::kTimeoutNow: handle_timeout_now(m, out); break;
    case MessageType::kInstallSnapshot: handle_install_snapshot(from, m, out); break;
  }
  check_step(before, before_commit);
}

void RaftNode::on_timeout(Timer timer, RaftOutbox& out) {
  const Persistent before = persistent_;
  const uint8_t before_commit = volatile_.commit_index;
  switch (timer) {
    case Timer::kElection:
      volatile_.heard_from_leader = false;
      if (volatile_.role == Role::kLeader) {
        volatile_.transferee = kNoVote;  // a transfer not done by now is abandoned
        check_quorum(out);
      } else if (!is_voter(id_)) {
        out.set_timer(Timer::kElection);  // not a voter: it never stands
      } else {
        pre_vote_ ? pre_campaign(out) : campaign(out);
      }
      break;
    case Timer::kHeartbeat:
      if (volatile_.role == Role::kLeader) {
        if (lease_reads_) begin_lease_round();
        for (NodeId peer = 0; peer < servers_; ++peer) {
          if (is_follower_of_mine(peer)) send_append(peer, out);
        }
        out.set_timer(Timer::kHeartbeat);
      }
      break;
  }
  check_step(before, before_commit);
}

void RaftNode::on_client_request(uint8_t value, RaftOutbox& /*out*/) {
  CC_ASSERT(accepts_client_requests());
  const Persistent before = persistent_;
  const uint8_t before_commit = volatile_.commit_index;
  persistent_.log.push_back({persistent_.current_term, value});
  maybe_commit();  // a single-server cluster commits on its own
  check_step(before, before_commit);
}

void RaftNode::on_transfer_leadership(NodeId target, RaftOutbox& out) {
  CC_ASSERT(can_transfer_leadership(target));
  volatile_.transferee = static_cast<int8_t>(target);
  out.set_timer(Timer::kElection);  // the transfer's deadline
  if (volatile_.match_index[target] == last_log_index()) {
    send_timeout_now_if_ready(target, out);
  } else {
    send_append(target, out);  // catch the target up first
  }
}

void RaftNode::on_read_request(RaftOutbox& out) {
  CC_ASSERT(accepts_reads());
  ReadIndex& read = volatile_.read;
  ++read.round;
  read.index = volatile_.commit_index;
  read.acks = static_cast<uint8_t>(1u << id_);
  read.pending =
      !lease_reads_ && !is_quorum(read.acks) && variant_ != Variant::kReadIndexWithoutQuorumRound;
  if (!read.pending) return;  // answered at once
  for (NodeId peer = 0; peer < servers_; ++peer) {
    if (is_follower_of_mine(peer)) send_append(peer, out);
  }
}

// A leader not handing over, whose latest configuration is committed and
// not joint (one change at a time), and which has committed an entry of
// its own term.
bool RaftNode::may_change_membership() const {
  if (volatile_.role != Role::kLeader || volatile_.transferee != kNoVote) return false;
  if (configuration_index() > volatile_.commit_index || old_configuration() != 0) return false;
  return variant_ == Variant::kSingleServerChangeUnsafe ||
         term_at(volatile_.commit_index) == persistent_.current_term;
}

bool RaftNode::can_change_membership(NodeId target) const {
  return target != id_ && target >= 0 && target < servers_ && may_change_membership();
}

bool RaftNode::can_change_membership_jointly(uint8_t voters) const {
  const uint32_t all = (1u << servers_) - 1;
  return (voters & (1u << id_)) != 0 && (voters & ~all) == 0 &&
         std::popcount(static_cast<uint32_t>(voters ^ configuration())) >= 2 &&
         may_change_membership();
}

void RaftNode::on_joint_change(uint8_t voters, RaftOutbox& /*out*/) {
  CC_ASSERT(can_change_membership_jointly(voters));
  const Persistent before = persistent_;
  const uint8_t before_commit = volatile_.commit_index;
  persistent_.log.push_back({persistent_.current_term, 0, voters, configuration()});
  if (variant_ == Variant::kJointLeaveEarly)
    persistent_.log.push_back({persistent_.current_term, 0, voters});
  maybe_commit();
  check_step(before, before_commit);
}

// "Once the joint consensus has been committed, the system then
// transitions to the new configuration" (§6), as etcd's auto-leave has the
// leader propose it.
void RaftNode::leave_joint_if_committed() {
  const int latest = configuration_index();
  if (volatile_.role != Role::kLeader || latest == 0 || latest > volatile_.commit_index ||
      old_configuration() == 0) {
    return;
  }
  persistent_.log.push_back({persistent_.current_term, 0, configuration()});
  maybe_commit();  // a configuration of the leader alone commits at once
}

void RaftNode::on_change_membership(NodeId target, RaftOutbox& /*out*/) {
  CC_ASSERT(can_change_membership(target));
  const Persistent before = persistent_;
  const uint8_t before_commit = volatile_.commit_index;
  const auto voters = static_cast<uint8_t>(configuration() ^ (1u << target));
  persistent_.log.push_back({persistent_.current_term, 0, voters});
  maybe_commit();
  check_step(before, before_commit);
}

void RaftNode::restart(RaftOutbox& out) {
  volatile_ = Volatile{};
  // The state machine starts from the snapshot (the paper's §7), whose
  // entries are committed.
  volatile_.commit_index = persistent_.snapshot.index;
  for (int k = 0; k < persistent_.snapshot.index; ++k)
    volatile_.applied.push_back(persistent_.snapshot.entries[static_cast<size_t>(k)]);
  if (variant_ == Variant::kVolatileTerm) {
    persistent_.current_term = Persistent{}.current_term;
    persistent_.voted_for = kNoVote;
  }
  out.set_timer(Timer::kElection);
}

std::map<int, int> RaftNode::state_machine() const {
  std::map<int, int> registers;
  for (size_t i = 0; i < volatile_.applied.size(); ++i) {
    if (!volatile_.applied[i].is_configuration())
      registers[volatile_.applied[i].value] = static_cast<int>(i + 1);
  }
  return registers;
}

void RaftNode::hash(StableHasher& hasher) const {
  hasher.add(uint64_t{persistent_.current_term}).add(int{persistent_.voted_for});
  if (persistent_.snapshot.index != 0) hash_snapshot(persistent_.snapshot, hasher);
  hasher.add(static_cast<uint64_t>(persistent_.log.size()));
  for (const Entry& e : persistent_.log)
    hasher.add(uint64_t{e.old_voters} << 24 | uint64_t{e.voters} << 16 | uint64_t{e.term} << 8 |
               e.value);
  hasher.add(volatile_.role).add(uint64_t{volatile_.commit_index});
  hasher.add(uint64_t{volatile_.votes_responded} << 8 | volatile_.votes_granted |
             uint64_t{volatile_.pre_votes} << 16 | uint64_t{volatile_.asking_as_candidate} << 24 |
             uint64_t{volatile_.recently_active} << 32 |
             uint64_t{volatile_.heard_from_leader} << 40 |
             uint64_t{static_cast<uint8_t>(volatile_.transferee)} << 48);
  const ReadIndex& read = volatile_.read;
  hasher.add(uint64_t{read.round} | uint64_t{read.pending} << 8 | uint64_t{read.index} << 16 |
             uint64_t{read.acks} << 24);
  for (int j = 0; j < servers_; ++j)
    hasher.add(uint64_t{volatile_.next_index[j]} << 8 | volatile_.match_index[j]);
  hasher.add(static_cast<uint64_t>(volatile_.applied.size()));
  for (const Entry& e : volatile_.applied)
    hasher.add(uint64_t{e.old_voters} << 24 | uint64_t{e.voters} << 16 | uint64_t{e.term} << 8 |
               e.value);
  hasher.add(volatile_.violation);
  if (lease_reads_) hash_clock(hasher);
}

void RaftNode::rename(const NodeRenaming& renaming) {
  id_ = renaming(id_);
  persistent_.voted_for = static_cast<int8_t>(renaming(persistent_.voted_for));
  volatile_.votes_responded = static_cast<uint8_t>(renaming.set_of(volatile_.votes_responded));
  volatile_.votes_granted = static_cast<uint8_t>(renaming.set_of(volatile_.votes_granted));
  volatile_.pre_votes = static_cast<uint8_t>(renaming.set_of(volatile_.pre_votes));
  volatile_.recently_active = static_cast<uint8_t>(renaming.set_of(volatile_.recently_active));
  if (volatile_.transferee != kNoVote)
    volatile_.transferee = static_cast<int8_t>(renaming(volatile_.transferee));
  volatile_.read.acks = static_cast<uint8_t>(renaming.set_of(volatile_.read.acks));
  volatile_.read.lease_acks = static_cast<uint8_t>(renaming.set_of(volatile_.read.lease_acks));
  for (auto* entries : {&persistent_.log, &volatile_.applied}) {
    for (Entry& e : *entries) rename_voters(e, renaming);
  }
  rename_voters(persistent_.snapshot, renaming);
  volatile_.next_index = renaming.indexed(volatile_.next_index);
  volatile_.match_index = renaming.indexed(volatile_.match_index);
}

void RaftNode::campaign(RaftOutbox& out, bool transfer) {
  ++persistent_.current_term;
  volatile_.role = Role::kCandidate;
  volatile_.pre_votes = 0;
  volatile_.asking_as_candidate = false;
  // The vote for itself is taken at once rather than by a message to itself.
  persistent_.voted_for = static_cast<int8_t>(id_);
  volatile_.votes_responded = static_cast<uint8_t>(1u << id_);
  volatile_.votes_granted = static_cast<uint8_t>(1u << id_);
  if (is_quorum(volatile_.votes_granted)) {
    become_leader(out);
    return;
  }
  Message request;
  request.type = MessageType::kRequestVoteRequest;
  request.term = persistent_.current_term;
  request.last_log_term = last_log_term();
  request.last_log_index = last_log_index();
  request.transfer = transfer;
  for (NodeId peer = 0; peer < servers_; ++peer) {
    if (peer != id_) out.send(peer, request);
  }
  out.set_timer(Timer::kElection);
}

// "the target server ... immediately starts a new election" (thesis
// §3.10), without a pre-vote: the leader has vouched for its log.
void RaftNode::handle_timeout_now(const Message& m, RaftOutbox& out) {
  if (m.term != persistent_.current_term || volatile_.role != Role::kFollower || !is_voter(id_))
    return;
  campaign(out, /*transfer=*/true);
}

void RaftNode::send_timeout_now_if_ready(NodeId to, RaftOutbox& out) {
  if (volatile_.transferee != to || volatile_.match_index[to] != last_log_index()) return;
  Message message;
  message.type = MessageType::kTimeoutNow;
  message.term = persistent_.current_term;
  out.send(to, message);
}

// "a candidate would first ask other servers whether its log was
// up-to-date enough to get their vote" (thesis §9.6): the pre-candidate
// keeps its term and its vote; its own pre-vote counts.
void RaftNode::pre_campaign(RaftOutbox& out) {
  volatile_.asking_as_candidate =
      volatile_.role == Role::kCandidate ||
      (volatile_.role == Role::kPreCandidate && volatile_.asking_as_candidate);
  volatile_.role = Role::kPreCandidate;
  volatile_.pre_votes = static_cast<uint8_t>(1u << id_);
  if (is_quorum(volatile_.pre_votes)) {
    campaign(out);
    return;
  }
  Message request;
  request.type = MessageType::kPreVoteRequest;
  request.term = static_cast<uint8_t>(persistent_.current_term + 1);
  request.last_log_term = last_log_term();
  request.last_log_index = last_log_index();
  for (NodeId peer = 0; peer < servers_; ++peer) {
    if (peer != id_) out.send(peer, request);
  }
  out.set_timer(Timer::kElection);
}

bool RaftNode::log_up_to_date(const Message& request) const {
  return variant_ == Variant::kNoLogCheck || request.last_log_term > last_log_term() ||
         (request.last_log_term == last_log_term() && request.last_log_index >= last_log_index());
}

// A pre-vote is granted for a term above the receiver's (as it was before
// this message: the buggy variant has adopted the request's by now) to a
// log at least as up to date as its own; the receiver changes nothing.
void RaftNode::handle_pre_vote(NodeId from, const Message& m, uint8_t term, RaftOutbox& out) {
  const bool grant = m.term > term && log_up_to_date(m);
  Message response;
  response.type = MessageType::kPreVoteResponse;
  response.term = grant ? m.term : persistent_.current_term;
  response.vote_granted = grant;
  out.send(from, response);
}

void RaftNode::handle_pre_vote_response(NodeId from, const Message& m, RaftOutbox& out) {
  if (volatile_.role != Role::kPreCandidate || !m.vote_granted ||
      m.term != persistent_.current_term + 1)
    return;  // stale, or denied
  volatile_.pre_votes |= static_cast<uint8_t>(1u << from);
  if (is_quorum(volatile_.pre_votes)) campaign(out);
}

// "a leader steps down if an election timeout elapses without a
// successful round of heartbeats to a majority of its cluster" (thesis
// §6.2): a quorum, counting itself, must have answered since the last
// check.
void RaftNode::check_quorum(RaftOutbox& out) {
  if (!check_quorum_) return;
  const bool heard_from_quorum = is_quorum(volatile_.recently_active | (1u << id_));
  volatile_.recently_active = 0;
  out.set_timer(Timer::kElection);
  if (heard_from_quorum) return;
  step_down_as_leader(out);
}

void RaftNode::step_down_as_leader(RaftOutbox& out) {
  volatile_.role = Role::kFollower;
  volatile_.transferee = kNoVote;
  volatile_.read = ReadIndex{};  // a pending read goes unanswered
  volatile_.recently_active = 0;
  out.cancel_timer(Timer::kHeartbeat);
}

// "if a server receives a RequestVote request within the minimum election
// timeout of hearing from a current leader, it does not update its term or
// grant its vote" (thesis §6.2, with CheckQuorum as etcd runs it): the
// request is ignored, as if lost.
bool RaftNode::ignores_as_in_lease(const Message& m) const {
  if (!check_quorum_ || m.term <= persistent_.current_term) return false;
  if (m.type != MessageType::kRequestVoteRequest && m.type != MessageType::kPreVoteRequest)
    return lease_reads_ && keeps_term_in_lease(m);
  if (m.transfer) return false;  // the leader itself asked for this election
  return volatile_.role == Role::kLeader ||
         (volatile_.role == Role::kFollower && volatile_.heard_from_leader);
}

void RaftNode::become_leader(RaftOutbox& out) {
  volatile_.role = Role::kLeader;
  volatile_.next_index.fill(static_cast<uint8_t>(last_log_index() + 1));
  volatile_.match_index.fill(0);
  volatile_.recently_active = 0;
  volatile_.transferee = kNoVote;
  volatile_.read = ReadIndex{};
  if (check_quorum_) {
    out.set_timer(Timer::kElection);  // the first quorum check
  } else {
    out.cancel_timer(Timer::kElection);
  }
  out.set_timer(Timer::kHeartbeat);
}

void RaftNode::become_follower(uint8_t term, RaftOutbox& out) {
  persistent_.current_term = term;
  persistent_.voted_for = kNoVote;
  if (volatile_.role == Role::kLeader) step_down_as_leader(out);
  volatile_.role = Role::kFollower;
  volatile_.pre_votes = 0;
  volatile_.asking_as_candidate = false;
  out.set_timer(Timer::kElection);
}

void RaftNode::send_append(NodeId to, RaftOutbox& out) {
  const int next = volatile_.next_index[to];
  if (next <= persistent_.snapshot.index) {
    send_snapshot(to, out);  // the entries it needs are compacted away
    return;
  }
  const int last_entry = std::min<int>(last_log_index(), next);
  Message request;
  request.type = MessageType::kAppendEntriesRequest;
  request.term = persistent_.current_term;
  request.prev_log_index = static_cast<uint8_t>(next - 1);
  request.prev_log_term = term_at(next - 1);
  if (next <= last_entry) {
    request.has_entry = true;
    request.entry = entry_at(next);
  }
  // Never tell a follower to commit past what this request makes it hold.
  request.commit_index = static_cast<uint8_t>(std::min<int>(volatile_.commit_index, last_entry));
  request.read_round = lease_reads_ ? volatile_.read.lease_round : volatile_.read.round;
  out.send(to, request);
}

void RaftNode::handle_request_vote(NodeId from, const Message& m, RaftOutbox& out) {
  const bool grant = m.term == persistent_.current_term && log_up_to_date(m) &&
                     (persistent_.voted_for == kNoVote || persistent_.voted_for == from);
  if (grant) persistent_.voted_for = static_cast<int8_t>(from);
  Message response;
  response.type = MessageType::kRequestVoteResponse;
  response.term = persistent_.current_term;
  response.vote_granted = grant;
  out.send(from, response);
}

void RaftNode::handle_vote_response(NodeId from, const Message& m, RaftOutbox& out) {
  if (m.term < persistent_.current_term) return;  // stale
  // Tallied in whatever role, as raft.tla does; only a candidate acts on it.
  volatile_.votes_responded |= static_cast<uint8_t>(1u << from);
  if (m.vote_granted) volatile_.votes_granted |= static_cast<uint8_t>(1u << from);
  if (volatile_.role == Role::kCandidate && is_quorum(volatile_.votes_granted)) become_leader(out);
}

// What AppendEntries and InstallSnapshot share before the log: a stale
// request is refused; a candidate of the request's term has lost to its
// sender; a leader of that term takes no step (two leaders of one term:
// impossible unless a bug). False when the request is done with.
bool RaftNode::follows_sender(NodeId from, const Message& m, const Message& refusal,
                              RaftOutbox& out) {
  const bool stale = m.term < persistent_.current_term;
  if (stale && variant_ != Variant::kAcceptStaleTerm) {
    out.send(from, refusal);
    return false;
  }
  if (!stale && (volatile_.role == Role::kCandidate || volatile_.role == Role::kPreCandidate)) {
    // Another server won this term.
    volatile_.role = Role::kFollower;
    volatile_.pre_votes = 0;
    volatile_.asking_as_candidate = false;
  }
  if (volatile_.role == Role::kLeader) return false;
  if (!stale && check_quorum_) volatile_.heard_from_leader = true;
  if (!stale && lease_reads_) out.set_timer(Timer::kElection);  // its timeout starts again
  if (variant_ == Variant::kForgetVote && !stale) persistent_.voted_for = kNoVote;
  return true;
}

void RaftNode::handle_append_entries(NodeId from, const Message& m, RaftOutbox& out) {
  Message response;
  response.type = MessageType::kAppendEntriesResponse;
  response.term = persistent_.current_term;
  response.read_round = answered_round(m);
  if (!follows_sender(from, m, response, out)) return;
  const uint8_t snapshot_index = persistent_.snapshot.index;
  // Before the snapshot every entry is committed, so the leader's agree.
  const bool log_ok =
      m.prev_log_index < snapshot_index ||
      (m.prev_log_index <= last_log_index() && m.prev_log_term == term_at(m.prev_log_index));
  if (!log_ok) {
    out.send(from, response);
    return;
  }
  const int index = m.prev_log_index + 1;
  if (m.has_entry && index > snapshot_index) {
    EntryVector& log = persistent_.log;
    if (last_log_index() >= index && entry_at(index).term != m.entry.term)
      log.resize(static_cast<size_t>(index - 1 - snapshot_index));  // conflict
    if (last_log_index() == index - 1) log.push_back(m.entry);
  }
  commit_to(std::max(volatile_.commit_index, m.commit_index));
  response.success = true;
  response.match_index = static_cast<uint8_t>(m.prev_log_index + (m.has_entry ? 1 : 0));
  out.send(from, response);
}

void RaftNode::handle_append_response(NodeId from, const Message& m, RaftOutbox& out) {
  if (m.term < persistent_.current_term) return;  // stale
  if (check_quorum_ && volatile_.role == Role::kLeader)
    volatile_.recently_active |= static_cast<uint8_t>(1u << from);
  acknowledge_read(from, m);
  if (lease_reads_) acknowledge_lease(from, m);
  if (m.success) {
    volatile_.next_index[from] = static_cast<uint8_t>(m.match_index + 1);
    volatile_.match_index[from] = m.match_index;
    if (volatile_.role == Role::kLeader) {
      maybe_commit();
      send_timeout_now_if_ready(from, out);
    }
  } else {
    volatile_.next_index[from] = static_cast<uint8_t>(std::max(volatile_.next_index[from] - 1, 1));
  }
}

// Any answer, success or not, to a heartbeat of the read's round shows
// that its sender had not moved past this leader's term when it answered.
void RaftNode::acknowledge_read(NodeId from, const Message& m) {
  ReadIndex& read = volatile_.read;
  if (volatile_.role != Role::kLeader || !read.pending || m.read_round != read.round) return;
  read.acks |= static_cast<uint8_t>(1u << from);
  if (is_quorum(read.acks)) read.pending = false;  // answered from the state at read.index
}

void RaftNode::maybe_commit() {
  // The greatest index stored on a majority (the leader counts itself).
  for (int index = last_log_index(); index > volatile_.commit_index; --index) {
    uint32_t replicas = 1u << id_;
    for (int peer = 0; peer < servers_; ++peer) {
      if (volatile_.match_index[peer] >= index) replicas |= 1u << peer;
    }
    if (!is_quorum(replicas)) continue;
    // Only an entry of the current term is committed by counting replicas;
    // earlier ones are committed with it (Raft §5.4.2).
    if (variant_ == Variant::kCommitOldTerm || term_at(index) == persistent_.current_term) {
      commit_to(static_cast<uint8_t>(index));
    }
    break;
  }
  leave_joint_if_committed();
}

void RaftNode::commit_to(uint8_t index) {
  volatile_.commit_index = std::max(volatile_.commit_index, index);
  const size_t applicable = std::min<size_t>(volatile_.commit_index, last_log_index());
  while (volatile_.applied.size() < applicable)
    volatile_.applied.push_back(entry_at(static_cast<int>(volatile_.applied.size()) + 1));
}

void RaftNode::check_step(const Persistent& before, uint8_t before_commit) {
  if (volatile_.violation != LocalViolation::kNone) return;
  if (persistent_.current_term < before.current_term) {
    volatile_.violation = LocalViolation::kTermDecreased;
  } else if (volatile_.commit_index < before_commit) {
    volatile_.violation = LocalViolation::kCommitDecreased;
  } else if (volatile_.commit_index > last_log_index()) {
    volatile_.violation = LocalViolation::kCommitBeyondLog;
  }
}

}  // namespace crosscheck::impl::raft
