// Symmetry reduction on the Raft implementation: the servers are
// interchangeable, so a run with --symmetry explores one state of each
// orbit (up to 3! = 6 renamings of three servers) and reaches the same
// verdict, of the same property, with a shortest counterexample of the
// same length, which is a run of the servers as they are.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "check/raft/model.h"
#include "model_check/search.h"
#include "tests/common/symmetry.h"

namespace crosscheck::check::raft {
namespace {

using crosscheck::testing::expect_symmetric_counterexample_replays;
using crosscheck::testing::expect_symmetry_agrees;
using crosscheck::testing::orbits_of_plain_run;
using implraft::Variant;

ImplModel model(Variant variant, int max_log, int max_messages, int max_crashes,
                bool refinement = true) {
  ImplBounds bounds;
  bounds.max_log = max_log;
  bounds.max_messages = max_messages;
  bounds.check_refinement = refinement;
  mc::FaultBudgets budgets;
  budgets.max_crashes = max_crashes;
  return make_impl_model({3, variant}, bounds, budgets);
}

mc::SearchOptions with_symmetry() {
  mc::SearchOptions options;
  options.symmetry = true;
  return options;
}

TEST(RaftSymmetry, EveryVariantGetsTheVerdictOfThePlainSearch) {
  for (Variant variant :
       {Variant::kCorrect, Variant::kCommitOldTerm, Variant::kForgetVote, Variant::kNoLogCheck,
        Variant::kVolatileTerm, Variant::kAcceptStaleTerm}) {
    for (bool refinement : {true, false}) {
      const std::string what = "variant " + std::to_string(static_cast<int>(variant)) +
                               (refinement ? ", refinement" : ", safety only");
      expect_symmetry_agrees(model(variant, 1, 2, refinement ? 1 : 0, refinement), what);
    }
  }
}

// The bounds of impl_model_test's pinned run, 259,039 states, fall into
// 43,183 orbits: a little over a sixth, as a few states are their own
// renamings. The count is that of the orbits of the plain run's states,
// each orbit found by trying all six renamings, without the name-free keys
// that let the harness try fewer.
TEST(RaftSymmetry, ThreeServersStatesAreTheOrbitsOfThePlainRun) {
  const ImplModel correct = model(Variant::kCorrect, 1, 3, 0);
  uint64_t plain_states = 0;
  const size_t orbits = orbits_of_plain_run(correct, {{0, 1, 2}}, plain_states);
  EXPECT_EQ(plain_states, 259039u);
  const mc::CheckResult reduced = mc::check(correct, with_symmetry());
  EXPECT_EQ(reduced.outcome, mc::Outcome::kOk) << reduced.property;
  EXPECT_EQ(reduced.stats.distinct_states, orbits);
  EXPECT_EQ(reduced.stats.distinct_states, 43183u);
  EXPECT_EQ(reduced.stats.depth, 54);
}

// The trace found under symmetry is a behaviour of the model as it is:
// replay re-executes it step by step and confirms the violation.
TEST(RaftSymmetry, TheCounterexampleReplaysOnTheUnreducedModel) {
  expect_symmetric_counterexample_replays(model(Variant::kCommitOldTerm, 1, 2, 1));
}

}  // namespace
}  // namespace crosscheck::check::raft
