// Paxos's liveness under weak fairness of delivery and the proposers'
// retry timers: with one proposer and no faults a value is always learned;
// a proposer that stops for good leaves nothing to drive the protocol.
#include <gtest/gtest.h>

#include "check/paxos/model.h"
#include "model_check/liveness.h"

namespace crosscheck::check::paxos {
namespace {

mc::CheckResult liveness(int proposers, int acceptors, int max_ballot, int stops) {
  implpaxos::Config config;
  config.proposers = proposers;
  config.acceptors = acceptors;
  config.max_ballot = max_ballot;
  mc::FaultBudgets budgets;
  budgets.max_stops = stops;
  return mc::check_liveness(make_impl_model(config, budgets));
}

TEST(PaxosLiveness, OneProposerWithoutFaultsGetsAValueLearned) {
  mc::CheckResult one_ballot = liveness(1, 3, 0, 0);
  EXPECT_EQ(one_ballot.outcome, mc::Outcome::kOk) << one_ballot.property;
  EXPECT_EQ(one_ballot.stats.distinct_states, 635u);
  // With a retry to a second ballot as well.
  mc::CheckResult two_ballots = liveness(1, 2, 1, 0);
  EXPECT_EQ(two_ballots.outcome, mc::Outcome::kOk) << two_ballots.property;
  EXPECT_EQ(two_ballots.stats.distinct_states, 1014u);
}

TEST(PaxosLiveness, AStoppedProposerLeavesNothingToDriveIt) {
  mc::CheckResult result = liveness(1, 3, 0, 1);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "ValueEventuallyLearned");
  ASSERT_EQ(result.trace.size(), 2u);
  EXPECT_EQ(result.trace[1].action, "Stop p1");
  EXPECT_EQ(result.loop_start, 1);
}

}  // namespace
}  // namespace crosscheck::check::paxos
