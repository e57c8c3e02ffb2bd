// Scenario tests of what Ongaro's thesis ("Consensus: Bridging Theory and
// Practice", 2014) adds to the paper's Raft, named after the sentences they
// check: PreVote (§9.6, "Preventing disruptions when a server rejoins the
// cluster") with the known-buggy variant in which a pre-vote request
// raises its receiver's term, and CheckQuorum (§6.2).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "check/raft/model.h"
#include "impl/raft/node.h"
#include "model_check/actor_system.h"
#include "model_check/search.h"

namespace crosscheck::impl::raft {
namespace {

using Cluster = mc::ActorSystem<check::raft::ImplBinding>;

Cluster make_cluster(Variant variant = Variant::kCorrect, bool pre_vote = true,
                     bool check_quorum = false) {
  Config config{3, variant};
  config.pre_vote = pre_vote;
  config.check_quorum = check_quorum;
  return Cluster(check::raft::ImplBinding(config, check::raft::ImplBounds{}));
}

void election_timeout(Cluster& cluster, NodeId id) {
  EXPECT_TRUE(cluster.fire(id, Timer::kElection)) << "s" << id + 1 << " leads";
}

void settle(Cluster& cluster) {
  cluster.deliver_all();
  EXPECT_TRUE(cluster.in_flight().empty());
}

void elect(Cluster& cluster, NodeId id) {
  election_timeout(cluster, id);
  settle(cluster);
}

// s1 leads term 2 and, while s3 is cut off, commits an entry with s2; s3
// times out three times; then the partition heals and s3 times out once
// more, before s1's next heartbeat.
void rejoin_after_three_timeouts(Cluster& cluster) {
  elect(cluster, 0);
  ASSERT_EQ(cluster.node(0).role(), Role::kLeader);
  cluster.isolate(2);
  ASSERT_TRUE(cluster.input(0, check::raft::ClientRequest{1}));
  ASSERT_TRUE(cluster.fire(0, Timer::kHeartbeat));
  settle(cluster);
  for (int timeout = 0; timeout < 3; ++timeout) {
    election_timeout(cluster, 2);
    settle(cluster);
  }
  cluster.heal();
  election_timeout(cluster, 2);
  settle(cluster);
}

TEST(Thesis_9_6, AQuorumOfPreVotesStartsARealElection) {
  Cluster cluster = make_cluster();
  election_timeout(cluster, 0);
  EXPECT_EQ(cluster.node(0).role(), Role::kPreCandidate);
  EXPECT_EQ(cluster.node(0).term(), 1);  // no term raised yet
  settle(cluster);
  EXPECT_EQ(cluster.node(0).role(), Role::kLeader);
  EXPECT_EQ(cluster.node(0).term(), 2);
}

// "the candidate would first ask other servers whether its log was
// up-to-date enough to get their vote. Only if the candidate believed it
// could get votes from a majority of the cluster would it increment its
// term and start a normal election."
TEST(Thesis_9_6, AServerThatCannotWinDoesNotIncrementItsTerm) {
  Cluster cluster = make_cluster();
  cluster.isolate(2);
  for (int timeout = 0; timeout < 3; ++timeout) {
    election_timeout(cluster, 2);
    settle(cluster);
  }
  EXPECT_EQ(cluster.node(2).role(), Role::kPreCandidate);
  EXPECT_EQ(cluster.node(2).term(), 1);
}

TEST(Thesis_9_6, APreVoteIsDeniedToALogLessUpToDate) {
  Cluster cluster = make_cluster();
  elect(cluster, 0);
  cluster.isolate(2);
  ASSERT_TRUE(cluster.input(0, check::raft::ClientRequest{1}));
  ASSERT_TRUE(cluster.fire(0, Timer::kHeartbeat));
  settle(cluster);  // s1 and s2 hold the entry; s3 does not
  cluster.heal();
  election_timeout(cluster, 2);
  settle(cluster);
  EXPECT_EQ(cluster.node(2).role(), Role::kPreCandidate);
  EXPECT_EQ(cluster.node(2).term(), 2);
  EXPECT_EQ(cluster.node(0).role(), Role::kLeader);
}

// "This change would prevent a partitioned server from disrupting the
// cluster when it rejoins" (when, as here, its log is behind): the leader
// keeps its term and its leadership.
TEST(Thesis_9_6, ARejoiningServerDoesNotDisruptTheLeader) {
  Cluster cluster = make_cluster();
  rejoin_after_three_timeouts(cluster);
  EXPECT_EQ(cluster.node(0).role(), Role::kLeader);
  EXPECT_EQ(cluster.node(0).term(), 2);
  EXPECT_EQ(cluster.node(1).term(), 2);
}

// Without PreVote the same rejoin deposes the leader: s3's term has risen
// to 6 while it was cut off, and its RequestVote makes s1 step down (s3
// cannot win: its log is behind).
TEST(Thesis_9_6, WithoutPreVoteTheRejoiningServerDeposesTheLeader) {
  Cluster cluster = make_cluster(Variant::kCorrect, /*pre_vote=*/false);
  rejoin_after_three_timeouts(cluster);
  EXPECT_NE(cluster.node(0).role(), Role::kLeader);
  EXPECT_EQ(cluster.node(0).term(), 6);
}

// The known-buggy variant: the pre-vote request's term is adopted, so the
// rejoin deposes the leader although nobody campaigned in term 3.
TEST(Thesis_9_6, APreVoteThatRaisesTermsDisruptsTheLeader) {
  Cluster cluster = make_cluster(Variant::kPreVoteRaisesTerm);
  rejoin_after_three_timeouts(cluster);
  EXPECT_EQ(cluster.node(0).role(), Role::kFollower);
  EXPECT_EQ(cluster.node(0).term(), 3);
  // The denials carry term 3 back, and the pre-candidate follows it: the
  // whole cluster has moved to a term no server campaigned in.
  EXPECT_EQ(cluster.node(2).term(), 3);
  EXPECT_EQ(cluster.node(2).role(), Role::kFollower);
}

// "a leader steps down if an election timeout elapses without a
// successful round of heartbeats to a majority of its cluster"
TEST(Thesis_6_2, ALeaderCutOffFromAMajorityStepsDownAtItsElectionTimeout) {
  Cluster cluster = make_cluster(Variant::kCorrect, /*pre_vote=*/false, /*check_quorum=*/true);
  elect(cluster, 0);
  ASSERT_EQ(cluster.node(0).role(), Role::kLeader);
  EXPECT_TRUE(cluster.armed(0, Timer::kElection));  // the leader's check
  cluster.isolate(0);
  ASSERT_TRUE(cluster.fire(0, Timer::kHeartbeat));
  settle(cluster);  // lost
  election_timeout(cluster, 0);
  EXPECT_EQ(cluster.node(0).role(), Role::kFollower);
  EXPECT_EQ(cluster.node(0).term(), 2);  // in its own term
  EXPECT_FALSE(cluster.armed(0, Timer::kHeartbeat));
}

TEST(Thesis_6_2, ALeaderThatHeardFromAMajorityStaysAndChecksAgain) {
  Cluster cluster = make_cluster(Variant::kCorrect, /*pre_vote=*/false, /*check_quorum=*/true);
  elect(cluster, 0);
  ASSERT_TRUE(cluster.fire(0, Timer::kHeartbeat));
  settle(cluster);  // both followers answer
  election_timeout(cluster, 0);
  EXPECT_EQ(cluster.node(0).role(), Role::kLeader);
  // Nobody has answered since that check: the next one steps down.
  election_timeout(cluster, 0);
  EXPECT_EQ(cluster.node(0).role(), Role::kFollower);
}

// "if a server receives a RequestVote request within the minimum election
// timeout of hearing from a current leader, it does not update its term or
// grant its vote": s3, cut off, campaigns in term 3; s2, which heard from
// s1 since its last election timeout, ignores the request. Once its own
// timer has fired, it no longer does.
TEST(Thesis_6_2, AFollowerThatHeardFromTheLeaderIgnoresAVoteRequest) {
  Cluster cluster = make_cluster(Variant::kCorrect, /*pre_vote=*/false, /*check_quorum=*/true);
  elect(cluster, 0);
  ASSERT_TRUE(cluster.fire(0, Timer::kHeartbeat));
  settle(cluster);
  cluster.cut(0, 2);
  election_timeout(cluster, 2);  // s3: term 3, RequestVote to s2 (the one to s1 is lost)
  settle(cluster);
  EXPECT_EQ(cluster.node(1).term(), 2);
  EXPECT_EQ(cluster.node(1).persistent().voted_for, 0);
  EXPECT_EQ(cluster.node(2).role(), Role::kCandidate);
  election_timeout(cluster, 1);  // s2's lease is over: it campaigns itself, term 3
  EXPECT_EQ(cluster.node(1).term(), 3);
}

// PreVote with CheckQuorum, as etcd runs them: s1 leads term 2; s3, which
// has not heard from it, wins s2's pre-vote and campaigns in term 3; s1,
// in its lease, ignores s3's vote request. A pre-vote request s1 sent in
// its own campaign reaches s3 late, and s3's refusal carries term 3: s1
// steps down to it. raft.tla has no record of that refusal, so the spec
// has UpdateTermFromPreVote for it (Config::pre_vote).
TEST(Thesis_9_6, ARefusedPreVoteCarriesTheRefusersNewerTerm) {
  Cluster cluster = make_cluster(Variant::kCorrect, /*pre_vote=*/true, /*check_quorum=*/true);
  auto is = [](MessageType type, NodeId from, NodeId to) {
    return [=](const Cluster::Envelope& e) {
      return e.message.type == type && e.from == from && e.to == to;
    };
  };
  election_timeout(cluster, 0);
  ASSERT_TRUE(cluster.deliver(is(MessageType::kPreVoteRequest, 0, 1)));
  cluster.deliver_all(
      [&](const Cluster::Envelope& e) { return e.message.type != MessageType::kPreVoteRequest; });
  ASSERT_EQ(cluster.node(0).role(), Role::kLeader);
  election_timeout(cluster, 2);
  ASSERT_TRUE(cluster.deliver(is(MessageType::kPreVoteRequest, 2, 1)));
  ASSERT_TRUE(cluster.deliver(is(MessageType::kPreVoteResponse, 1, 2)));
  ASSERT_EQ(cluster.node(2).role(), Role::kCandidate);
  ASSERT_EQ(cluster.node(2).term(), 3);
  ASSERT_TRUE(cluster.deliver(is(MessageType::kRequestVoteRequest, 2, 0)));
  EXPECT_EQ(cluster.node(0).role(), Role::kLeader);  // ignored in its lease
  ASSERT_TRUE(cluster.deliver(is(MessageType::kPreVoteRequest, 0, 2)));
  ASSERT_TRUE(cluster.deliver(is(MessageType::kPreVoteResponse, 2, 0)));
  EXPECT_EQ(cluster.node(0).role(), Role::kFollower);
  EXPECT_EQ(cluster.node(0).term(), 3);
}

// In the model check, every step of a node with PreVote refines raft.tla:
// a pre-candidate is the follower or candidate it was when it began to
// ask, and PreVote messages are no part of raft.tla's bag. Three servers,
// terms up to 3, one entry, three messages in flight, no faults.
check::raft::ImplModel model(Variant variant) {
  Config config{3, variant};
  config.pre_vote = true;
  check::raft::ImplBounds bounds;
  bounds.max_messages = 3;
  return check::raft::make_impl_model(config, bounds, mc::FaultBudgets{});
}

TEST(PreVoteModel, EveryStepRefinesRaftTla) {
  const mc::CheckResult result = mc::check(model(Variant::kCorrect), {});
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
}

// A leader's CheckQuorum step down is raft.tla's with the spec's one
// addition (CheckQuorumStepDown: a leader becomes a follower of its own
// term); three servers, terms up to 3, one entry, two messages in flight,
// no faults.
TEST(CheckQuorumModel, EveryStepRefinesRaftTlaWithItsStepDown) {
  Config config{3, Variant::kCorrect};
  config.check_quorum = true;
  check::raft::ImplBounds bounds;
  bounds.max_term = 3;
  bounds.max_messages = 2;
  const mc::CheckResult result =
      mc::check(check::raft::make_impl_model(config, bounds, mc::FaultBudgets{}), {});
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
}

// The buggy variant's first pre-vote request raises a term without any
// raft.tla message to raise it: a step no raft.tla action explains.
TEST(PreVoteModel, ATermRaisedByAPreVoteIsNoRaftTlaStep) {
  const mc::CheckResult result = mc::check(model(Variant::kPreVoteRaisesTerm), {});
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "RefinesRaftSpec");
  EXPECT_EQ(result.trace.size(), 3u);  // the initial state, the timeout, the delivery
}

}  // namespace
}  // namespace crosscheck::impl::raft
