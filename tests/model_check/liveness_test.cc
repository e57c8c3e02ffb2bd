// Liveness under weak fairness: exactly the behaviours weak fairness
// allows are counterexamples (a loop may skip an action that is not
// enabled throughout it; a state may stutter when no fair action is
// enabled), and a violation comes back as a lasso the model can replay.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "check/twophase/model.h"
#include "impl/common/hash.h"
#include "model_check/liveness.h"
#include "model_check/memory.h"
#include "model_check/replay.h"
#include "model_check/search.h"

namespace crosscheck::mc {
namespace {

// A small graph of numbered states whose edges are given per test: an
// edge (from, to, fair class or -1 for an action that need never happen).
struct GraphModel {
  struct Edge {
    int from;
    int to;
    int fair_class;
  };
  using State = int;
  using Action = Edge;

  std::vector<Edge> edges;
  int goal_state = -1;
  std::vector<int> premise_states = {};  // none: the property is `eventually`

  std::vector<State> initial_states() const { return {0}; }
  void successors(const State& s, std::vector<Successor<Action, State>>& out) const {
    for (const Edge& edge : edges) {
      if (edge.from == s) out.push_back({edge, edge.to});
    }
  }
  bool within_bounds(const State&) const { return true; }
  uint64_t fingerprint(const State& s) const { return StableHasher().add(s).digest(); }
  Json state_json(const State& s) const {
    Json json = Json::object();
    json.set("at", s);
    return json;
  }
  std::string action_label(const Action& a) const {
    return std::to_string(a.from) + "->" + std::to_string(a.to) +
           (a.fair_class >= 0 ? " fair" : "");
  }
  std::vector<StateProperty<State>> properties() const { return {}; }
  std::vector<LivenessProperty<State>> liveness_properties() const {
    const int goal = goal_state;
    const std::vector<int> premise = premise_states;
    if (!premise.empty()) {
      return {leads_to<State>(
          "Leads",
          [premise](const State& s) {
            return std::find(premise.begin(), premise.end(), s) != premise.end();
          },
          [goal](const State& s) { return s == goal; })};
    }
    return {eventually<State>("Reaches", [goal](const State& s) { return s == goal; })};
  }
  std::optional<uint64_t> fair_class(const Action& a) const {
    if (a.fair_class < 0) return std::nullopt;
    return static_cast<uint64_t>(a.fair_class);
  }
  std::string fairness() const { return "weak fairness of the numbered classes"; }
};

std::vector<int> lasso_states(const CheckResult& result) {
  std::vector<int> states;
  for (const auto& step : result.trace)
    states.push_back(static_cast<int>(step.state["at"].as_int()));
  return states;
}

TEST(Liveness, AFairPathReachesTheGoal) {
  GraphModel model{{{0, 1, 1}, {1, 2, 2}}, 2};
  CheckResult result = check_liveness(model);
  EXPECT_EQ(result.outcome, Outcome::kOk);
  EXPECT_EQ(result.stats.distinct_states, 3u);
}

// 0 <-> 1 forever is fair when the way out (1 -> 2) need never be taken.
TEST(Liveness, ALoopAvoidingAnUnfairExitIsACounterexample) {
  GraphModel model{{{0, 1, 1}, {1, 0, 2}, {1, 2, -1}}, 2};
  CheckResult result = check_liveness(model);
  ASSERT_EQ(result.outcome, Outcome::kViolation);
  EXPECT_EQ(result.property, "Reaches");
  EXPECT_EQ(result.property_kind, "eventually");
  EXPECT_EQ(lasso_states(result), (std::vector<int>{0, 1, 0}));
  EXPECT_EQ(result.loop_start, 0);
}

// Weak, not strong, fairness: the exit is enabled only in state 1, not
// throughout the loop, so a fair behaviour may still never take it.
TEST(Liveness, WeakFairnessDoesNotForceAnExitEnabledOnlySometimes) {
  GraphModel model{{{0, 1, 1}, {1, 0, 2}, {1, 2, 3}}, 2};
  CheckResult result = check_liveness(model);
  ASSERT_EQ(result.outcome, Outcome::kViolation);
  EXPECT_EQ(result.loop_start, 0);
  EXPECT_EQ(lasso_states(result).back(), 0);
}

// Enabled throughout the loop and never taken in it: unfair, so no
// counterexample.
TEST(Liveness, WeakFairnessForcesAnExitEnabledThroughoutTheLoop) {
  GraphModel model{{{0, 1, 1}, {1, 0, 2}, {1, 2, 3}, {0, 2, 3}}, 2};
  EXPECT_EQ(check_liveness(model).outcome, Outcome::kOk);
}

// A state with only unfair steps out of it may be the last one: the
// behaviour stutters there.
TEST(Liveness, StutteringWhereNoFairActionIsEnabledIsACounterexample) {
  GraphModel model{{{0, 1, 1}, {1, 2, -1}}, 2};
  CheckResult result = check_liveness(model);
  ASSERT_EQ(result.outcome, Outcome::kViolation);
  EXPECT_EQ(lasso_states(result), (std::vector<int>{0, 1}));
  EXPECT_EQ(result.loop_start, 1);  // the last step: it stutters there
}

TEST(Liveness, LeadsToStartsWhereThePremiseHolds) {
  // 0 -> 1 -> 2 -> 3 (goal) fairly, but from 2 a fair loop 2 <-> 4 avoids 3
  // unless 2 -> 3 is enabled throughout it (it is not: 4 has no such step).
  GraphModel model{{{0, 1, 1}, {1, 2, 2}, {2, 3, 3}, {2, 4, 4}, {4, 2, 5}}, 3, {2}};
  CheckResult result = check_liveness(model);
  ASSERT_EQ(result.outcome, Outcome::kViolation);
  EXPECT_EQ(result.property_kind, "leads-to");
  EXPECT_EQ(lasso_states(result), (std::vector<int>{0, 1, 2, 4, 2}));
  EXPECT_EQ(result.loop_start, 2);
  // Where the premise never holds, the property holds vacuously.
  model.premise_states = {5};
  EXPECT_EQ(check_liveness(model).outcome, Outcome::kOk);
}

// The premise holds at 0 and again at 2, and the goal at 1 between them:
// the lasso starts at 2, where the behaviour stutters, and its path from
// the initial state passes through the goal. Replay confirms it from 2.
TEST(Liveness, ALeadsToLassoMayReachItsPremiseThroughTheGoal) {
  GraphModel model{{{0, 1, 1}, {1, 2, 2}, {2, 3, -1}}, 1, {0, 2}};
  CheckResult result = check_liveness(model);
  ASSERT_EQ(result.outcome, Outcome::kViolation);
  EXPECT_EQ(lasso_states(result), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(result.loop_start, 2);
  ReplayResult replayed = replay(model, result.trace, {"Leads", "leads-to", result.loop_start});
  EXPECT_TRUE(replayed.confirmed) << replayed.reason;
  // A lasso whose goal holds after its last premise state is refused.
  model.premise_states = {0};
  replayed = replay(model, result.trace, {"Leads", "leads-to", result.loop_start});
  EXPECT_FALSE(replayed.confirmed);
  EXPECT_EQ(replayed.reason, "the goal of Leads holds in the state after step 1");
}

namespace twophase = crosscheck::check::twophase;

twophase::ImplModel two_phase(int stops, int crashes) {
  FaultBudgets budgets;
  budgets.max_stops = stops;
  budgets.max_crashes = crashes;
  return twophase::make_impl_model({3, impl::twophase::Variant::kCorrect}, budgets);
}

// With reliable delivery and timers, every RM decides, even when a node
// crashes and restarts from its log.
TEST(TwoPhaseLiveness, EveryRmDecidesWhenNoNodeStopsForGood) {
  EXPECT_EQ(check_liveness(two_phase(0, 0)).outcome, Outcome::kOk);
  EXPECT_EQ(check_liveness(two_phase(0, 1)).outcome, Outcome::kOk);
}

// Two-phase commit blocks: once every RM has voted yes, an RM may not
// decide on its own, so if the TM stops for good they wait forever.
TEST(TwoPhaseLiveness, PreparedRmsBlockWhenTheTmStopsForGood) {
  const auto model = two_phase(1, 0);
  CheckResult result = check_liveness(model);
  ASSERT_EQ(result.outcome, Outcome::kViolation);
  EXPECT_EQ(result.property, "EveryRmDecides");
  ASSERT_EQ(result.trace.size(), 5u);
  EXPECT_EQ(result.trace[1].action, "Deliver Prepare tm->rm1");
  EXPECT_EQ(result.trace[2].action, "Deliver Prepare tm->rm2");
  EXPECT_EQ(result.trace[3].action, "Deliver Prepare tm->rm3");
  EXPECT_EQ(result.trace[4].action, "Stop tm");
  EXPECT_EQ(result.loop_start, 4);  // and stutters: nothing fair is enabled
  // Through the command line's path: safety first, then liveness.
  SearchOptions options;
  options.liveness = true;
  CheckResult combined = check(model, options);
  EXPECT_EQ(combined.outcome, Outcome::kViolation);
  EXPECT_EQ(combined.property, "EveryRmDecides");
  EXPECT_FALSE(combined.invariants.empty());
}

// Within --max-states, the liveness graph stops with bound_exhausted and
// says which properties it left unchecked.
TEST(TwoPhaseLiveness, TheStateLimitStopsTheGraphCleanly) {
  SearchOptions options;
  options.max_states = 100;
  CheckResult result = check_liveness(two_phase(0, 1), options);
  EXPECT_EQ(result.outcome, Outcome::kBoundExhausted);
  EXPECT_EQ(result.stopped_phase, "liveness graph");
  EXPECT_EQ(result.unchecked, result.liveness);
  EXPECT_FALSE(result.unchecked.empty());
  EXPECT_LE(result.stats.distinct_states,
            100u + 64u);  // the last state explored adds its successors
  ASSERT_TRUE(result.liveness_graph.has_value());
  EXPECT_EQ(result.liveness_graph->states, result.stats.distinct_states);
}

// Through check(): a safety search stopped by a limit leaves every
// liveness property unchecked, and says so.
TEST(TwoPhaseLiveness, ASafetySearchStoppedByALimitLeavesLivenessUnchecked) {
  SearchOptions options;
  options.liveness = true;
  options.max_states = 50;
  CheckResult result = check(two_phase(0, 1), options);
  EXPECT_EQ(result.outcome, Outcome::kBoundExhausted);
  EXPECT_EQ(result.stopped_phase, "safety");
  EXPECT_EQ(result.unchecked, std::vector<std::string>{"EveryRmDecides"});
  EXPECT_FALSE(result.liveness_graph.has_value());
}

// A long chain of states whose goal never holds: a graph large enough to
// measure, with two steps from each state.
struct Chain {
  using State = uint32_t;
  using Action = uint32_t;  // how far the step goes
  uint32_t length;

  std::vector<State> initial_states() const { return {0}; }
  void successors(const State& s, std::vector<Successor<Action, State>>& out) const {
    for (uint32_t step : {1u, 2u}) {
      if (s + step < length) out.push_back({step, s + step});
    }
  }
  bool within_bounds(const State&) const { return true; }
  uint64_t fingerprint(const State& s) const { return StableHasher().add(uint64_t{s}).digest(); }
  Json state_json(const State& s) const {
    Json json = Json::object();
    json.set("at", static_cast<int64_t>(s));
    return json;
  }
  std::string action_label(const Action& a) const { return "+" + std::to_string(a); }
  std::vector<StateProperty<State>> properties() const { return {}; }
  std::vector<LivenessProperty<State>> liveness_properties() const {
    return {eventually<State>("Never", [](const State&) { return false; })};
  }
  std::optional<uint64_t> fair_class(const Action& a) const { return a; }
  std::string fairness() const { return "weak fairness of both steps"; }
};

// The graph keeps fingerprints and steps, not states, and stops before it
// passes the memory limit: the limit is the memory the process holds now
// and 4 MiB, which a million states' graph passes.
TEST(Liveness, TheMemoryLimitStopsTheGraphBeforeItIsPassed) {
  const Chain chain{1'000'000};
  CheckResult whole = check_liveness(chain);
  ASSERT_EQ(whole.outcome,
            Outcome::kViolation);  // it ends: nothing fair is enabled in the last state
  ASSERT_TRUE(whole.liveness_graph.has_value());
  EXPECT_EQ(whole.liveness_graph->states, 1'000'000u);
  EXPECT_EQ(whole.liveness_graph->steps, 1'999'997u);
  EXPECT_LT(whole.stats.bytes_per_state, 64.0);

  SearchOptions options;
  release_free_memory();  // as the checker does first, so that both measure from the same resident
                          // set
  options.memory_limit_bytes = resident_memory_bytes() + (4 << 20);
  CheckResult limited = check_liveness(chain, options);
  EXPECT_EQ(limited.outcome, Outcome::kMemoryExhausted);
  EXPECT_EQ(limited.stopped_phase, "liveness graph");
  EXPECT_EQ(limited.unchecked, std::vector<std::string>{"Never"});
  EXPECT_GT(limited.stats.distinct_states, 0u);
  EXPECT_LT(limited.stats.distinct_states, 1'000'000u);
  EXPECT_LT(limited.stats.visited_bytes, 4u << 20);
}

TEST(Liveness, AStopAskedForEndsTheGraphWithTheCountsSoFar) {
  std::atomic<bool> stop{true};
  SearchOptions options;
  options.stop = &stop;
  CheckResult result = check_liveness(Chain{1000}, options);
  EXPECT_EQ(result.outcome, Outcome::kInterrupted);
  EXPECT_EQ(result.stopped_phase, "liveness graph");
  EXPECT_EQ(result.unchecked, std::vector<std::string>{"Never"});
  EXPECT_EQ(result.stats.distinct_states, 1u);
}

}  // namespace
}  // namespace crosscheck::mc
