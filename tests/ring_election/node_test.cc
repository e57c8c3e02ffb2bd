// Unit scenarios for a ring node, each named after the rule of Chang and
// Roberts' algorithm it checks. Nodes are driven by hand: every input is a
// method call, every effect is read from the outbox.
//
// A ring of three: n0 holds id 3, n1 id 2, n2 id 1; n0 sends to n1, n1 to
// n2, n2 to n0.
#include <gtest/gtest.h>

#include <vector>

#include "impl/ring_election/ring_election.h"

namespace crosscheck::impl::ring_election {
namespace {

constexpr NodeId kN0 = 0;
constexpr NodeId kN1 = 1;
constexpr NodeId kN2 = 2;

Message candidate(uint8_t id) { return {MessageKind::kCandidate, id}; }
Message elected(uint8_t id) { return {MessageKind::kElected, id}; }

Config ring_of(int nodes, Variant variant = Variant::kCorrect) {
  Config config;
  config.nodes = nodes;
  config.variant = variant;
  return config;
}

// The one message in the outbox, which must go to `to`.
Message only_send(const RingOutbox& out, NodeId to) {
  EXPECT_EQ(out.sends().size(), 1u);
  if (out.sends().empty()) return {};
  EXPECT_EQ(out.sends().front().to, to);
  return out.sends().front().message;
}

TEST(RingConfig, IdsFallInTheDirectionMessagesTravel) {
  const Config config = ring_of(4);
  std::vector<int> ids;
  for (NodeId node = 0; node < config.nodes; ++node) ids.push_back(config.id_of(node));
  EXPECT_EQ(ids, (std::vector<int>{4, 3, 2, 1}));
  EXPECT_EQ(config.max_id(), 4);
  EXPECT_EQ(config.successor(3), 0);
  EXPECT_EQ(config.predecessor(0), 3);
  EXPECT_FALSE(ring_of(1).valid());
  EXPECT_TRUE(ring_of(kMaxNodes).valid());
  EXPECT_FALSE(ring_of(kMaxNodes + 1).valid());
}

TEST(RingNode, StartingAnElectionSendsItsOwnIdToItsSuccessor) {
  RingNode n1(kN1, ring_of(3));
  RingOutbox out;
  ASSERT_TRUE(n1.can_start_election());
  n1.start_election(out);
  EXPECT_EQ(only_send(out, kN2), candidate(2));
  EXPECT_TRUE(n1.participant());
  EXPECT_FALSE(n1.can_start_election());
  EXPECT_EQ(n1.leader(), kNoLeader);
}

TEST(RingNode, ALargerIdIsForwardedAndMakesTheNodeAParticipant) {
  RingNode n1(kN1, ring_of(3));
  RingOutbox out;
  n1.on_message(kN0, candidate(3), out);
  EXPECT_EQ(only_send(out, kN2), candidate(3));
  EXPECT_TRUE(n1.participant());
  EXPECT_FALSE(n1.can_start_election());
}

TEST(RingNode, ASmallerIdIsSwallowedAndANonParticipantRunsInItsPlace) {
  RingNode n0(kN0, ring_of(3));
  RingOutbox out;
  n0.on_message(kN2, candidate(1), out);
  EXPECT_EQ(only_send(out, kN1), candidate(3));
  EXPECT_TRUE(n0.participant());
}

TEST(RingNode, ASmallerIdReachingAParticipantIsSwallowedSilently) {
  RingNode n0(kN0, ring_of(3));
  RingOutbox out;
  n0.start_election(out);
  out.clear();
  n0.on_message(kN2, candidate(2), out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(n0.leader(), kNoLeader);
}

TEST(RingNode, ItsOwnIdComingBackMakesItLeaderAndStartsTheAnnouncement) {
  RingNode n0(kN0, ring_of(3));
  RingOutbox out;
  n0.start_election(out);
  out.clear();
  n0.on_message(kN2, candidate(3), out);
  EXPECT_TRUE(n0.is_leader());
  EXPECT_EQ(n0.leader(), 3);
  EXPECT_EQ(only_send(out, kN1), elected(3));
  // A duplicate of the returning candidacy changes nothing.
  out.clear();
  n0.on_message(kN2, candidate(3), out);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(n0.is_leader());
}

TEST(RingNode, TheAnnouncementIsRecordedForwardedOnceAndEndsAtTheLeader) {
  RingNode n1(kN1, ring_of(3));
  RingOutbox out;
  n1.on_message(kN0, candidate(3), out);
  out.clear();
  n1.on_message(kN0, elected(3), out);
  EXPECT_EQ(n1.leader(), 3);
  EXPECT_FALSE(n1.is_leader());
  EXPECT_EQ(only_send(out, kN2), elected(3));
  out.clear();
  n1.on_message(kN0, elected(3), out);  // a duplicate
  EXPECT_TRUE(out.empty());

  RingNode n0(kN0, ring_of(3));
  n0.start_election(out);
  n0.on_message(kN2, candidate(3), out);
  out.clear();
  n0.on_message(kN2, elected(3), out);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(n0.is_leader());
}

// A complete run on four nodes, every message delivered in order: only the
// largest id is declared, and every node learns it.
TEST(RingNode, AnElectionStartedByTheSmallestIdElectsTheLargest) {
  const Config config = ring_of(4);
  std::vector<RingNode> nodes;
  for (NodeId node = 0; node < config.nodes; ++node) nodes.emplace_back(node, config);
  RingOutbox out;
  nodes[3].start_election(out);  // id 1
  // Each step delivers the one message in flight, from the node that sent it.
  int deliveries = 0;
  NodeId sender = 3;
  while (!out.sends().empty() && deliveries < 100) {
    ASSERT_EQ(out.sends().size(), 1u);
    const RingOutbox::Send send = out.sends().front();
    out.clear();
    nodes[send.to].on_message(sender, send.message, out);
    sender = send.to;
    ++deliveries;
  }
  for (const RingNode& node : nodes) EXPECT_EQ(node.leader(), 4);
  EXPECT_TRUE(nodes[0].is_leader());
  // Candidate(1) to n0, which runs instead: Candidate(4) round the ring in
  // 4 hops, then Elected(4) round it in 4.
  EXPECT_EQ(deliveries, 9);
}

TEST(RingNodeForwardAll, ASmallerIdIsForwardedAndComesBackToDeclareItsNode) {
  const Config config = ring_of(3, Variant::kForwardAll);
  RingNode n2(kN2, config);
  RingNode n0(kN0, config);
  RingOutbox out;
  n2.start_election(out);
  out.clear();
  n0.on_message(kN2, candidate(1), out);
  EXPECT_EQ(only_send(out, kN1), candidate(1));  // the bug: id 1 < 3 goes on
  out.clear();
  n2.on_message(kN1, candidate(1), out);
  EXPECT_TRUE(n2.is_leader());
  EXPECT_EQ(only_send(out, kN0), elected(1));
}

TEST(RingNodeSwallowSilently, ANonParticipantSwallowsWithoutRunning) {
  RingNode n0(kN0, ring_of(3, Variant::kSwallowSilently));
  RingOutbox out;
  n0.on_message(kN2, candidate(1), out);
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(n0.participant());
}

}  // namespace
}  // namespace crosscheck::impl::ring_election
