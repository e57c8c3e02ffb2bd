// Lease-based reads (Ongaro's thesis §6.4.1) on explicit clocks, named
// after the sentences they check, stepped through the clocked model one
// successor at a time; the model check of the correct node within the
// focused run's bounds; and the known-buggy variants.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "check/raft/lease_model.h"
#include "impl/raft/node.h"
#include "model_check/search.h"

namespace crosscheck::impl::raft {
namespace {

using check::raft::LeaseAction;
using check::raft::LeaseModel;
using check::raft::LeaseState;
using Kind = LeaseAction::Kind;

// The clocked model driven by hand: each step is the first successor the
// test's predicate picks.
class Steps {
 public:
  explicit Steps(Variant variant = Variant::kCorrect, int drift = 1, int election_timeout = 3)
      : model_(make(variant, drift, election_timeout)), state_(model_.initial_states()[0]) {}

  bool take(const std::function<bool(const LeaseAction&)>& pick) {
    std::vector<mc::Successor<LeaseAction, LeaseState>> next;
    model_.successors(state_, next);
    for (auto& successor : next) {
      if (!pick(successor.action)) continue;
      state_ = std::move(successor.state);
      return true;
    }
    return false;
  }
  bool fire(NodeId id, Timer timer) {
    return take([&](const LeaseAction& a) {
      return a.kind == Kind::kTimeout && a.node == id && a.timer == timer;
    });
  }
  bool deliver(NodeId from, NodeId to) {
    return take([&](const LeaseAction& a) {
      return a.kind == Kind::kDeliver && a.from == from && a.node == to;
    });
  }
  void deliver_all() {
    while (take([](const LeaseAction& a) { return a.kind == Kind::kDeliver; })) {
    }
  }
  bool advance() {
    return take([](const LeaseAction& a) { return a.kind == Kind::kAdvance; });
  }
  bool input(NodeId id, ClientRequest request) {
    return take([&](const LeaseAction& a) {
      return a.kind == Kind::kInput && a.node == id && a.input == request;
    });
  }
  bool armed(NodeId id, Timer timer) const {
    return (state_.armed_timers[id] & (1u << static_cast<unsigned>(timer))) != 0;
  }
  const RaftNode& node(NodeId id) const { return state_.nodes[id]; }
  const LeaseState& state() const { return state_; }

 private:
  static LeaseModel make(Variant variant, int drift, int election_timeout) {
    Config config{3, variant};
    config.check_quorum = variant != Variant::kCheckQuorumOffLeaseRead;
    config.election_timeout = election_timeout;
    config.drift = drift;
    check::raft::ImplBounds bounds;
    bounds.max_log = 2;
    bounds.max_reads = 4;
    bounds.max_messages = 8;
    return check::raft::make_lease_model(config, bounds, mc::FaultBudgets{}, {.horizon = 10});
  }

