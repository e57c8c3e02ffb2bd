// The ABD model's state counts and shortest counterexample, pinned, and
// the check that taking inert messages out of the network (AbdModel)
// hides no behaviour of the plain harness.
#include <cstdint>
#include <unordered_set>

#include <gtest/gtest.h>

#include "abd_model.h"
#include "model_check/search.h"

namespace abd {
namespace {

mc::SearchOptions one_thread() {
  mc::SearchOptions options;
  options.threads = 1;
  return options;
}

TEST(AbdRegister, EveryInterleavingOfAWriteAndTwoReadsIsLinearizable) {
  const mc::CheckResult result = mc::check(make_model(Config{}, {}), one_thread());
  ASSERT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
  EXPECT_EQ(result.stats.distinct_states, 331'581u);
  EXPECT_EQ(result.stats.total_states, 2'102'069u);
  for (const mc::GoalStatus& goal : result.goals) EXPECT_TRUE(goal.reached) << goal.name;
}

// A read that returns the newest value without writing it back leaves it
// on a minority; a read that starts after it can meet the other servers.
TEST(AbdRegister, AReadWithoutWriteBackLetsALaterReadReturnTheOlderValue) {
  Config config;
  config.variant = Variant::kNoWriteBack;
  const mc::CheckResult result = mc::check(make_model(config, {}), one_thread());
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "Linearizable");
  EXPECT_EQ(result.trace.size() - 1, 16u);  // steps after the initial state
  const mc::Json& history = result.trace.back().state["history"];
  EXPECT_EQ(history["w1"]["op1"].as_string(), "write 11 pending");
  EXPECT_EQ(history["r1"]["op1"].as_string(), "read returned 11");
  EXPECT_EQ(history["r2"]["op1"].as_string(), "read returned 0");
}

// What a property can see of a state: the nodes, the history and the
// faults so far; not the network.
template <class Model>
std::unordered_set<uint64_t> reachable_views(const Model& model) {
  std::unordered_set<uint64_t> views;
  const Binding& binding = model.protocol();
  mc::check(model, one_thread(), [&](const AbdState& state) {
    crosscheck::StableHasher hasher;
    for (const auto& node : state.nodes) binding.hash(node, hasher);
    binding.hash_history(state.history, hasher);
    hasher.add(state.drops).add(state.duplicates).add(state.crashes).add(uint64_t{state.stopped});
    views.insert(hasher.digest());
  });
  return views;
}

void expect_same_views(const Config& config, const mc::FaultBudgets& budgets) {
  const auto reduced = reachable_views(make_model(config, budgets));
  const auto plain = reachable_views(mc::ActorModel<Binding>(Binding(config), budgets));
  EXPECT_EQ(reduced.size(), plain.size());
  EXPECT_TRUE(reduced == plain);
}

TEST(AbdRegister, InertMessagesTakenOutHideNoStateOfNodesOrHistory) {
  Config write_and_read;
  write_and_read.readers = 1;
  expect_same_views(write_and_read, {});
  Config two_reads = write_and_read;
  two_reads.writes = 1;
  two_reads.reads = 2;
  two_reads.variant = Variant::kNoWriteBack;
  expect_same_views(two_reads, {});
  mc::FaultBudgets faults;
  faults.max_stops = 1;
  faults.max_crashes = 1;
  faults.max_duplicates = 1;
  faults.max_drops = 1;
  Config small;
  small.servers = 2;
  small.readers = 1;
  expect_same_views(small, faults);
}

}  // namespace
}  // namespace abd
