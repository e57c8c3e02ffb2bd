// Unit scenarios for impl/failover, one per sentence of the protocol's
// description (impl/failover/failover.h): messages are handed from node to
// node by hand, and time by on_tick.
#include "impl/failover/failover.h"

#include <gtest/gtest.h>

#include <vector>

namespace crosscheck::impl::failover {
namespace {

constexpr NodeId kPrimary = 0;
constexpr NodeId kBackup = 1;

Config two_replicas(Variant variant = Variant::kCorrect) {
  Config config;
  config.replicas = 2;
  config.clients = 1;
  config.ops = 2;
  config.heartbeat = 2;
  config.lease = 5;
  config.drift = 1;
  config.variant = variant;
  return config;
}

// The messages an outbox holds for `to`, in order.
std::vector<Message> sent_to(const FailoverOutbox& out, NodeId to) {
  std::vector<Message> messages;
  for (const auto& send : out.sends()) {
    if (send.to == to) messages.push_back(send.message);
  }
  return messages;
}

struct Pair {
  Config config;
  Replica primary;
  Replica backup;
  NodeId client;
  explicit Pair(Config c)
      : config(c), primary(kPrimary, c), backup(kBackup, c), client(c.client_id(0)) {}

  // The backup takes `append` and the primary its answer; returns what the
  // primary sent.
  FailoverOutbox round_trip(const Message& append) {
    FailoverOutbox to_backup;
    backup.on_message(kPrimary, append, to_backup);
    const auto answers = sent_to(to_backup, kPrimary);
    EXPECT_EQ(answers.size(), 1u);
    FailoverOutbox out;
    for (const Message& m : answers) primary.on_message(kBackup, m, out);
    return out;
  }
};

TEST(Failover, ThePrimarySendsAHeartbeatAtStartAndEveryHeartbeatTicks) {
  Pair p(two_replicas());
  FailoverOutbox out;
  p.primary.on_tick(0, out);
  ASSERT_EQ(sent_to(out, kBackup).size(), 1u);
  EXPECT_EQ(sent_to(out, kBackup)[0].type, MessageType::kAppend);
  out.clear();
  p.primary.on_tick(1, out);
  EXPECT_TRUE(out.empty());
  p.primary.on_tick(2, out);
  ASSERT_EQ(sent_to(out, kBackup).size(), 1u);
  EXPECT_EQ(sent_to(out, kBackup)[0].sent_at, 2);
}

TEST(Failover,
     APrimaryHoldsALeaseOnlyOnceItsBackupAcknowledgesAndTrustsItForLeaseLessTwiceTheDrift) {
  Pair p(two_replicas());
  FailoverOutbox out;
  p.backup.on_tick(1, out);
  p.primary.on_tick(0, out);
  EXPECT_FALSE(p.primary.lease_valid_at(0));
  p.round_trip(sent_to(out, kBackup)[0]);
  // Sent at 0, lease 5, drift 1: trusted while its clock reads below 3.
  EXPECT_TRUE(p.primary.lease_valid_at(2));
  EXPECT_FALSE(p.primary.lease_valid_at(3));
  EXPECT_EQ(p.primary.lease_end(), 2);
  // The backup received it at 1 on its clock and promised until 6.
  EXPECT_EQ(p.backup.promised_until(), 6);
}

TEST(Failover, ThePrimaryAnswersReadsOnlyWhileItsLeaseHolds) {
  Pair p(two_replicas());
  FailoverOutbox out;
  p.primary.on_tick(0, out);
  const Message append = sent_to(out, kBackup)[0];
  out.clear();
  p.primary.on_message(p.client, Message::read(1), out);
  EXPECT_TRUE(sent_to(out, p.client).empty()) << "no lease yet";
  p.round_trip(append);
  p.primary.on_message(p.client, Message::read(1), out);
  ASSERT_EQ(sent_to(out, p.client).size(), 1u);
  EXPECT_EQ(sent_to(out, p.client)[0], Message::read_reply(1, 0));
  out.clear();
  p.primary.on_tick(3, out);  // the lease ran out; a heartbeat goes out
  p.primary.on_message(p.client, Message::read(2), out);
  EXPECT_TRUE(sent_to(out, p.client).empty());
}

TEST(Failover, AWriteIsAcknowledgedOnlyOnceEveryBackupHoldsIt) {
  Pair p(two_replicas());
  FailoverOutbox out;
  p.primary.on_message(p.client, Message::write(1, 1), out);
  EXPECT_TRUE(sent_to(out, p.client).empty());
  const auto appends = sent_to(out, kBackup);
  ASSERT_EQ(appends.size(), 1u);
  EXPECT_EQ(appends[0].log.size, 1);
  const FailoverOutbox acked = p.round_trip(appends[0]);
  EXPECT_EQ(p.backup.log().size, 1);
  ASSERT_EQ(sent_to(acked, p.client).size(), 1u);
  EXPECT_EQ(sent_to(acked, p.client)[0], Message::write_reply(1));
  EXPECT_EQ(p.primary.committed(), 1);
  // A retried write is answered again, not appended twice.
  out.clear();
  p.primary.on_message(p.client, Message::write(1, 1), out);
  EXPECT_EQ(p.primary.log().size, 1);
  EXPECT_EQ(sent_to(out, p.client).size(), 1u);
}

TEST(Failover, AckBeforeReplicateAcknowledgesAWriteOnReceipt) {
  Pair p(two_replicas(Variant::kAckBeforeReplicate));
  FailoverOutbox out;
  p.primary.on_message(p.client, Message::write(1, 1), out);
  ASSERT_EQ(sent_to(out, p.client).size(), 1u);
  EXPECT_EQ(p.backup.log().size, 0);
}

TEST(Failover, ReadsAnswerTheLastCommittedWrite) {
  Pair p(two_replicas());
  FailoverOutbox out;
  p.primary.on_tick(0, out);
  p.round_trip(sent_to(out, kBackup)[0]);
  out.clear();
  p.primary.on_message(p.client, Message::write(1, 1), out);
  const Message append = sent_to(out, kBackup)[0];
  out.clear();
  p.primary.on_message(p.client, Message::read(2), out);
  EXPECT_EQ(sent_to(out, p.client)[0], Message::read_reply(2, 0))
      << "the write is not committed yet";
  p.round_trip(append);
  out.clear();
  p.primary.on_message(p.client, Message::read(2), out);
  EXPECT_EQ(sent_to(out, p.client)[0], Message::read_reply(2, 1));
}

TEST(Failover, TheBackupPromotesItselfOnlyOnceItsPromiseHasRunOutOnItsOwnClock) {
  Pair p(two_replicas());
  FailoverOutbox out;
  p.backup.on_tick(2, out);
  p.backup.on_message(kPrimary, Message::append(0, 1, 0b11, Log{}), out);
  EXPECT_EQ(p.backup.promised_until(), 7);
  out.clear();
  p.backup.on_tick(6, out);
  EXPECT_EQ(p.backup.role(), Role::kBackup);
  p.backup.on_tick(7, out);
  EXPECT_EQ(p.backup.role(), Role::kPrimary);
  EXPECT_EQ(p.backup.epoch(), 1);
  EXPECT_EQ(p.backup.members(), 0b10) << "the old primary is out of the new configuration";
  EXPECT_TRUE(p.backup.lease_valid_at(7))
      << "no backups left to grant a lease: nobody else can promote";
}

TEST(Failover, PromoteOnMissedHeartbeatPromotesAsSoonAsAHeartbeatIsOverdue) {
  Pair p(two_replicas(Variant::kPromoteOnMissedHeartbeat));
  FailoverOutbox out;
  p.backup.on_tick(2, out);
  p.backup.on_message(kPrimary, Message::append(0, 1, 0b11, Log{}), out);
  p.backup.on_tick(4, out);
  EXPECT_EQ(p.backup.role(), Role::kBackup);
  p.backup.on_tick(5, out);  // heard at 2, heartbeat 2: overdue at 5, the promise runs to 7
  EXPECT_EQ(p.backup.role(), Role::kPrimary);
}

TEST(Failover, AnOldPrimaryIsRejectedByTheNewEpochAndDeposed) {
  Pair p(two_replicas());
  FailoverOutbox out;
  p.backup.on_tick(5, out);  // the initial promise runs out: promoted
  ASSERT_EQ(p.backup.role(), Role::kPrimary);
  out.clear();
  p.primary.on_message(p.client, Message::write(1, 1), out);
  const Message stale = sent_to(out, kBackup)[0];
  FailoverOutbox answer;
  p.backup.on_message(kPrimary, stale, answer);
  ASSERT_EQ(sent_to(answer, kPrimary).size(), 1u);
  EXPECT_EQ(sent_to(answer, kPrimary)[0], Message::append_reject(1));
  EXPECT_EQ(p.backup.log().size, 0) << "the new primary does not take the deposed one's log";
  out.clear();
  p.primary.on_message(kBackup, sent_to(answer, kPrimary)[0], out);
  EXPECT_EQ(p.primary.role(), Role::kDeposed);
  p.primary.on_message(p.client, Message::read(2), out);
  p.primary.on_message(p.client, Message::write(3, 3), out);
  EXPECT_TRUE(sent_to(out, p.client).empty());
}

TEST(Failover, WithinAnEpochABackupKeepsTheLongerOfTwoLogs) {
  Pair p(two_replicas());
  FailoverOutbox out;
  p.primary.on_message(p.client, Message::write(1, 1), out);
  const Message first = sent_to(out, kBackup)[0];
  out.clear();
  p.primary.on_message(p.client, Message::write(2, 2), out);
  const Message second = sent_to(out, kBackup)[0];
  out.clear();
  p.backup.on_message(kPrimary, second, out);
  p.backup.on_message(kPrimary, first, out);  // reordered: the shorter log comes last
  EXPECT_EQ(p.backup.log().size, 2);
  EXPECT_EQ(sent_to(out, kPrimary).back(), Message::append_ack(0, 0, 2));
}

TEST(Failover, APromotedBackupAnswersReadsOnlyOnceWhatItTookOverIsReplicated) {
  Config config = two_replicas();
  config.replicas = 3;
  Replica b1(1, config);
  Replica b2(2, config);
  FailoverOutbox out;
  Log log;
  log.entries[0] = Entry{0, 1, 1};
  log.size = 1;
  b1.on_message(kPrimary, Message::append(0, 0, 0b111, log), out);
  EXPECT_EQ(b1.successor(), 1);
  out.clear();
  b1.on_tick(5, out);
  ASSERT_EQ(b1.role(), Role::kPrimary);
  EXPECT_EQ(b1.members(), 0b110);
  const auto appends = sent_to(out, 2);  // at once, to its remaining backup
  ASSERT_EQ(appends.size(), 1u);
  EXPECT_EQ(appends[0].epoch, 1);
  const NodeId client = config.client_id(0);
  out.clear();
  b1.on_message(client, Message::read(2), out);
  EXPECT_TRUE(sent_to(out, client).empty()) << "no lease from r3 yet";
  FailoverOutbox acks;
  b2.on_message(1, appends.back(), acks);
  EXPECT_EQ(b2.epoch(), 1);
  out.clear();
  for (const Message& m : sent_to(acks, 1)) b1.on_message(2, m, out);
  EXPECT_EQ(b1.committed(), 1);
  EXPECT_EQ(sent_to(out, client), std::vector<Message>{Message::write_reply(1)})
      << "the write it took over is answered once replicated";
  out.clear();
  b1.on_message(client, Message::read(2), out);
  EXPECT_EQ(sent_to(out, client), std::vector<Message>{Message::read_reply(2, 1)});
}

TEST(Failover, AClientTakesTheFirstAnswerToItsRequest) {
  const Config config = two_replicas();
  Client client(0, config);
  FailoverOutbox out;
  ASSERT_TRUE(client.can_issue());
  client.issue(true, out);
  EXPECT_EQ(out.sends().size(), 2u) << "to every replica";
  EXPECT_EQ(out.sends()[0].message, Message::write(1, config.write_value(0, 1)));
  EXPECT_FALSE(client.can_issue());
  client.on_message(kPrimary, Message::read_reply(1, 7), out);
  EXPECT_EQ(client.outstanding(), 1) << "a read's answer to a write is no answer";
  client.on_message(kPrimary, Message::write_reply(1), out);
  EXPECT_EQ(client.outstanding(), 0);
  client.issue(false, out);
  client.on_message(kBackup, Message::read_reply(2, 1), out);
  EXPECT_EQ(client.last_answer(), 1);
  EXPECT_FALSE(client.can_issue()) << "two requests in all";
}

}  // namespace
}  // namespace crosscheck::impl::failover
