// The checker refuses what a strategy or a model cannot take with a typed
// error in its own terms: an OptionError of the kind that says why, a
// CheckpointError that says what failed on which file, a replay stopped
// by a limit that names the limit. None of them speaks of command-line
// flags; the command line words them (cli/search_errors.h).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "impl/common/hash.h"
#include "model_check/checkpoint.h"
#include "model_check/option_error.h"
#include "model_check/replay.h"
#include "model_check/search.h"
#include "tests/model_check/toy_models.h"

namespace crosscheck::mc {
namespace {

using testing::CounterWithoutEquality;
using testing::GridModel;
using Kind = OptionError::Kind;

// The kind of OptionError `run` throws, or nullopt when it throws none.
template <class Run>
std::optional<Kind> refusal(Run run) {
  try {
    run();
  } catch (const OptionError& error) {
    EXPECT_EQ(std::string(error.what()), option_error_message(error.kind()));
    return error.kind();
  }
  return std::nullopt;
}

template <Model M>
std::optional<Kind> refusal_of(const M& model, const SearchOptions& options) {
  return refusal([&] { check(model, options); });
}

SearchOptions in_mode(SearchMode mode) {
  SearchOptions options;
  options.mode = mode;
  options.walks = 10;
  options.walk_depth = 10;
  return options;
}

// One initial state with `width` successors, each by an action of a kind
// of its own, and `properties_count` liveness properties, all of which a
// step from the initial state meets.
struct KindFan {
  using State = int;
  using Action = int;
  int width = 1;
  int properties_count = 1;

