// Partial-order reduction (--por, sleep sets) on the two-phase commit
// implementation: the RMs' steps commute with each other's, the TM's with
// none of theirs that send to it. A run with sleep sets stores every state
// of the plain run and reaches every variant's verdict with a
// counterexample of the same length.
#include <gtest/gtest.h>

#include <string>

#include "check/twophase/model.h"
#include "model_check/search.h"
#include "tests/common/partial_order.h"
#include "tests/twophase/models.h"

namespace crosscheck::check::twophase {
namespace {

using crosscheck::testing::expect_sleep_sets_agree;
using impl2pc::Variant;

TEST(TwoPhasePartialOrder, EveryVariantGetsTheVerdictOfThePlainSearch) {
  for (Variant variant : kEveryVariant) {
    for (int rms = 2; rms <= 3; ++rms) {
      expect_sleep_sets_agree(impl_model_with_faults(rms, variant, 1, 1, 1),
                              "variant " + std::to_string(static_cast<int>(variant)) + ", " +
                                  std::to_string(rms) + " RMs");
    }
  }
}

// Three RMs, no faults: the plain run's 85,661 states, in 381,645 steps
// rather than 455,112: 74,306 are asleep where they are enabled, and 568
// states met again with less asleep take 839 of those after all.
TEST(TwoPhasePartialOrder, ThreeRmsKeepEveryStateInFewerSteps) {
  mc::SearchOptions options;
  options.partial_order = true;
  const mc::CheckResult reduced =
      mc::check(impl_model_with_faults(3, Variant::kCorrect, 0, 0, 0), options);
  EXPECT_EQ(reduced.outcome, mc::Outcome::kOk) << reduced.property;
  EXPECT_EQ(reduced.stats.distinct_states, 85661u);
  EXPECT_EQ(reduced.stats.total_states, 381645u);
  EXPECT_EQ(reduced.search.pruned_steps, 74306u);
  EXPECT_EQ(reduced.search.explored_again, 568u);
}

}  // namespace
}  // namespace crosscheck::check::twophase
