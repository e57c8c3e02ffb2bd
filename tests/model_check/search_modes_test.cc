// The other ways of exploring a model: depth-first search stores exactly
// the states breadth-first search does, within any depth bound; random
// walks are reproduced by their seed alone, whatever the thread count or
// sharding, and their counterexamples shrink to behaviours that still
// violate the property.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>

#include "check/twophase/model.h"
#include "model_check/random.h"
#include "model_check/search.h"
#include "spec/twophase/two_phase.h"

namespace crosscheck::mc {
namespace {

namespace twophase = spec::twophase;
namespace check2pc = crosscheck::check::twophase;
namespace impl2pc = impl::twophase;

SearchOptions with_mode(SearchMode mode) {
  SearchOptions options;
  options.mode = mode;
  return options;
}

check2pc::ImplModel impl_model(impl2pc::Variant variant) {
  FaultBudgets budgets;
  budgets.max_drops = 1;
  budgets.max_duplicates = 1;
  budgets.max_crashes = 1;
  return check2pc::make_impl_model({3, variant}, budgets);
}

std::string trace_text(const CheckResult& result) {
  std::string text;
  for (const auto& step : result.trace) text += step.action + " " + step.state.dump() + "\n";
  return text;
}

TEST(ActionKind, IsTheLabelsFirstWordsUpToAParenthesisANodePairOrANodeName) {
  EXPECT_EQ(action_kind("Deliver RequestVote(term 2, last log 0/0) s1->s2"), "Deliver RequestVote");
  EXPECT_EQ(action_kind("Deliver Prepare tm->rm1"), "Deliver Prepare");
  EXPECT_EQ(action_kind("Timeout s1 election"), "Timeout");
  EXPECT_EQ(action_kind("TMRcvPrepared(rm1)"), "TMRcvPrepared");
  EXPECT_EQ(action_kind("HandleAppendEntriesRequest(s1->s2 AppendEntriesRequest(term 2))"),
            "HandleAppendEntriesRequest");
  EXPECT_EQ(action_kind("TMAbort"), "TMAbort");
  EXPECT_EQ(action_kind("Crash rm2"), "Crash");
}

// The generator is the project's own so that a seed means the same walk on
// every platform and in every later version: its first draws are pinned.
TEST(SeededRandom, DrawsAreStable) {
  SeededRandom random(0);
  EXPECT_EQ(random.next(), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(random.next(), 0x6e789e6aa1b965f4ULL);
  SeededRandom dice(42);
  std::set<uint64_t> faces;
  for (int i = 0; i < 1000; ++i) faces.insert(dice.below(6));
  EXPECT_EQ(faces, (std::set<uint64_t>{0, 1, 2, 3, 4, 5}));
}

TEST(DepthFirst, StoresTheStatesBreadthFirstStores) {
  const twophase::TwoPhaseModel model(4);
  CheckResult breadth = check(model, {});
  CheckResult depth = check(model, with_mode(SearchMode::kDepthFirst));
  EXPECT_EQ(breadth.outcome, Outcome::kOk);
  EXPECT_EQ(depth.outcome, Outcome::kOk);
  EXPECT_EQ(depth.stats.distinct_states, 1568u);  // TLC's count for 4 RMs, as breadth-first
  EXPECT_EQ(depth.stats.distinct_states, breadth.stats.distinct_states);
  EXPECT_EQ(depth.search.mode, "dfs");
}

// Within a depth bound a state first met deep may be met again shallower,
// with room to go on: depth-first search must then explore it again, or it
// would store fewer states than breadth-first search within the same bound.
TEST(DepthFirst, WithinEveryDepthBoundStoresTheStatesBreadthFirstStores) {
  const auto model = impl_model(impl2pc::Variant::kCorrect);
  for (int bound = 1; bound <= 9; ++bound) {
    SearchOptions options;
    options.max_depth = bound;
    CheckResult breadth = check(model, options);
    options.mode = SearchMode::kDepthFirst;
    CheckResult depth = check(model, options);
    EXPECT_EQ(depth.stats.distinct_states, breadth.stats.distinct_states)
        << "depth bound " << bound;
    EXPECT_EQ(depth.outcome, breadth.outcome) << "depth bound " << bound;
  }
}

TEST(DepthFirst, FindsTheViolationsBreadthFirstFinds) {
  for (auto variant : {impl2pc::Variant::kRmTimeoutAbort, impl2pc::Variant::kTmMajorityCommit,
                       impl2pc::Variant::kTmUnloggedDecision}) {
    const auto model = impl_model(variant);
    CheckResult breadth = check(model, {});
    CheckResult depth = check(model, with_mode(SearchMode::kDepthFirst));
    ASSERT_EQ(breadth.outcome, Outcome::kViolation);
    // Perhaps of another property, met first on its path, and not a
    // shortest trace: at least as long.
    ASSERT_EQ(depth.outcome, Outcome::kViolation);
    EXPECT_GE(depth.trace.size(), breadth.trace.size());
  }
}

SearchOptions simulation(uint64_t seed, uint64_t walks, int depth, int threads = 1) {
  SearchOptions options = with_mode(SearchMode::kSimulate);
  options.seed = seed;
  options.walks = walks;
  options.walk_depth = depth;
  options.threads = threads;
  return options;
}

TEST(Simulation, WalksACorrectModelWithoutViolation) {
  const twophase::TwoPhaseModel model(5);
  CheckResult result = check(model, simulation(3, 500, 40));
  EXPECT_EQ(result.outcome, Outcome::kOk);
  EXPECT_EQ(result.search.walks, 500u);
  // No walk of TwoPhase ends early: once every RM has decided, an RM can
  // still receive the decision again (a stuttering step).
  EXPECT_EQ(result.search.steps, 500u * 40);
  EXPECT_EQ(result.stats.depth, 41);
}

TEST(Simulation, TheSeedAloneReproducesTheRunOnAnyThreadCount) {
  const auto model = impl_model(impl2pc::Variant::kTmUnloggedDecision);
  const uint64_t seed = 20261123;
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  CheckResult first = check(model, simulation(seed, 100000, 60, 1));
  CheckResult again = check(model, simulation(seed, 100000, 60, 1));
  CheckResult two_threads = check(model, simulation(seed, 100000, 60, 2));
  ASSERT_EQ(first.outcome, Outcome::kViolation);
  for (const CheckResult* other : {&again, &two_threads}) {
    EXPECT_EQ(other->property, first.property);
    EXPECT_EQ(other->search.violating_walk, first.search.violating_walk);
    EXPECT_EQ(other->search.walks, first.search.walks);
    EXPECT_EQ(other->search.steps, first.search.steps);
    EXPECT_EQ(other->stats.total_states, first.stats.total_states);
    EXPECT_EQ(trace_text(*other), trace_text(first));
  }
  // Another seed walks elsewhere.
  CheckResult other_seed = check(model, simulation(seed + 1, 100000, 60, 1));
  EXPECT_TRUE(other_seed.search.violating_walk != first.search.violating_walk ||
              trace_text(other_seed) != trace_text(first));
}

// Walk w is the same walk whichever shard runs it: the violating walk of a
// whole run is the least of its shards' violating walks.
TEST(Simulation, ShardsSplitTheWalksOfOneRun) {
  const auto model = impl_model(impl2pc::Variant::kTmUnloggedDecision);
  const uint64_t seed = 77;
  CheckResult whole = check(model, simulation(seed, 100000, 60));
  ASSERT_EQ(whole.outcome, Outcome::kViolation);
  int64_t least = -1;
  for (int shard = 0; shard < 3; ++shard) {
    SearchOptions options = simulation(seed, 100000, 60);
    options.shard_index = shard;
    options.shard_count = 3;
    CheckResult part = check(model, options);
    if (part.outcome == Outcome::kOk) continue;  // none of this shard's walks found it
    ASSERT_EQ(part.outcome, Outcome::kViolation) << "shard " << shard;
    EXPECT_EQ(part.search.violating_walk % 3, shard);
    if (least < 0 || part.search.violating_walk < least) least = part.search.violating_walk;
    if (part.search.violating_walk == whole.search.violating_walk) {
      EXPECT_EQ(trace_text(part), trace_text(whole));
    }
  }
  EXPECT_EQ(least, whole.search.violating_walk);
}

// The shrunk trace is a behaviour of the model (each step is one of the
// enabled successors of the state before it) that ends violating the
// property, and no longer than the walk.
TEST(Simulation, AShrunkTraceIsAShorterBehaviourThatStillViolates) {
  const auto model = impl_model(impl2pc::Variant::kRmTimeoutAbort);
  SearchOptions options = simulation(5, 100000, 80);
  CheckResult result = check(model, options);
  ASSERT_EQ(result.outcome, Outcome::kViolation);
  ASSERT_GE(result.trace.size(), 2u);
  EXPECT_LE(result.trace.size() - 1, result.search.unshrunk_steps);
  using Model = check2pc::ImplModel;
  Model::State state = model.initial_states().front();
  EXPECT_EQ(model.state_json(state), result.trace.front().state);
  Model::State before_last = state;
  Model::Action last_action{};
  for (size_t i = 1; i < result.trace.size(); ++i) {
    std::vector<Successor<Model::Action, Model::State>> successors;
    model.successors(state, successors);
    bool found = false;
    for (auto& successor : successors) {
      if (model.action_label(successor.action) == result.trace[i].action &&
          model.state_json(successor.state) == result.trace[i].state) {
        before_last = state;
        last_action = successor.action;
        state = successor.state;
        found = true;
        break;
      }
    }
    ASSERT_TRUE(found) << "step " << i << " (" << result.trace[i].action << ") is not enabled";
  }
  bool violated = false;
  for (const auto& property : model.properties()) {
    if (property.name == result.property) violated = !property.holds(state);
  }
  for (const auto& property : model.transition_properties()) {
    if (property.name == result.property)
      violated = !property.holds(before_last, last_action, state);
  }
  EXPECT_TRUE(violated) << result.property << " holds at the end of the shrunk trace";

  options.shrink = false;
  CheckResult unshrunk = check(model, options);
  EXPECT_EQ(unshrunk.trace.size() - 1, unshrunk.search.unshrunk_steps);
  EXPECT_EQ(unshrunk.search.violating_walk, result.search.violating_walk);
}

TEST(Simulation, SwarmConfigurationsComeFromTheSeed) {
  const twophase::TwoPhaseModel model(6);
  SearchOptions options = simulation(11, 200, 40);
  options.swarm = 4;
  CheckResult first = check(model, options);
  CheckResult again = check(model, options);
  EXPECT_EQ(first.search.steps, again.search.steps);
  EXPECT_EQ(first.stats.total_states, again.stats.total_states);
  options.swarm = 0;
  CheckResult plain = check(model, options);
  EXPECT_NE(first.stats.total_states, plain.stats.total_states);
}

// Coverage splits the run's counts by action: every generated step and
// every stored state is counted under exactly one kind, whatever the
// thread count.
TEST(Coverage, SplitsTheCountsByActionKind) {
  const twophase::TwoPhaseModel model(4);
  SearchOptions options;
  options.coverage = true;
  CheckResult one = check(model, options);
  options.threads = 2;
  CheckResult two = check(model, options);
  ASSERT_EQ(one.coverage.size(), 8u);  // TwoPhase's seven actions and the initial state
  uint64_t generated = 0;
  uint64_t distinct = 0;
  for (size_t i = 0; i < one.coverage.size(); ++i) {
    generated += one.coverage[i].generated;
    distinct += one.coverage[i].distinct;
    EXPECT_EQ(one.coverage[i].action, two.coverage[i].action);
    EXPECT_EQ(one.coverage[i].generated, two.coverage[i].generated);
    EXPECT_EQ(one.coverage[i].distinct, two.coverage[i].distinct);
    EXPECT_GT(one.coverage[i].distinct, 0u) << one.coverage[i].action;
  }
  EXPECT_EQ(generated, one.stats.total_states);
  EXPECT_EQ(distinct, one.stats.distinct_states);
  EXPECT_TRUE(check(model, {}).coverage.empty());
}

// With no fault budget the harness's faults are never enabled; the
// actions the bounds do allow each find new states.
TEST(Coverage, NamesTheActorHarnessStepsByKind) {
  FaultBudgets none;
  const auto model = check2pc::make_impl_model({3, impl2pc::Variant::kCorrect}, none);
  SearchOptions options;
  options.coverage = true;
  CheckResult result = check(model, options);
  std::set<std::string> kinds;
  for (const auto& entry : result.coverage) kinds.insert(entry.action);
  EXPECT_TRUE(kinds.count("Deliver VoteYes"));
  EXPECT_TRUE(kinds.count("Timeout vote-collection"));
  EXPECT_FALSE(kinds.count("Crash"));
  EXPECT_FALSE(kinds.count("Drop Prepare"));
}

// A walk's length is --depth: --max-depth is a bound of the exhaustive
// searches. (--max-states and --memory-limit bound simulation too:
// limits_test.cc.)
TEST(Simulation, RefusesExhaustiveSearchBounds) {
  const twophase::TwoPhaseModel model(3);
  SearchOptions options = simulation(1, 10, 10);
  options.max_depth = 5;
  EXPECT_THROW(check(model, options), std::invalid_argument);
  options = simulation(1, 10, 10);
  options.exact = true;
  EXPECT_THROW(check(model, options), std::invalid_argument);
}

}  // namespace
}  // namespace crosscheck::mc
