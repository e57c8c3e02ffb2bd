// The checker core on models small enough to count by hand.
#include "model_check/search.h"

#include <gtest/gtest.h>

#include "model_check/fingerprint_table.h"
#include "model_check/trace_links.h"
#include "tests/model_check/toy_models.h"

namespace crosscheck::mc {
namespace {

using testing::DieHardModel;
using testing::GridModel;

TEST(BreadthFirstSearch, CountsDistinctAndGeneratedStatesAndDepthTheWayTlcDoes) {
  GridModel model(4);
  CheckResult result = check(model);
  EXPECT_EQ(result.outcome, Outcome::kOk);
  // 5 x 5 grid points; each explored state generates 2 successors (some
  // outside the constraint), plus the one initial state.
  EXPECT_EQ(result.stats.distinct_states, 25u);
  EXPECT_EQ(result.stats.total_states, 1u + 2u * 25u);
  // (0,0) .. (4,4) is 8 steps: 9 states on the path.
  EXPECT_EQ(result.stats.depth, 9);
  EXPECT_EQ(result.stats.queue, 0u);
}

TEST(BreadthFirstSearch, AnInitialStateAloneHasDepthOne) {
  GridModel model(0);
  CheckResult result = check(model);
  EXPECT_EQ(result.stats.distinct_states, 1u);
  EXPECT_EQ(result.stats.depth, 1);
}

TEST(BreadthFirstSearch, AViolationComesWithAShortestTrace) {
  GridModel model(10);
  model.properties_ = {
      always<GridModel::State>("SumBelowSeven", [](const auto& s) { return s.x + s.y < 7; })};
  CheckResult result = check(model);
  ASSERT_EQ(result.outcome, Outcome::kViolation);
  EXPECT_EQ(result.property, "SumBelowSeven");
  EXPECT_EQ(result.property_kind, "always");
  // Any path to x + y = 7 has 7 steps; the trace holds the initial state too.
  ASSERT_EQ(result.trace.size(), 8u);
  EXPECT_EQ(result.trace.front().action, "");
  EXPECT_EQ(result.trace.front().state["x"].as_int(), 0);
  const Json& last = result.trace.back().state;
  EXPECT_EQ(last["x"].as_int() + last["y"].as_int(), 7);
  // Each rebuilt step is a real step of the model.
  for (size_t i = 1; i < result.trace.size(); ++i) {
    const Json& before = result.trace[i - 1].state;
    const Json& after = result.trace[i].state;
    int dx = static_cast<int>(after["x"].as_int() - before["x"].as_int());
    int dy = static_cast<int>(after["y"].as_int() - before["y"].as_int());
    EXPECT_EQ(dx + dy, 1);
    EXPECT_EQ(result.trace[i].action, dx == 1 ? "IncX" : "IncY");
  }
}

TEST(BreadthFirstSearch, AnInvariantViolatedInitiallyHasATraceOfOneState) {
  GridModel model(3);
  model.properties_ = {always<GridModel::State>("Never", [](const auto&) { return false; })};
  CheckResult result = check(model);
  ASSERT_EQ(result.outcome, Outcome::kViolation);
  EXPECT_EQ(result.trace.size(), 1u);
  EXPECT_EQ(result.stats.distinct_states, 1u);
}

TEST(BreadthFirstSearch, DieHardFindsTheSixStepSolution) {
  DieHardModel model;
  model.properties_ = {
      always<DieHardModel::State>("NotSolved", [](const auto& s) { return s.big != 4; })};
  CheckResult result = check(model);
  ASSERT_EQ(result.outcome, Outcome::kViolation);
  // The famous answer: 6 pourings, 7 states.
  EXPECT_EQ(result.trace.size(), 7u);
  EXPECT_EQ(result.trace.back().state["big"].as_int(), 4);
}

TEST(BreadthFirstSearch, DieHardHasSixteenReachableStates) {
  // Pairs (small, big) with one jug empty or full: 2*4 + 2*6 - 4 corners.
  CheckResult result = check(DieHardModel{});
  EXPECT_EQ(result.outcome, Outcome::kOk);
  EXPECT_EQ(result.stats.distinct_states, 16u);
  // Every state enables all six actions, stuttering ones included.
  EXPECT_EQ(result.stats.total_states, 1u + 6u * 16u);
}

TEST(BreadthFirstSearch, AnUnreachedGoalIsReported) {
  GridModel model(3);
  model.properties_ = {
      sometimes<GridModel::State>("Corner", [](const auto& s) { return s.x == 3 && s.y == 3; }),
      sometimes<GridModel::State>("OutsideTheBounds", [](const auto& s) { return s.x == 4; }),
  };
  CheckResult result = check(model);
  EXPECT_EQ(result.outcome, Outcome::kGoalUnreached);
  ASSERT_EQ(result.goals.size(), 2u);
  EXPECT_TRUE(result.goals[0].reached);
  EXPECT_EQ(result.goals[0].depth, 7);
  EXPECT_FALSE(result.goals[1].reached);
}

TEST(BreadthFirstSearch, DeadlockIsAViolationOnlyWhenTheModelAsksForIt) {
  GridModel model(2, /*guard_actions=*/true);
  EXPECT_EQ(check(model).outcome, Outcome::kOk);
  model.check_deadlock_ = true;
  CheckResult result = check(model);
  ASSERT_EQ(result.outcome, Outcome::kViolation);
  EXPECT_EQ(result.property, "Deadlock");
  EXPECT_EQ(result.trace.size(), 5u);  // (0,0) .. (2,2)
}

TEST(BreadthFirstSearch, TheStateLimitStopsTheRunAsBoundExhausted) {
  GridModel model(100);
  SearchOptions options;
  options.max_states = 50;
  CheckResult result = check(model, options);
  EXPECT_EQ(result.outcome, Outcome::kBoundExhausted);
  EXPECT_EQ(result.stats.distinct_states, 50u);
  EXPECT_GT(result.stats.queue, 0u);
}

TEST(BreadthFirstSearch, TheDepthLimitStopsTheRunAsBoundExhausted) {
  GridModel model(100);
  SearchOptions options;
  options.max_depth = 3;
  CheckResult result = check(model, options);
  EXPECT_EQ(result.outcome, Outcome::kBoundExhausted);
  EXPECT_EQ(result.stats.depth, 3);
  EXPECT_EQ(result.stats.distinct_states, 6u);  // 1 + 2 + 3 states at depths 1..3
}

TEST(BreadthFirstSearch, ADepthLimitThatCoversTheStateSpaceIsOk) {
  GridModel model(2);
  SearchOptions options;
  options.max_depth = 5;
  EXPECT_EQ(check(model, options).outcome, Outcome::kOk);
}

struct GridWithStepProperty : GridModel {
  using GridModel::GridModel;
  std::vector<TransitionProperty<State, Action>> transition_properties() const {
    return {{"NoIncYAtXTwo", [](const State& from, const Action& a, const State&) {
               return !(from.x == 2 && a == Action::kIncY);
             }}};
  }
};

TEST(BreadthFirstSearch, AStepPropertyViolationEndsWithTheOffendingStep) {
  GridWithStepProperty model(5);
  CheckResult result = check(model);
  ASSERT_EQ(result.outcome, Outcome::kViolation);
  EXPECT_EQ(result.property_kind, "step");
  ASSERT_EQ(result.trace.size(), 4u);  // IncX, IncX, IncY
  EXPECT_EQ(result.trace.back().action, "IncY");
  EXPECT_EQ(result.trace.back().state["x"].as_int(), 2);
}

// Die Hard with a step property that no stuttering step satisfies (the
// jugs start empty, so emptying one is a stutter at once).
class DieHardWithoutStutters : public DieHardModel {
 public:
  explicit DieHardWithoutStutters(bool stutters_hold) : stutters_hold_(stutters_hold) {}
  std::vector<TransitionProperty<State, Action>> transition_properties() const {
    return {{"SomethingChanges",
             [](const State& from, const Action&, const State& to) { return !(from == to); },
             stutters_hold_}};
  }

