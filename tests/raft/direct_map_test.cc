// The direct map of the refinement check (spec/raft/refinement.h): each
// handler of the implementation is the sequence of raft.tla steps
// direct_plan says, so the search behind it is needed only where a step
// does not refine the spec. Checked here on every step from every
// reachable state of the correct implementation, with every kind of step
// (deliveries, drops, duplicates, both timers, client requests, crashes,
// and with snapshots compactions and InstallSnapshot).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "check/raft/model.h"
#include "model_check/search.h"
#include "spec/raft/raft.h"
#include "spec/raft/refinement.h"

namespace crosscheck::check::raft {
namespace {

struct Coverage {
  mc::CheckResult result;
  uint64_t steps = 0;
  std::vector<std::string> missed;  // the steps the plan did not take, as labels
};

// Every step within the bounds from every state the search stores, each
// offered to the direct map's plan.
Coverage direct_map_coverage(int servers, int max_log, int max_messages, bool snapshots = false) {
  ImplBounds bounds;
  bounds.snapshots = snapshots;
  bounds.max_term = 3;
  bounds.max_log = max_log;
  bounds.max_messages = max_messages;
  mc::FaultBudgets budgets;
  budgets.max_crashes = 1;
  budgets.max_drops = 1;
  budgets.max_duplicates = 1;
  const ImplModel model = make_impl_model({servers, implraft::Variant::kCorrect}, bounds, budgets);
  specraft::Config config;
  config.servers = servers;
  config.max_term = bounds.max_term;
  config.max_log = max_log;
  config.max_restarts = budgets.max_crashes;
  config.max_messages = 16;
  config.snapshots = snapshots;
  const specraft::RaftModel spec(config);
  const int max_steps = specraft::max_spec_steps(servers);
  Coverage coverage;
  std::vector<mc::Successor<ImplAction, ImplState>> successors;
  mc::SearchOptions options;
  options.threads = 1;
  coverage.result = mc::check(model, options, [&](const ImplState& state) {
    successors.clear();
    model.successors(state, successors);
    for (const auto& [action, next] : successors) {
      if (!model.within_bounds(next)) continue;
      ++coverage.steps;
      const specraft::AbstractStep step = specraft::abstract_step(state, action, next);
      if (!spec.reaches_by_plan(step.from, step.to, step.server, max_steps,
                                specraft::direct_plan(step, servers))) {
        coverage.missed.push_back(model.action_label(action));
      }
    }
  });
  return coverage;
}

TEST(RaftDirectMap, TakesEveryStepOfThreeServers) {
  const Coverage coverage = direct_map_coverage(3, 1, 2);
  EXPECT_EQ(coverage.result.outcome, mc::Outcome::kOk);
  EXPECT_EQ(coverage.result.stats.distinct_states, 198560u);
  EXPECT_GT(coverage.steps, coverage.result.stats.distinct_states);
  EXPECT_TRUE(coverage.missed.empty())
      << coverage.missed.size() << ", the first " << coverage.missed.front();
}

// Two servers with two entries: conflicting suffixes removed one entry at a
// time.
// The same bounds with snapshots: compaction is CompactLog; a heartbeat
// to a follower whose next entry is compacted is SendSnapshot; an
// InstallSnapshot's delivery is Receive.
TEST(RaftDirectMap, TakesEveryStepWithSnapshots) {
  const Coverage coverage = direct_map_coverage(3, 1, 2, true);
  EXPECT_EQ(coverage.result.outcome, mc::Outcome::kOk);
  EXPECT_EQ(coverage.result.stats.distinct_states, 662984u);  // 198,560 without snapshots
  EXPECT_TRUE(coverage.missed.empty())
      << coverage.missed.size() << ", the first " << coverage.missed.front();
}

TEST(RaftDirectMap, TakesEveryStepOfTwoServersWithLongerLogs) {
  const Coverage coverage = direct_map_coverage(2, 2, 2);
  EXPECT_EQ(coverage.result.stats.distinct_states, 203770u);
  EXPECT_TRUE(coverage.missed.empty())
      << coverage.missed.size() << ", the first " << coverage.missed.front();
}

// A single server elects itself in its campaign and commits on its own.
TEST(RaftDirectMap, TakesEveryStepOfASingleServer) {
  const Coverage coverage = direct_map_coverage(1, 2, 2);
  EXPECT_EQ(coverage.result.stats.distinct_states, 17u);
  EXPECT_TRUE(coverage.missed.empty())
      << coverage.missed.size() << ", the first " << coverage.missed.front();
}

}  // namespace
}  // namespace crosscheck::check::raft
