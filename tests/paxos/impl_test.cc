// Unit scenarios of the Paxos proposer, acceptor and learner.
#include <gtest/gtest.h>

#include "impl/paxos/paxos.h"

namespace crosscheck::impl::paxos {
namespace {

Config three_acceptors(Variant variant = Variant::kCorrect) {
  Config config;
  config.proposers = 2;
  config.acceptors = 3;
  config.max_ballot = 3;
  config.variant = variant;
  return config;
}

Message promise(int8_t ballot, int8_t voted_ballot = kNoBallot, int8_t value = kNoValue) {
  return {MessageType::kPromise, ballot, voted_ballot, value};
}

TEST(PaxosProposer, PreparesItsOwnBallotsInTurn) {
  Proposer p(1, three_acceptors());
  PaxosOutbox out;
  p.on_timeout(out);
  EXPECT_EQ(p.ballot(), 1);  // proposer 1 of 2 owns ballots 1, 3, ...
  ASSERT_EQ(out.sends().size(), 3u);
  EXPECT_EQ(out.sends()[0].message, (Message{MessageType::kPrepare, 1}));
  out.clear();
  p.on_timeout(out);
  EXPECT_EQ(p.ballot(), 3);
  out.clear();
  p.on_timeout(out);  // past max_ballot: gives up
  EXPECT_EQ(p.ballot(), 3);
  EXPECT_TRUE(out.empty());
}

TEST(PaxosProposer, ProposesTheValueOfTheHighestBallotVoteAQuorumReports) {
  const Config config = three_acceptors();
  Proposer p(1, config);
  PaxosOutbox out;
  p.on_timeout(out);
  out.clear();
  p.on_message(config.acceptor_id(0), promise(1, 0, 1), out);
  EXPECT_TRUE(out.empty());  // one promise of three is not a quorum
  p.on_message(config.acceptor_id(1), promise(1), out);
  ASSERT_EQ(out.sends().size(), 3u);
  EXPECT_EQ(out.sends()[0].message,
            (Message{MessageType::kAccept, 1, kNoBallot, 1}));  // not its own value 2
}

TEST(PaxosProposer, WithoutReportedVotesItProposesItsOwnValue) {
  const Config config = three_acceptors();
  Proposer p(1, config);
  PaxosOutbox out;
  p.on_timeout(out);
  out.clear();
  p.on_message(config.acceptor_id(0), promise(1), out);
  p.on_message(config.acceptor_id(2), promise(1), out);
  ASSERT_EQ(out.sends().size(), 3u);
  EXPECT_EQ(out.sends()[0].message.value, 2);
}

TEST(PaxosProposer, TheIgnorePromisedValueVariantProposesItsOwnValueRegardless) {
  const Config config = three_acceptors(Variant::kIgnorePromisedValue);
  Proposer p(1, config);
  PaxosOutbox out;
  p.on_timeout(out);
  out.clear();
  p.on_message(config.acceptor_id(0), promise(1, 0, 1), out);
  p.on_message(config.acceptor_id(1), promise(1), out);
  ASSERT_EQ(out.sends().size(), 3u);
  EXPECT_EQ(out.sends()[0].message.value, 2);
}

TEST(PaxosProposer, AfterARestartItNeverRunsTheSameBallotAgain) {
  const Config config = three_acceptors();
  Proposer p(0, config);
  PaxosOutbox out;
  p.on_timeout(out);
  p.restart(out);
  out.clear();
  p.on_message(config.acceptor_id(0), promise(0), out);
  p.on_message(config.acceptor_id(1), promise(0), out);
  EXPECT_TRUE(out.sends().empty());  // late promises of ballot 0 are ignored
  p.on_timeout(out);
  EXPECT_EQ(p.ballot(), 2);
}

TEST(PaxosAcceptor, PromisesOnlyHigherBallotsAndAcceptsOnlyAtOrAboveItsPromise) {
  const Config config = three_acceptors();
  Acceptor a(config);
  PaxosOutbox out;
  a.on_message(0, {MessageType::kPrepare, 2}, out);
  ASSERT_EQ(out.sends().size(), 1u);
  EXPECT_EQ(out.sends()[0].message, promise(2));
  out.clear();
  a.on_message(1, {MessageType::kPrepare, 1}, out);
  EXPECT_TRUE(out.empty());
  a.on_message(1, {MessageType::kAccept, 1, kNoBallot, 2}, out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(a.persistent().voted_ballot, kNoBallot);
  a.on_message(0, {MessageType::kAccept, 2, kNoBallot, 1}, out);
  ASSERT_EQ(out.sends().size(), 1u);
  EXPECT_EQ(out.sends()[0].to, config.learner_id());
  EXPECT_EQ(a.persistent(), (Acceptor::Persistent{2, 2, 1}));
}

TEST(PaxosAcceptor, ItsPromiseAndVoteSurviveARestartUnlessTheVariantForgetsThem) {
  Acceptor a(three_acceptors());
  PaxosOutbox out;
  a.on_message(0, {MessageType::kAccept, 0, kNoBallot, 1}, out);
  a.restart(out);
  EXPECT_EQ(a.persistent(), (Acceptor::Persistent{0, 0, 1}));
  Acceptor forgetful(three_acceptors(Variant::kAcceptorForgets));
  forgetful.on_message(0, {MessageType::kAccept, 0, kNoBallot, 1}, out);
  forgetful.restart(out);
  EXPECT_EQ(forgetful.persistent(), Acceptor::Persistent{});
}

TEST(PaxosLearner, LearnsAValueOnceAQuorumAcceptedItInOneBallot) {
  const Config config = three_acceptors();
  Learner l(config);
  PaxosOutbox out;
  l.on_message(config.acceptor_id(0), {MessageType::kAccepted, 0, kNoBallot, 1}, out);
  l.on_message(config.acceptor_id(1), {MessageType::kAccepted, 1, kNoBallot, 1}, out);
  EXPECT_EQ(l.learned(), 0);  // two ballots: not a quorum in either
  l.on_message(config.acceptor_id(2), {MessageType::kAccepted, 1, kNoBallot, 1}, out);
  EXPECT_EQ(l.learned(), 0b01);
}

}  // namespace
}  // namespace crosscheck::impl::paxos
