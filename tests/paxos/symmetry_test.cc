// Symmetry reduction on the Paxos implementation: the acceptors are
// interchangeable (MCPaxos's Permutations(Acceptor)); the proposers are
// not, each owning its ballots. A run with --symmetry reaches the verdict
// of the plain run, of the same property, with a shortest counterexample
// of the same length, which replays on the unreduced model.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "check/paxos/model.h"
#include "model_check/search.h"
#include "tests/common/symmetry.h"

namespace crosscheck::check::paxos {
namespace {

using crosscheck::testing::expect_symmetric_counterexample_replays;
using crosscheck::testing::expect_symmetry_agrees;
using crosscheck::testing::orbits_of_plain_run;
using implpaxos::Variant;

ImplModel model(Variant variant, int acceptors, int max_ballot, int crashes) {
  implpaxos::Config config;
  config.proposers = 2;
  config.acceptors = acceptors;
  config.max_ballot = max_ballot;
  config.variant = variant;
  mc::FaultBudgets budgets;
  budgets.max_crashes = crashes;
  return make_impl_model(config, budgets);
}

TEST(PaxosSymmetry, EveryVariantGetsTheVerdictOfThePlainSearch) {
  // The correct protocol's runs are the next test's. With the command
  // line's one crash (without it, acceptor-forgets is the correct protocol,
  // a million states).
  for (Variant variant : {Variant::kAcceptorForgets, Variant::kIgnorePromisedValue,
                          Variant::kQuorumOffByOne, Variant::kAcceptLowerBallot}) {
    expect_symmetry_agrees(model(variant, 3, 1, 1),
                           "variant " + std::to_string(static_cast<int>(variant)));
  }
}

// Three acceptors, ballots 0..1, no faults: the reduced run stores one
// state per orbit of the plain run's states, 172,373 of 1,000,169 (a
// sixth would be 166,695: more states than in Raft are their own
// renamings, e.g. every state where the acceptors have not yet acted).
TEST(PaxosSymmetry, ThreeAcceptorsStatesAreTheOrbitsOfThePlainRun) {
  const ImplModel correct = model(Variant::kCorrect, 3, 1, 0);
  uint64_t plain_states = 0;
  const size_t orbits = orbits_of_plain_run(correct, {{2, 3, 4}}, plain_states);
  mc::SearchOptions options;
  options.symmetry = true;
  const mc::CheckResult reduced = mc::check(correct, options);
  EXPECT_EQ(reduced.outcome, mc::Outcome::kOk) << reduced.property;
  EXPECT_EQ(reduced.stats.distinct_states, orbits);
  EXPECT_EQ(reduced.stats.depth, 29);
  EXPECT_EQ(plain_states, 1000169u);
  EXPECT_EQ(reduced.stats.distinct_states, 172373u);
}

TEST(PaxosSymmetry, TheCounterexampleReplaysOnTheUnreducedModel) {
  expect_symmetric_counterexample_replays(model(Variant::kIgnorePromisedValue, 3, 1, 0));
}

}  // namespace
}  // namespace crosscheck::check::paxos
