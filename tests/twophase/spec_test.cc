// TwoPhase.tla and TCommit.tla: the reachable-state counts TLC publishes,
// the refinement TwoPhase -> TCommit on every step, and RM symmetry.
#include <gtest/gtest.h>

#include "model_check/search.h"
#include "spec/twophase/tcommit.h"
#include "spec/twophase/two_phase.h"

namespace crosscheck::spec::twophase {
namespace {

TEST(TwoPhaseSpec, ThreeRmsMatchTlc) {
  mc::CheckResult result = mc::check(TwoPhaseModel(3));
  EXPECT_EQ(result.outcome, mc::Outcome::kOk);
  EXPECT_EQ(result.stats.distinct_states, 288u);  // TLC's published figure
  EXPECT_EQ(result.stats.depth, 11);              // TLC's published figure
  for (const auto& goal : result.goals) EXPECT_TRUE(goal.reached) << goal.name;
}

TEST(TwoPhaseSpec, OneRmCountedByHand) {
  // One RM; a state is (rmState, tmPrepared, Prepared msg, tmState, Commit
  // or Abort msg). tmState init: (working), (prepared, P), (prepared, T, P),
  // (aborted) = 4. TMCommit from (prepared, T, P), then RMRcvCommitMsg = 2.
  // TMAbort from each of the 4 init states, then RMRcvAbortMsg: rmState is
  // working, prepared or aborted with (-), (P) or (T, P) as reachable:
  // (working), (prepared, P), (prepared, T, P), (aborted), (aborted, P),
  // (aborted, T, P) = 6. In all 12. The longest shortest path is RMPrepare,
  // TMRcvPrepared, TMCommit, RMRcvCommitMsg: 5 states.
  mc::CheckResult result = mc::check(TwoPhaseModel(1));
  EXPECT_EQ(result.stats.distinct_states, 12u);
  EXPECT_EQ(result.stats.depth, 5);
}

TEST(TCommitSpec, ThreeRmsMatchTlc) {
  mc::CheckResult result = mc::check(tcommit::TCommitModel(3));
  EXPECT_EQ(result.outcome, mc::Outcome::kOk);
  EXPECT_EQ(result.stats.distinct_states, 34u);  // TLC's published figure
  EXPECT_EQ(result.stats.depth, 7);              // TLC's published figure
}

TEST(TCommitSpec, StateCountsFollowFromTheStructure) {
  // Reachable TCommit states: either no RM committed, each RM in
  // {working, prepared, aborted} (3^n), or some committed and every RM
  // prepared or committed (2^n - 1). For n = 3: 27 + 7 = 34.
  for (int rms = 1; rms <= 6; ++rms) {
    uint64_t expected = 1;
    for (int i = 0; i < rms; ++i) expected *= 3;
    expected += (uint64_t{1} << rms) - 1;
    EXPECT_EQ(mc::check(tcommit::TCommitModel(rms)).stats.distinct_states, expected) << rms;
  }
}

TEST(TwoPhaseSpec, EveryStepRefinesTCommit) {
  // RefinesTCommit is a step property of the model; the run is ok only if
  // every one of the generated steps maps to a TCommit step or a stutter.
  for (int rms = 1; rms <= 4; ++rms) {
    mc::CheckResult result = mc::check(TwoPhaseModel(rms));
    EXPECT_EQ(result.outcome, mc::Outcome::kOk) << rms;
    EXPECT_NE(std::find(result.invariants.begin(), result.invariants.end(), "RefinesTCommit"),
              result.invariants.end());
  }
}

// TwoPhase with a broken RMRcvAbortMsg that also overturns a commit: the
// refinement check must catch the step that no TCommit action allows.
struct AbortOverturnsCommit : TwoPhaseModel {
  using TwoPhaseModel::TwoPhaseModel;
  void successors(const State& s, std::vector<mc::Successor<Action, State>>& out) const {
    TwoPhaseModel::successors(s, out);
    for (int rm = 0; rm < rms(); ++rm) {
      if (s.rm_state(rm) == RmState::kCommitted) {
        State next = s;
        next.set_rm_state(rm, RmState::kAborted);
        out.push_back({{Action::Kind::kRMRcvAbortMsg, rm}, next});
      }
    }
  }
};

TEST(TwoPhaseSpec, TheRefinementCheckCatchesAStepTCommitForbids) {
  AbortOverturnsCommit model(1);
  mc::CheckResult result = mc::check(model);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "RefinesTCommit");
  // RMPrepare, TMRcvPrepared, TMCommit, RMRcvCommitMsg, then the bad step.
  EXPECT_EQ(result.trace.size(), 6u);
}

TEST(TwoPhaseSymmetry, ThreeRmsHaveEightyOrbits) {
  mc::SearchOptions options;
  options.symmetry = true;
  mc::CheckResult result = mc::check(TwoPhaseModel(3), options);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk);
  EXPECT_EQ(result.stats.distinct_states, 80u);  // TLC with SYMMETRY Permutations(RM)
  EXPECT_EQ(result.stats.depth, 11);
}

TEST(TwoPhaseSymmetry, CanonicalStatesAreFixedPointsAndKeepTheInvariants) {
  TwoPhaseModel model(3);
  mc::check(model, {}, [&](const State& s) {
    State c = model.canonical(s);
    EXPECT_EQ(model.canonical(c), c);
    EXPECT_EQ(tc_consistent(c, 3), tc_consistent(s, 3));
    EXPECT_EQ(c.tm_state(), s.tm_state());
  });
}

TEST(TwoPhaseSpec, ThreadsDoNotChangeTheCounts) {
  for (int threads : {1, 2, 4}) {
    mc::SearchOptions options;
    options.threads = threads;
    mc::CheckResult result = mc::check(TwoPhaseModel(5), options);
    EXPECT_EQ(result.stats.distinct_states, mc::check(TwoPhaseModel(5)).stats.distinct_states);
  }
}

}  // namespace
}  // namespace crosscheck::spec::twophase
