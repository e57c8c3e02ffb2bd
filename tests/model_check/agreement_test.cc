// The search gives one answer however it is run: the same counts, result
// and shortest counterexample on 1, 2 or 3 threads; a violation with
// symmetry reduction exactly when there is one without; the same counts
// whether states are told apart by fingerprint or compared in full.
#include <gtest/gtest.h>

#include "check/twophase/model.h"
#include "impl/common/hash.h"
#include "model_check/search.h"
#include "spec/twophase/two_phase.h"
#include "tests/common/symmetry.h"
#include "tests/model_check/toy_models.h"

namespace crosscheck::mc {
namespace {

namespace twophase = spec::twophase;
namespace check2pc = crosscheck::check::twophase;
using crosscheck::testing::expect_symmetry_agrees;
using testing::CounterWithoutEquality;
using twophase::RmState;
using twophase::TmState;

// Everything a run reports that must not depend on how it was run, and
// the fingerprints of the states in the order they were stored.
struct RunRecord {
  CheckResult result;
  std::vector<uint64_t> stored;
};

template <class M>
RunRecord run(const M& model, SearchOptions options) {
  RunRecord record;
  record.result = check(model, options, [&](const typename M::State& s) {
    record.stored.push_back(model.fingerprint(s));
  });
  return record;
}

void expect_same_run(const RunRecord& a, const RunRecord& b, const std::string& what) {
  EXPECT_EQ(a.result.outcome, b.result.outcome) << what;
  EXPECT_EQ(a.result.stats.distinct_states, b.result.stats.distinct_states) << what;
  EXPECT_EQ(a.result.stats.total_states, b.result.stats.total_states) << what;
  EXPECT_EQ(a.result.stats.depth, b.result.stats.depth) << what;
  EXPECT_EQ(a.result.stats.queue, b.result.stats.queue) << what;
  EXPECT_EQ(a.result.property, b.result.property) << what;
  EXPECT_TRUE(a.stored == b.stored) << what << ": states stored in another order";
  ASSERT_EQ(a.result.trace.size(), b.result.trace.size()) << what;
  for (size_t i = 0; i < a.result.trace.size(); ++i) {
    EXPECT_EQ(a.result.trace[i].action, b.result.trace[i].action) << what << " step " << i;
    EXPECT_EQ(a.result.trace[i].state, b.result.trace[i].state) << what << " step " << i;
  }
  ASSERT_EQ(a.result.goals.size(), b.result.goals.size()) << what;
  for (size_t g = 0; g < a.result.goals.size(); ++g) {
    EXPECT_EQ(a.result.goals[g].reached, b.result.goals[g].reached) << what;
    EXPECT_EQ(a.result.goals[g].depth, b.result.goals[g].depth) << what;
  }
}

// Runs at 1, 2 and 3 threads; returns the single-threaded record.
template <class M>
RunRecord expect_same_at_every_thread_count(const M& model, const std::string& what,
                                            SearchOptions options = {}) {
  options.threads = 1;
  RunRecord single = run(model, options);
  for (int threads : {2, 3}) {
    options.threads = threads;
    expect_same_run(single, run(model, options),
                    what + ", " + std::to_string(threads) + " threads");
  }
  return single;
}

// TwoPhase with the transaction manager committing once a majority of RMs
// is prepared (the spec's counterpart of the implementation's
// tm-majority-commit): TCConsistent breaks.
struct MajorityCommit : twophase::TwoPhaseModel {
  using TwoPhaseModel::TwoPhaseModel;
  void successors(const State& s, std::vector<Successor<Action, State>>& out) const {
    TwoPhaseModel::successors(s, out);
    int prepared = 0;
    for (int rm = 0; rm < rms(); ++rm) prepared += s.tm_prepared(rm);
    if (s.tm_state() == TmState::kInit && 2 * prepared > rms() && prepared < rms()) {
      State next = s;
      next.set_tm_state(TmState::kCommitted);
      next.add_commit_msg();
      out.push_back({{Action::Kind::kTMCommit}, next});
    }
  }
};

// TwoPhase where a prepared RM may still abort on its own (the spec's
// counterpart of rm-timeout-abort).
struct PreparedMayAbort : twophase::TwoPhaseModel {
  using TwoPhaseModel::TwoPhaseModel;
  void successors(const State& s, std::vector<Successor<Action, State>>& out) const {
    TwoPhaseModel::successors(s, out);
    for (int rm = 0; rm < rms(); ++rm) {
      if (s.rm_state(rm) == RmState::kPrepared) {
        State next = s;
        next.set_rm_state(rm, RmState::kAborted);
        out.push_back({{Action::Kind::kRMChooseToAbort, rm}, next});
      }
    }
  }
};

TEST(ThreadCount, ToyModelWithAViolationGivesTheSameTrace) {
  testing::GridModel model(60);
  model.properties_ = {always<testing::GridModel::State>(
      "SumBelowNinety", [](const auto& s) { return s.x + s.y < 90; })};
  RunRecord single = expect_same_at_every_thread_count(model, "grid");
  EXPECT_EQ(single.result.outcome, Outcome::kViolation);
  EXPECT_EQ(single.result.trace.size(), 91u);
}

TEST(ThreadCount, TwoPhaseSpecWithFiveRmsGivesTheSameCounts) {
  RunRecord single =
      expect_same_at_every_thread_count(twophase::TwoPhaseModel(5), "TwoPhase 5 RMs");
  EXPECT_EQ(single.result.outcome, Outcome::kOk);
  EXPECT_EQ(single.result.stats.distinct_states, 8832u);  // TLC's figure for 5 RMs
}

TEST(ThreadCount, BuggyTwoPhaseSpecWithFiveRmsGivesTheSameTrace) {
  RunRecord single = expect_same_at_every_thread_count(MajorityCommit(5), "majority commit, 5 RMs");
  EXPECT_EQ(single.result.outcome, Outcome::kViolation);
  // Delivering Commit to a prepared RM while another is still working is
  // no TCommit step: the refinement check sees it before TCConsistent can.
  EXPECT_EQ(single.result.property, "RefinesTCommit");
  // Three RMPrepare, three TMRcvPrepared, TMCommit, RMRcvCommitMsg: 8 steps.
  EXPECT_EQ(single.result.trace.size(), 9u);
}

TEST(ThreadCount, BuggyImplementationGivesTheSameTrace) {
  FaultBudgets budgets;
  budgets.max_drops = 1;
  budgets.max_duplicates = 1;
  budgets.max_crashes = 1;
  auto model =
      check2pc::make_impl_model({3, impl::twophase::Variant::kTmUnloggedDecision}, budgets);
  RunRecord single = expect_same_at_every_thread_count(model, "tm-unlogged-decision");
  EXPECT_EQ(single.result.outcome, Outcome::kViolation);
  EXPECT_EQ(single.result.property, "Atomicity");
  EXPECT_EQ(single.result.trace.size(), 10u);  // 9 steps, pinned in impl_model_test
}

TEST(Symmetry, FindsAViolationExactlyWhenTheFullRunDoes) {
  for (int rms = 1; rms <= 4; ++rms) {
    const std::string n = std::to_string(rms) + " RMs";
    expect_symmetry_agrees(twophase::TwoPhaseModel(rms), "correct, " + n);
    expect_symmetry_agrees(MajorityCommit(rms), "majority commit, " + n);
    expect_symmetry_agrees(PreparedMayAbort(rms), "prepared may abort, " + n);
  }
  EXPECT_EQ(check(twophase::TwoPhaseModel(4)).outcome, Outcome::kOk);
  SearchOptions symmetric;
  symmetric.symmetry = true;
  EXPECT_LT(check(twophase::TwoPhaseModel(4), symmetric).stats.distinct_states,
            check(twophase::TwoPhaseModel(4)).stats.distinct_states);
  EXPECT_EQ(check(MajorityCommit(3)).outcome, Outcome::kViolation);
  EXPECT_EQ(check(PreparedMayAbort(2)).outcome, Outcome::kViolation);
}

TEST(Exact, TwoPhaseCountsMatchTheFingerprintRunFromThreeToSevenRms) {
  // TLC's figures: 288, 1568, 8832, 50816, 296448.
  const uint64_t expected[] = {288, 1568, 8832, 50816, 296448};
  for (int rms = 3; rms <= 7; ++rms) {
    SearchOptions options;
    options.exact = true;
    options.threads = 2;
    CheckResult exact = check(twophase::TwoPhaseModel(rms), options);
    EXPECT_TRUE(exact.stats.exact);
    EXPECT_EQ(exact.stats.fingerprint_collision_probability, 0.0);
    CheckResult hashed = check(twophase::TwoPhaseModel(rms));
    EXPECT_EQ(exact.outcome, Outcome::kOk) << rms;
    EXPECT_EQ(exact.stats.distinct_states, expected[rms - 3]) << rms;
    EXPECT_EQ(exact.stats.distinct_states, hashed.stats.distinct_states) << rms;
    EXPECT_EQ(exact.stats.total_states, hashed.stats.total_states) << rms;
    EXPECT_EQ(exact.stats.depth, hashed.stats.depth) << rms;
  }
}

TEST(Exact, WorksWithSymmetry) {
  SearchOptions options;
  options.exact = true;
  options.symmetry = true;
  EXPECT_EQ(check(twophase::TwoPhaseModel(3), options).stats.distinct_states, 80u);
}

// The grid with a fingerprint that ignores y: every column collides.
struct CollidingGrid : testing::GridModel {
  using GridModel::GridModel;
  uint64_t fingerprint(const State& s) const { return StableHasher().add(s.x).digest(); }
};

TEST(Exact, KeepsStatesWhoseFingerprintsCollide) {
  CollidingGrid model(4);
  EXPECT_EQ(check(model).stats.distinct_states, 5u);  // a fingerprint run loses every y
  SearchOptions options;
  options.exact = true;
  EXPECT_EQ(check(model, options).stats.distinct_states, 25u);
}

TEST(Exact, IsRefusedForStatesWithoutEquality) {
  EXPECT_EQ(check(CounterWithoutEquality{}).stats.distinct_states, 4u);
  SearchOptions options;
  options.exact = true;
  EXPECT_THROW(check(CounterWithoutEquality{}, options), std::invalid_argument);
}

TEST(MemoryLimit, StopsCleanlyWithTheCountsSoFar) {
  SearchOptions options;
  options.memory_limit_bytes = resident_memory_bytes() + (1 << 20);
  CheckResult limited = check(testing::GridModel(2000), options);
  EXPECT_EQ(limited.outcome, Outcome::kMemoryExhausted);
  EXPECT_GT(limited.stats.distinct_states, 1000u);
  EXPECT_LT(limited.stats.distinct_states, 2001u * 2001u);
  EXPECT_GT(limited.stats.queue, 0u);
  EXPECT_GT(limited.stats.total_states, limited.stats.distinct_states);
}

TEST(MemoryLimit, ALimitBelowWhatTheProcessAlreadyUsesStopsAfterTheInitialStates) {
  SearchOptions options;
  options.memory_limit_bytes = 1;
  CheckResult limited = check(testing::GridModel(10), options);
  EXPECT_EQ(limited.outcome, Outcome::kMemoryExhausted);
  EXPECT_EQ(limited.stats.distinct_states, 1u);
  EXPECT_EQ(limited.stats.queue, 1u);
}

TEST(MemoryLimit, AGenerousLimitChangesNothing) {
  SearchOptions options;
  options.memory_limit_bytes = resident_memory_bytes() + (uint64_t{1} << 30);
  CheckResult result = check(twophase::TwoPhaseModel(5), options);
  EXPECT_EQ(result.outcome, Outcome::kOk);
  EXPECT_EQ(result.stats.distinct_states, 8832u);
}

TEST(BytesPerState, StaysUnderSixteenOnTwoPhaseWithSevenRms) {
  CheckResult result = check(twophase::TwoPhaseModel(7));
  EXPECT_EQ(result.stats.distinct_states, 296448u);
  EXPECT_LE(result.stats.bytes_per_state, 16.0);
  EXPECT_EQ(result.stats.bytes_per_state, static_cast<double>(result.stats.visited_bytes) /
                                              static_cast<double>(result.stats.distinct_states));
}

TEST(CollisionProbability, IsTlcsOptimisticEstimate) {
  CheckResult result = check(twophase::TwoPhaseModel(5));
  const double n = static_cast<double>(result.stats.distinct_states);
  const double generated = static_cast<double>(result.stats.total_states);
  EXPECT_DOUBLE_EQ(result.stats.fingerprint_collision_probability,
                   n * (generated - n) / 18446744073709551616.0);
  EXPECT_GT(result.stats.fingerprint_collision_probability, 0.0);
}

}  // namespace
}  // namespace crosscheck::mc