 private:
  bool stutters_hold_;
};

TEST(BreadthFirstSearch, AStepPropertyIsCheckedOnStuttersUnlessItSaysStuttersHoldIt) {
  CheckResult checked = check(DieHardWithoutStutters(/*stutters_hold=*/false));
  ASSERT_EQ(checked.outcome, Outcome::kViolation);
  EXPECT_EQ(checked.property, "SomethingChanges");
  ASSERT_EQ(checked.trace.size(), 2u);
  EXPECT_EQ(checked.trace.back().action, "EmptySmallJug");

  CheckResult skipped = check(DieHardWithoutStutters(/*stutters_hold=*/true));
  EXPECT_EQ(skipped.outcome, Outcome::kOk);
  EXPECT_EQ(skipped.stats.distinct_states, 16u);
}

TEST(BreadthFirstSearch, VisitsEveryDistinctStateOnce) {
  GridModel model(6);
  std::vector<int> visits(49, 0);
  CheckResult result =
      check(model, {}, [&](const GridModel::State& s) { ++visits[s.x * 7 + s.y]; });
  EXPECT_EQ(result.stats.distinct_states, 49u);
  for (int count : visits) EXPECT_EQ(count, 1);
}

struct GridWithBothProperties : GridWithStepProperty {
  using GridWithStepProperty::GridWithStepProperty;
  std::vector<StateProperty<State>> properties() const {
    return {always<State>("NotTwoOne", [](const State& s) { return !(s.x == 2 && s.y == 1); })};
  }
};

TEST(BreadthFirstSearch, AStepThatBreaksAnInvariantTooReportsTheInvariant) {
  GridWithBothProperties model(5);
  CheckResult result = check(model);
  ASSERT_EQ(result.outcome, Outcome::kViolation);
  EXPECT_EQ(result.property, "NotTwoOne");
  EXPECT_EQ(result.trace.size(), 4u);
}

// A model wide enough that every batch has many chunks and threads race
// for the same new states: a 3-D grid where each state has three parents.
class CubeModel {
 public:
  struct State {
    int x = 0, y = 0, z = 0;
    bool operator==(const State&) const = default;
  };
  using Action = int;
  explicit CubeModel(int limit, int forbidden_sum) : limit_(limit), forbidden_sum_(forbidden_sum) {}
  std::vector<State> initial_states() const { return {State{}}; }
  void successors(const State& s, std::vector<Successor<Action, State>>& out) const {
    out.push_back({0, {s.x + 1, s.y, s.z}});
    out.push_back({1, {s.x, s.y + 1, s.z}});
    out.push_back({2, {s.x, s.y, s.z + 1}});
  }
  bool within_bounds(const State& s) const {
    return s.x <= limit_ && s.y <= limit_ && s.z <= limit_;
  }
  uint64_t fingerprint(const State& s) const {
    return StableHasher().add(s.x).add(s.y).add(s.z).digest();
  }
  Json state_json(const State& s) const {
    Json json = Json::object();
    json.set("x", s.x);
    json.set("y", s.y);
    json.set("z", s.z);
    return json;
  }
  std::string action_label(const Action& a) const {
    return "Inc" + std::string(1, static_cast<char>('X' + a));
  }
  std::vector<StateProperty<State>> properties() const {
    int forbidden = forbidden_sum_;
    int limit = limit_;
    return {always<State>(
                "SumAllowed",
                [forbidden](const State& s) { return s.x + s.y + s.z != forbidden || s.x < 2; }),
            sometimes<State>("Corner",
                             [limit](const State& s) { return s.x == limit && s.y == limit; })};
  }

