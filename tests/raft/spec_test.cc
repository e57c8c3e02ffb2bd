// raft.tla as an abstract machine: its actions step by step, its state
// counts within small bounds (pinned, so that a change to the model shows
// up in review), and properties that fail on the states that break them.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "model_check/search.h"
#include "spec/raft/raft.h"

namespace crosscheck::spec::raft {
namespace {

using Kind = Action::Kind;

Config small(int servers, int max_term, int max_log, int max_messages) {
  Config config;
  config.servers = servers;
  config.max_term = max_term;
  config.max_log = max_log;
  config.max_messages = max_messages;
  config.max_restarts = 0;
  return config;
}

std::vector<mc::Successor<Action, State>> successors(const RaftModel& model, const State& s) {
  std::vector<mc::Successor<Action, State>> out;
  model.successors(s, out);
  return out;
}

// The successor taken by the first action of `kind` (by `server`, if given).
State step(const RaftModel& model, const State& s, Kind kind, int server = -1) {
  for (auto& successor : successors(model, s)) {
    if (successor.action.kind == kind && (server < 0 || successor.action.server == server))
      return successor.state;
  }
  ADD_FAILURE() << "no " << to_string(kind) << " enabled";
  return s;
}

TEST(RaftSpec, InitIsEveryServerAFollowerInTermOneWithNothingSent) {
  RaftModel model(small(3, 3, 1, 2));
  const State init = model.initial_states().front();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(init.servers[i].current_term, 1);
    EXPECT_EQ(init.servers[i].role, Role::kFollower);
    EXPECT_EQ(init.servers[i].voted_for, kNil);
    EXPECT_TRUE(init.servers[i].log.empty());
  }
  EXPECT_EQ(init.messages.size(), 0u);
}

TEST(RaftSpec, AnElectionTakesTimeoutRequestVoteTheVotesAndBecomeLeader) {
  RaftModel model(small(3, 3, 1, 4));
  State s = model.initial_states().front();
  s = step(model, s, Kind::kTimeout, 0);
  EXPECT_EQ(s.servers[0].current_term, 2);
  EXPECT_EQ(s.servers[0].role, Role::kCandidate);
  EXPECT_EQ(s.servers[0].voted_for, kNil);    // raft.tla votes for itself by message
  s = step(model, s, Kind::kRequestVote, 0);  // to itself: j = 0 comes first
  s = step(model, s, Kind::kHandleRequestVoteRequest, 0);
  EXPECT_EQ(s.servers[0].voted_for, 0);
  s = step(model, s, Kind::kHandleRequestVoteResponse, 0);
  EXPECT_EQ(s.servers[0].votes_granted, 0b001);
  // One vote of three is not a quorum.
  for (const auto& successor : successors(model, s))
    EXPECT_NE(successor.action.kind, Kind::kBecomeLeader);
  State asked = step(model, s, Kind::kRequestVote, 0);  // to s2
  asked = step(model, asked, Kind::kUpdateTerm, 1);     // s2 learns term 2 first; the request stays
  EXPECT_EQ(asked.servers[1].current_term, 2);
  EXPECT_EQ(asked.messages.size(), 1u);
  asked = step(model, asked, Kind::kHandleRequestVoteRequest, 1);
  asked = step(model, asked, Kind::kHandleRequestVoteResponse, 0);
  State leader = step(model, asked, Kind::kBecomeLeader, 0);
  EXPECT_EQ(leader.servers[0].role, Role::kLeader);
  EXPECT_EQ(leader.history.leaders[2], 0b001);
  EXPECT_TRUE(election_safety(leader, 3));
}

TEST(RaftSpec, AConflictingRequestRemovesOneEntryAtATime) {
  RaftModel model(small(2, 3, 3, 2));
  State s;
  s.servers[0].current_term = 3;
  s.servers[0].role = Role::kLeader;
  s.servers[0].log.append({3, 1});
  s.servers[0].next_index = {2, 1, 1, 1, 1};
  s.servers[1].current_term = 3;
  s.servers[1].log.append({2, 1});
  s.servers[1].log.append({2, 1});
  State sent = step(model, s, Kind::kAppendEntries, 0);  // prev 0, entry 3:1
  State once = step(model, sent, Kind::kHandleAppendEntriesRequest, 1);
  EXPECT_EQ(once.servers[1].log.length(), 1);
  EXPECT_EQ(once.messages.size(), 1u);  // not consumed
  State twice = step(model, once, Kind::kHandleAppendEntriesRequest, 1);
  EXPECT_TRUE(twice.servers[1].log.empty());
  State appended = step(model, twice, Kind::kHandleAppendEntriesRequest, 1);
  EXPECT_EQ(appended.servers[1].log.at(1), (Entry{3, 1}));
  State answered = step(model, appended, Kind::kHandleAppendEntriesRequest, 1);
  ASSERT_EQ(answered.messages.size(), 1u);
  EXPECT_EQ(answered.messages.begin()->message.type, MessageType::kAppendEntriesResponse);
  EXPECT_TRUE(answered.messages.begin()->message.success);
}

TEST(RaftSpec, OnlyEntriesOfTheCurrentTermAreCommittedByCounting) {
  RaftModel model(small(3, 4, 2, 2));
  State s;
  s.servers[0].current_term = 4;
  s.servers[0].role = Role::kLeader;
  s.servers[0].log.append({2, 1});
  s.servers[0].match_index = {0, 1, 0, 0, 0};  // on s1 and s2: a majority
  EXPECT_EQ(step(model, s, Kind::kAdvanceCommitIndex, 0).servers[0].commit_index, 0);
  s.servers[0].log.append({4, 1});
  s.servers[0].match_index = {0, 2, 0, 0, 0};
  const State committed = step(model, s, Kind::kAdvanceCommitIndex, 0);
  EXPECT_EQ(committed.servers[0].commit_index, 2);
  ASSERT_EQ(committed.history.committed_length, 2);
  EXPECT_EQ(committed.history.committed[0].entry, (Entry{2, 1}));
  EXPECT_EQ(committed.history.committed[0].term, 4);
}

// Two servers, one client value, terms up to 3, one entry, two messages in
// flight: every goal is reached and every property holds.
TEST(RaftSpec, TwoServersStateCountIsPinned) {
  mc::CheckResult result = mc::check(RaftModel(small(2, 3, 1, 2)), {});
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
  EXPECT_EQ(result.stats.distinct_states, 72723u);
  EXPECT_EQ(result.stats.total_states, 801457u);
  EXPECT_EQ(result.stats.depth, 40);
}

// The spec's two additions (not raft.tla's): CheckQuorum's step down and
// PreVote's term news, each alone and both. Two servers within the bounds
// above (72,723 states without them): a leader that may step down at any
// time leaves a term with no leader and votes spent, from which every
// later election is explored again (6.5 times the states); a term learnt
// from a server that has it adds followers of terms nobody asked them to
// vote in. Every property still holds.
TEST(RaftSpec, TheAdditionsForCheckQuorumAndPreVoteKeepEveryProperty) {
  for (const auto& [check_quorum, pre_vote, states] :
       {std::tuple{true, false, 475399u}, std::tuple{false, true, 78191u},
        std::tuple{true, true, 501215u}}) {
    Config config = small(2, 3, 1, 2);
    config.check_quorum = check_quorum;
    config.pre_vote = pre_vote;
    mc::CheckResult result = mc::check(RaftModel(config), {});
    EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
    EXPECT_EQ(result.stats.distinct_states, states) << check_quorum << pre_vote;
  }
}

// ChangeMembership (Config::membership): two servers, logs of two entries,
// so that a leader commits an entry of its term and then removes the
// other server, or re-adds it. Every property holds, the configuration
// changes are taken, and a one-server configuration commits alone.
TEST(RaftSpec, SingleServerMembershipChangesKeepEveryProperty) {
  Config config = small(2, 3, 2, 2);
  config.membership = true;
  mc::SearchOptions options;
  options.coverage = true;
  mc::CheckResult result = mc::check(RaftModel(config), options);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
  const auto taken = std::find_if(result.coverage.begin(), result.coverage.end(),
                                  [](const auto& c) { return c.action == "ChangeMembership"; });
  ASSERT_NE(taken, result.coverage.end());
  EXPECT_GT(taken->distinct, 0u);
}

TEST(RaftSpec, AConfigurationDecidesQuorums) {
  Log log;
  EXPECT_EQ(configuration_of(log, 3).voters, 0b111u);
  log.append({2, 1});
  log.append({2, 0, 0b011});
  EXPECT_EQ(configuration_index(log), 2);
  EXPECT_EQ(configuration_of(log, 3).voters, 0b011u);
  EXPECT_TRUE(is_quorum_of(0b011, 0b011));
  EXPECT_FALSE(is_quorum_of(0b101, 0b011));    // s3 is no voter
  EXPECT_FALSE(is_quorum_of(0b0011, 0b1111));  // half of four is no quorum
  // A joint configuration needs a majority of each: {s1} and {s1,s2,s3}.
  log.append({2, 0, 0b001, 0b111});
  const Configuration joint = configuration_of(log, 3);
  EXPECT_EQ(joint.old_voters, 0b111u);
  EXPECT_FALSE(is_quorum_of(0b001, joint));
  EXPECT_FALSE(is_quorum_of(0b110, joint));
  EXPECT_TRUE(is_quorum_of(0b011, joint));
  EXPECT_EQ(configuration_at(log, 2, 3).voters, 0b011u);
}

// ChangeMembershipJoint and LeaveJoint (Config::joint_consensus): leader
// s1 of three, with an entry of its term committed, may enter only joint
// configurations that keep it and change two voters ({s1} here); LeaveJoint
// waits for the joint entry to be committed, then appends {s1} alone.
TEST(RaftSpec, AJointConfigurationIsEnteredAndLeftOnlyOnceCommitted) {
  Config config = small(3, 3, 3, 2);
  config.joint_consensus = true;
  RaftModel model(config);
  State s = model.initial_states().front();
  Server& leader = s.servers[0];
  leader.current_term = 2;
  leader.role = Role::kLeader;
  leader.log.append({2, 1});
  leader.commit_index = 1;
  std::vector<int> entered;
  for (const auto& successor : successors(model, s)) {
    if (successor.action.kind == Kind::kChangeMembershipJoint)
      entered.push_back(successor.action.value);
    EXPECT_NE(successor.action.kind, Kind::kLeaveJoint);
  }
  EXPECT_EQ(entered, (std::vector<int>{0b001}));
  s = step(model, s, Kind::kChangeMembershipJoint, 0);
  EXPECT_EQ(s.servers[0].log.at(2), (Entry{2, 0, 0b001, 0b111}));
  for (const auto& successor : successors(model, s))
    EXPECT_NE(successor.action.kind, Kind::kLeaveJoint);  // not committed yet
  s.servers[0].commit_index = 2;
  s = step(model, s, Kind::kLeaveJoint, 0);
  EXPECT_EQ(s.servers[0].log.at(3), (Entry{2, 0, 0b001}));
}

// CompactLog, SendSnapshot and HandleInstallSnapshotRequest
// (Config::snapshots, the paper's §7): three servers, a log of one entry
// and one message in flight: the entry is committed by two and compacted,
// and the third is sent the snapshot. Every property holds and each of the three is
// taken.
TEST(RaftSpec, SnapshotsKeepEveryProperty) {
  Config config = small(3, 2, 1, 1);
  config.snapshots = true;
  mc::SearchOptions options;
  options.coverage = true;
  mc::CheckResult result = mc::check(RaftModel(config), options);
  // One election only, as ThreeServersWithOneElection... below: nothing is
  // violated, and only the goal of a second term is out of reach.
  EXPECT_EQ(result.outcome, mc::Outcome::kGoalUnreached) << result.property;
  for (const auto& goal : result.goals)
    EXPECT_EQ(goal.reached, goal.name != "LeadersInTwoTerms") << goal.name;
  for (const char* action : {"CompactLog", "SendSnapshot", "HandleInstallSnapshotRequest"}) {
    const auto taken = std::find_if(result.coverage.begin(), result.coverage.end(),
                                    [&](const auto& c) { return c.action == action; });
    ASSERT_NE(taken, result.coverage.end()) << action;
    EXPECT_GT(taken->distinct, 0u) << action;
  }
}

// A snapshot whose last entry the follower holds keeps the entries after
// it ("entries following the snapshot are still valid and must be
// retained"); one it disagrees with replaces the whole log ("the follower
// discards its entire log"). A leader sends the snapshot only to a server
// whose next entry it has compacted away, and a restart recovers the
// commit index from the snapshot.
TEST(RaftSpec, ASnapshotKeepsTheSuffixItAgreesWithAndReplacesTheRest) {
  Config config = small(2, 3, 3, 2);
  config.snapshots = true;
  config.max_restarts = 1;
  RaftModel model(config);
  State s = model.initial_states().front();
  Server& leader = s.servers[0];
  leader.current_term = 2;
  leader.role = Role::kLeader;
  leader.log.append({2, 1});
  leader.commit_index = 1;
  leader.next_index = {2, 2};
  for (const auto& successor : successors(model, s))
    EXPECT_NE(successor.action.kind, Kind::kSendSnapshot);  // nothing compacted yet
  s = step(model, s, Kind::kCompactLog, 0);
  EXPECT_EQ(s.servers[0].snapshot_index, 1);
  for (const auto& successor : successors(model, s))
    EXPECT_NE(successor.action.kind, Kind::kSendSnapshot);  // s2's next entry is 2
  s.servers[0].next_index[1] = 1;
  for (const auto& successor : successors(model, s))
    EXPECT_NE(successor.action.kind, Kind::kAppendEntries);  // entry 1 is compacted
  const State sent = step(model, s, Kind::kSendSnapshot, 0);
  const Message snapshot = sent.messages.begin()->message;
  EXPECT_EQ(snapshot.type, MessageType::kInstallSnapshot);

  State agreeing = sent;
  agreeing.servers[1].current_term = 2;
  agreeing.servers[1].log.append({2, 1});
  agreeing.servers[1].log.append({2, 1});
  agreeing = step(model, agreeing, Kind::kHandleInstallSnapshotRequest, 1);
  EXPECT_EQ(agreeing.servers[1].log.length(), 2);
  EXPECT_EQ(agreeing.servers[1].commit_index, 1);
  EXPECT_EQ(agreeing.servers[1].snapshot_index, 1);

  State conflicting = sent;
  conflicting.servers[1].current_term = 2;
  conflicting.servers[1].log.append({1, 1});
  conflicting.servers[1].log.append({1, 1});
  conflicting = step(model, conflicting, Kind::kHandleInstallSnapshotRequest, 1);
  EXPECT_EQ(conflicting.servers[1].log, snapshot.snapshot);
  EXPECT_EQ(conflicting.servers[1].commit_index, 1);

  const State restarted = step(model, conflicting, Kind::kRestart, 1);
  EXPECT_EQ(restarted.servers[1].commit_index, 1);
}

// UpdateTermFromPreVote(i, t) takes i to any newer term t that some
// server has reached, as a follower with no vote; nothing else changes.
TEST(RaftSpec, ATermLearntFromAPreVoteIsOneSomeServerHasReached) {
  Config config = small(3, 4, 1, 2);
  config.pre_vote = true;
  RaftModel model(config);
  State s = model.initial_states().front();
  s.servers[1].current_term = 3;
  s.servers[2].current_term = 2;
  s.servers[0].role = Role::kCandidate;
  s.servers[0].voted_for = 0;
  std::vector<int> terms;
  for (const auto& successor : successors(model, s)) {
    if (successor.action.kind != Kind::kUpdateTermFromPreVote || successor.action.server != 0)
      continue;
    terms.push_back(successor.action.value);
    const Server& learnt = successor.state.servers[0];
    EXPECT_EQ(learnt.current_term, successor.action.value);
    EXPECT_EQ(learnt.role, Role::kFollower);
    EXPECT_EQ(learnt.voted_for, kNil);
    EXPECT_EQ(successor.state.messages, s.messages);
  }
  EXPECT_EQ(terms, (std::vector<int>{2, 3}));
  config.pre_vote = false;
  for (const auto& successor : successors(RaftModel(config), s))
    EXPECT_NE(successor.action.kind, Kind::kUpdateTermFromPreVote);
}

// Three servers with terms up to 2 leave room for one election only: the
// goal of a leader in a second term cannot be reached, and the checker
// says so rather than report `ok`.
TEST(RaftSpec, ThreeServersWithOneElectionPinnedAndTheLaterTermGoalUnreached) {
  mc::CheckResult result = mc::check(RaftModel(small(3, 2, 1, 1)), {});
  EXPECT_EQ(result.outcome, mc::Outcome::kGoalUnreached);
  EXPECT_EQ(result.stats.distinct_states, 1196381u);
  EXPECT_EQ(result.stats.total_states, 15044836u);
  EXPECT_EQ(result.stats.depth, 53);
  for (const auto& goal : result.goals)
    EXPECT_EQ(goal.reached, goal.name != "LeadersInTwoTerms") << goal.name;
}

TEST(RaftSpec, ThePropertiesFailOnStatesThatBreakThem) {
  State two_leaders;
  two_leaders.history.leaders[2] = 0b011;
  EXPECT_FALSE(election_safety(two_leaders, 3));

  State mismatched;
  mismatched.servers[0].log.append({1, 1});
  mismatched.servers[0].log.append({2, 1});
  mismatched.servers[1].log.append({1, 2});
  mismatched.servers[1].log.append({2, 1});
  EXPECT_FALSE(log_matching(mismatched, 3));

  State applied_apart = mismatched;
  applied_apart.servers[0].commit_index = 1;
  applied_apart.servers[1].commit_index = 1;
  EXPECT_FALSE(state_machine_safety(applied_apart, 3));
  applied_apart.servers[1].commit_index = 0;
  EXPECT_TRUE(state_machine_safety(applied_apart, 3));

  State incomplete;
  incomplete.history.committed[0] = {{2, 1}, 2};
  incomplete.history.committed_length = 1;
  incomplete.servers[0].log.append({2, 1});
  incomplete.servers[1].log.append({2, 1});
  EXPECT_TRUE(committed_entries_kept(incomplete, 3));
  incomplete.servers[2].current_term = 3;
  incomplete.servers[2].role = Role::kLeader;
  EXPECT_FALSE(leader_completeness(incomplete, 3));
  incomplete.servers[1].log.truncate(0);
  EXPECT_FALSE(committed_entries_kept(incomplete, 3));

  State before;
  before.servers[0].role = Role::kLeader;
  before.servers[0].log.append({1, 1});
  State after = before;
  after.servers[0].log.truncate(0);
  EXPECT_FALSE(leader_append_only(before, after, 3));
  after.servers[0].current_term = 2;  // a new term: no longer the same leadership
  EXPECT_TRUE(leader_append_only(before, after, 3));
}

// A RequestVote request from a server with an empty log.
Message request_vote(uint8_t term, uint8_t source, uint8_t dest) {
  Message m;
  m.type = MessageType::kRequestVoteRequest;
  m.term = term;
  m.source = source;
  m.dest = dest;
  return m;
}

// s1's campaign as an implementation takes it: term 2, its own vote, and a
// RequestVote to each peer, at once.
State campaign_of(const State& init) {
  State campaign = init;
  campaign.servers[0].current_term = 2;
  campaign.servers[0].role = Role::kCandidate;
  campaign.servers[0].voted_for = 0;
  campaign.servers[0].votes_responded = 0b001;
  campaign.servers[0].votes_granted = 0b001;
  for (uint8_t peer : {1, 2}) campaign.messages.add(request_vote(2, 0, peer));
  return campaign;
}

TEST(RaftSpec, StepSequencesOfOneServerExplainACampaignButNotAForgedEntry) {
  RaftModel model(small(3, 3, 1, 4));
  const State init = model.initial_states().front();
  const State campaign = campaign_of(init);
  EXPECT_TRUE(model.reaches_by_server_steps(init, campaign, 0, 8, std::nullopt));
  EXPECT_FALSE(model.reaches_by_server_steps(init, campaign, 0, 5, std::nullopt));  // it takes six
  EXPECT_FALSE(
      model.reaches_by_server_steps(init, campaign, 1, 8, std::nullopt));  // not s2's steps
  // Two timeouts make term 3 legitimately ...
  State later = campaign;
  later.servers[0].current_term = 3;
  for (uint8_t peer : {1, 2}) {
    later.messages.remove(request_vote(2, 0, peer));
    later.messages.add(request_vote(3, 0, peer));
  }
  EXPECT_TRUE(model.reaches_by_server_steps(init, later, 0, 12, std::nullopt));
  // ... but no sequence of steps gives a candidate an entry of its own.
  State forged = campaign;
  forged.servers[0].log.append({2, 1});
  EXPECT_FALSE(model.reaches_by_server_steps(init, forged, 0, 12, std::nullopt));
}

// The explanation of a step no sequence explains names the attempt that
// came closest: after the six steps of the campaign, ClientRequest would
// have written the log, but s1 is no leader.
TEST(RaftSpec, AForgedEntryIsExplainedByTheGuardOfTheActionThatWritesLogs) {
  RaftModel model(small(3, 3, 1, 4));
  const State init = model.initial_states().front();
  State forged = campaign_of(init);
  forged.servers[0].log.append({2, 1});
  const mc::StepExplanation why = model.explain_server_steps(init, forged, 0, 12, std::nullopt);
  const mc::Json& closest = why.details["closest"];
  EXPECT_EQ(closest["action_kind"].as_string(), "ClientRequest") << why.text;
  EXPECT_EQ(closest["failed"].as_string(), "state[i] = Leader") << why.text;
  EXPECT_EQ(closest["failed_kind"].as_string(), "guard");
  EXPECT_EQ(closest["values"].as_string(), "state[s1] = Candidate");
  EXPECT_EQ(closest["after"].as_array().size(), 6u);
  EXPECT_EQ(closest["differences"].dump(),
            R"(["log[s1] is << >> in the spec, <<2:1>> in the implementation"])");
  EXPECT_EQ(why.details["server"].as_string(), "s1");
}

// A follower that answers a request whose entry conflicts with its own as
// if it held the entry: HandleAppendEntriesRequest is "already done" only
// when the terms at the index agree; here it removes the entry instead.
TEST(RaftSpec, AConflictingEntryKeptIsExplainedByTheAlreadyDoneCondition) {
  RaftModel model(small(3, 3, 1, 4));
  State before = model.initial_states().front();
  before.servers[1].current_term = 3;
  before.servers[1].log.append({2, 1});
  Message request;
  request.type = MessageType::kAppendEntriesRequest;
  request.term = 3;
  request.has_entry = true;
  request.entry = {3, 1};
  request.source = 0;
  request.dest = 1;
  before.messages.add(request);
  State after = before;
  after.messages.remove(request);
  Message response;
  response.type = MessageType::kAppendEntriesResponse;
  response.term = 3;
  response.success = true;
  response.match_index = 1;
  response.source = 1;
  response.dest = 0;
  after.messages.add(response);
  ASSERT_FALSE(model.reaches_by_server_steps(before, after, 1, 14, std::nullopt));
  const mc::StepExplanation why = model.explain_server_steps(before, after, 1, 14, std::nullopt);
  const mc::Json& closest = why.details["closest"];
  EXPECT_EQ(closest["action_kind"].as_string(), "HandleAppendEntriesRequest") << why.text;
  EXPECT_EQ(closest["failed"].as_string(), "log[i][index].term = m.mentries[1].term") << why.text;
  EXPECT_EQ(closest["failed_kind"].as_string(), "condition");
  EXPECT_EQ(closest["values"].as_string(),
            "index = m.mprevLogIndex + 1 = 1, Len(log[s2]) = 1, log[s2][1].term = 2, "
            "m.mentries[1].term = 3");
  EXPECT_EQ(closest["after"].as_array().size(), 0u);
}

TEST(RaftSpec, BoundsOutsideTheStateAreRejected) {
  EXPECT_THROW(RaftModel(small(6, 3, 1, 2)), std::invalid_argument);
  EXPECT_THROW(RaftModel(small(3, kMaxTerm, 1, 2)), std::invalid_argument);
  EXPECT_THROW(RaftModel(small(3, 3, kMaxLog, 2)), std::invalid_argument);
}

}  // namespace
}  // namespace crosscheck::spec::raft
