// Scenario tests of the Multi-Paxos replica and client: a stable leader,
// leader change, gaps, retries and replies, each named after what it
// shows.
#include <gtest/gtest.h>

#include <algorithm>
#include <variant>
#include <vector>

#include "check/multipaxos/model.h"
#include "impl/multipaxos/multipaxos.h"
#include "model_check/actor_system.h"

namespace crosscheck::impl::multipaxos {
namespace {

// Replicas and clients in the actor harness. A replica's messages to itself
// are local calls, handled at once; every other message waits until the
// test delivers or drops it, so a test holds a partition by not delivering
// what crosses it.
using Cluster = mc::ActorSystem<check::multipaxos::ImplBinding>;
using Envelope = Cluster::Envelope;
using Match = Cluster::Match;

Cluster make_cluster(const Config& config) {
  check::multipaxos::ImplBounds bounds;
  bounds.check_refinement = false;  // ballots beyond spec/paxos's
  return Cluster(check::multipaxos::ImplBinding(config, bounds));
}

const Config& config_of(const Cluster& cluster) { return cluster.protocol().config(); }
const Replica& replica(const Cluster& cluster, NodeId r) {
  return std::get<Replica>(cluster.node(r));
}
const Client& client_of(const Cluster& cluster, int c) {
  return std::get<Client>(cluster.node(config_of(cluster).client_id(c)));
}

// Armed while the replica has a ballot left and does not lead.
void election_timeout(Cluster& cluster, NodeId r) {
  EXPECT_TRUE(cluster.fire(r, Timer::kElection)) << "r" << r << "'s election timer is not armed";
}
void issue(Cluster& cluster, int c, CommandKind kind, uint8_t key = 0) {
  const check::multipaxos::IssueRequest request{kind, key};
  EXPECT_TRUE(cluster.input(config_of(cluster).client_id(c), request))
      << "c" << c << " cannot issue";
}
// Armed while the client waits for an answer and has retries left.
void retry(Cluster& cluster, int c) {
  EXPECT_TRUE(cluster.fire(config_of(cluster).client_id(c), Timer::kRetry))
      << "c" << c << " does not retry";
}

Match to(NodeId id) {
  return [id](const Envelope& e) { return e.to == id; };
}
Match between(NodeId from, NodeId to) {
  return [from, to](const Envelope& e) { return e.from == from && e.to == to; };
}
Match of_type(MessageType type) {
  return [type](const Envelope& e) { return e.message.type == type; };
}
// Everything but what crosses between the two sides.
Match within(std::vector<NodeId> side) {
  return [side](const Envelope& e) {
    auto in = [&](NodeId id) { return std::find(side.begin(), side.end(), id) != side.end(); };
    return in(e.from) == in(e.to);
  };
}

// Messages of the type that went into the network (a replica's messages to
// itself are local calls, not in it).
int count_sent(const Cluster& cluster, MessageType type) {
  const std::vector<Envelope>& sent = cluster.sent();
  return static_cast<int>(std::count_if(sent.begin(), sent.end(), of_type(type)));
}

// Replicas r0, r1, r2 (node ids 0..2) and clients c0, c1 (ids 3, 4), whose
// home replicas are r0 and r1.
Config three_replicas(Variant variant = Variant::kCorrect) {
  Config config;
  config.replicas = 3;
  config.clients = 2;
  config.requests = 2;
  config.slots = 4;
  config.max_ballot = 5;
  config.retries = 3;
  config.variant = variant;
  return config;
}

constexpr NodeId kC0 = 3;
constexpr NodeId kC1 = 4;

Command put(const Config& config, int client, int seq, uint8_t key = 0) {
  return {CommandKind::kPut, static_cast<uint8_t>(client), static_cast<uint8_t>(seq), key,
          config.put_value(client, seq)};
}

Command get(int client, int seq, uint8_t key = 0) {
  return {CommandKind::kGet, static_cast<uint8_t>(client), static_cast<uint8_t>(seq), key, 0};
}

// The replies sent to a client, in order, lost ones included.
std::vector<Envelope> replies_to(const Cluster& cluster, NodeId client) {
  std::vector<Envelope> replies;
  for (const auto& e : cluster.sent()) {
    if (e.to == client && e.message.type == MessageType::kReply) replies.push_back(e);
  }
  return replies;
}

void elect(Cluster& cluster, NodeId r) {
  election_timeout(cluster, r);
  cluster.deliver_all();
  ASSERT_EQ(replica(cluster, r).role(), Role::kLeader);
}

TEST(MultiPaxosLeader, TakesPhaseOneOnceForAllSlotsAndPhaseTwoAlonePerRequest) {
  Cluster cluster = make_cluster(three_replicas());
  elect(cluster, 0);
  // To r1 and r2, and their answers: r0's Prepare to itself, and its
  // Promise, are local calls, never in the network.
  EXPECT_EQ(count_sent(cluster, MessageType::kPrepare), 2);
  EXPECT_EQ(count_sent(cluster, MessageType::kPromise), 2);
  issue(cluster, 0, CommandKind::kPut);
  cluster.deliver_all();
  issue(cluster, 0, CommandKind::kGet);
  cluster.deliver_all();
  issue(cluster, 1, CommandKind::kPut);
  retry(cluster, 1);  // c1's home r1 does not lead; r2 does not either
  retry(cluster, 1);
  cluster.deliver_all();
  EXPECT_EQ(count_sent(cluster, MessageType::kPrepare), 2) << "no second phase 1";
  EXPECT_EQ(count_sent(cluster, MessageType::kAccept), 3 * 2);  // one round a slot, to r1 and r2
  const Config& config = config_of(cluster);
  for (NodeId r = 0; r < 3; ++r) {
    EXPECT_EQ(replica(cluster, r).decided(0), put(config, 0, 1));
    EXPECT_EQ(replica(cluster, r).decided(1), get(0, 2));
    EXPECT_EQ(replica(cluster, r).decided(2), put(config, 1, 1));
    EXPECT_EQ(replica(cluster, r).machine().applied, 3);
    EXPECT_EQ(replica(cluster, r).machine().values[0], config.put_value(1, 1));
  }
  const auto replies = replies_to(cluster, kC0);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[1].message.command, get(0, 2));
  EXPECT_EQ(replies[1].message.answer, config.put_value(0, 1));
  EXPECT_TRUE(client_of(cluster, 0).outstanding().empty());
  EXPECT_TRUE(client_of(cluster, 1).outstanding().empty());
}

TEST(MultiPaxosLeader, OnlyTheLeaderAnswersAndOnlyAfterApplying) {
  Cluster cluster = make_cluster(three_replicas());
  elect(cluster, 0);
  issue(cluster, 1, CommandKind::kPut);  // to c1's home, r1, a follower
  cluster.deliver_all();
  EXPECT_TRUE(replies_to(cluster, kC1).empty());
  EXPECT_EQ(count_sent(cluster, MessageType::kAccept), 0);
  issue(cluster, 0, CommandKind::kPut);
  cluster.deliver_all(of_type(MessageType::kRequest));
  cluster.deliver_all(of_type(MessageType::kAccept));
  EXPECT_TRUE(replies_to(cluster, kC0).empty()) << "no answer before a majority accepted";
  cluster.deliver_all();
  ASSERT_EQ(replies_to(cluster, kC0).size(), 1u);
  EXPECT_EQ(count_sent(cluster, MessageType::kReply), 1)
      << "followers applied it and answered nobody";
  EXPECT_EQ(replica(cluster, 1).machine().applied, 1);
}

TEST(MultiPaxosLeaderChange, ANewLeaderProposesAgainWhatAMajorityMayHaveChosen) {
  Cluster cluster = make_cluster(three_replicas());
  elect(cluster, 0);
  issue(cluster, 0, CommandKind::kPut);
  cluster.deliver(between(kC0, 0));
  cluster.deliver(between(0, 1));  // r1 votes; r0 never hears of it
  ASSERT_TRUE(replica(cluster, 1).vote(0).cast());
  // r0 is cut off; r1 times out and leads ballot 1 with r2.
  election_timeout(cluster, 1);
  cluster.deliver_all(within({1, 2}));
  ASSERT_EQ(replica(cluster, 1).role(), Role::kLeader);
  EXPECT_EQ(replica(cluster, 1).ballot(), 1);
  const Command request = put(config_of(cluster), 0, 1);
  EXPECT_EQ(replica(cluster, 1).decided(0), request)
      << "the vote its own promise reported, proposed again";
  EXPECT_EQ(replica(cluster, 2).vote(0), (Vote{1, request}));
  EXPECT_EQ(replica(cluster, 0).role(), Role::kLeader) << "the old leader does not know yet";
  ASSERT_EQ(replies_to(cluster, kC0).size(), 1u) << "the new leader answers";
  // The partition heals. r1's vote of ballot 0 reaches r0 first: r0 learns
  // that its proposal was chosen and answers too, with the same answer;
  // then it learns of ballot 1 and steps down.
  cluster.deliver_all();
  EXPECT_EQ(replica(cluster, 0).role(), Role::kFollower);
  EXPECT_EQ(replica(cluster, 0).decided(0), request);
  const auto replies = replies_to(cluster, kC0);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[1].from, 0);
  EXPECT_EQ(replies[0].message, replies[1].message);
  EXPECT_TRUE(client_of(cluster, 0).outstanding().empty());
}