 private:
  int limit_;
  int forbidden_sum_;
};

TEST(ParallelSearch, CountsAndTracesDoNotDependOnTheThreadCount) {
  for (int forbidden : {-1, 40}) {
    CheckResult single;
    std::vector<CubeModel::State> single_order;
    // Small batches too, so that levels take many batches and each batch's
    // merge overlaps the next one's generation.
    for (auto [threads, batch] :
         {std::pair{1, 0}, {2, 0}, {3, 0}, {8, 0}, {1, 7}, {2, 7}, {3, 50}, {8, 1}}) {
      SearchOptions options;
      options.threads = threads;
      options.states_per_thread_batch = batch;
      std::vector<CubeModel::State> order;
      CheckResult result = check(CubeModel(40, forbidden), options,
                                 [&](const CubeModel::State& s) { order.push_back(s); });
      if (threads == 1 && batch == 0) {
        single = result;
        single_order = order;
        EXPECT_EQ(result.outcome, forbidden < 0 ? Outcome::kOk : Outcome::kViolation);
        if (forbidden < 0) {
          EXPECT_EQ(result.stats.distinct_states, 41u * 41u * 41u);
        }
        continue;
      }
      EXPECT_EQ(result.outcome, single.outcome) << threads;
      EXPECT_TRUE(order == single_order)
          << "states stored in another order with " << threads << " threads";
      EXPECT_EQ(result.stats.distinct_states, single.stats.distinct_states) << threads;
      EXPECT_EQ(result.stats.total_states, single.stats.total_states) << threads;
      EXPECT_EQ(result.stats.depth, single.stats.depth) << threads;
      EXPECT_EQ(result.property, single.property) << threads;
      ASSERT_EQ(result.trace.size(), single.trace.size()) << threads;
      for (size_t i = 0; i < result.trace.size(); ++i) {
        EXPECT_EQ(result.trace[i].action, single.trace[i].action) << threads << " step " << i;
        EXPECT_EQ(result.trace[i].state, single.trace[i].state) << threads << " step " << i;
      }
      ASSERT_EQ(result.goals.size(), single.goals.size());
      EXPECT_EQ(result.goals[0].depth, single.goals[0].depth);
    }
  }
}

// Numbers modulo a prime under three maps: a graph whose states recur at
// every depth, so that a successor often repeats a state stored levels or
// batches before, not only one of its own level.
class ResidueModel {
 public:
  using State = uint32_t;
  using Action = int;
  ResidueModel(uint32_t modulus, uint32_t forbidden) : modulus_(modulus), forbidden_(forbidden) {}
  std::vector<State> initial_states() const { return {1}; }
  void successors(const State& s, std::vector<Successor<Action, State>>& out) const {
    out.push_back({0, (s + 1) % modulus_});
    out.push_back({1, static_cast<State>(uint64_t{s} * 3 % modulus_)});
    out.push_back({2, static_cast<State>((uint64_t{s} * s + 7) % modulus_)});
  }
  bool within_bounds(const State&) const { return true; }
  uint64_t fingerprint(const State& s) const { return StableHasher().add(uint64_t{s}).digest(); }
  Json state_json(const State& s) const { return Json(static_cast<int64_t>(s)); }
  std::string action_label(const Action& a) const {
    return a == 0 ? "Inc" : a == 1 ? "Triple" : "Square";
  }
  std::vector<StateProperty<State>> properties() const {
    const uint32_t forbidden = forbidden_;
    return {always<State>("NotForbidden", [forbidden](const State& s) { return s != forbidden; })};
  }

