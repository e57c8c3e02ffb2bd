// The implementation explored exhaustively in the actor harness: the
// correct protocol keeps every property under faults; each known-buggy
// variant is caught with a shortest counterexample whose length is pinned.
#include <gtest/gtest.h>

#include <set>

#include "check/twophase/model.h"
#include "model_check/search.h"
#include "spec/twophase/refinement.h"
#include "spec/twophase/tcommit.h"

namespace crosscheck::check::twophase {
namespace {

namespace tcommit = crosscheck::spec::tcommit;
using crosscheck::spec::twophase::abstract_state;
using impl2pc::Variant;

mc::FaultBudgets faults(int drops, int duplicates, int crashes, int copies = 1) {
  mc::FaultBudgets budgets;
  budgets.max_drops = drops;
  budgets.max_duplicates = duplicates;
  budgets.max_crashes = crashes;
  budgets.max_copies = copies;
  return budgets;
}

mc::CheckResult check_impl(int rms, Variant variant, mc::FaultBudgets budgets) {
  return mc::check(make_impl_model({rms, variant}, budgets));
}

TEST(TwoPhaseImpl, TheCorrectProtocolIsSafeWithoutFaults) {
  mc::CheckResult result = check_impl(3, Variant::kCorrect, faults(0, 0, 0));
  EXPECT_EQ(result.outcome, mc::Outcome::kOk);
  for (const auto& goal : result.goals) EXPECT_TRUE(goal.reached) << goal.name;
  EXPECT_EQ(result.stats.distinct_states, 85661u);
  EXPECT_EQ(result.stats.depth, 23);
}

TEST(TwoPhaseImpl, TheCorrectProtocolIsSafeUnderTheDefaultFaultBudgets) {
  // The CLI's defaults: one drop, one duplicate, one crash, two copies.
  mc::CheckResult result = check_impl(3, Variant::kCorrect, faults(1, 1, 1));
  EXPECT_EQ(result.outcome, mc::Outcome::kOk);
  EXPECT_EQ(result.stats.distinct_states, 3117390u);
  EXPECT_EQ(result.stats.depth, 26);
}

TEST(TwoPhaseImpl, OneRmWithTwoCrashesIsSafe) {
  mc::CheckResult result = check_impl(1, Variant::kCorrect, faults(2, 2, 2));
  EXPECT_EQ(result.outcome, mc::Outcome::kOk);
}

// The refinement map is not only sound (checked on every step) but also
// complete here: the implementation reaches every TCommit state, so no
// behaviour of the abstract protocol is missing from it.
TEST(TwoPhaseImpl, TheImplementationReachesExactlyTheStatesOfTCommit) {
  for (int rms = 1; rms <= 3; ++rms) {
    std::set<tcommit::State> implemented;
    mc::check(make_impl_model({rms, Variant::kCorrect}, faults(0, 0, 0)), {},
              [&](const ImplState& state) { implemented.insert(abstract_state(state)); });
    std::set<tcommit::State> specified;
    mc::check(tcommit::TCommitModel(rms), {},
              [&](const tcommit::State& state) { specified.insert(state); });
    EXPECT_EQ(implemented, specified) << rms << " RMs";
  }
}

struct VariantCase {
  Variant variant;
  mc::FaultBudgets budgets;
  const char* property;
  int shortest_steps;
};

class TwoPhaseBuggyVariant : public ::testing::TestWithParam<VariantCase> {};

TEST_P(TwoPhaseBuggyVariant, IsCaughtWithItsShortestCounterexample) {
  const VariantCase& c = GetParam();
  mc::CheckResult result = check_impl(3, c.variant, c.budgets);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, c.property);
  EXPECT_EQ(static_cast<int>(result.trace.size()) - 1, c.shortest_steps);
}

INSTANTIATE_TEST_SUITE_P(
    Variants, TwoPhaseBuggyVariant,
    ::testing::Values(
        // Three Prepare deliveries, three VoteYes deliveries (the TM commits),
        // Commit delivered to one RM; then another prepared RM times out and
        // aborts: 8 steps. No fault is needed.
        VariantCase{Variant::kRmTimeoutAbort, faults(0, 0, 0), "Atomicity", 8},
        // Prepare to two RMs, their two yes votes: the TM decides commit
        // while the third RM has not voted, 4 steps.
        VariantCase{Variant::kTmMajorityCommit, faults(0, 0, 0), "Validity", 4},
        // Six steps to a commit decision, Commit delivered to one RM, the TM
        // crashes and presumes abort, Abort delivered to another RM: 9 steps.
        VariantCase{Variant::kTmUnloggedDecision, faults(0, 0, 1), "Atomicity", 9},
        // The CLI's default budgets do not make any trace shorter.
        VariantCase{Variant::kRmTimeoutAbort, faults(1, 1, 1), "Atomicity", 8},
        VariantCase{Variant::kTmMajorityCommit, faults(1, 1, 1), "Validity", 4},
        VariantCase{Variant::kTmUnloggedDecision, faults(1, 1, 1), "Atomicity", 9}));

// Without a crash the unlogged decision is never lost: the bug needs the
// fault to show, and the checker must not report it without one.
TEST(TwoPhaseImpl, TheUnloggedDecisionIsHarmlessWithoutCrashes) {
  EXPECT_EQ(check_impl(3, Variant::kTmUnloggedDecision, faults(1, 1, 0)).outcome, mc::Outcome::kOk);
}

}  // namespace
}  // namespace crosscheck::check::twophase