TEST(MultiPaxosLeaderChange, AGapIsFilledWithANoop) {
  Cluster cluster = make_cluster(three_replicas());
  elect(cluster, 0);
  issue(cluster, 0, CommandKind::kPut);
  cluster.deliver(between(kC0, 0));  // slot 0
  issue(cluster, 1, CommandKind::kPut);
  retry(cluster, 1);
  retry(cluster, 1);           // to r0 at last
  cluster.deliver_all(to(0));  // slot 1; the ignored requests to r1 and r2 stay in flight
  ASSERT_EQ(count_sent(cluster, MessageType::kAccept), 2 * 2);  // a round a slot, to r1 and r2
  // Only r2 hears of slot 1; slot 0's Accepts are lost; r0 is cut off.
  cluster.drop_all([](const Envelope& e) {
    return e.message.type == MessageType::kAccept && e.message.slot == 0;
  });
  cluster.deliver(between(0, 2));
  ASSERT_TRUE(replica(cluster, 2).vote(1).cast());
  ASSERT_FALSE(replica(cluster, 2).vote(0).cast());
  election_timeout(cluster, 1);
  cluster.deliver_all(within({1, 2}));
  ASSERT_EQ(replica(cluster, 1).role(), Role::kLeader);
  const Config& config = config_of(cluster);
  for (NodeId r : {1, 2}) {
    EXPECT_EQ(replica(cluster, r).decided(0), Command::noop())
        << "nothing can have been chosen in slot 0";
    EXPECT_EQ(replica(cluster, r).decided(1), put(config, 1, 1));
    EXPECT_EQ(replica(cluster, r).machine().applied, 2);
    EXPECT_EQ(replica(cluster, r).machine().values[0], config.put_value(1, 1));
  }
  EXPECT_EQ(replies_to(cluster, kC1).size(), 1u);
}

