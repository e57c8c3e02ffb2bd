// Scenario tests of the Raft node, named after the sentences of §5 of the
// Raft paper (Ongaro & Ousterhout, "In Search of an Understandable
// Consensus Algorithm") that they check.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "check/raft/model.h"
#include "impl/raft/node.h"
#include "model_check/actor_system.h"

namespace crosscheck::impl::raft {
namespace {

using Cluster = mc::ActorSystem<check::raft::ImplBinding>;

// Servers s1..s5 are ids 0..4. Time is explicit: a test fires a server's
// election or heartbeat timer when it wants that server to act.
Cluster make_cluster(int servers, Variant variant = Variant::kCorrect) {
  check::raft::ImplBounds bounds;
  bounds.values = 4;  // client requests write 1..4, raft.tla's values in the refinement map
  return Cluster(check::raft::ImplBinding(Config{servers, variant}, bounds));
}

std::string name(NodeId id) { return "s" + std::to_string(id + 1); }

// Armed while the server does not lead.
void election_timeout(Cluster& cluster, NodeId id) {
  EXPECT_TRUE(cluster.fire(id, Timer::kElection)) << name(id) << " leads";
}
// Armed while the server leads.
void heartbeat(Cluster& cluster, NodeId id) {
  EXPECT_TRUE(cluster.fire(id, Timer::kHeartbeat)) << name(id) << " does not lead";
}
void client_request(Cluster& cluster, NodeId id, uint8_t value) {
  EXPECT_TRUE(cluster.input(id, check::raft::ClientRequest{value})) << name(id) << " does not lead";
}

// Delivers, oldest first, until nothing is in flight (a message on a cut
// link is lost). Raft's messages are answers or one-shot requests, so this
// ends.
void settle(Cluster& cluster) {
  cluster.deliver_all();
  EXPECT_TRUE(cluster.in_flight().empty());
}
// Runs an election at `id` and lets the network settle.
void elect(Cluster& cluster, NodeId id) {
  election_timeout(cluster, id);
  settle(cluster);
}
// Sends one round of AppendEntries from `leader` and settles.
void replicate(Cluster& cluster, NodeId leader) {
  heartbeat(cluster, leader);
  settle(cluster);
}

std::vector<NodeId> leaders(const Cluster& cluster) {
  std::vector<NodeId> result;
  for (const auto& node : cluster.nodes()) {
    if (node.role() == Role::kLeader) result.push_back(node.id());
  }
  return result;
}

std::vector<Entry> entries(const EntryVector& log) { return {log.begin(), log.end()}; }

// §5.1
TEST(Raft_5_1, ServersStartAsFollowersInTermOne) {
  Cluster cluster = make_cluster(3);
  for (const auto& node : cluster.nodes()) {
    EXPECT_EQ(node.role(), Role::kFollower);
    EXPECT_EQ(node.term(), 1);
  }
}

TEST(Raft_5_1, ASmallerCurrentTermIsUpdatedToTheLargerValue) {
  Cluster cluster = make_cluster(3);
  cluster.isolate(2);
  elect(cluster, 0);  // term 2, without s3
  ASSERT_EQ(leaders(cluster), std::vector<NodeId>{0});
  EXPECT_EQ(cluster.node(2).term(), 1);
  cluster.heal();
  replicate(cluster, 0);
  EXPECT_EQ(cluster.node(2).term(), 2);
}

TEST(Raft_5_1, ALeaderThatDiscoversItsTermIsOutOfDateRevertsToFollower) {
  Cluster cluster = make_cluster(3);
  elect(cluster, 0);
  cluster.isolate(0);
  elect(cluster, 1);  // term 3
  ASSERT_EQ(cluster.node(1).role(), Role::kLeader);
  EXPECT_EQ(cluster.node(0).role(), Role::kLeader);  // does not know yet
  cluster.heal();
  replicate(cluster, 1);
  EXPECT_EQ(cluster.node(0).role(), Role::kFollower);
  EXPECT_EQ(cluster.node(0).term(), 3);
}

TEST(Raft_5_1, ARequestWithAStaleTermIsRejected) {
  Cluster cluster = make_cluster(3);
  elect(cluster, 0);
  cluster.isolate(0);
  elect(cluster, 1);
  cluster.heal();
  heartbeat(cluster, 0);  // the deposed leader of term 2 still sends
  ASSERT_EQ(cluster.in_flight().size(), 2u);
  cluster.deliver(0);  // to s2, now in term 3
  ASSERT_FALSE(cluster.in_flight().empty());
  const Message& answer = cluster.in_flight().back().message;
  EXPECT_EQ(answer.type, MessageType::kAppendEntriesResponse);
  EXPECT_FALSE(answer.success);
  EXPECT_EQ(answer.term, 3);
}

// §5.2
TEST(Raft_5_2, ACandidateWinsWithVotesFromAMajorityOfTheFullCluster) {
  Cluster cluster = make_cluster(5);
  cluster.cut(0, 3);
  cluster.cut(0, 4);
  elect(cluster, 0);  // s1, s2, s3: three of five
  EXPECT_EQ(cluster.node(0).role(), Role::kLeader);

  Cluster minority = make_cluster(5);
  minority.cut(0, 2);
  minority.cut(0, 3);
  minority.cut(0, 4);
  elect(minority, 0);  // s1, s2: two of five
  EXPECT_EQ(minority.node(0).role(), Role::kCandidate);
}

TEST(Raft_5_2, EachServerVotesForAtMostOneCandidateInATermFirstComeFirstServed) {
  Cluster cluster = make_cluster(3);
  election_timeout(cluster, 0);  // term 2
  election_timeout(cluster, 1);  // term 2
  // s3 hears s1 first.
  auto to_s3 = [&](NodeId from) {
    for (size_t i = 0; i < cluster.in_flight().size(); ++i) {
      if (cluster.in_flight()[i].from == from && cluster.in_flight()[i].to == 2) return i;
    }
    return cluster.in_flight().size();
  };
  cluster.deliver(to_s3(0));
  cluster.deliver(to_s3(1));
  EXPECT_EQ(cluster.node(2).persistent().voted_for, 0);
  cluster.deliver_all();
  EXPECT_EQ(leaders(cluster), std::vector<NodeId>{0});
  EXPECT_EQ(cluster.node(1).role(), Role::kCandidate);
}

TEST(Raft_5_2, ACandidateThatHearsFromTheLeaderOfItsTermReturnsToFollower) {
  Cluster cluster = make_cluster(3);
  election_timeout(cluster, 0);
  election_timeout(cluster, 1);
  cluster.deliver_all();
  // With both candidates' requests crossing, whoever s3 chose leads; the
  // other is a candidate until the leader's AppendEntries arrives.
  ASSERT_EQ(leaders(cluster).size(), 1u);
  const NodeId leader = leaders(cluster)[0];
  const NodeId other = 1 - leader;
  EXPECT_EQ(cluster.node(other).role(), Role::kCandidate);
  replicate(cluster, leader);
  EXPECT_EQ(cluster.node(other).role(), Role::kFollower);
  EXPECT_EQ(cluster.node(other).term(), cluster.node(leader).term());
}

TEST(Raft_5_2, ASplitVoteEndsWhenACandidateTimesOutAndStartsANewElection) {
  Cluster cluster = make_cluster(4);
  cluster.cut(0, 3);
  cluster.cut(1, 2);
  election_timeout(cluster, 0);
  election_timeout(cluster, 1);
  cluster.deliver_all();  // s1 and s3 vs s2 and s4: two votes each of four
  EXPECT_TRUE(leaders(cluster).empty());
  cluster.heal();
  elect(cluster, 0);  // term 3
  EXPECT_EQ(leaders(cluster), std::vector<NodeId>{0});
  EXPECT_EQ(cluster.node(0).term(), 3);
}

// §5.3
TEST(Raft_5_3, TheLeaderAppendsTheCommandAndCommitsItOnceAMajorityStoresIt) {
  Cluster cluster = make_cluster(3);
  elect(cluster, 0);
  client_request(cluster, 0, 4);
  EXPECT_EQ(entries(cluster.node(0).log()), (std::vector<Entry>{{2, 4}}));
  EXPECT_EQ(cluster.node(0).commit_index(), 0);
  cluster.isolate(2);
  replicate(cluster, 0);  // s2 stores it: two of three
  EXPECT_EQ(cluster.node(0).commit_index(), 1);
  EXPECT_EQ(cluster.node(0).state_machine(), (std::map<int, int>{{4, 1}}));
  EXPECT_EQ(cluster.node(1).commit_index(), 0);  // learns it with the next request
  replicate(cluster, 0);
  EXPECT_EQ(cluster.node(1).commit_index(), 1);
  EXPECT_EQ(entries(cluster.node(1).volatile_state().applied), (std::vector<Entry>{{2, 4}}));
}

TEST(Raft_5_3, AFollowerWithoutTheEntryBeforeTheNewOnesRefusesThemAndTheLeaderBacksUp) {
  Cluster cluster = make_cluster(3);
  elect(cluster, 0);
  client_request(cluster, 0, 1);
  client_request(cluster, 0, 2);
  cluster.isolate(2);
  replicate(cluster, 0);
  replicate(cluster, 0);  // s2 has both entries; s3 has none
  cluster.heal();
  cluster.isolate(0);
  elect(cluster, 1);  // term 3; s2 starts with nextIndex 3 for everyone
  ASSERT_EQ(cluster.node(1).role(), Role::kLeader);
  EXPECT_EQ(cluster.node(1).volatile_state().next_index[2], 3);
  replicate(cluster, 1);  // prev 2/2: s3 has no entry 2 and refuses
  EXPECT_TRUE(cluster.node(2).log().empty());
  EXPECT_EQ(cluster.node(1).volatile_state().next_index[2], 2);
  replicate(cluster, 1);  // prev 1/2: refused again
  EXPECT_EQ(cluster.node(1).volatile_state().next_index[2], 1);
  replicate(cluster, 1);  // prev 0: accepted, entry 1
  replicate(cluster, 1);  // entry 2
  EXPECT_EQ(entries(cluster.node(2).log()), entries(cluster.node(1).log()));
}

TEST(Raft_5_3, ConflictingEntriesInTheFollowersLogAreOverwrittenByTheLeaders) {
  Cluster cluster = make_cluster(3);
  elect(cluster, 0);
  client_request(cluster, 0, 1);  // only s1 ever has 2:1
  cluster.isolate(0);
  elect(cluster, 1);  // term 3: s2 with s3
  client_request(cluster, 1, 2);
  replicate(cluster, 1);
  cluster.heal();
  replicate(cluster, 1);  // s1 steps down; its entry conflicts
  replicate(cluster, 1);
  EXPECT_EQ(entries(cluster.node(0).log()), (std::vector<Entry>{{3, 2}}));
  EXPECT_EQ(cluster.node(0).role(), Role::kFollower);
}

// §5.4.1
TEST(Raft_5_4_1, AVoterDeniesItsVoteIfItsOwnLogIsMoreUpToDate) {
  Cluster cluster = make_cluster(3);
  elect(cluster, 0);
  client_request(cluster, 0, 1);
  cluster.cut(0, 2);
  replicate(cluster, 0);  // s2 has the entry, s3 does not
  cluster.heal();
  cluster.isolate(0);
  elect(cluster, 2);  // s3's log is behind s2's
  EXPECT_NE(cluster.node(2).role(), Role::kLeader);
  EXPECT_EQ(cluster.node(1).persistent().voted_for, kNoVote);
  elect(cluster, 1);
  EXPECT_EQ(cluster.node(1).role(), Role::kLeader);
}

TEST(Raft_5_4_1, WithoutTheUpToDateCheckAStaleCandidateWins) {
  Cluster cluster = make_cluster(3, Variant::kNoLogCheck);
  elect(cluster, 0);
  client_request(cluster, 0, 1);
  cluster.cut(0, 2);
  replicate(cluster, 0);
  cluster.heal();
  cluster.isolate(0);
  elect(cluster, 2);
  EXPECT_EQ(cluster.node(2).role(), Role::kLeader);
}

// Persistent state survives a restart; volatile state does not.
TEST(RaftRestart, KeepsTermVoteAndLogAndForgetsTheRest) {
  Cluster cluster = make_cluster(3);
  elect(cluster, 0);
  client_request(cluster, 0, 4);
  replicate(cluster, 0);
  const RaftNode::Persistent before = cluster.node(0).persistent();
  cluster.crash(0);
  EXPECT_EQ(cluster.node(0).persistent(), before);
  EXPECT_EQ(cluster.node(0).role(), Role::kFollower);
  EXPECT_EQ(cluster.node(0).commit_index(), 0);
  EXPECT_TRUE(cluster.node(0).volatile_state().applied.empty());
}

TEST(RaftRestart, AVolatileTermIsLostAndTheVoteWithIt) {
  Cluster cluster = make_cluster(3, Variant::kVolatileTerm);
  elect(cluster, 0);
  cluster.crash(1);
  EXPECT_EQ(cluster.node(1).term(), 1);
  EXPECT_EQ(cluster.node(1).persistent().voted_for, kNoVote);
}

// §5.4.2 and Figure 8, with servers s1..s5 as ids 0..4.
struct Figure8 {
  Cluster cluster;
  explicit Figure8(Variant variant) : cluster(make_cluster(5, variant)) {}