 private:
  uint32_t modulus_;
  uint32_t forbidden_;
};

// The fingerprint search skips a successor whose fingerprint a thread's
// cache of recent candidates holds; the exact search compares states
// chunk by chunk. Both must store the same states in the same order.
TEST(ParallelSearch, SkippingRecentCandidatesStoresWhatTheExactSearchStores) {
  constexpr uint32_t kModulus = 100003;
  for (uint32_t forbidden : {kModulus, 77777u}) {  // none, then one found deep in the search
    SearchOptions exact_options;
    exact_options.exact = true;
    std::vector<uint32_t> expected_order;
    CheckResult expected = check(ResidueModel(kModulus, forbidden), exact_options,
                                 [&](uint32_t s) { expected_order.push_back(s); });
    EXPECT_EQ(expected.outcome, forbidden == kModulus ? Outcome::kOk : Outcome::kViolation);
    for (auto [threads, batch] : {std::pair{1, 0}, {2, 0}, {3, 0}, {1, 5}, {2, 3}, {4, 64}}) {
      SearchOptions options;
      options.threads = threads;
      options.states_per_thread_batch = batch;
      std::vector<uint32_t> order;
      CheckResult result = check(ResidueModel(kModulus, forbidden), options,
                                 [&](uint32_t s) { order.push_back(s); });
      EXPECT_EQ(result.outcome, expected.outcome) << threads << " threads, batch " << batch;
      EXPECT_TRUE(order == expected_order) << threads << " threads, batch " << batch;
      EXPECT_EQ(result.stats.total_states, expected.stats.total_states) << threads;
      EXPECT_EQ(result.stats.depth, expected.stats.depth) << threads;
      ASSERT_EQ(result.trace.size(), expected.trace.size()) << threads;
      for (size_t i = 0; i < result.trace.size(); ++i) {
        EXPECT_EQ(result.trace[i].action, expected.trace[i].action) << threads << " step " << i;
      }
    }
  }
}

TEST(ParallelSearch, TheStateLimitStopsAtTheSameStateWhateverTheThreadCount) {
  for (int threads : {1, 2, 4}) {
    for (int batch : {0, 5}) {
      SearchOptions options;
      options.threads = threads;
      options.states_per_thread_batch = batch;
      options.max_states = 12345;
      CheckResult result = check(CubeModel(40, -1), options);
      EXPECT_EQ(result.outcome, Outcome::kBoundExhausted);
      EXPECT_EQ(result.stats.distinct_states, 12345u) << threads;
    }
  }
}

// The grid is symmetric under swapping x and y.
struct SymmetricGrid : GridModel {
  using GridModel::GridModel;
  State canonical(const State& s) const { return {std::min(s.x, s.y), std::max(s.x, s.y)}; }
};

TEST(SymmetryReduction, StoresOneStatePerOrbit) {
  SymmetricGrid model(4);
  SearchOptions options;
  options.symmetry = true;
  CheckResult result = check(model, options);
  EXPECT_EQ(result.outcome, Outcome::kOk);
  // Unordered pairs {x, y} from 0..4: 5 * 6 / 2.
  EXPECT_EQ(result.stats.distinct_states, 15u);
  EXPECT_EQ(result.stats.depth, 9);
  options.symmetry = false;
  EXPECT_EQ(check(model, options).stats.distinct_states, 25u);
}

TEST(SymmetryReduction, TracesAreRealBehavioursOfTheModel) {
  SymmetricGrid model(6);
  model.properties_ = {always<GridModel::State>("NotFiveOne", [](const auto& s) {
    return !(std::max(s.x, s.y) == 5 && std::min(s.x, s.y) == 1);
  })};
  SearchOptions options;
  options.symmetry = true;
  CheckResult result = check(model, options);
  ASSERT_EQ(result.outcome, Outcome::kViolation);
  ASSERT_EQ(result.trace.size(), 7u);
  for (size_t i = 1; i < result.trace.size(); ++i) {
    const Json& before = result.trace[i - 1].state;
    const Json& after = result.trace[i].state;
    EXPECT_EQ(after["x"].as_int() + after["y"].as_int(),
              before["x"].as_int() + before["y"].as_int() + 1);
  }
}

TEST(SymmetryReduction, IsRefusedForAModelWithoutSymmetry) {
  SearchOptions options;
  options.symmetry = true;
  EXPECT_THROW(check(GridModel(2), options), std::invalid_argument);
}

TEST(FingerprintTable, KeepsEveryFingerprintAcrossGrowth) {
  FingerprintTable table;
  for (uint64_t i = 1; i <= 100000; ++i) EXPECT_TRUE(table.insert(i * 7919));
  EXPECT_EQ(table.size(), 100000u);
  EXPECT_FALSE(table.insert(5 * 7919));
  for (uint64_t i = 1; i <= 100000; ++i) ASSERT_TRUE(table.contains(i * 7919)) << i;
  EXPECT_FALSE(table.contains(3));
  EXPECT_GE(table.bytes(), table.capacity() * 8);
  EXPECT_LE(table.bytes(), table.capacity() * 8 * 65 / 64 + 64);
}

TEST(FingerprintTable, StaysBetweenSixtyAndSeventyFivePercentFull) {
  // The load bounds are what keep a state under 16 bytes with its links:
  // 8 bytes / 0.6 = 13.3 bytes at most.
  FingerprintTable table;
  for (uint64_t i = 1; i <= 200000; ++i) {
    table.insert(StableHasher().add(i).digest() | 2);
    ASSERT_LE(table.size() * 4, table.capacity() * 3) << i;
    if (i >= 1000) {
      ASSERT_GE(table.size() * 5, table.capacity() * 3) << i;
    }
  }
}

TEST(FingerprintTable, ReserveGrowsAsTheInsertsWouldAndNoFurther) {
  auto fingerprint = [](uint64_t i) {
    return FingerprintTable::normalize(StableHasher().add(i).digest());
  };
  FingerprintTable grown_by_inserts;
  FingerprintTable reserved;
  for (uint64_t i = 0; i < 30000; ++i) {
    grown_by_inserts.insert(fingerprint(i));
    reserved.insert(fingerprint(i));
  }
  const size_t more = 20000;
  ASSERT_TRUE(reserved.grows_with(more));
  reserved.reserve(more);
  EXPECT_FALSE(reserved.grows_with(more));
  for (uint64_t i = 30000; i < 30000 + more; ++i) grown_by_inserts.insert(fingerprint(i));
  EXPECT_EQ(reserved.capacity(), grown_by_inserts.capacity());
  const size_t capacity = reserved.capacity();
  for (uint64_t i = 30000; i < 30000 + more; ++i) EXPECT_TRUE(reserved.insert(fingerprint(i)));
  EXPECT_EQ(reserved.capacity(), capacity);
  for (uint64_t i = 0; i < 30000 + more; ++i) ASSERT_TRUE(reserved.contains(fingerprint(i))) << i;
}

TEST(StateTable, ReserveGrowsAsTheInsertsWouldAndKeepsEveryState) {
  StateTable<uint64_t> grown_by_inserts;
  StateTable<uint64_t> reserved;
  for (uint64_t i = 0; i < 1000; ++i) {
    grown_by_inserts.insert(FingerprintTable::normalize(i % 97), i);
    reserved.insert(FingerprintTable::normalize(i % 97), i);
  }
  ASSERT_TRUE(reserved.grows_with(3000));
  reserved.reserve(3000);
  EXPECT_FALSE(reserved.grows_with(3000));
  for (uint64_t i = 1000; i < 4000; ++i)
    grown_by_inserts.insert(FingerprintTable::normalize(i % 97), i);
  const size_t bytes = reserved.bytes_to_hold(3000);
  EXPECT_EQ(bytes, grown_by_inserts.bytes());
  for (uint64_t i = 0; i < 1000; ++i)
    ASSERT_TRUE(reserved.contains(FingerprintTable::normalize(i % 97), i)) << i;
}

// The fingerprint whose table key is `key`: the table's scramble undone,
// to place keys where a test wants them.
uint64_t fingerprint_with_key(uint64_t key) {
  auto undo_xorshift = [](uint64_t y, int shift) {
    uint64_t x = y;
    for (int s = shift; s < 64; s += shift) x ^= y >> s;
    return x;
  };
  auto inverse = [](uint64_t odd) {
    uint64_t inv = odd;  // Newton's iteration doubles the correct low bits
    for (int i = 0; i < 6; ++i) inv *= 2 - odd * inv;
    return inv;
  };
  uint64_t x = undo_xorshift(key, 31);
  x *= inverse(0x94d049bb133111ebULL);
  x = undo_xorshift(x, 27);
  x *= inverse(0xbf58476d1ce4e5b9ULL);
  return undo_xorshift(x, 30);
}

TEST(FingerprintTable, KeysWhoseHomesAreAllTheLastSlotOverflowIntoGrowth) {
  // Every key's home is the last slot; the run cannot wrap around, so it
  // fills the spare slots and the table grows rather than lose a key.
  FingerprintTable table;
  std::vector<uint64_t> fingerprints;
  for (uint64_t i = 0; i < 2000; ++i)
    fingerprints.push_back(fingerprint_with_key(~uint64_t{0} - 7 * i));
  for (uint64_t fingerprint : fingerprints) ASSERT_TRUE(table.insert(fingerprint));
  EXPECT_EQ(table.size(), fingerprints.size());
  for (uint64_t fingerprint : fingerprints) {
    ASSERT_TRUE(table.contains(fingerprint));
    ASSERT_FALSE(table.insert(fingerprint));
  }
  EXPECT_FALSE(table.contains(fingerprint_with_key(~uint64_t{0} - 3)));
  EXPECT_FALSE(table.contains(fingerprint_with_key(1)));
  // The load alone asks for about 2,700 slots; a run of 2,000 past the
  // last home needs 64 times that in capacity, for the spare slots.
  EXPECT_GE(table.capacity(), 64u * (2000 - 8));
}

TEST(FingerprintTable, FindsKeysInsertedInAnyOrderAmongCollidingHomes) {
  // Keys in a narrow band share homes, so every insert shifts a run; in
  // descending order each goes to the front of its run.
  FingerprintTable table(1 << 12);
  std::vector<uint64_t> fingerprints;
  for (uint64_t i = 0; i < 1500; ++i)
    fingerprints.push_back(fingerprint_with_key((uint64_t{1} << 62) - 1000 * i));
  for (uint64_t fingerprint : fingerprints) ASSERT_TRUE(table.insert(fingerprint));
  for (uint64_t fingerprint : fingerprints) ASSERT_TRUE(table.contains(fingerprint));
  for (uint64_t i = 0; i < 1500; ++i) {
    ASSERT_FALSE(table.contains(fingerprint_with_key((uint64_t{1} << 62) - 1000 * i - 500))) << i;
  }
  EXPECT_EQ(table.size(), 1500u);
}

TEST(FingerprintTable, GrowsIntoAnotherTablesOldArrayWithNoneOfItsKeys) {
  RecycledWords recycled;
  auto fingerprint = [](uint64_t i) {
    return FingerprintTable::normalize(StableHasher().add(i).digest());
  };
  {
    FingerprintTable first(FingerprintTable::kMinCapacity, &recycled);
    for (uint64_t i = 1; i <= 5000; ++i) first.insert(fingerprint(i));
  }                                        // its array goes to `recycled`, keys and all
  EXPECT_GE(recycled.bytes(), 5000u * 8);  // counted against memory limits
  FingerprintTable second(FingerprintTable::kMinCapacity, &recycled);
  for (uint64_t i = 5001; i <= 10000; ++i) ASSERT_TRUE(second.insert(fingerprint(i))) << i;
  for (uint64_t i = 1; i <= 5000; ++i) ASSERT_FALSE(second.contains(fingerprint(i))) << i;
  for (uint64_t i = 5001; i <= 10000; ++i) ASSERT_TRUE(second.contains(fingerprint(i))) << i;
  EXPECT_EQ(second.size(), 5000u);
}

TEST(FingerprintTable, PredictsTheBytesItWillNeed) {
  // The memory limit relies on this prediction, made before inserting.
  FingerprintTable table;
  const size_t predicted = table.bytes_to_hold(10000);
  for (uint64_t i = 1; i <= 10000; ++i) table.insert(i * 104729);
  EXPECT_EQ(table.bytes(), predicted);
  EXPECT_GT(predicted, 10000u * 8);
}

TEST(TraceLinks, FindsEachParentFromTheChildrenCounts) {
  // Two roots; explored states produce 0, 2, 300 (past a byte: escaped), 1, ... children.
  TraceLinks links;
  links.add_state(0);
  links.add_state(1);
  links.seal_roots();
  std::vector<uint64_t> parent_of;  // by state number, from 2
  std::vector<uint64_t> ordinal_of;
  uint64_t stored = 2;
  for (uint64_t explored = 0; explored < 2000; ++explored) {
    uint64_t children = explored == 2 ? 300 : (explored * 7) % 5;
    for (uint64_t c = 0; c < children; ++c) {
      ordinal_of.push_back(c == 299 ? 1000 : c);
      links.add_state(ordinal_of.back());
      parent_of.push_back(explored);
      ++stored;
    }
    links.add_explored(children);
  }
  EXPECT_EQ(links.stored(), stored);
  EXPECT_TRUE(links.is_root(1));
  EXPECT_FALSE(links.is_root(2));
  for (uint64_t state = 2; state < stored; ++state) {
    ASSERT_EQ(links.parent(state), parent_of[state - 2]) << state;
    ASSERT_EQ(links.ordinal(state), ordinal_of[state - 2]) << state;
  }
  EXPECT_EQ(links.ordinal(1), 1u);
  EXPECT_EQ(std::count(ordinal_of.begin(), ordinal_of.end(), 1000u), 1);
}

TEST(FingerprintTable, ZeroIsNormalizedAwayFromTheEmptyMarker) {
  EXPECT_NE(FingerprintTable::normalize(0), 0u);
  EXPECT_EQ(FingerprintTable::normalize(77), 77u);
}

}  // namespace
}  // namespace crosscheck::mc