TEST(MultiPaxosRetry, ARetryOfAnAppliedRequestIsAnsweredFromTheSessionTable) {
  Cluster cluster = make_cluster(three_replicas());
  elect(cluster, 0);
  issue(cluster, 0, CommandKind::kPut);
  cluster.deliver_all([](const Envelope& e) { return e.message.type != MessageType::kReply; });
  ASSERT_EQ(cluster.drop_all(of_type(MessageType::kReply)), 1);  // the answer is lost
  ASSERT_EQ(replica(cluster, 1).machine().applied, 1);
  // r1 takes over; the client's retry goes to the next replica, r1.
  elect(cluster, 1);
  const int accepts = count_sent(cluster, MessageType::kAccept);
  EXPECT_EQ(accepts, 2) << "slot 0 is decided at r1: nothing to recover";
  retry(cluster, 0);
  cluster.deliver_all();
  EXPECT_EQ(count_sent(cluster, MessageType::kAccept), accepts) << "not proposed again";
  const auto replies = replies_to(cluster, kC0);
  ASSERT_EQ(replies.size(), 2u);  // the lost one, and r1's
  EXPECT_EQ(replies[1].from, 1);
  EXPECT_EQ(replies[1].message, replies[0].message);
  EXPECT_TRUE(client_of(cluster, 0).outstanding().empty());
  EXPECT_EQ(replica(cluster, 1).machine().applied, 1);
}