  // (a) s1 leads term 2 and copies its entry at index 1 to s2 only.
  void a() {
    elect(cluster, 0);
    client_request(cluster, 0, 2);
    for (NodeId other : {2, 3, 4}) cluster.cut(0, other);
    replicate(cluster, 0);
    cluster.heal();
  }
  // (b) s1 crashes; s5 wins term 3 with s3 and s4, and takes an entry.
  void b() {
    cluster.isolate(0);
    cluster.cut(4, 1);
    elect(cluster, 4);
    client_request(cluster, 4, 3);
    cluster.heal();
  }
  // (c) s5 crashes; s1 restarts, wins term 4 with s2 and s3 (in term 3 s3
  // has voted for s5 already), and copies its term-2 entry to s3: now on a
  // majority.
  void c() {
    cluster.crash(0);
    cluster.isolate(4);
    cluster.cut(0, 3);
    elect(cluster, 0);      // term 3: only s2
    elect(cluster, 0);      // term 4
    replicate(cluster, 0);  // prev 1/2: s3 has no entry 1 and refuses
    replicate(cluster, 0);  // index 1 copied to s3
    cluster.heal();
  }
  // (d) s1 crashes; s5 restarts and wins a later term with s2, s3, s4 (its
  // last entry, of term 3, is newer than their term-2 entries), and
  // overwrites index 1 everywhere.
  void d() {
    cluster.crash(4);
    cluster.isolate(0);
    elect(cluster, 4);      // term 4: s2 and s3 voted for s1 already
    elect(cluster, 4);      // term 5
    replicate(cluster, 4);  // prev 1/3: refused
    replicate(cluster, 4);  // index 1 overwritten on s2, s3 and s4
    cluster.heal();
    replicate(cluster, 4);  // s1 steps down and refuses
    replicate(cluster, 4);  // and is overwritten
  }
};

TEST(RaftFigure8, TheLeaderDoesNotCommitAnEntryOfAnEarlierTermByCountingReplicas) {
  Figure8 f(Variant::kCorrect);
  f.a();
  f.b();
  f.c();
  ASSERT_EQ(f.cluster.node(0).role(), Role::kLeader);
  EXPECT_EQ(f.cluster.node(0).term(), 4);
  EXPECT_EQ(entries(f.cluster.node(2).log()),
            (std::vector<Entry>{{2, 2}}));  // a majority: s1, s2, s3
  EXPECT_EQ(f.cluster.node(0).commit_index(), 0);
  f.d();
  ASSERT_EQ(leaders(f.cluster), std::vector<NodeId>{4});
  EXPECT_EQ(f.cluster.node(4).term(), 5);
  for (const auto& node : f.cluster.nodes()) {
    EXPECT_EQ(entries(node.log()), (std::vector<Entry>{{3, 3}})) << "s" << node.id() + 1;
    EXPECT_TRUE(node.volatile_state().applied.empty());  // nothing was applied that was lost
  }
}

TEST(RaftFigure8, CommittingAnOldTermEntryByCountingReplicasLosesACommittedEntry) {
  Figure8 f(Variant::kCommitOldTerm);
  f.a();
  f.b();
  f.c();
  ASSERT_EQ(f.cluster.node(0).role(), Role::kLeader);
  EXPECT_EQ(f.cluster.node(0).commit_index(), 1);
  EXPECT_EQ(entries(f.cluster.node(0).volatile_state().applied), (std::vector<Entry>{{2, 2}}));
  f.d();
  ASSERT_EQ(leaders(f.cluster), std::vector<NodeId>{4});
  // The entry s1 applied is gone from every other log, and s5's cluster has
  // applied a different entry at the same index.
  for (NodeId id : {1, 2, 3, 4})
    EXPECT_EQ(entries(f.cluster.node(id).log()), (std::vector<Entry>{{3, 3}}));
  EXPECT_EQ(entries(f.cluster.node(4).volatile_state().applied), (std::vector<Entry>{{3, 3}}));
}

}  // namespace
}  // namespace crosscheck::impl::raft
