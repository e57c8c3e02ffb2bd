// Unit scenarios of the lock service: the lock table's recipe (grants in
// order, one wake-up per deletion, a waiter's expiry leaving the holder
// alone), the client's lease arithmetic, the resource's fencing check, and
// Kleppmann's paused-holder schedule played by hand on a three-server Raft
// cluster.
#include <gtest/gtest.h>

#include <bit>

#include "impl/lockservice/lockservice.h"
#include "tests/lockservice/cluster_binding.h"

namespace crosscheck::impl::lockservice {
namespace {

using Op = Command::Op;

Command cmd(Op op, int client) { return {op, static_cast<uint8_t>(client)}; }

TEST(Command, TravelsInOneByte) {
  for (Op op : {Op::kAcquire, Op::kKeepAlive, Op::kRelease, Op::kExpire}) {
    for (int c = 0; c < kMaxClients; ++c)
      EXPECT_EQ(Command::decode(cmd(op, c).encode()), cmd(op, c));
  }
}

// "A client holds the lock when its node is the lowest"; each grant a new
// generation.
TEST(LockTable, TheLowestNodeHoldsAndEachGrantIncrementsTheGeneration) {
  LockTable table;
  table.apply(cmd(Op::kAcquire, 0), false);
  table.apply(cmd(Op::kAcquire, 1), false);
  table.apply(cmd(Op::kAcquire, 2), false);
  EXPECT_EQ(table.holder(), 0);
  EXPECT_EQ(table.generation(), 1);
  EXPECT_EQ(table.predecessor(2), 1);
  const LockTable::Applied released = table.apply(cmd(Op::kRelease, 0), false);
  EXPECT_EQ(table.holder(), 1);
  EXPECT_EQ(table.generation(), 2);
  EXPECT_EQ(released.woken, 1u << 1);  // only the successor watched c1's node
  EXPECT_FALSE(table.live(0));
  // A second Acquire of a live client adds no node; one of an ended
  // session opens nothing.
  table.apply(cmd(Op::kAcquire, 1), false);
  EXPECT_EQ(table.queue_size(), 2);
  EXPECT_FALSE(table.apply(cmd(Op::kAcquire, 0), false).alive);
  EXPECT_EQ(table.queue_size(), 2);
}

// "It watches only its predecessor, so a release wakes one waiter"; the
// herd variant wakes all of them.
TEST(LockTable, AReleaseWakesOneWaiterOrTheHerd) {
  for (bool herd : {false, true}) {
    LockTable table;
    for (int c = 0; c < 4; ++c) table.apply(cmd(Op::kAcquire, c), herd);
    const LockTable::Applied applied = table.apply(cmd(Op::kRelease, 0), herd);
    EXPECT_EQ(std::popcount(applied.woken), herd ? 3 : 1);
    EXPECT_EQ(table.max_wakeups(), herd ? 3 : 1);
  }
}

// "A client's session expiry never loses another client's lock": a waiter
// in the middle expires; the holder keeps its grant (same generation), and
// the next waiter wakes to watch the holder instead.
TEST(LockTable, AWaitersExpiryLeavesTheHolderAlone) {
  LockTable table;
  for (int c = 0; c < 3; ++c) table.apply(cmd(Op::kAcquire, c), false);
  const LockTable::Applied applied = table.apply(cmd(Op::kExpire, 1), false);
  EXPECT_EQ(table.holder(), 0);
  EXPECT_EQ(table.generation(), 1);
  EXPECT_EQ(applied.woken, 1u << 2);
  EXPECT_EQ(table.predecessor(2), 0);
  table.apply(cmd(Op::kExpire, 0), false);
  EXPECT_EQ(table.holder(), 2);
  EXPECT_EQ(table.generation(), 2);
}

TEST(Resource, AcceptsOnlyTokensAtLeastTheLargestSeen) {
  Config config;
  Resource fenced(config);
  EXPECT_TRUE(fenced.on_write(2));
  EXPECT_TRUE(fenced.on_write(2));
  EXPECT_FALSE(fenced.on_write(1));
  EXPECT_TRUE(fenced.on_write(3));
  config.variant = Variant::kNoFencing;
  Resource open(config);
  EXPECT_TRUE(open.on_write(2));
  EXPECT_TRUE(open.on_write(1));
}

// The client counts its lease from before it sent the request and trusts
// it for L - 2d ticks of its own clock (the full L in no-drift-margin).
TEST(LockClient, TrustsTheLeaseForLeaseMinusTwiceTheDrift) {
  for (Variant variant : {Variant::kCorrect, Variant::kNoDriftMargin}) {
    Config config;
    config.lease = 6;
    config.drift = 1;
    config.variant = variant;
    LockClient client(config.client_id(0), config);
    LockOutbox out;
    client.on_tick(2, out);
    client.on_input(ClientInput::kAcquire, out);
    ASSERT_EQ(out.sends().size(), 1u);
    EXPECT_EQ(out.sends()[0].message.start, 2);
    client.on_tick(3, out);
    Message reply;
    reply.type = MessageType::kReply;
    reply.start = 2;
    reply.alive = true;
    reply.held = true;
    reply.token = 1;
    client.on_message(0, reply, out);
    EXPECT_EQ(client.stage(), ClientStage::kHolding);
    EXPECT_EQ(client.lease_end(), variant == Variant::kCorrect ? 2 + 6 - 2 : 2 + 6);
    EXPECT_TRUE(client.believes_held(client.lease_end() - 1));
    EXPECT_FALSE(client.believes_held(client.lease_end()));
    // When its own clock reaches the end, the client stops using the lock.
    client.on_tick(client.lease_end(), out);
    EXPECT_EQ(client.stage(), ClientStage::kDone);
  }
}

// Between the check and the write the client does not look at the clock:
// a tick there (the end of a pause) does not stop the write.
TEST(LockClient, WritesAfterItsCheckEvenIfTheLeaseRanOut) {
  Config config;
  LockClient client(config.client_id(0), config);
  LockOutbox out;
  client.on_input(ClientInput::kAcquire, out);
  Message reply;
  reply.type = MessageType::kReply;
  reply.alive = true;
  reply.held = true;
  reply.token = 1;
  client.on_message(0, reply, out);
  client.on_input(ClientInput::kCheckLease, out);
  client.on_tick(20, out);
  EXPECT_EQ(client.stage(), ClientStage::kAboutToWrite);
  EXPECT_FALSE(client.believes_held(20));
  out.clear();
  client.on_input(ClientInput::kWrite, out);
  ASSERT_EQ(out.sends().size(), 1u);
  EXPECT_EQ(out.sends()[0].message.type, MessageType::kWrite);
  EXPECT_EQ(out.sends()[0].message.token, 1);
}

using testing::TimedCluster;

// Delivers every message in flight, oldest first, until none is left.
void deliver_all(TimedCluster& w) {
  while (!w.in_flight().empty()) {
    ASSERT_FALSE(w.paused(w.in_flight()[0].to)) << "a message waits for a paused client";
    w.deliver(0);
  }
}

// Delivers every message in flight, with leader heartbeats, until quiet.
void settle(TimedCluster& w) {
  for (int round = 0; round < 20; ++round) {
    deliver_all(w);
    for (int s = 0; s < w.config().servers; ++s) {
      if (w.armed(s, Timer::kHeartbeat)) w.fire(s, Timer::kHeartbeat);
    }
  }
  deliver_all(w);
}

// Kleppmann (2016) on three servers: c1 holds the lock (token 1), checks
// its lease and pauses; the leader expires its session and c2 is granted
// the lock (token 2) and writes; c1 wakes and writes. The resource rejects
// c1's write; without fencing it accepts it. Lease mutual exclusion holds
// all along: c1's own clock ran past its lease during the pause.
TEST(LockCluster, APausedHoldersLateWriteIsFenced) {
  for (Variant variant : {Variant::kCorrect, Variant::kNoFencing}) {
    Config config;
    config.servers = 3;
    config.clients = 2;
    config.lease = 10;
    config.drift = 1;
    config.variant = variant;
    TimedCluster w(config, 15);
    ASSERT_TRUE(w.fire(0, Timer::kElection));
    settle(w);
    ASSERT_TRUE(w.server(0).leads());
    ASSERT_TRUE(w.input(0, ClientInput::kAcquire));
    settle(w);
    ASSERT_EQ(w.client(0).stage(), ClientStage::kHolding);
    EXPECT_EQ(w.client(0).token(), 1);
    ASSERT_TRUE(w.input(0, ClientInput::kCheckLease));
    ASSERT_TRUE(w.pause(0, 15));
    for (int t = 0; t < 11; ++t) {
      ASSERT_TRUE(w.advance());
      settle(w);
      EXPECT_LE(w.believers(), 1);
    }
    EXPECT_FALSE(w.server(0).table().live(0));  // the leader expired c1's session
    ASSERT_TRUE(w.input(1, ClientInput::kAcquire));
    settle(w);
    ASSERT_EQ(w.client(1).stage(), ClientStage::kHolding);
    EXPECT_EQ(w.client(1).token(), 2);
    ASSERT_TRUE(w.input(1, ClientInput::kCheckLease));
    ASSERT_TRUE(w.input(1, ClientInput::kWrite));
    EXPECT_EQ(w.resource().accepted(), 1);
    while (w.paused(config.client_id(0))) ASSERT_TRUE(w.advance());
    EXPECT_LE(w.believers(), 1);
    ASSERT_EQ(w.inputs(0), std::vector<ClientInput>{ClientInput::kWrite});
    ASSERT_TRUE(w.input(0, ClientInput::kWrite));
    if (variant == Variant::kCorrect) {
      EXPECT_EQ(w.resource().rejected(), 1);
      EXPECT_FALSE(w.stale_write_accepted());
    } else {
      EXPECT_EQ(w.resource().accepted(), 2);
      EXPECT_TRUE(w.stale_write_accepted());
    }
  }
}

}  // namespace
}  // namespace crosscheck::impl::lockservice