TEST(MultiPaxosRetry, ARequestDecidedInTwoSlotsIsAppliedOnce) {
  const Config config = three_replicas();
  Replica r(2, config);
  MultiPaxosOutbox out;
  // c0's put, retried, was decided again after c1's put: applying it twice
  // would bring back the value c1 overwrote.
  r.on_message(0, Message::decide(0, put(config, 0, 1)), out);
  r.on_message(0, Message::decide(1, put(config, 1, 1)), out);
  r.on_message(1, Message::decide(2, put(config, 0, 1)), out);
  EXPECT_EQ(r.machine().applied, 3);
  EXPECT_EQ(r.machine().values[0], config.put_value(1, 1));
  EXPECT_EQ(r.machine().sessions[0], (StateMachine::Session{1, 0}));
  EXPECT_TRUE(out.sends().empty()) << "a follower answers nobody";
}

TEST(MultiPaxosReplica, AppliesInSlotOrderOnlyOnceEverySlotBeforeIsDecided) {
  const Config config = three_replicas();
  Replica r(2, config);
  MultiPaxosOutbox out;
  r.on_message(0, Message::decide(1, put(config, 0, 1)), out);
  EXPECT_EQ(r.machine().applied, 0);
  EXPECT_EQ(r.machine().values[0], kAbsent);
  r.on_message(0, Message::decide(0, Command::noop()), out);
  EXPECT_EQ(r.machine().applied, 2);
  EXPECT_EQ(r.machine().values[0], config.put_value(0, 1));
}

TEST(MultiPaxosReplica, PromisesOnlyHigherBallotsAndReportsItsVotesInEverySlot) {
  const Config config = three_replicas();
  Replica r(2, config);
  MultiPaxosOutbox out;
  r.on_message(0, Message::accept(3, 1, put(config, 0, 1)), out);
  out.clear();
  r.on_message(1, Message::prepare(1), out);
  EXPECT_TRUE(out.sends().empty()) << "below the ballot it voted in";
  r.on_message(1, Message::prepare(4), out);
  ASSERT_EQ(out.sends().size(), 1u);
  const Message& promise = out.sends()[0].message;
  EXPECT_EQ(promise.type, MessageType::kPromise);
  EXPECT_FALSE(promise.votes[0].cast());
  EXPECT_EQ(promise.votes[1], (Vote{3, put(config, 0, 1)}));
  out.clear();
  r.on_message(0, Message::accept(3, 0, put(config, 1, 1)), out);
  EXPECT_TRUE(out.sends().empty()) << "below its promise";
  EXPECT_FALSE(r.vote(0).cast());
}

TEST(MultiPaxosReplica, ALeaderThatSeesAHigherBallotStepsDown) {
  Cluster cluster = make_cluster(three_replicas());
  elect(cluster, 0);
  elect(cluster, 1);
  EXPECT_EQ(replica(cluster, 0).role(), Role::kFollower);
  EXPECT_EQ(replica(cluster, 0).persistent().promised, 1);
}

TEST(MultiPaxosReplica, ARestartKeepsThePromiseVotesAndDecidedLogAndNeverReusesABallot) {
  Cluster cluster = make_cluster(three_replicas());
  elect(cluster, 0);
  issue(cluster, 0, CommandKind::kPut);
  cluster.deliver_all();
  const Replica before = replica(cluster, 0);
  cluster.crash(0);
  const Replica& after = replica(cluster, 0);
  EXPECT_EQ(after.persistent(), before.persistent());
  EXPECT_EQ(after.machine(), before.machine()) << "rebuilt from the decided log";
  EXPECT_EQ(after.role(), Role::kFollower);
  election_timeout(cluster, 0);
  EXPECT_EQ(replica(cluster, 0).ballot(), 3) << "its next ballot, not 0 again";
}

