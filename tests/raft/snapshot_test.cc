// Scenario tests of log compaction and InstallSnapshot (the Raft paper's
// §7), named after the sentences they check, with the known-buggy variant
// that drops the entries after a snapshot its log agrees with; and the
// model checks of the focused run `snapshots` of `crosscheck check raft`.
#include <gtest/gtest.h>

#include <map>

#include "check/raft/model.h"
#include "impl/raft/node.h"
#include "model_check/actor_system.h"
#include "model_check/search.h"

namespace crosscheck::impl::raft {
namespace {

using Cluster = mc::ActorSystem<check::raft::ImplBinding>;
using Kind = ClientRequest::Kind;

check::raft::ImplBounds snapshot_bounds() {
  check::raft::ImplBounds bounds;
  bounds.max_log = 2;
  bounds.max_messages = 3;
  bounds.snapshots = true;
  return bounds;
}

Cluster make_cluster() {
  return Cluster(check::raft::ImplBinding({3, Variant::kCorrect}, snapshot_bounds()));
}

void settle(Cluster& cluster) { cluster.deliver_all(); }

void elect(Cluster& cluster, NodeId id) {
  ASSERT_TRUE(cluster.fire(id, Timer::kElection));
  settle(cluster);
  ASSERT_EQ(cluster.node(id).role(), Role::kLeader);
}

// The leader appends an entry and its heartbeats commit it everywhere they reach.
void write(Cluster& cluster, NodeId leader, uint8_t value) {
  ASSERT_TRUE(cluster.input(leader, ClientRequest{value}));
  ASSERT_TRUE(cluster.fire(leader, Timer::kHeartbeat));
  settle(cluster);
  ASSERT_TRUE(cluster.fire(leader, Timer::kHeartbeat));  // followers learn the commit
  settle(cluster);
}

bool compact(Cluster& cluster, NodeId id) {
  return cluster.input(id, ClientRequest{0, Kind::kCompact});
}

// "Each server takes snapshots independently, covering just the committed
// entries in its log": the state machine stays as it was.
TEST(Paper_7, EachServerCompactsOnlyItsCommittedEntries) {
  Cluster cluster = make_cluster();
  elect(cluster, 0);
  EXPECT_FALSE(compact(cluster, 0));  // nothing committed yet
  write(cluster, 0, 1);
  const std::map<int, int> before = cluster.node(1).state_machine();
  ASSERT_TRUE(compact(cluster, 1));
  EXPECT_TRUE(cluster.node(1).log().empty());
  EXPECT_EQ(cluster.node(1).snapshot().index, 1);
  EXPECT_EQ(cluster.node(1).snapshot().term, 2);
  EXPECT_EQ(cluster.node(1).state_machine(), before);
  EXPECT_FALSE(compact(cluster, 1));  // nothing new since
}

// "the leader must occasionally send snapshots to followers that lag
// behind": a follower whose next entry the leader has compacted away gets
// the snapshot, and then the entries after it.
TEST(Paper_7, TheLeaderSendsItsSnapshotToAFollowerThatLagsBehind) {
  Cluster cluster = make_cluster();
  elect(cluster, 0);
  cluster.isolate(2);
  write(cluster, 0, 1);
  ASSERT_TRUE(compact(cluster, 0));
  ASSERT_TRUE(cluster.input(0, ClientRequest{1}));
  cluster.heal();
  ASSERT_TRUE(cluster.fire(0, Timer::kHeartbeat));
  bool snapshot_sent = false;
  for (const auto& envelope : cluster.in_flight())
    snapshot_sent = snapshot_sent || envelope.message.type == MessageType::kInstallSnapshot;
  EXPECT_TRUE(snapshot_sent);
  settle(cluster);
  ASSERT_TRUE(cluster.fire(0, Timer::kHeartbeat));
  settle(cluster);
  ASSERT_TRUE(cluster.fire(0, Timer::kHeartbeat));
  settle(cluster);
  const RaftNode& lagging = cluster.node(2);
  EXPECT_EQ(lagging.snapshot().index, 1);
  EXPECT_EQ(lagging.full_log(), cluster.node(0).full_log());
  EXPECT_EQ(lagging.commit_index(), 2);
  EXPECT_EQ(lagging.state_machine(), cluster.node(0).state_machine());
}

// A follower fed by hand: entries of term 2 from leader s1, then s1's
// snapshot of the first of them.
Message append(uint8_t prev, uint8_t commit) {
  Message m;
  m.type = MessageType::kAppendEntriesRequest;
  m.term = 2;
  m.prev_log_index = prev;
  m.prev_log_term = prev == 0 ? 0 : 2;
  m.has_entry = true;
  m.entry = {2, 1};
  m.commit_index = commit;
  return m;
}

Message snapshot_of_one_entry(uint8_t term) {
  Message m;
  m.type = MessageType::kInstallSnapshot;
  m.term = 2;
  m.snapshot.index = 1;
  m.snapshot.term = term;
  m.snapshot.entries[0] = {term, 1};
  return m;
}

RaftNode follower_with_two_entries(Variant variant) {
  RaftNode node(1, {3, variant});
  RaftOutbox out;
  node.on_message(0, append(0, 0), out);
  node.on_message(0, append(1, 0), out);
  return node;
}

// "If instead the follower receives a snapshot that describes a prefix of
// its log (due to retransmission or by mistake), then log entries covered
// by the snapshot are deleted but entries following the snapshot are
// still valid and must be retained."
TEST(Paper_7, AFollowerKeepsTheEntriesAfterASnapshotOfAPrefixOfItsLog) {
  RaftNode node = follower_with_two_entries(Variant::kCorrect);
  RaftOutbox out;
  node.on_message(0, snapshot_of_one_entry(2), out);
  EXPECT_EQ(node.snapshot().index, 1);
  ASSERT_EQ(node.log().size(), 1u);
  EXPECT_EQ(node.full_log_length(), 2);
  EXPECT_EQ(node.commit_index(), 1);
  ASSERT_EQ(out.sends().size(), 1u);
  EXPECT_TRUE(out.sends().back().message.success);
  EXPECT_EQ(out.sends().back().message.match_index, 1);
}

TEST(Paper_7, TheBuggyVariantDropsThemAndLosesAnEntryItHad) {
  RaftNode node = follower_with_two_entries(Variant::kSnapshotDiscardsSuffix);
  RaftOutbox out;
  node.on_message(0, snapshot_of_one_entry(2), out);
  EXPECT_TRUE(node.log().empty());
  EXPECT_EQ(node.full_log_length(), 1);
}

// "Usually the snapshot will contain new information not already in the
// recipient's log. In this case, the follower discards its entire log; it
// is all superseded by the snapshot", and the state machine is reset to it.
TEST(Paper_7, AFollowerDiscardsALogTheSnapshotDisagreesWith) {
  RaftNode node(1, {3, Variant::kCorrect});
  RaftOutbox out;
  Message old_entry = append(0, 0);
  old_entry.term = 1;
  old_entry.entry = {1, 1};
  node.on_message(2, old_entry, out);
  ASSERT_EQ(node.full_log_length(), 1);
  node.on_message(0, snapshot_of_one_entry(2), out);
  EXPECT_TRUE(node.log().empty());
  EXPECT_EQ(node.snapshot().index, 1);
  EXPECT_EQ(node.commit_index(), 1);
  EXPECT_EQ(node.state_machine(), (std::map<int, int>{{1, 1}}));
}

// A restart recovers from snapshot and log: "the snapshot ... is written
// to stable storage", the state machine starts from it, and the log's
// entries after it are applied as the leader vouches for them again.
TEST(Paper_7, ARestartRecoversFromTheSnapshotPlusTheLog) {
  RaftNode node = follower_with_two_entries(Variant::kCorrect);
  RaftOutbox out;
  node.on_message(0, snapshot_of_one_entry(2), out);
  node.restart(out);
  EXPECT_EQ(node.commit_index(), 1);
  EXPECT_EQ(node.state_machine(), (std::map<int, int>{{1, 1}}));
  EXPECT_EQ(node.full_log_length(), 2);
  Message heartbeat = append(1, 2);
  node.on_message(0, heartbeat, out);
  EXPECT_EQ(node.commit_index(), 2);
  EXPECT_EQ(node.state_machine(), (std::map<int, int>{{1, 2}}));
}

mc::CheckResult check(Variant variant, bool refinement) {
  check::raft::ImplBounds bounds = snapshot_bounds();
  bounds.check_refinement = refinement;
  mc::FaultBudgets budgets;
  budgets.max_crashes = 1;
  mc::SearchOptions options;
  options.symmetry = true;
  options.max_depth = 24;
  return mc::check(check::raft::make_impl_model({3, variant}, bounds, budgets), options);
}

// The focused run `snapshots` of `crosscheck check raft`: three servers,
// logs of two entries, three messages in flight, a restart, 24 steps.
TEST(SnapshotModel, EveryStepRefinesTheSpecToDepth24) {
  const mc::CheckResult result = check(Variant::kCorrect, true);
  EXPECT_EQ(result.outcome, mc::Outcome::kBoundExhausted) << result.property;
  EXPECT_TRUE(result.property.empty());
  EXPECT_EQ(result.stats.distinct_states, 587444u);
}

// The variant's shortest counterexample: s1 wins term 2 (5 steps), commits
// 2:1 with s2 (5 more), appends a second 2:1 and compacts the first (2),
// its heartbeat sends s3 the snapshot while s2 gets the second entry (3),
// which commits; s3 then gets both entries and commit index 2 (3) before
// the snapshot arrives and drops the second: its commit index goes back
// to 1 (1). 19 steps, with the refinement check or without it: the step
// that breaks the local invariant is the first raft.tla does not allow.
TEST(SnapshotModel, DroppingTheSuffixAfterAnAgreeingSnapshotIsCaught) {
  for (const bool refinement : {true, false}) {
    const mc::CheckResult result = check(Variant::kSnapshotDiscardsSuffix, refinement);
    ASSERT_EQ(result.outcome, mc::Outcome::kViolation) << refinement;
    EXPECT_EQ(result.property, "LocalInvariants");
    EXPECT_EQ(result.trace.size() - 1, 19u);
    EXPECT_EQ(result.trace.back().action,
              "Deliver InstallSnapshot(term 2, last 1/2, entries 2:1) s1->s3");
  }
}

}  // namespace
}  // namespace crosscheck::impl::raft
