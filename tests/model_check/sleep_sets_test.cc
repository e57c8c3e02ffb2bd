// Breadth-first search with sleep sets (model_check/sleep_sets.h) on
// workers that count to a limit, each worker's steps commuting with the
// others' (and, in one configuration, two workers sharing a resource):
// every state is stored, fewer steps are taken, and violations are found
// at the plain search's depth.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "impl/common/hash.h"
#include "model_check/model.h"
#include "model_check/option_error.h"
#include "model_check/replay.h"
#include "model_check/search.h"
#include "tests/model_check/toy_models.h"

namespace crosscheck::mc {
namespace {

// `workers` counters, each raised by its own worker up to `limit`. With
// `shared_pair`, workers 0 and 1 touch one resource, so their steps do
// not commute.
class WorkersModel {
 public:
  struct State {
    std::vector<int> counts;
    bool operator==(const State&) const = default;
  };
  struct Action {
    int worker;
  };

  WorkersModel(int workers, int limit, bool shared_pair = false)
      : workers_(workers), limit_(limit), shared_pair_(shared_pair) {}

  std::vector<State> initial_states() const {
    return {State{std::vector<int>(static_cast<size_t>(workers_), 0)}};
  }
  void successors(const State& s, std::vector<Successor<Action, State>>& out) const {
    successors(s, out, StepFilter{});
  }
  void successors(const State& s, std::vector<Successor<Action, State>>& out,
                  StepFilter filter) const {
    for (int w = 0; w < workers_; ++w) {
      if (s.counts[w] == limit_ || !filter.keeps(footprint(Action{w}))) continue;
      State next = s;
      ++next.counts[w];
      out.push_back({Action{w}, std::move(next)});
    }
  }
  std::optional<StepFootprint> footprint(const Action& a) const {
    uint64_t touches = uint64_t{1} << a.worker;
    if (shared_pair_ && a.worker < 2) touches |= uint64_t{1} << 63;
    return StepFootprint{static_cast<uint64_t>(a.worker) + 100, touches};
  }
  bool within_bounds(const State&) const { return true; }
  uint64_t fingerprint(const State& s) const {
    StableHasher hasher;
    for (int count : s.counts) hasher.add(count);
    return hasher.digest();
  }
  Json state_json(const State& s) const {
    Json json = Json::object();
    for (int w = 0; w < workers_; ++w) json.set("w" + std::to_string(w), s.counts[w]);
    return json;
  }
  std::string action_label(const Action& a) const {
    return "Inc(" + std::to_string(a.worker) + ")";
  }
  std::vector<StateProperty<State>> properties() const { return properties_; }
  bool check_deadlock() const { return check_deadlock_; }

  std::vector<StateProperty<State>> properties_;
  bool check_deadlock_ = false;

