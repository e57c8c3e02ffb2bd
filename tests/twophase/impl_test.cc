// Unit scenarios for the two-phase commit nodes, each named after the
// sentence of the protocol it checks. The nodes are driven by hand: every
// input is a method call, every effect is read from the outbox.
#include <gtest/gtest.h>

#include "impl/twophase/messages.h"
#include "impl/twophase/resource_manager.h"
#include "impl/twophase/transaction_manager.h"

namespace crosscheck::impl::twophase {
namespace {

constexpr NodeId kRm1 = 1;
constexpr NodeId kRm2 = 2;
constexpr NodeId kRm3 = 3;

bool sent(const TwoPhaseOutbox& out, NodeId to, MessageKind kind) {
  for (const auto& send : out.sends()) {
    if (send.to == to && send.message.kind == kind) return true;
  }
  return false;
}

bool timer_set(const TwoPhaseOutbox& out, Timer timer) {
  bool armed = false;
  for (const auto& [changed, now_armed] : out.timer_changes()) {
    if (changed == timer) armed = now_armed;
  }
  return armed;
}

class TransactionManagerTest : public ::testing::Test {
 protected:
  TransactionManager tm_{Config{3, Variant::kCorrect}};
  TwoPhaseOutbox out_;

  void vote(NodeId rm, MessageKind kind) {
    out_.clear();
    tm_.on_message(rm, {kind}, out_);
  }
};

TEST_F(TransactionManagerTest, StartAsksEveryRmToPrepareAndArmsTheVoteTimer) {
  tm_.start(out_);
  EXPECT_TRUE(sent(out_, kRm1, MessageKind::kPrepare));
  EXPECT_TRUE(sent(out_, kRm2, MessageKind::kPrepare));
  EXPECT_TRUE(sent(out_, kRm3, MessageKind::kPrepare));
  EXPECT_EQ(out_.sends().size(), 3u);
  EXPECT_TRUE(timer_set(out_, Timer::kVoteCollection));
}

TEST_F(TransactionManagerTest, CommitsOnlyWhenEveryRmVotedYes) {
  vote(kRm1, MessageKind::kVoteYes);
  vote(kRm2, MessageKind::kVoteYes);
  EXPECT_EQ(tm_.decision(), Decision::kNone);
  EXPECT_TRUE(out_.sends().empty());
  vote(kRm3, MessageKind::kVoteYes);
  EXPECT_EQ(tm_.decision(), Decision::kCommit);
  EXPECT_EQ(tm_.log().decision, Decision::kCommit);
  for (NodeId rm : {kRm1, kRm2, kRm3}) EXPECT_TRUE(sent(out_, rm, MessageKind::kCommit));
  EXPECT_TRUE(timer_set(out_, Timer::kDecisionResend));
}

TEST_F(TransactionManagerTest, ASingleNoVoteAborts) {
  vote(kRm1, MessageKind::kVoteYes);
  vote(kRm2, MessageKind::kVoteNo);
  EXPECT_EQ(tm_.log().decision, Decision::kAbort);
  for (NodeId rm : {kRm1, kRm2, kRm3}) EXPECT_TRUE(sent(out_, rm, MessageKind::kAbort));
}

TEST_F(TransactionManagerTest, OverdueVotesAbort) {
  vote(kRm1, MessageKind::kVoteYes);
  out_.clear();
  tm_.on_timeout(Timer::kVoteCollection, out_);
  EXPECT_EQ(tm_.log().decision, Decision::kAbort);
  EXPECT_TRUE(sent(out_, kRm1, MessageKind::kAbort));
}

TEST_F(TransactionManagerTest, ALateYesVoteCannotOverturnAnAbort) {
  vote(kRm1, MessageKind::kVoteNo);
  vote(kRm2, MessageKind::kVoteYes);
  vote(kRm3, MessageKind::kVoteYes);
  EXPECT_EQ(tm_.log().decision, Decision::kAbort);
  // The late voter is told the decision instead.
  EXPECT_TRUE(sent(out_, kRm3, MessageKind::kAbort));
}

TEST_F(TransactionManagerTest, ResendsTheDecisionOnlyToRmsThatHaveNotAcknowledged) {
  for (NodeId rm : {kRm1, kRm2, kRm3}) vote(rm, MessageKind::kVoteYes);
  vote(kRm1, MessageKind::kAck);
  vote(kRm3, MessageKind::kAck);
  out_.clear();
  tm_.on_timeout(Timer::kDecisionResend, out_);
  EXPECT_FALSE(sent(out_, kRm1, MessageKind::kCommit));
  EXPECT_TRUE(sent(out_, kRm2, MessageKind::kCommit));
  EXPECT_FALSE(sent(out_, kRm3, MessageKind::kCommit));
  EXPECT_TRUE(timer_set(out_, Timer::kDecisionResend));
}

TEST_F(TransactionManagerTest, StopsResendingOnceEveryRmAcknowledged) {
  for (NodeId rm : {kRm1, kRm2, kRm3}) vote(rm, MessageKind::kVoteYes);
  vote(kRm1, MessageKind::kAck);
  vote(kRm2, MessageKind::kAck);
  vote(kRm3, MessageKind::kAck);
  ASSERT_EQ(out_.timer_changes().size(), 1u);
  EXPECT_EQ(out_.timer_changes()[0], std::make_pair(Timer::kDecisionResend, false));
}

TEST_F(TransactionManagerTest, ARestartedTmResendsItsLoggedDecision) {
  for (NodeId rm : {kRm1, kRm2, kRm3}) vote(rm, MessageKind::kVoteYes);
  out_.clear();
  tm_.restart(out_);
  EXPECT_EQ(tm_.log().decision, Decision::kCommit);
  for (NodeId rm : {kRm1, kRm2, kRm3}) EXPECT_TRUE(sent(out_, rm, MessageKind::kCommit));
}

TEST_F(TransactionManagerTest, ATmRestartingUndecidedPresumesAbort) {
  vote(kRm1, MessageKind::kVoteYes);
  vote(kRm2, MessageKind::kVoteYes);
  out_.clear();
  tm_.restart(out_);
  EXPECT_EQ(tm_.volatile_state().yes_votes, 0u);
  EXPECT_EQ(tm_.log().decision, Decision::kAbort);
  EXPECT_TRUE(sent(out_, kRm3, MessageKind::kAbort));
}

TEST(TransactionManagerVariants, MajorityCommitCommitsWithoutHearingFromEveryRm) {
  TransactionManager tm(Config{3, Variant::kTmMajorityCommit});
  TwoPhaseOutbox out;
  tm.on_message(kRm1, {MessageKind::kVoteYes}, out);
  EXPECT_EQ(tm.decision(), Decision::kNone);
  tm.on_message(kRm2, {MessageKind::kVoteYes}, out);
  EXPECT_EQ(tm.decision(), Decision::kCommit);
}

TEST(TransactionManagerVariants, AnUnloggedDecisionIsForgottenOnRestart) {
  TransactionManager tm(Config{2, Variant::kTmUnloggedDecision});
  TwoPhaseOutbox out;
  tm.on_message(kRm1, {MessageKind::kVoteYes}, out);
  tm.on_message(kRm2, {MessageKind::kVoteYes}, out);
  EXPECT_EQ(tm.decision(), Decision::kCommit);
  EXPECT_EQ(tm.log().decision, Decision::kNone);
  out.clear();
  tm.restart(out);
  EXPECT_EQ(tm.decision(), Decision::kAbort);
  EXPECT_TRUE(sent(out, kRm1, MessageKind::kAbort));
}

class ResourceManagerTest : public ::testing::Test {
 protected:
  ResourceManager rm_{Config{3, Variant::kCorrect}};
  TwoPhaseOutbox out_;

