#include "spec/raft/refinement.h"

#include "impl/common/assert.h"

namespace crosscheck::spec::raft {

Message abstract_message(const implraft::Message& m, NodeId from, NodeId to) {
  CC_ASSERT(in_raft_tla(m));
  Message s;
  s.type = m.type == implraft::MessageType::kInstallSnapshot ? MessageType::kInstallSnapshot
                                                             : static_cast<MessageType>(m.type);
  s.term = m.term;
  s.source = static_cast<uint8_t>(from);
  s.dest = static_cast<uint8_t>(to);
  s.last_log_term = m.last_log_term;
  s.last_log_index = m.last_log_index;
  s.vote_granted = m.vote_granted;
  s.prev_log_index = m.prev_log_index;
  s.prev_log_term = m.prev_log_term;
  s.has_entry = m.has_entry;
  s.entry = {m.entry.term, m.entry.value, m.entry.voters, m.entry.old_voters};
  s.commit_index = m.commit_index;
  s.success = m.success;
  s.match_index = m.match_index;
  for (int k = 0; k < m.snapshot.index && !s.snapshot.full(); ++k) {
    const implraft::Entry& e = m.snapshot.entries[static_cast<size_t>(k)];
    s.snapshot.append({e.term, e.value, e.voters, e.old_voters});
  }
  return s;
}

Server abstract_server(const implraft::RaftNode& node) {
  Server server;
  server.current_term = node.term();
  // raft.tla has no pre-candidates: one is the follower or the candidate
  // it was when it began to ask.
  if (node.role() == implraft::Role::kPreCandidate) {
    server.role = node.volatile_state().asking_as_candidate ? Role::kCandidate : Role::kFollower;
  } else {
    server.role = static_cast<Role>(node.role());
  }
  server.voted_for = node.persistent().voted_for;
  for (int index = 1; index <= node.full_log_length(); ++index) {
    if (server.log.full()) break;  // beyond every bound; the log comparison fails
    const implraft::Entry& entry = node.entry_in_full_log(index);
    server.log.append({entry.term, entry.value, entry.voters, entry.old_voters});
  }
  server.snapshot_index = node.snapshot().index;
  const auto& v = node.volatile_state();
  server.commit_index = v.commit_index;
  server.votes_responded = v.votes_responded;
  server.votes_granted = v.votes_granted;
  server.next_index = v.next_index;
  server.match_index = v.match_index;
  return server;
}

int max_spec_steps(int servers) { return servers + kMaxLog + 5; }

namespace {

using Kind = Action::Kind;
using Take = PlannedStep::Take;

class PlanBuilder {
 public:
  explicit PlanBuilder(int server) : i_(static_cast<uint8_t>(server)) {}

  PlanBuilder& then(Kind kind, int peer = 0, Take take = Take::kOnce, uint8_t value = 0) {
    plan_.push_back({{kind, i_, static_cast<uint8_t>(peer), value}, take});
    return *this;
  }
  PlanBuilder& then_on(Kind kind, const Message& m, Take take = Take::kOnce) {
    Action action{kind, i_};
    action.message = m;
    plan_.push_back({action, take});
    return *this;
  }
  // Receive(m) until m is gone, then what a node does at once after it.
  PlanBuilder& receive(const Message& m) {
    return then_on(Kind::kUpdateTerm, m, Take::kUntilReceived)
        .then(Kind::kBecomeLeader, 0, Take::kIfEnabled)
        .then(Kind::kAdvanceCommitIndex, 0, Take::kIfEnabled);
  }
  Plan done() { return std::move(plan_); }

 private:
  uint8_t i_;
  Plan plan_;
};

// A campaign: the vote for itself is a RequestVote to itself and its
// answer, then the tally.
Plan campaign(const Server& me, int i, int servers) {
  Message request;
  request.type = MessageType::kRequestVoteRequest;
  request.term = static_cast<uint8_t>(me.current_term + 1);
  request.last_log_term = me.log.last_term();
  request.last_log_index = static_cast<uint8_t>(me.log.length());
  request.source = request.dest = static_cast<uint8_t>(i);
  Message grant;
  grant.type = MessageType::kRequestVoteResponse;
  grant.term = request.term;
  grant.vote_granted = true;
  grant.source = grant.dest = static_cast<uint8_t>(i);
  PlanBuilder plan(i);
  plan.then(Kind::kTimeout)
      .then(Kind::kRequestVote, i)
      .then_on(Kind::kHandleRequestVoteRequest, request, Take::kUntilReceived)
      .then_on(Kind::kHandleRequestVoteResponse, grant, Take::kUntilReceived)
      .then(Kind::kBecomeLeader, 0, Take::kIfEnabled);
  for (int j = 0; j < servers; ++j) {
    if (j != i) plan.then(Kind::kRequestVote, j);
  }
  return plan.done();
}

}  // namespace

Plan direct_plan(const AbstractStep& step, int servers) {
  using Handler = AbstractStep::Handler;
  const int i = step.server;
  PlanBuilder plan(i);
  switch (step.handler) {
    case Handler::kOther: break;
    case Handler::kDeliver: plan.receive(step.message); break;
    case Handler::kDuplicate:
      plan.then_on(Kind::kDuplicateMessage, step.message).receive(step.message);
      break;
    case Handler::kDrop: plan.then_on(Kind::kDropMessage, step.message); break;
    case Handler::kElectionTimeout:
    case Handler::kTimeoutNow: return campaign(step.from.servers[i], i, servers);
    case Handler::kHeartbeat:
    case Handler::kReadRequest:
      // To each peer an AppendEntries, or the snapshot to one whose next
      // entry the leader has compacted away.
      for (int j = 0; j < servers; ++j) {
        if (j == i) continue;
        plan.then(Kind::kAppendEntries, j, Take::kIfEnabled)
            .then(Kind::kSendSnapshot, j, Take::kIfEnabled);
      }
      break;
    case Handler::kCompact: plan.then(Kind::kCompactLog); break;
    case Handler::kClientRequest:
      plan.then(Kind::kClientRequest, 0, Take::kOnce, step.value)
          .then(Kind::kAdvanceCommitIndex, 0, Take::kIfEnabled);
      break;
    case Handler::kRestart: plan.then(Kind::kRestart); break;
  }
  return plan.done();
}

}  // namespace crosscheck::spec::raft
