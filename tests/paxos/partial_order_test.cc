// Partial-order reduction (--por, sleep sets) on the Paxos implementation:
// steps of different nodes commute (msgs is a set), so a run with sleep
// sets stores every state of the plain run, in fewer steps, and reaches
// every variant's verdict with a counterexample of the same length.
#include <gtest/gtest.h>

#include <string>

#include "check/paxos/model.h"
#include "model_check/search.h"
#include "tests/common/partial_order.h"

namespace crosscheck::check::paxos {
namespace {

using crosscheck::testing::expect_sleep_sets_agree;
using implpaxos::Variant;

ImplModel model(Variant variant, int max_ballot, int crashes, int drops = 0) {
  implpaxos::Config config;
  config.proposers = 2;
  config.acceptors = 3;
  config.max_ballot = max_ballot;
  config.variant = variant;
  mc::FaultBudgets budgets;
  budgets.max_crashes = crashes;
  budgets.max_drops = drops;
  return make_impl_model(config, budgets);
}

TEST(PaxosPartialOrder, EveryVariantGetsTheVerdictOfThePlainSearch) {
  for (Variant variant : {Variant::kAcceptorForgets, Variant::kIgnorePromisedValue,
                          Variant::kQuorumOffByOne, Variant::kAcceptLowerBallot}) {
    for (int crashes = 0; crashes <= 1; ++crashes) {
      expect_sleep_sets_agree(model(variant, 1, crashes, /*drops=*/1),
                              "variant " + std::to_string(static_cast<int>(variant)) + ", " +
                                  std::to_string(crashes) + " crashes");
    }
  }
}

// Three acceptors, ballots 0..1, no faults: the plain run's 1,000,169
// states, with 2,401,009 of its 5,485,133 steps; the other 3,084,124 are
// asleep where they are enabled. No state is explored twice.
TEST(PaxosPartialOrder, TheCorrectProtocolKeepsEveryStateInLessThanHalfTheSteps) {
  const ImplModel correct = model(Variant::kCorrect, 1, 0);
  expect_sleep_sets_agree(correct, "correct");
  mc::SearchOptions options;
  options.partial_order = true;
  const mc::CheckResult reduced = mc::check(correct, options);
  EXPECT_EQ(reduced.outcome, mc::Outcome::kOk) << reduced.property;
  EXPECT_EQ(reduced.stats.distinct_states, 1000169u);
  EXPECT_EQ(reduced.stats.total_states, 2401009u);
  EXPECT_EQ(reduced.search.pruned_steps, 3084124u);
  EXPECT_EQ(reduced.search.explored_again, 0u);
}

}  // namespace
}  // namespace crosscheck::check::paxos