  void receive(MessageKind kind) {
    out_.clear();
    rm_.on_message(kTransactionManager, {kind}, out_);
  }
};

TEST_F(ResourceManagerTest, APrepareRequestIsAnsweredWithALoggedYesVote) {
  receive(MessageKind::kPrepare);
  EXPECT_EQ(rm_.log().status, RmStatus::kPrepared);
  EXPECT_EQ(rm_.log().vote, RmVote::kYes);
  EXPECT_TRUE(sent(out_, kTransactionManager, MessageKind::kVoteYes));
  EXPECT_TRUE(timer_set(out_, Timer::kDecisionWait));
}

TEST_F(ResourceManagerTest, AnRmThatAbortedOnItsOwnVotesNo) {
  ASSERT_TRUE(rm_.can_abort_on_its_own());
  rm_.abort_on_its_own(out_);
  EXPECT_FALSE(rm_.can_abort_on_its_own());
  receive(MessageKind::kPrepare);
  EXPECT_EQ(rm_.status(), RmStatus::kAborted);
  EXPECT_TRUE(sent(out_, kTransactionManager, MessageKind::kVoteNo));
}

TEST_F(ResourceManagerTest, APreparedRmCannotAbortOnItsOwn) {
  receive(MessageKind::kPrepare);
  EXPECT_FALSE(rm_.can_abort_on_its_own());
}

TEST_F(ResourceManagerTest, APreparedRmThatTimesOutAsksAgainInsteadOfAborting) {
  receive(MessageKind::kPrepare);
  out_.clear();
  rm_.on_timeout(Timer::kDecisionWait, out_);
  EXPECT_EQ(rm_.status(), RmStatus::kPrepared);
  EXPECT_TRUE(sent(out_, kTransactionManager, MessageKind::kVoteYes));
  EXPECT_TRUE(timer_set(out_, Timer::kDecisionWait));
}

TEST_F(ResourceManagerTest, TheDecisionIsAppliedAndAcknowledged) {
  receive(MessageKind::kPrepare);
  receive(MessageKind::kCommit);
  EXPECT_EQ(rm_.status(), RmStatus::kCommitted);
  EXPECT_TRUE(sent(out_, kTransactionManager, MessageKind::kAck));
  // A duplicate decision is acknowledged again and changes nothing.
  receive(MessageKind::kCommit);
  EXPECT_EQ(rm_.status(), RmStatus::kCommitted);
  EXPECT_TRUE(sent(out_, kTransactionManager, MessageKind::kAck));
}

TEST_F(ResourceManagerTest, ACommittedRmIgnoresAnAbort) {
  receive(MessageKind::kPrepare);
  receive(MessageKind::kCommit);
  receive(MessageKind::kAbort);
  EXPECT_EQ(rm_.status(), RmStatus::kCommitted);
}

TEST_F(ResourceManagerTest, ARestartedPreparedRmRemembersItsVoteAndWaits) {
  receive(MessageKind::kPrepare);
  out_.clear();
  rm_.restart(out_);
  EXPECT_EQ(rm_.status(), RmStatus::kPrepared);
  EXPECT_EQ(rm_.vote(), RmVote::kYes);
  EXPECT_TRUE(timer_set(out_, Timer::kDecisionWait));
}

TEST(ResourceManagerVariants, TimeoutAbortGivesUpAfterVotingYes) {
  ResourceManager rm(Config{3, Variant::kRmTimeoutAbort});
  TwoPhaseOutbox out;
  rm.on_message(kTransactionManager, {MessageKind::kPrepare}, out);
  rm.on_timeout(Timer::kDecisionWait, out);
  EXPECT_EQ(rm.status(), RmStatus::kAborted);
  EXPECT_EQ(rm.vote(), RmVote::kYes);
}

}  // namespace
}  // namespace crosscheck::impl::twophase
