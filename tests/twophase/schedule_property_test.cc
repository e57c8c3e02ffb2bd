// RapidCheck properties over generated schedules of the implementation,
// faults included. RapidCheck prints its seed ("Using configuration:
// seed=..."); RC_PARAMS="seed=N" reruns exactly that test.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <iostream>

#include "check/twophase/model.h"
#include "model_check/search.h"
#include "tests/common/schedule_runner.h"
#include "tests/common/shrink.h"

namespace crosscheck::check::twophase {
namespace {

using crosscheck::testing::describe;
using crosscheck::testing::run_schedule;
using crosscheck::testing::ScheduleRun;

// The command line's default budgets: the breadth-first search that gives
// the lower bound for shrinking stays quick with them.
mc::FaultBudgets default_faults() {
  mc::FaultBudgets budgets;
  budgets.max_drops = 1;
  budgets.max_duplicates = 1;
  budgets.max_crashes = 1;
  budgets.max_copies = 1;
  return budgets;
}

mc::FaultBudgets generous_faults() {
  mc::FaultBudgets budgets;
  budgets.max_drops = 3;
  budgets.max_duplicates = 3;
  budgets.max_crashes = 3;
  budgets.max_copies = 3;
  return budgets;
}

// A schedule: up to 100 choices, each uniform over a range far larger than
// the number of enabled steps, so every step (faults, listed last, too) is
// as likely to be picked. Shrinking removes choices and lowers them toward
// 0, the first enabled step.
rc::Gen<std::vector<unsigned>> schedules() {
  return rc::gen::container<std::vector<unsigned>>(rc::gen::inRange<unsigned>(0, 1u << 20));
}

RC_GTEST_PROP(TwoPhaseSchedules, EverySchedulePreservesAtomicityValidityAndRefinement, ()) {
  const int rms = *rc::gen::inRange(1, 5);
  const auto schedule = *schedules();
  ImplModel model = make_impl_model({rms, impl2pc::Variant::kCorrect}, generous_faults());
  ScheduleRun run = run_schedule(model, schedule);
  // The distribution RapidCheck prints shows how many runs went all the way
  // to quiescence (the transaction decided everywhere, nothing in flight).
  RC_CLASSIFY(run.quiescent, "ran to quiescence");
  RC_CLASSIFY(run.steps.size() >= 20, "20+ steps");
  RC_ASSERT_FALSE(run.violated);
}

// Runs RapidCheck on a buggy variant and returns the schedule it shrank to.
crosscheck::testing::ShrunkFailure<ScheduleRun> shrink_failure(impl2pc::Variant variant,
                                                               mc::FaultBudgets budgets,
                                                               int tests) {
  ImplModel model = make_impl_model({3, variant}, budgets);
  return crosscheck::testing::shrink_failure<ScheduleRun>(
      "shrink-" + std::to_string(static_cast<int>(variant)), tests,
      [&] { return run_schedule(model, *schedules()); });
}

int shortest_counterexample_steps(impl2pc::Variant variant, mc::FaultBudgets budgets) {
  mc::CheckResult result = mc::check(make_impl_model({3, variant}, budgets));
  EXPECT_EQ(result.outcome, mc::Outcome::kViolation);
  return static_cast<int>(result.trace.size()) - 1;
}

struct ShrinkCase {
  impl2pc::Variant variant;
  mc::FaultBudgets budgets;
  int tests;  // at most: a run stops at its first failure
};

class ShrinkingOnBuggyVariants : public ::testing::TestWithParam<ShrinkCase> {};

TEST_P(ShrinkingOnBuggyVariants, FindsAndShrinksAFailingScheduleToNearTheShortestTrace) {
  auto failure = shrink_failure(GetParam().variant, GetParam().budgets, GetParam().tests);
  ASSERT_TRUE(failure.found) << "no generated schedule broke the buggy variant";
  std::cerr << "shrunk schedule breaking " << failure.run.property << ":\n"
            << describe(failure.run);
  const int shortest = shortest_counterexample_steps(GetParam().variant, GetParam().budgets);
  const int shrunk = static_cast<int>(failure.run.steps.size());
  // No schedule can be shorter than breadth-first search's shortest trace.
  EXPECT_GE(shrunk, shortest);
  // Shrinking removes the noise: what remains is close to the minimum.
  EXPECT_LE(shrunk, 2 * shortest) << describe(failure.run);
}

mc::FaultBudgets crashes_only(int crashes) {
  mc::FaultBudgets budgets;
  budgets.max_crashes = crashes;
  budgets.max_copies = 1;
  return budgets;
}

// The unlogged decision shows only when the TM crashes between sending
// Commit and the last RM receiving it: rare in a random schedule (about one
// in a few thousand with three crashes), so that case tries many more.
INSTANTIATE_TEST_SUITE_P(
    Variants, ShrinkingOnBuggyVariants,
    ::testing::Values(ShrinkCase{impl2pc::Variant::kRmTimeoutAbort, default_faults(), 100000},
                      ShrinkCase{impl2pc::Variant::kTmMajorityCommit, default_faults(), 100000},
                      ShrinkCase{impl2pc::Variant::kTmUnloggedDecision, crashes_only(3), 100000}));

}  // namespace
}  // namespace crosscheck::check::twophase