  std::vector<State> initial_states() const { return {0}; }
  void successors(const State& s, std::vector<Successor<Action, State>>& out) const {
    if (s != 0) return;
    for (int i = 1; i <= width; ++i) out.push_back({i, i});
  }
  bool within_bounds(const State&) const { return true; }
  uint64_t fingerprint(const State& s) const { return StableHasher().add(s).digest(); }
  Json state_json(const State& s) const {
    Json json = Json::object();
    json.set("at", s);
    return json;
  }
  std::string action_label(const Action& a) const { return "Step " + std::to_string(a); }
  std::string action_kind(const Action& a) const { return "Kind" + std::to_string(a); }
  std::vector<StateProperty<State>> properties() const { return {}; }
  std::vector<LivenessProperty<State>> liveness_properties() const {
    std::vector<LivenessProperty<State>> all;
    for (int p = 0; p < properties_count; ++p) {
      all.push_back(
          eventually<State>("Left" + std::to_string(p), [](const State& s) { return s != 0; }));
    }
    return all;
  }
  std::optional<uint64_t> fair_class(const Action&) const { return 0; }
  std::string fairness() const { return "every step weakly fair"; }
};

TEST(OptionError, SymmetryIsRefusedForAModelThatDefinesNone) {
  SearchOptions options;
  options.symmetry = true;
  EXPECT_EQ(refusal_of(GridModel(2), options), Kind::kNoSymmetry);
  options.mode = SearchMode::kDepthFirst;
  EXPECT_EQ(refusal_of(GridModel(2), options), Kind::kNoSymmetry);
}

TEST(OptionError, ExactIsRefusedForStatesWithoutEqualityAndOutsideBreadthFirstSearch) {
  SearchOptions options;
  options.exact = true;
  EXPECT_EQ(refusal_of(CounterWithoutEquality{}, options), Kind::kExactNeedsEquality);
  options.mode = SearchMode::kDepthFirst;
  EXPECT_EQ(refusal_of(GridModel(2), options), Kind::kExactNeedsBreadthFirst);
}

TEST(OptionError, CoverageLivenessAndCheckpointsBelongToBreadthFirstSearch) {
  for (SearchMode mode : {SearchMode::kDepthFirst, SearchMode::kSimulate}) {
    SearchOptions coverage = in_mode(mode);
    coverage.coverage = true;
    EXPECT_EQ(refusal_of(GridModel(2), coverage), Kind::kCoverageNeedsBreadthFirst);
    SearchOptions liveness = in_mode(mode);
    liveness.liveness = true;
    EXPECT_EQ(refusal_of(KindFan{}, liveness), Kind::kLivenessNeedsBreadthFirst);
    SearchOptions checkpoint = in_mode(mode);
    checkpoint.checkpoint_path = "unused.checkpoint";
    EXPECT_EQ(refusal_of(GridModel(2), checkpoint), Kind::kCheckpointNeedsBreadthFirst);
    SearchOptions resume = in_mode(mode);
    resume.resume_path = "unused.checkpoint";
    EXPECT_EQ(refusal_of(GridModel(2), resume), Kind::kCheckpointNeedsBreadthFirst);
  }
}

TEST(OptionError, LivenessIsRefusedForAModelThatStatesNone) {
  SearchOptions options;
  options.liveness = true;
  EXPECT_EQ(refusal_of(GridModel(2), options), Kind::kNoLivenessProperties);
  EXPECT_EQ(refusal_of(KindFan{}, options), std::nullopt);
}

TEST(OptionError, ACheckpointTakesNeitherExactNorCoverage) {
  SearchOptions exact;
  exact.exact = true;
  exact.checkpoint_path = "unused.checkpoint";
  EXPECT_EQ(refusal_of(GridModel(2), exact), Kind::kCheckpointWithExact);
  SearchOptions coverage;
  coverage.coverage = true;
  coverage.resume_path = "unused.checkpoint";
  EXPECT_EQ(refusal_of(GridModel(2), coverage), Kind::kCheckpointWithCoverage);
}

TEST(OptionError, SimulationTakesNoExhaustiveSearchOption) {
  SearchOptions max_depth = in_mode(SearchMode::kSimulate);
  max_depth.max_depth = 5;
  EXPECT_EQ(refusal_of(GridModel(2), max_depth), Kind::kSimulationIgnoresExhaustiveOptions);
  SearchOptions symmetry = in_mode(SearchMode::kSimulate);
  symmetry.symmetry = true;
  EXPECT_EQ(refusal_of(GridModel(2), symmetry), Kind::kSimulationIgnoresExhaustiveOptions);
  SearchOptions exact = in_mode(SearchMode::kSimulate);
  exact.exact = true;
  EXPECT_EQ(refusal_of(GridModel(2), exact), Kind::kSimulationIgnoresExhaustiveOptions);
}

TEST(OptionError, SimulationNeedsAShardWithinTheCountAndWalksOfAStepAtLeast) {
  SearchOptions shard = in_mode(SearchMode::kSimulate);
  shard.shard_count = 2;
  shard.shard_index = 2;
  EXPECT_EQ(refusal_of(GridModel(2), shard), Kind::kShardOutOfRange);
  SearchOptions depth = in_mode(SearchMode::kSimulate);
  depth.walk_depth = 0;
  EXPECT_EQ(refusal_of(GridModel(2), depth), Kind::kWalkDepthBelowOne);
}

TEST(OptionError, CoverageCountsAtMost65535KindsOfAction) {
  SearchOptions options;
  options.coverage = true;
  EXPECT_EQ(refusal_of(KindFan{65535, 1}, options), std::nullopt);
  EXPECT_EQ(refusal_of(KindFan{65536, 1}, options), Kind::kTooManyActionKinds);
}

TEST(OptionError, TheLivenessGraphHoldsAtMost32Properties) {
  SearchOptions options;
  options.liveness = true;
  EXPECT_EQ(refusal_of(KindFan{3, 32}, options), std::nullopt);
  EXPECT_EQ(refusal_of(KindFan{3, 33}, options), Kind::kTooManyLivenessProperties);
  EXPECT_EQ(refusal([] { check_liveness(KindFan{3, 33}); }), Kind::kTooManyLivenessProperties);
}

TEST(OptionError, AStrategyCalledDirectlyRefusesWhatItCannotTake) {
  DepthFirstOptions depth_first_symmetry;
  depth_first_symmetry.symmetry = true;
  EXPECT_EQ(refusal([&] { depth_first(GridModel(2), depth_first_symmetry); }), Kind::kNoSymmetry);
  BreadthFirstOptions breadth_first_exact;
  breadth_first_exact.exact = true;
  EXPECT_EQ(refusal([&] { breadth_first(CounterWithoutEquality{}, breadth_first_exact); }),
            Kind::kExactNeedsEquality);
  SimulationOptions simulation;
  simulation.shard_count = 0;
  EXPECT_EQ(refusal([&] { simulate(GridModel(2), simulation); }), Kind::kShardOutOfRange);
}

TEST(OptionError, EveryMessageIsInTheCoresOwnTerms) {
  for (int k = 0; k <= static_cast<int>(Kind::kTooManyLivenessProperties); ++k) {
    const std::string message = option_error_message(static_cast<Kind>(k));
    EXPECT_FALSE(message.empty()) << k;
    EXPECT_EQ(message.find("--"), std::string::npos) << message;
  }
}

// The strategies are peers: each, called directly with its own options,
// finds what the front door finds with the same SearchOptions.
TEST(FrontDoor, HandsEachStrategyTheOptionsItWasGiven) {
  const GridModel model(3);
  SearchOptions options;
  options.max_depth = 4;
  const CheckResult breadth = check(model, options);
  EXPECT_EQ(breadth.stats.distinct_states, 10u);  // the states within 3 steps of the origin
  EXPECT_EQ(breadth_first(model, breadth_first_options(options)).stats.distinct_states, 10u);
  options.mode = SearchMode::kDepthFirst;
  const CheckResult depth = check(model, options);
  EXPECT_EQ(depth.stats.distinct_states, 10u);
  EXPECT_EQ(depth.search.mode, "dfs");
  EXPECT_EQ(depth_first(model, depth_first_options(options)).stats.distinct_states, 10u);
  SearchOptions walks = in_mode(SearchMode::kSimulate);
  walks.seed = 7;
  const CheckResult simulated = check(model, walks);
  EXPECT_EQ(simulated.search.walks, 10u);
  EXPECT_EQ(simulated.search.seed, 7u);
  const CheckResult direct = simulate(model, simulation_options(walks));
  EXPECT_EQ(direct.search.steps, simulated.search.steps);
}

std::string temp_file(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

// The kind, path and detail of the CheckpointError `options` meets.
std::optional<CheckpointError> checkpoint_refusal(const SearchOptions& options) {
  try {
    check(GridModel(3), options);
  } catch (const CheckpointError& error) {
    EXPECT_EQ(std::string(error.what()).find("--"), std::string::npos) << error.what();
    return error;
  }
  return std::nullopt;
}

TEST(CheckpointError, SaysWhatFailedOnWhichFile) {
  SearchOptions unwritable;
  unwritable.checkpoint_path = temp_file("no-such-directory/run.checkpoint");
  std::optional<CheckpointError> error = checkpoint_refusal(unwritable);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind(), CheckpointError::Kind::kCannotWrite);
  EXPECT_EQ(error->path(), unwritable.checkpoint_path);
  EXPECT_EQ(checkpoint_side_file(error->path()), unwritable.checkpoint_path + ".partial");

  SearchOptions missing;
  missing.resume_path = temp_file("missing.checkpoint");
  error = checkpoint_refusal(missing);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind(), CheckpointError::Kind::kCannotRead);
  EXPECT_EQ(error->path(), missing.resume_path);

