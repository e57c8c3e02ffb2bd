// Every mode honours --max-states and --memory-limit with a clean stop:
// bound_exhausted or memory_exhausted, the counts so far, and what was
// left unchecked. (Breadth-first search and liveness have their own tests
// beside their others.) Each limit here is small enough to trip.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "impl/common/hash.h"
#include "model_check/memory.h"
#include "model_check/replay.h"
#include "model_check/search.h"

namespace crosscheck::mc {
namespace {

// Two counters: `x` counts up to `ceiling`, `noise` counts anything; the
// invariant is x below `bad` (never, when bad > ceiling). A random walk
// reaches x = bad with about as many noise steps as x steps between, for
// shrinking to remove.
struct Counters {
  struct State {
    uint32_t x = 0;
    uint32_t noise = 0;
    bool operator==(const State&) const = default;
  };
  using Action = char;  // 'x' or 'n'
  uint32_t ceiling;
  uint32_t bad;

  std::vector<State> initial_states() const { return {State{}}; }
  void successors(const State& s, std::vector<Successor<Action, State>>& out) const {
    if (s.x < ceiling) out.push_back({'x', {s.x + 1, s.noise}});
    if (s.noise < ceiling) out.push_back({'n', {s.x, s.noise + 1}});
  }
  bool within_bounds(const State&) const { return true; }
  uint64_t fingerprint(const State& s) const {
    return StableHasher().add(uint64_t{s.x}).add(uint64_t{s.noise}).digest();
  }
  Json state_json(const State& s) const {
    Json json = Json::object();
    json.set("x", static_cast<int64_t>(s.x));
    json.set("noise", static_cast<int64_t>(s.noise));
    return json;
  }
  std::string action_label(const Action& a) const { return a == 'x' ? "Count" : "Noise"; }
  std::vector<StateProperty<State>> properties() const {
    const uint32_t limit = bad;
    return {always<State>("XBelowBad", [limit](const State& s) { return s.x < limit; })};
  }
};

// The resident set now and `headroom` more, measured as the searches do.
uint64_t limit_with_headroom(uint64_t headroom) {
  release_free_memory();
  return resident_memory_bytes() + headroom;
}

TEST(DepthFirstLimits, TheStateLimitStopsTheSearch) {
  const Counters model{200, 1000};  // 40,401 states, nothing violated
  SearchOptions options;
  options.mode = SearchMode::kDepthFirst;
  ASSERT_EQ(check(model, options).stats.distinct_states, 201u * 201u);
  options.max_states = 1000;
  CheckResult result = check(model, options);
  EXPECT_EQ(result.outcome, Outcome::kBoundExhausted);
  EXPECT_EQ(result.stopped_phase, "safety");
  EXPECT_EQ(result.stats.distinct_states, 1000u);
}

TEST(DepthFirstLimits, TheMemoryLimitStopsTheSearchBeforeItIsPassed) {
  const Counters model{1000, 5000};  // a million states, a 2,000-step deep stack
  SearchOptions options;
  options.mode = SearchMode::kDepthFirst;
  options.memory_limit_bytes = limit_with_headroom(2 << 20);
  CheckResult result = check(model, options);
  EXPECT_EQ(result.outcome, Outcome::kMemoryExhausted);
  EXPECT_EQ(result.stopped_phase, "safety");
  EXPECT_GT(result.stats.distinct_states, 0u);
  EXPECT_LT(result.stats.distinct_states, 1001u * 1001u);
  EXPECT_LT(result.stats.visited_bytes, 2u << 20);
}

SearchOptions walks(uint64_t count, int depth) {
  SearchOptions options;
  options.mode = SearchMode::kSimulate;
  options.seed = 7;
  options.walks = count;
  options.walk_depth = depth;
  return options;
}

TEST(SimulationLimits, TheStateLimitStopsTheWalks) {
  const Counters model{1000, 5000};
  SearchOptions options = walks(1000, 50);
  options.max_states = 51 * 10;  // ten walks of 50 steps
  CheckResult result = check(model, options);
  EXPECT_EQ(result.outcome, Outcome::kBoundExhausted);
  EXPECT_EQ(result.stopped_phase, "simulation");
  EXPECT_EQ(result.search.walks, 10u);
  EXPECT_EQ(result.search.steps, 500u);
}

TEST(SimulationLimits, TheMemoryLimitStopsTheWalks) {
  const Counters model{1000, 5000};
  SearchOptions options = walks(1000, 50);
  options.memory_limit_bytes = limit_with_headroom(0);
  CheckResult result = check(model, options);
  EXPECT_EQ(result.outcome, Outcome::kMemoryExhausted);
  EXPECT_EQ(result.stopped_phase, "simulation");
  EXPECT_EQ(result.search.walks, 0u);
}

// Shrinking replays candidates; the state limit stops it with the shortest
// trace found so far, which still violates the property.
TEST(SimulationLimits, TheStateLimitStopsShrinkingWithAViolatingTrace) {
  const Counters model{1000, 12};
  CheckResult full = check(model, walks(1, 200));
  ASSERT_EQ(full.outcome, Outcome::kViolation);
  EXPECT_EQ(full.trace.size(), 13u);  // shrunk to the twelve Count steps
  EXPECT_TRUE(full.stopped_phase.empty());
  ASSERT_GT(full.search.unshrunk_steps, 13u);

  SearchOptions options = walks(1, 200);
  options.max_states = full.search.unshrunk_steps + 1;  // one replay of the whole walk
  CheckResult limited = check(model, options);
  ASSERT_EQ(limited.outcome, Outcome::kViolation);
  EXPECT_EQ(limited.stopped_phase, "shrinking");
  EXPECT_GT(limited.trace.size(), 13u);
  EXPECT_EQ(limited.trace.back().state["x"].as_int(), 12);
  EXPECT_TRUE(replay(model, limited.trace, {"XBelowBad", "always"}).confirmed);
}

std::vector<TraceStep> counting_trace(const Counters& model, uint32_t steps) {
  std::vector<TraceStep> trace{{"", model.state_json({})}};
  for (uint32_t x = 1; x <= steps; ++x) trace.push_back({"Count", model.state_json({x, 0})});
  return trace;
}

TEST(ReplayLimits, TheStateLimitStopsTheReplay) {
  const Counters model{1000, 100};
  const std::vector<TraceStep> trace = counting_trace(model, 100);
  ASSERT_TRUE(replay(model, trace, {"XBelowBad", "always"}).confirmed);
  ReplayResult result = replay(model, trace, {"XBelowBad", "always"}, {.max_states = 40});
  ASSERT_TRUE(result.stopped.has_value());
  EXPECT_EQ(*result.stopped, Outcome::kBoundExhausted);
  EXPECT_FALSE(result.confirmed);
  EXPECT_EQ(result.illegal_step, -1);
  EXPECT_EQ(result.trace.size(), 40u);
}

TEST(ReplayLimits, TheMemoryLimitStopsTheReplay) {
  const Counters model{1000, 100};
  ReplayResult result = replay(model, counting_trace(model, 100), {"XBelowBad", "always"},
                               {.memory_limit_bytes = limit_with_headroom(0)});
  ASSERT_TRUE(result.stopped.has_value());
  EXPECT_EQ(*result.stopped, Outcome::kMemoryExhausted);
  EXPECT_FALSE(result.confirmed);
  EXPECT_EQ(result.trace.size(), 1u);
}

// A stop asked for (SIGINT, SIGTERM in the command line) ends every mode
// at its next clean point with the counts so far.
TEST(Interrupts, EveryModeStopsWhenAsked) {
  const Counters model{1000, 5000};
  std::atomic<bool> stop{true};
  for (SearchMode mode :
       {SearchMode::kBreadthFirst, SearchMode::kDepthFirst, SearchMode::kSimulate}) {
    SearchOptions options = walks(1000, 50);
    options.mode = mode;
    options.stop = &stop;
    CheckResult result = check(model, options);
    EXPECT_EQ(result.outcome, Outcome::kInterrupted) << search_mode_name(mode);
    EXPECT_EQ(result.stopped_phase, mode == SearchMode::kSimulate ? "simulation" : "safety");
  }
}

}  // namespace
}  // namespace crosscheck::mc