 private:
  int workers_;
  int limit_;
  bool shared_pair_;
};

CheckResult search(const WorkersModel& model, bool partial_order) {
  SearchOptions options;
  options.partial_order = partial_order;
  return check(model, options);
}

// 3 workers counting to 3: 4^3 = 64 states. The plain search takes every
// enabled step, 3 * 3 * 4^2 = 144. With sleep sets, each state is entered
// by one step only (the lexicographically least of the shortest paths to
// it), 63 in all, and the 81 others are asleep where they are enabled.
TEST(SleepSets, IndependentWorkersEnterEachStateOnce) {
  const WorkersModel model(3, 3);
  const CheckResult plain = search(model, false);
  const CheckResult reduced = search(model, true);
  EXPECT_EQ(plain.outcome, Outcome::kOk);
  EXPECT_EQ(reduced.outcome, Outcome::kOk);
  EXPECT_EQ(plain.stats.distinct_states, 64u);
  EXPECT_EQ(reduced.stats.distinct_states, 64u);
  EXPECT_EQ(plain.stats.total_states, 1u + 144u);
  EXPECT_EQ(reduced.stats.total_states, 1u + 63u);
  EXPECT_EQ(reduced.search.pruned_steps, 81u);
  EXPECT_EQ(reduced.stats.depth, plain.stats.depth);
  EXPECT_TRUE(reduced.search.sleep_sets);
  EXPECT_FALSE(plain.search.sleep_sets);
}

// Workers 0 and 1 do not commute: of the 144 steps, those of the pair
// from one state are both taken. Every state is still stored.
TEST(SleepSets, DependentStepsAreAllTaken) {
  const WorkersModel model(3, 3, /*shared_pair=*/true);
  const CheckResult plain = search(model, false);
  const CheckResult reduced = search(model, true);
  EXPECT_EQ(reduced.stats.distinct_states, plain.stats.distinct_states);
  EXPECT_GT(reduced.stats.total_states, 1u + 63u);
  EXPECT_LT(reduced.stats.total_states, plain.stats.total_states);
}

// An invariant broken only when every worker is done, 3 * 3 steps deep:
// found at the same depth, with a trace that replays.
TEST(SleepSets, AViolationIsFoundAtThePlainDepthAndReplays) {
  for (bool shared_pair : {false, true}) {
    WorkersModel model(3, 3, shared_pair);
    model.properties_.push_back(
        always<WorkersModel::State>("NotAllDone", [](const WorkersModel::State& s) {
          return s.counts != std::vector{3, 3, 3};
        }));
    const CheckResult plain = search(model, false);
    const CheckResult reduced = search(model, true);
    ASSERT_EQ(reduced.outcome, Outcome::kViolation);
    EXPECT_EQ(reduced.property, "NotAllDone");
    EXPECT_EQ(reduced.trace.size(), plain.trace.size());
    EXPECT_EQ(reduced.trace.size(), 10u);
    const ReplayResult replayed = replay(model, reduced.trace, {"NotAllDone", "always"});
    EXPECT_TRUE(replayed.confirmed) << replayed.reason;
  }
}

// The last state has no step at all, asleep or not: a deadlock.
TEST(SleepSets, ADeadlockIsNotMistakenForASleepingState) {
  WorkersModel model(2, 2);
  model.check_deadlock_ = true;
  const CheckResult reduced = search(model, true);
  ASSERT_EQ(reduced.outcome, Outcome::kViolation);
  EXPECT_EQ(reduced.property, "Deadlock");
  EXPECT_EQ(reduced.trace.size(), search(model, false).trace.size());
}

TEST(SleepSets, TheDepthBoundCutsAsInThePlainSearch) {
  const WorkersModel model(3, 3);
  SearchOptions options;
  options.max_depth = 4;
  const CheckResult plain = check(model, options);
  options.partial_order = true;
  const CheckResult reduced = check(model, options);
  EXPECT_EQ(reduced.outcome, Outcome::kBoundExhausted);
  EXPECT_EQ(plain.outcome, Outcome::kBoundExhausted);
  EXPECT_EQ(reduced.stats.distinct_states, plain.stats.distinct_states);
}

TEST(SleepSets, IsRefusedWithOtherReductionsAndForModelsWithoutFootprints) {
  const WorkersModel model(2, 2);
  for (auto set :
       {+[](SearchOptions& o) { o.symmetry = true; },
        +[](SearchOptions& o) { o.mode = SearchMode::kDepthFirst; },
        +[](SearchOptions& o) { o.exact = true; }, +[](SearchOptions& o) { o.liveness = true; }}) {
    SearchOptions options;
    options.partial_order = true;
    set(options);
    try {
      check(model, options);
      ADD_FAILURE() << "accepted";
    } catch (const OptionError& error) {
      EXPECT_EQ(error.kind(), OptionError::Kind::kPartialOrderAlone);
    }
  }
  SearchOptions options;
  options.partial_order = true;
  try {
    check(testing::GridModel(2), options);
    ADD_FAILURE() << "accepted";
  } catch (const OptionError& error) {
    EXPECT_EQ(error.kind(), OptionError::Kind::kNoPartialOrder);
  }
}

}  // namespace
}  // namespace crosscheck::mc
