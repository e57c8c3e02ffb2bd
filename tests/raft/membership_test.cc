// Membership changes, named after the sentences they check: single-server
// changes (Ongaro's thesis §4.1), with the known-buggy variant that changes
// membership before an entry of the leader's term is committed (the bug
// Ongaro reported on raft-dev in 2015), and joint consensus (the paper's
// §6), with the variant that leaves the joint configuration early; and the
// model checks.
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

Cluster make_cluster(int servers, Variant variant = Variant::kCorrect) {
  check::raft::ImplBounds bounds;
  bounds.membership = true;
  return Cluster(check::raft::ImplBinding({servers, variant}, bounds));
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

// A heartbeat round, then another to carry the new commit index.
void replicate(Cluster& cluster, NodeId leader) {
  ASSERT_TRUE(cluster.fire(leader, Timer::kHeartbeat));
  settle(cluster);
  ASSERT_TRUE(cluster.fire(leader, Timer::kHeartbeat));
  settle(cluster);
}

bool change(Cluster& cluster, NodeId leader, NodeId target) {
  return cluster.input(leader,
                       ClientRequest{static_cast<uint8_t>(target), Kind::kChangeMembership});
}

constexpr uint8_t kAll3 = 0b111;

// "the leader ... will not begin another change until the first change
// has been committed"; and, since 2015, not before an entry of its own
// term is committed either.
TEST(Thesis_4_1, ALeaderChangesMembershipOnlyAfterAnEntryOfItsTermIsCommitted) {
  Cluster cluster = make_cluster(3);
  elect(cluster, 0);
  EXPECT_FALSE(change(cluster, 0, 2));
  ASSERT_TRUE(cluster.input(0, ClientRequest{1}));
  replicate(cluster, 0);
  EXPECT_TRUE(change(cluster, 0, 2));
  EXPECT_FALSE(change(cluster, 0, 1));  // the first change is not committed yet
  EXPECT_FALSE(change(cluster, 0, 0));  // and never the leader itself
}

// "a server always uses the latest configuration in its log, regardless
// of whether the entry is committed": removing s3 from three servers, the
// leader counts a quorum of {s1, s2} at once, and sends s3 nothing more.
TEST(Thesis_4_1, AServerUsesTheLatestConfigurationInItsLogCommittedOrNot) {
  Cluster cluster = make_cluster(3);
  elect(cluster, 0);
  ASSERT_TRUE(cluster.input(0, ClientRequest{1}));
  replicate(cluster, 0);
  ASSERT_TRUE(change(cluster, 0, 2));
  EXPECT_EQ(cluster.node(0).configuration(), 0b011);
  EXPECT_EQ(cluster.node(1).configuration(), kAll3);
  ASSERT_TRUE(cluster.fire(0, Timer::kHeartbeat));
  ASSERT_EQ(cluster.in_flight().size(), 1u);  // to s2 only
  settle(cluster);
  EXPECT_EQ(cluster.node(1).configuration(), 0b011);  // uncommitted, in force
  EXPECT_EQ(cluster.node(0).commit_index(), 2);       // s1 and s2: a quorum of {s1, s2}
  EXPECT_EQ(cluster.node(2).configuration(), kAll3);  // s3 never heard
}

// "the removed servers will not receive heartbeats, so when their
// election timeouts elapse, they will start new elections" (§4.2.3): s3,
// removed, is sent nothing more and stands in term 3; its log lacks the
// configuration, so neither s1 nor s2 votes for it.
TEST(Thesis_4_1, ARemovedServerHearsNothingMoreAndCannotWin) {
  Cluster cluster = make_cluster(3);
  elect(cluster, 0);
  ASSERT_TRUE(cluster.input(0, ClientRequest{1}));
  replicate(cluster, 0);
  ASSERT_TRUE(change(cluster, 0, 2));
  replicate(cluster, 0);
  EXPECT_EQ(cluster.node(0).commit_index(), 2);
  EXPECT_EQ(cluster.node(2).log().size(), 1u);
  ASSERT_TRUE(cluster.fire(2, Timer::kElection));
  EXPECT_EQ(cluster.node(2).role(), Role::kCandidate);
  settle(cluster);
  EXPECT_NE(cluster.node(2).role(), Role::kLeader);
  EXPECT_EQ(cluster.node(0).term(), 3);  // the disruption the thesis describes
}

// Leadership goes only to a voter: once s3 is removed, no transfer to it
// is offered (a TimeoutNow would have it stand in a configuration it is
// not in).
TEST(Thesis_4_1, LeadershipIsNotTransferredToAServerRemoved) {
  check::raft::ImplBounds bounds;
  bounds.membership = true;
  bounds.leader_transfer = true;
  Cluster cluster(check::raft::ImplBinding({3, Variant::kCorrect}, bounds));
  elect(cluster, 0);
  ASSERT_TRUE(cluster.input(0, ClientRequest{1}));
  replicate(cluster, 0);
  EXPECT_TRUE(cluster.node(0).can_transfer_leadership(2));
  ASSERT_TRUE(change(cluster, 0, 2));
  EXPECT_FALSE(cluster.input(0, ClientRequest{2, Kind::kTransfer}));
  EXPECT_TRUE(cluster.input(0, ClientRequest{1, Kind::kTransfer}));
}

// The 2015 bug in four servers. s1 leads term 2 and, with nothing of its
// term committed, starts removing s2 ({s1, s3, s4}, in its log alone).
// s2 wins term 3 with s3 and s4 and, likewise, starts removing s1
// ({s2, s3, s4}), which reaches s4. Now s1 wins term 4 with s3's vote, a
// quorum of {s1, s3, s4}; and s4 wins term 4 too, with s2's, a quorum of
// {s2, s3, s4}: two configurations two changes apart, and quorums that do
// not overlap.
TEST(Thesis_4_1, ChangesOfTwoTermsWithoutACommitOfTheirOwnElectTwoLeaders) {
  Cluster cluster = make_cluster(4, Variant::kSingleServerChangeUnsafe);
  elect(cluster, 0);
  ASSERT_TRUE(change(cluster, 0, 1));
  ASSERT_EQ(cluster.node(0).configuration(), 0b1101);
  elect(cluster, 1);  // s1 refuses: its log is longer
  ASSERT_TRUE(change(cluster, 1, 0));
  cluster.cut(1, 2);
  ASSERT_TRUE(cluster.fire(1, Timer::kHeartbeat));
  settle(cluster);  // to s4 only
  ASSERT_EQ(cluster.node(3).configuration(), 0b1110);
  cluster.heal();
  cluster.cut(0, 1);
  cluster.cut(0, 3);
  elect(cluster, 0);  // s1 and s3
  ASSERT_EQ(cluster.node(0).term(), 4);
  elect(cluster, 3);  // s4 and s2
  ASSERT_EQ(cluster.node(3).term(), 4);
  EXPECT_FALSE(check::raft::impl_election_safety(cluster.state()));
}

TEST(Thesis_4_1, WithTheRuleTheSecondLeaderCannotChangeMembershipYet) {
  Cluster cluster = make_cluster(4);
  elect(cluster, 0);
  EXPECT_FALSE(change(cluster, 0, 1));
}

Cluster make_joint_cluster(Variant variant = Variant::kCorrect) {
  check::raft::ImplBounds bounds;
  bounds.joint_consensus = true;
  return Cluster(check::raft::ImplBinding({3, variant}, bounds));
}

bool change_jointly(Cluster& cluster, NodeId leader, uint8_t voters) {
  return cluster.input(leader, ClientRequest{voters, Kind::kJointChange});
}

// "The leader first stores the configuration entry for C_old,new ...
// Once C_old,new has been committed ... it is now safe for the leader to
// create a log entry describing C_new" (the paper's §6): from {s1,s2,s3}
// to {s1} at once, through the joint configuration, which takes a quorum
// of both; left by the leader once committed, as etcd's auto-leave does.
TEST(Raft_6, AJointConfigurationIsEnteredThenLeftOnceCommitted) {
  Cluster cluster = make_joint_cluster();
  elect(cluster, 0);
  ASSERT_TRUE(cluster.input(0, ClientRequest{1}));
  replicate(cluster, 0);
  EXPECT_FALSE(change_jointly(cluster, 0, 0b011));  // one server: a single-server change
  ASSERT_TRUE(change_jointly(cluster, 0, 0b001));
  EXPECT_EQ(cluster.node(0).configuration(), 0b001);
  EXPECT_EQ(cluster.node(0).old_configuration(), kAll3);
  EXPECT_EQ(cluster.node(0).commit_index(), 1);  // s1 alone is no quorum of {s1,s2,s3}
  ASSERT_TRUE(cluster.fire(0, Timer::kHeartbeat));
  settle(cluster);  // committed: s1 appends {s1} alone, and commits it alone
  EXPECT_EQ(cluster.node(0).log().size(), 3u);
  EXPECT_EQ(cluster.node(0).configuration(), 0b001);
  EXPECT_EQ(cluster.node(0).old_configuration(), 0);
  EXPECT_EQ(cluster.node(0).commit_index(), 3);
}

// Leaving early, s1 is {s1} alone at once and commits the change by
// itself; s2 and s3, which never heard, still hold {s1,s2,s3} and elect s2,
// which overwrites what s1 applied.
TEST(Raft_6, LeavingAJointConfigurationEarlyLosesWhatTheNewOneCommitted) {
  Cluster cluster = make_joint_cluster(Variant::kJointLeaveEarly);
  elect(cluster, 0);
  ASSERT_TRUE(cluster.input(0, ClientRequest{1}));
  replicate(cluster, 0);
  cluster.isolate(0);
  ASSERT_TRUE(change_jointly(cluster, 0, 0b001));
  EXPECT_EQ(cluster.node(0).commit_index(), 3);
  elect(cluster, 1);
  ASSERT_TRUE(cluster.input(1, ClientRequest{1}));
  cluster.heal();
  ASSERT_TRUE(cluster.fire(1, Timer::kHeartbeat));
  settle(cluster);
  EXPECT_FALSE(check::raft::impl_applied_entries_kept(cluster.state()));
}

mc::CheckResult check(int servers, Variant variant, check::raft::ImplBounds bounds) {
  bounds.membership = true;
  mc::SearchOptions options;
  options.symmetry = true;
  return mc::check(check::raft::make_impl_model({servers, variant}, bounds, mc::FaultBudgets{}),
                   options);
}

// Three servers, two entries (one of them a configuration), terms up to
// 3, three messages: every step refines raft.tla with ChangeMembership,
// and every applied entry stays on a quorum of every later configuration.
TEST(MembershipModel, ThreeServersRefineRaftTlaWithChangeMembership) {
  check::raft::ImplBounds bounds;
  bounds.max_log = 2;
  bounds.max_messages = 3;
  const mc::CheckResult result = check(3, Variant::kCorrect, bounds);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
  EXPECT_EQ(result.stats.distinct_states, 822256u);
}

// The variant's first step out of the spec: s1, leader of term 2 with
// nothing committed, appends a configuration (4 steps).
TEST(MembershipModel, AnUnsafeChangeIsNoRaftTlaStep) {
  check::raft::ImplBounds bounds;
  bounds.max_log = 1;
  bounds.max_messages = 3;
  const mc::CheckResult result = check(3, Variant::kSingleServerChangeUnsafe, bounds);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "RefinesRaftSpec");
  EXPECT_EQ(result.trace.size() - 1, 4u);
  ASSERT_TRUE(result.why.has_value());
  EXPECT_EQ(result.why->details["closest"]["action_kind"].as_string(), "ChangeMembership");
}

