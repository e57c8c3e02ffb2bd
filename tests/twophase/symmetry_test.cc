// Symmetry reduction on the two-phase commit implementation: the resource
// managers are interchangeable, as TwoPhase.tla's RM is. A run with
// --symmetry reaches the verdict of the plain run, of the same property,
// with a shortest counterexample of the same length, which replays on the
// unreduced model.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "check/twophase/model.h"
#include "model_check/search.h"
#include "tests/common/symmetry.h"
#include "tests/twophase/models.h"

namespace crosscheck::check::twophase {
namespace {

using crosscheck::testing::expect_symmetric_counterexample_replays;
using crosscheck::testing::expect_symmetry_agrees;
using crosscheck::testing::orbits_of_plain_run;
using impl2pc::Variant;

TEST(TwoPhaseSymmetry, EveryVariantGetsTheVerdictOfThePlainSearch) {
  for (Variant variant : kEveryVariant) {
    for (int rms = 2; rms <= 3; ++rms) {
      expect_symmetry_agrees(impl_model_with_faults(rms, variant, 1, 0, 1),
                             "variant " + std::to_string(static_cast<int>(variant)) + ", " +
                                 std::to_string(rms) + " RMs");
    }
  }
}

// Three RMs, no faults: one state per orbit of the plain run's 85,661,
// 15,390 (5.6 times fewer).
TEST(TwoPhaseSymmetry, ThreeRmsStatesAreTheOrbitsOfThePlainRun) {
  const ImplModel correct = impl_model_with_faults(3, Variant::kCorrect, 0, 0, 0);
  uint64_t plain_states = 0;
  const size_t orbits = orbits_of_plain_run(correct, {{1, 2, 3}}, plain_states);
  mc::SearchOptions options;
  options.symmetry = true;
  const mc::CheckResult reduced = mc::check(correct, options);
  EXPECT_EQ(reduced.outcome, mc::Outcome::kOk) << reduced.property;
  EXPECT_EQ(reduced.stats.distinct_states, orbits);
  EXPECT_EQ(plain_states, 85661u);
  EXPECT_EQ(reduced.stats.distinct_states, 15390u);
}

// Symmetry's limit on a group (six nodes: 720 renamings) refuses only
// --symmetry: seven RMs are still checked without it.
TEST(TwoPhaseSymmetry, SevenRmsAreCheckedWithoutSymmetryAndRefusedWithIt) {
  const ImplModel seven = impl_model_with_faults(7, Variant::kCorrect, 0, 0, 0);
  mc::SearchOptions options;
  options.max_states = 1000;
  EXPECT_EQ(mc::check(seven, options).outcome, mc::Outcome::kBoundExhausted);
  options.symmetry = true;
  EXPECT_THROW(mc::check(seven, options), std::invalid_argument);
}

TEST(TwoPhaseSymmetry, TheCounterexampleReplaysOnTheUnreducedModel) {
  expect_symmetric_counterexample_replays(
      impl_model_with_faults(3, Variant::kRmTimeoutAbort, 1, 1, 1));
}

}  // namespace
}  // namespace crosscheck::check::twophase
