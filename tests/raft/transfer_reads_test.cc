// Scenario tests of leadership transfer (Ongaro's thesis §3.10) and of
// ReadIndex reads (§6.4), named after the sentences they check, with the
// known-buggy variant that answers a read without the heartbeat round;
// and the model checks that every step of them refines raft.tla.
#include <gtest/gtest.h>

#include <string>

#include "check/raft/model.h"
#include "impl/raft/node.h"
#include "model_check/actor_system.h"
#include "model_check/search.h"

namespace crosscheck::impl::raft {
namespace {

using Cluster = mc::ActorSystem<check::raft::ImplBinding>;
using Kind = ClientRequest::Kind;

Cluster make_cluster(Variant variant = Variant::kCorrect, bool check_quorum = false) {
  Config config{3, variant};
  config.check_quorum = check_quorum;
  check::raft::ImplBounds bounds;
  bounds.max_reads = 4;
  bounds.leader_transfer = true;
  return Cluster(check::raft::ImplBinding(config, bounds));
}

void settle(Cluster& cluster) {
  cluster.deliver_all();
  EXPECT_TRUE(cluster.in_flight().empty());
}

void elect(Cluster& cluster, NodeId id) {
  ASSERT_TRUE(cluster.fire(id, Timer::kElection));
  settle(cluster);
  ASSERT_EQ(cluster.node(id).role(), Role::kLeader);
}

// The leader appends an entry and its heartbeat commits it everywhere it reaches.
void write(Cluster& cluster, NodeId leader, uint8_t value) {
  ASSERT_TRUE(cluster.input(leader, ClientRequest{value}));
  ASSERT_TRUE(cluster.fire(leader, Timer::kHeartbeat));
  settle(cluster);
  ASSERT_TRUE(cluster.fire(leader, Timer::kHeartbeat));  // followers learn the commit
  settle(cluster);
}

bool transfer(Cluster& cluster, NodeId leader, NodeId target) {
  return cluster.input(leader, ClientRequest{static_cast<uint8_t>(target), Kind::kTransfer});
}

bool read(Cluster& cluster, NodeId leader) {
  return cluster.input(leader, ClientRequest{0, Kind::kRead});
}

// "the prior leader sends a TimeoutNow request to the target server. This
// request has the same effect as the target server's election timer
// firing: the target server starts a new election (incrementing its term)."
TEST(Thesis_3_10, TheTargetOfATransferStartsAnElectionAndWinsIt) {
  Cluster cluster = make_cluster();
  elect(cluster, 0);
  write(cluster, 0, 1);
  ASSERT_TRUE(transfer(cluster, 0, 1));
  ASSERT_EQ(cluster.in_flight().size(), 1u);
  EXPECT_EQ(cluster.in_flight()[0].message.type, MessageType::kTimeoutNow);
  settle(cluster);
  EXPECT_EQ(cluster.node(1).role(), Role::kLeader);
  EXPECT_EQ(cluster.node(1).term(), 3);
  EXPECT_EQ(cluster.node(0).role(), Role::kFollower);
}

// "the prior leader ... transfers its log entries to the target server so
// that its log matches the leader's", then sends TimeoutNow; and "the prior
// leader stops accepting new client requests" meanwhile.
TEST(Thesis_3_10, ALaggingTargetIsCaughtUpFirstAndWritesWaitMeanwhile) {
  Cluster cluster = make_cluster();
  elect(cluster, 0);
  cluster.isolate(2);
  write(cluster, 0, 1);  // s3 lacks the entry
  cluster.heal();
  ASSERT_TRUE(transfer(cluster, 0, 2));
  EXPECT_FALSE(cluster.input(0, ClientRequest{1}));
  ASSERT_EQ(cluster.in_flight().size(), 1u);
  EXPECT_EQ(cluster.in_flight()[0].message.type, MessageType::kAppendEntriesRequest);
  settle(cluster);
  EXPECT_EQ(cluster.node(2).role(), Role::kLeader);
  EXPECT_EQ(cluster.node(2).log().size(), 1u);
}

// "If the transfer does not complete within an election timeout, the
// prior leader aborts the transfer and resumes accepting client requests."
TEST(Thesis_3_10, ATransferNotDoneByTheElectionTimeoutIsAbandoned) {
  Cluster cluster = make_cluster();
  elect(cluster, 0);
  cluster.isolate(1);
  ASSERT_TRUE(transfer(cluster, 0, 1));
  settle(cluster);  // the TimeoutNow is lost
  EXPECT_FALSE(cluster.input(0, ClientRequest{1}));
  ASSERT_TRUE(cluster.fire(0, Timer::kElection));
  EXPECT_EQ(cluster.node(0).role(), Role::kLeader);
  EXPECT_TRUE(cluster.input(0, ClientRequest{1}));
}

// With CheckQuorum, the followers of the prior leader are in its lease and
// ignore vote requests; the transfer's campaign is marked, and heard.
TEST(Thesis_3_10, ATransferWinsThroughCheckQuorumsLease) {
  Cluster cluster = make_cluster(Variant::kCorrect, /*check_quorum=*/true);
  elect(cluster, 0);
  ASSERT_TRUE(cluster.fire(0, Timer::kHeartbeat));
  settle(cluster);  // s2 and s3 have heard from their leader
  ASSERT_TRUE(transfer(cluster, 0, 1));
  settle(cluster);
  EXPECT_EQ(cluster.node(1).role(), Role::kLeader);
}

// "If the leader has not yet marked an entry from its current term
// committed, it waits until it has done so."
TEST(Thesis_6_4, ANewLeaderServesNoReadBeforeAnEntryOfItsTermIsCommitted) {
  Cluster cluster = make_cluster();
  elect(cluster, 0);
  EXPECT_FALSE(read(cluster, 0));
  write(cluster, 0, 1);
  EXPECT_TRUE(read(cluster, 0));
}

// "The leader ... sends a new round of heartbeats and waits for their
// acknowledgments from a majority of the cluster": the read is answered on
// the first answer of that round, with the leader's own, a majority.
TEST(Thesis_6_4, AReadIsAnsweredOnceAMajorityAcknowledgesANewHeartbeatRound) {
  Cluster cluster = make_cluster();
  elect(cluster, 0);
  write(cluster, 0, 1);
  ASSERT_TRUE(read(cluster, 0));
  const ReadIndex& pending = cluster.node(0).volatile_state().read;
  EXPECT_TRUE(pending.pending);
  EXPECT_EQ(pending.index, 1);
  EXPECT_EQ(cluster.state().history.reads, 1);
  EXPECT_EQ(cluster.state().history.answered, 0);
  ASSERT_TRUE(cluster.deliver([](const Cluster::Envelope& e) { return e.to == 1; }));
  ASSERT_TRUE(cluster.deliver([](const Cluster::Envelope& e) { return e.to == 0; }));
  EXPECT_FALSE(cluster.node(0).volatile_state().read.pending);
  EXPECT_EQ(cluster.state().history.answered, 1);
  EXPECT_FALSE(cluster.state().history.stale);
}

// The round must be new: an answer to a heartbeat sent before the read
// arrived shows only that the leader led then.
TEST(Thesis_6_4, AnAnswerToAnEarlierHeartbeatDoesNotConfirmARead) {
  Cluster cluster = make_cluster();
  elect(cluster, 0);
  write(cluster, 0, 1);
  ASSERT_TRUE(cluster.fire(0, Timer::kHeartbeat));
  ASSERT_TRUE(cluster.deliver([](const Cluster::Envelope& e) { return e.to == 1; }));
  ASSERT_TRUE(read(cluster, 0));  // s2's answer, of round 0, is in flight
  ASSERT_TRUE(cluster.deliver(
      [](const Cluster::Envelope& e) { return e.to == 0 && e.message.read_round == 0; }));
  EXPECT_TRUE(cluster.node(0).volatile_state().read.pending);
  ASSERT_TRUE(cluster.deliver([](const Cluster::Envelope& e) { return e.to == 1; }));
  ASSERT_TRUE(cluster.deliver([](const Cluster::Envelope& e) { return e.to == 0; }));
  EXPECT_FALSE(cluster.node(0).volatile_state().read.pending);
}

// s1 leads term 2 and commits 2:1; cut off from the others, it is still
// leader when s2 wins term 3 and commits 3:1. A read at s1 cannot be
// answered: its heartbeats reach nobody. The buggy variant answers at
// once, from s1's commit index 1 while 2 entries are committed: stale.
void deposed_leader_reads(Cluster& cluster) {
  elect(cluster, 0);
  write(cluster, 0, 1);
  cluster.isolate(0);
  elect(cluster, 1);
  write(cluster, 1, 1);
  ASSERT_EQ(cluster.node(1).commit_index(), 2);
  ASSERT_EQ(cluster.node(0).role(), Role::kLeader);
  ASSERT_TRUE(read(cluster, 0));
  settle(cluster);
}

TEST(Thesis_6_4, ADeposedLeaderCannotConfirmItsLeadershipForARead) {
  Cluster cluster = make_cluster();
  deposed_leader_reads(cluster);
  EXPECT_TRUE(cluster.node(0).volatile_state().read.pending);
  EXPECT_EQ(cluster.state().history.answered, 0);
  EXPECT_TRUE(check::raft::impl_reads_linearizable(cluster.state()));
}

TEST(Thesis_6_4, WithoutTheHeartbeatRoundADeposedLeaderReadsStale) {
  Cluster cluster = make_cluster(Variant::kReadIndexWithoutQuorumRound);
  deposed_leader_reads(cluster);
  EXPECT_EQ(cluster.state().history.answered, 1);
  EXPECT_TRUE(cluster.state().history.stale);
  EXPECT_EQ(cluster.state().history.stale_answer, 1);
  EXPECT_EQ(cluster.state().history.stale_floor, 2);
  EXPECT_FALSE(check::raft::impl_reads_linearizable(cluster.state()));
}

mc::CheckResult check(Config config, check::raft::ImplBounds bounds) {
  mc::SearchOptions options;
  options.symmetry = true;
  return mc::check(check::raft::make_impl_model(config, bounds, mc::FaultBudgets{}), options);
}

// Every step of transfers refines raft.tla: TimeoutNow is no message of
// its bag, and its delivery is the campaign an election timeout starts.
// Three servers, terms up to 3, one entry, two messages in flight.
TEST(TransferModel, EveryStepRefinesRaftTla) {
  check::raft::ImplBounds bounds;
  bounds.max_log = 1;
  bounds.max_messages = 2;
  bounds.leader_transfer = true;
  const mc::CheckResult result = check({3, Variant::kCorrect}, bounds);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
  EXPECT_EQ(result.stats.distinct_states, 12557u);
}

// Reads stay linearizable and every step refines raft.tla. Two entries let
// a second leader commit after the first: one read, three messages.
TEST(ReadIndexModel, EveryReadIsLinearizableAndEveryStepRefinesRaftTla) {
  check::raft::ImplBounds bounds;
  bounds.max_log = 2;
  bounds.max_messages = 3;
  bounds.max_reads = 1;
  const mc::CheckResult result = check({3, Variant::kCorrect}, bounds);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
  EXPECT_EQ(result.stats.distinct_states, 931343u);
}

// The variant's shortest stale read: s1 wins term 2 (5 steps), appends
// and commits 2:1 (6 more); s2 wins term 3 with s3's vote (3), appends and
// commits 3:1 on s3's answer (4); s1, still leader of term 2 in its own
// view, answers a read from index 1 (1): 19 steps.
TEST(ReadIndexModel, AReadWithoutTheHeartbeatRoundIsCaughtStale) {
  check::raft::ImplBounds bounds;
  bounds.max_log = 2;
  bounds.max_messages = 3;
  bounds.max_reads = 1;
  const mc::CheckResult result = check({3, Variant::kReadIndexWithoutQuorumRound}, bounds);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "ReadsAreLinearizable");
  EXPECT_EQ(result.trace.size() - 1, 19u);
  EXPECT_EQ(result.trace.back().action, "Input s1 ReadRequest");
}

}  // namespace
}  // namespace crosscheck::impl::raft