// Without the refinement check the search goes on to two leaders of one
// term, as above: four servers, terms up to 4, four messages in flight;
// the shortest run is 29 steps (1,691,928 states).
TEST(MembershipModel, AnUnsafeChangeElectsTwoLeadersInOneTermInFourServers) {
  check::raft::ImplBounds bounds;
  bounds.max_term = 4;
  bounds.max_log = 1;
  bounds.max_messages = 4;
  bounds.check_refinement = false;
  const mc::CheckResult result = check(4, Variant::kSingleServerChangeUnsafe, bounds);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "ElectionSafety");
  EXPECT_EQ(result.trace.size() - 1, 29u);
  EXPECT_EQ(result.stats.distinct_states, 1691928u);
}

mc::CheckResult check_joint(Variant variant, check::raft::ImplBounds bounds) {
  bounds.joint_consensus = true;
  mc::SearchOptions options;
  options.symmetry = true;
  return mc::check(check::raft::make_impl_model({3, variant}, bounds, mc::FaultBudgets{}), options);
}

// Leaving early is no raft.tla step with LeaveJoint's guard: caught at the
// change, 8 steps in (s1 elected by s2, an entry of its term committed).
TEST(JointModel, LeavingEarlyIsNoRaftTlaStep) {
  check::raft::ImplBounds bounds;
  bounds.max_log = 3;
  bounds.max_messages = 3;
  const mc::CheckResult result = check_joint(Variant::kJointLeaveEarly, bounds);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "RefinesRaftSpec");
  EXPECT_EQ(result.trace.size() - 1, 8u);
  ASSERT_TRUE(result.why.has_value());
  EXPECT_EQ(result.why->details["closest"]["action_kind"].as_string(), "LeaveJoint");
}

// Without the refinement check: s2, elected under the old configuration,
// overwrites the entries s1 committed alone: AppliedEntriesKept, 18 steps.
TEST(JointModel, LeavingEarlyLosesACommittedEntry) {
  check::raft::ImplBounds bounds;
  bounds.max_log = 3;
  bounds.max_messages = 3;
  bounds.check_refinement = false;
  const mc::CheckResult result = check_joint(Variant::kJointLeaveEarly, bounds);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "AppliedEntriesKept");
  EXPECT_EQ(result.trace.size() - 1, 18u);
}

// The correct node, three entries (one of the leader's term, the joint
// configuration, the new one), two messages: every step refines raft.tla
// with ChangeMembershipJoint and LeaveJoint.
TEST(JointModel, JointChangesRefineRaftTla) {
  check::raft::ImplBounds bounds;
  bounds.max_log = 3;
  bounds.max_messages = 2;
  const mc::CheckResult result = check_joint(Variant::kCorrect, bounds);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
  EXPECT_EQ(result.stats.distinct_states, 2691u);
}

}  // namespace
}  // namespace crosscheck::impl::raft