  SearchOptions damaged;
  damaged.resume_path = temp_file("text.checkpoint");
  std::ofstream(damaged.resume_path) << "not a checkpoint\n";
  error = checkpoint_refusal(damaged);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind(), CheckpointError::Kind::kDamaged);
  EXPECT_EQ(error->path(), damaged.resume_path);
  EXPECT_EQ(error->detail(), "not a crosscheck checkpoint");
}

TEST(ReplayLimits, AStoppedReplayNamesTheLimitWithItsNumber) {
  GridModel model(3);
  model.properties_ = {always<GridModel::State>(
      "SumBelow3", [](const GridModel::State& s) { return s.x + s.y < 3; })};
  const CheckResult found = check(model);
  ASSERT_EQ(found.trace.size(), 4u);
  const ClaimedViolation claim{found.property, found.property_kind};

  const ReplayResult cut = replay(model, found.trace, claim, ReplayLimits{2, 0});
  ASSERT_EQ(cut.stopped, Outcome::kBoundExhausted);
  EXPECT_EQ(cut.reason,
            "the trace has 4 states, more than the state limit 2; the first 2 replayed");

  const ReplayResult tiny = replay(model, found.trace, claim, ReplayLimits{0, 1});
  ASSERT_EQ(tiny.stopped, Outcome::kMemoryExhausted);
  EXPECT_EQ(tiny.reason,
            "going on would pass the memory limit of 1 bytes; the first 1 states replayed");
}

}  // namespace
}  // namespace crosscheck::mc
