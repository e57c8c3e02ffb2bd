// Raft's liveness under weak fairness of delivery and timers: an
// asynchronous network can split votes until the term bound (why Raft
// randomizes election timeouts, §5.2); with elections kept apart
// (timely_elections), a leader is always elected and a request always
// committed, and a crash can still lose a request its leader had alone.
#include <gtest/gtest.h>

#include <string>

#include "check/raft/model.h"
#include "model_check/liveness.h"

namespace crosscheck::check::raft {
namespace {

mc::CheckResult liveness(ImplBounds bounds, int restarts) {
  mc::FaultBudgets budgets;
  budgets.max_crashes = restarts;
  return mc::check_liveness(make_impl_model({3, implraft::Variant::kCorrect}, bounds, budgets));
}

// Terms up to 3, one entry, three messages, elections kept apart.
ImplBounds timely_bounds() {
  ImplBounds bounds;
  bounds.max_term = 3;
  bounds.max_log = 1;
  bounds.max_messages = 3;
  bounds.timely_elections = true;
  return bounds;
}

int count_steps(const mc::CheckResult& result, const std::string& prefix) {
  int count = 0;
  for (const auto& step : result.trace) count += step.action.rfind(prefix, 0) == 0;
  return count;
}

TEST(RaftLiveness, SplitVotesCanKeepEveryServerFromLeading) {
  ImplBounds bounds;
  bounds.max_term = 2;
  bounds.max_log = 1;
  bounds.max_messages = 4;
  mc::CheckResult result = liveness(bounds, 0);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "LeaderEventuallyElected");
  EXPECT_EQ(result.stats.distinct_states, 41123u);
  // All three stand in term 2, each votes for itself, and the term bound
  // leaves nothing fair to do: 15 steps, then stuttering.
  EXPECT_EQ(result.trace.size(), 16u);
  EXPECT_EQ(count_steps(result, "Timeout"), 3);
  EXPECT_EQ(result.loop_start, 15);
}

TEST(RaftLiveness, WithTimelyElectionsALeaderIsElectedAndARequestCommitted) {
  mc::CheckResult result = liveness(timely_bounds(), 0);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property;
  EXPECT_EQ(result.stats.distinct_states, 2098u);
}

TEST(RaftLiveness, ALeaderThatCrashesMayTakeItsOnlyCopyOfARequestWithIt) {
  mc::CheckResult result = liveness(timely_bounds(), 1);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  // A leader is still elected after the crash (that property, checked
  // first, holds); the request accepted before it is not committed.
  EXPECT_EQ(result.property, "RequestEventuallyCommitted");
  EXPECT_EQ(result.property_kind, "leads-to");
  EXPECT_EQ(count_steps(result, "Crash"), 1);
  EXPECT_EQ(count_steps(result, "Input"), 1);
  EXPECT_EQ(result.trace.size(), 18u);
  EXPECT_EQ(result.loop_start, 12);
}

}  // namespace
}  // namespace crosscheck::check::raft