TEST(MultiPaxosReplica, GivesUpPastTheLastBallot) {
  Config config = three_replicas();
  config.max_ballot = 1;
  // r2 owns ballots 2, 5, ...: none within 0..1. Its timer is not even
  // armed, and firing it would change nothing.
  Cluster cluster = make_cluster(config);
  EXPECT_FALSE(cluster.armed(2, Timer::kElection));
  EXPECT_TRUE(cluster.armed(0, Timer::kElection));
  Replica r2 = replica(cluster, 2);
  MultiPaxosOutbox out;
  r2.on_timeout(Timer::kElection, out);
  EXPECT_EQ(r2.role(), Role::kFollower);
  EXPECT_EQ(r2, replica(cluster, 2));
  EXPECT_TRUE(out.sends().empty());
  EXPECT_TRUE(cluster.sent().empty());
}

TEST(MultiPaxosClient, RetriesAtTheNextReplicaAndTakesOnlyTheAnswerItWaitsFor) {
  Cluster cluster = make_cluster(three_replicas());
  issue(cluster, 0, CommandKind::kGet);
  EXPECT_EQ(client_of(cluster, 0).target(), 0);
  retry(cluster, 0);
  EXPECT_EQ(client_of(cluster, 0).target(), 1);
  ASSERT_EQ(cluster.in_flight().size(), 2u);
  EXPECT_EQ(cluster.in_flight()[1].message, Message::request(get(0, 1)));
  MultiPaxosOutbox out;
  Client client = client_of(cluster, 0);
  client.on_message(1, Message::reply(get(0, 1), kAbsent), out);
  EXPECT_TRUE(client.outstanding().empty());
  client.issue(CommandKind::kPut, 0, out);
  client.on_message(0, Message::reply(get(0, 1), kAbsent), out);
  EXPECT_FALSE(client.outstanding().empty()) << "a late copy of the first answer";
  client.on_message(0, Message::reply(put(config_of(cluster), 0, 2), 0), out);
  EXPECT_TRUE(client.outstanding().empty());
  EXPECT_FALSE(client.can_issue()) << "both requests issued";
}

TEST(MultiPaxosLeaderLocalRead, AnswersAGetAtOnceFromItsOwnState) {
  Cluster cluster = make_cluster(three_replicas(Variant::kLeaderLocalRead));
  elect(cluster, 0);
  issue(cluster, 0, CommandKind::kGet);
  cluster.deliver(between(kC0, 0));
  EXPECT_EQ(count_sent(cluster, MessageType::kAccept), 0) << "not through the log";
  ASSERT_EQ(cluster.in_flight().back().message, Message::reply(get(0, 1), kAbsent));
  EXPECT_EQ(cluster.in_flight().back().from, 0);
}

TEST(MultiPaxosLeaderLocalRead, ANewLeaderReadsThroughTheLogUntilItHasCaughtUp) {
  Cluster cluster = make_cluster(three_replicas(Variant::kLeaderLocalRead));
  elect(cluster, 0);
  issue(cluster, 0, CommandKind::kPut);
  cluster.deliver(between(kC0, 0));
  cluster.deliver(between(0, 1));  // r1 votes for the put
  election_timeout(cluster, 1);
  cluster.deliver(between(1, 2));  // Prepare(1) to r2
  cluster.deliver(between(2, 1));  // its Promise: r1 leads, and proposes the put again
  ASSERT_EQ(replica(cluster, 1).role(), Role::kLeader);
  ASSERT_EQ(replica(cluster, 1).machine().applied, 0);
  issue(cluster, 1, CommandKind::kGet);
  cluster.deliver(between(kC1, 1));
  EXPECT_TRUE(replies_to(cluster, kC1).empty()) << "it has not applied the slot it took over";
  cluster.deliver_all(within({1, 2}));
  const auto replies = replies_to(cluster, kC1);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].message.answer, config_of(cluster).put_value(0, 1));
}

}  // namespace
}  // namespace crosscheck::impl::multipaxos