  LeaseModel model_;
  LeaseState state_;
};

const ClientRequest kRead{0, ClientRequest::Kind::kRead};

// s1 wins term 2 at time 0 and commits 2:1 with both followers.
void elect_and_write(Steps& steps) {
  ASSERT_TRUE(steps.fire(0, Timer::kElection));
  steps.deliver_all();
  ASSERT_EQ(steps.node(0).role(), Role::kLeader);
  ASSERT_TRUE(steps.input(0, ClientRequest{1}));
  ASSERT_TRUE(steps.fire(0, Timer::kHeartbeat));
  steps.deliver_all();
  ASSERT_EQ(steps.node(0).commit_index(), 1);
}

// "Once the leader's heartbeats were acknowledged by a majority of the
// cluster, it would extend its lease ... While the leader has a lease, it
// would service read-only queries without communicating with others."
TEST(Thesis_6_4_1, AMajorityThatAnswersAHeartbeatRoundGivesALeaseForReadsWithoutMessages) {
  Steps steps;
  elect_and_write(steps);
  EXPECT_TRUE(steps.node(0).lease_holds());
  const size_t in_flight = steps.state().network.size();
  ASSERT_TRUE(steps.input(0, kRead));
  EXPECT_EQ(steps.state().network.size(), in_flight);
  EXPECT_EQ(steps.state().history.answered, 1);
  EXPECT_FALSE(steps.state().history.stale);
}

// "... to start + election timeout / clock drift bound, since the
// followers shouldn't time out before then": with drift d the leader
// trusts election_timeout - 2d ticks of its own clock (3 - 2 = 1 here).
TEST(Thesis_6_4_1, TheLeaseEndsAnElectionTimeoutLessTwiceTheDriftAfterItsRoundBegan) {
  Steps steps;
  elect_and_write(steps);
  const ReadIndex& read = steps.node(0).volatile_state().read;
  EXPECT_EQ(read.lease_round, 1);  // begun at reading 0
  EXPECT_EQ(read.lease_expiry, 1);
  ASSERT_TRUE(steps.advance());
  EXPECT_FALSE(steps.node(0).lease_holds());
  EXPECT_FALSE(steps.node(0).accepts_reads());
  EXPECT_FALSE(steps.input(0, kRead));
}

// Without the margin (the variant) the lease is the whole timeout.
TEST(Thesis_6_4_1, WithoutADriftMarginTheLeaseIsTheWholeElectionTimeout) {
  Steps steps(Variant::kLeaseReadNoDriftMargin);
  elect_and_write(steps);
  EXPECT_EQ(steps.node(0).volatile_state().read.lease_expiry, 3);
}

// "if a server receives a RequestVote request within the minimum election
// timeout of hearing from a current leader, it does not update its term
// or grant its vote" (§6.2), measured by the follower's own clock.
TEST(Thesis_6_2, AFollowerIgnoresVotesUntilItsOwnClockPassesAnElectionTimeout) {
  Steps steps;
  elect_and_write(steps);
  EXPECT_EQ(steps.node(1).clock().deadline, 3);  // heard at reading 0
  for (int tick = 1; tick <= 2; ++tick) {
    ASSERT_TRUE(steps.advance());
    EXPECT_FALSE(steps.armed(1, Timer::kElection)) << "at time " << tick;
  }
  ASSERT_TRUE(steps.advance());
  EXPECT_TRUE(steps.armed(1, Timer::kElection));
}

// A heartbeat from the leader moves the follower's deadline on.
TEST(Thesis_6_2, HearingFromTheLeaderRestartsTheFollowersTimeout) {
  Steps steps;
  elect_and_write(steps);
  ASSERT_TRUE(steps.advance());
  ASSERT_TRUE(steps.fire(0, Timer::kHeartbeat));  // due again at reading 1
  ASSERT_TRUE(steps.deliver(0, 1));
  EXPECT_EQ(steps.node(1).clock().deadline, 4);
}

// Two rules, on one node at a time: what a follower promises a lease.
Config lease_config() {
  Config config{3, Variant::kCorrect};
  config.check_quorum = true;
  config.lease_reads = true;
  config.election_timeout = 3;
  config.drift = 1;
  return config;
}

// A server that restarts cannot know whether it answered a leader's
// heartbeat just before: it keeps the promise and ignores a vote request
// of a later term until its first election timeout.
TEST(Thesis_6_4_1, ARestartedServerKeepsTheLeaseItMayHavePromised) {
  RaftNode follower(1, lease_config());
  RaftOutbox out;
  Message heartbeat;
  heartbeat.type = MessageType::kAppendEntriesRequest;
  heartbeat.term = 2;
  heartbeat.read_round = 1;
  follower.on_message(0, heartbeat, out);
  follower.restart_on_clock(out);
  Message request;
  request.type = MessageType::kRequestVoteRequest;
  request.term = 3;
  RaftOutbox answers;
  follower.on_message(2, request, answers);
  EXPECT_EQ(follower.term(), 2);
  EXPECT_TRUE(answers.sends().empty());
}

// A refusal of a request of an older term promises the leader nothing: it
// echoes no lease round, though the round numbers of two leaderships may
// meet (a round is named by the clock reading it began at).
TEST(Thesis_6_4_1, ARefusalOfAStaleHeartbeatConfirmsNoLease) {
  RaftNode follower(1, lease_config());
  RaftOutbox out;
  Message vote;
  vote.type = MessageType::kRequestVoteRequest;
  vote.term = 4;
  follower.on_message(0, vote, out);
  ASSERT_EQ(follower.term(), 4);
  Message stale;
  stale.type = MessageType::kAppendEntriesRequest;
  stale.term = 2;
  stale.read_round = 1;
  RaftOutbox answer;
  follower.on_message(0, stale, answer);
  ASSERT_EQ(answer.sends().size(), 1u);
  EXPECT_FALSE(answer.sends()[0].message.success);
  EXPECT_EQ(answer.sends()[0].message.read_round, 0);
}

mc::CheckResult check(Variant variant, int election_timeout, int drift, int horizon, int messages,
                      int check_quorum) {
  Config config{3, variant};
  config.check_quorum = check_quorum != 0;
  config.election_timeout = election_timeout;
  config.drift = drift;
  check::raft::ImplBounds bounds;
  bounds.max_log = 2;
  bounds.max_messages = messages;
  bounds.max_reads = 1;
  mc::SearchOptions options;
  options.symmetry = true;
  return mc::check(
      check::raft::make_lease_model(config, bounds, mc::FaultBudgets{}, {.horizon = horizon}),
      options);
}

// The focused run `lease-reads`: election timeout 3, drift 1, time up to
// 3, logs of two entries, two messages in flight. Every read answered from
// a lease is linearizable and every step refines raft.tla.
TEST(LeaseModel, EveryLeaseReadIsLinearizableAndEveryStepRefinesRaftTla) {
  const mc::CheckResult result = check(Variant::kCorrect, 3, 1, 3, 2, 1);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
  EXPECT_EQ(result.stats.distinct_states, 653107u);
}

// The variant's shortest stale read (docs/raft.md walks it): election
// timeout 2, no drift, time up to 2, four messages in flight. s1 wins
// term 2 and commits 2:1 (11 steps); at time 1 its second round, answered
// by s2, extends its lease to 3 (4); at time 2 s3, which last heard from s1
// at time 0, times out, and s2 votes for it at once, as nothing tells it
// not to (4); s3 appends and commits 3:1 with s2 (4); s1 answers a read
// from index 1 (1): 24 steps.
TEST(LeaseModel, LeaseReadsWithoutCheckQuorumAreCaughtStale) {
  const mc::CheckResult result = check(Variant::kCheckQuorumOffLeaseRead, 2, 0, 2, 4, 0);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "ReadsAreLinearizable");
  EXPECT_EQ(result.trace.size() - 1, 24u);
  EXPECT_EQ(result.trace.back().action, "Input s1 ReadRequest");
}

// With CheckQuorum, the same bounds find no stale read. (They found one
// while a follower in the lease took a newer term from a refused vote and
// then granted that term's next vote request: 29 steps; a follower in a
// lease now learns a newer term only from a leader.)
TEST(LeaseModel, WithCheckQuorumTheVariantsBoundsFindNoStaleRead) {
  const mc::CheckResult result = check(Variant::kCorrect, 2, 0, 2, 4, 1);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
  EXPECT_EQ(result.stats.distinct_states, 2889961u);
}

// The variant's shortest stale read (docs/raft.md walks it): election
// timeout 3, drift 1, time up to 2, three messages in flight. s1 wins term
// 2 and, with its first round at reading 0, commits 2:1 and holds a lease
// until 3 where the correct node's ends at 1 (9 steps); time moves to 2,
// s1's clock with it, and s2's clock runs a tick ahead, to 3, an election
// timeout after it heard from s1 (3); s2 times out, s1 ignores its vote
// request, s3's clock reaches 3 too and it votes for s2 (5); s2 appends
// and commits 3:1 with s3 (4); s1, its clock at 2, answers a read from
// index 1 (1): 22 steps.
TEST(LeaseModel, ALeaseWithoutADriftMarginIsCaughtStale) {
  const mc::CheckResult result = check(Variant::kLeaseReadNoDriftMargin, 3, 1, 2, 3, 1);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "ReadsAreLinearizable");
  EXPECT_EQ(result.trace.size() - 1, 22u);
  EXPECT_EQ(result.trace.back().action, "Input s1 ReadRequest");
}

}  // namespace
}  // namespace crosscheck::impl::raft
