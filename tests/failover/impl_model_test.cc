// The failover model (check/failover) under the checker: the default bounds
// of `crosscheck check failover` explored in full with their counts
// pinned, smaller bounds with pauses and with two backups, each known-buggy
// variant caught with its shortest counterexample (lengths counted by hand
// below), and the drift margin's teeth: clocks that drift more than the
// replicas assume give two valid primaries.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "check/failover/model.h"
#include "model_check/search.h"

namespace crosscheck::check::failover {
namespace {

using implfo::Variant;

FailoverModel model_of(Variant variant, Bounds bounds = {}, implfo::Config config = {}) {
  config.variant = variant;
  return FailoverModel(config, bounds);
}

// The model with only some of its properties: to see what a variant breaks
// beyond the first property its shortest trace violates.
struct Only {
  using State = failover::State;
  using Action = failover::Action;
  FailoverModel model;
  std::set<std::string> names;

  std::vector<State> initial_states() const { return model.initial_states(); }
  void successors(const State& s, std::vector<mc::Successor<Action, State>>& out) const {
    model.successors(s, out);
  }
  bool within_bounds(const State& s) const { return model.within_bounds(s); }
  uint64_t fingerprint(const State& s) const { return model.fingerprint(s); }
  mc::Json state_json(const State& s) const { return model.state_json(s); }
  std::string action_label(const Action& a) const { return model.action_label(a); }
  std::vector<mc::StateProperty<State>> properties() const {
    std::vector<mc::StateProperty<State>> kept;
    for (auto& property : model.properties()) {
      if (names.count(property.name) != 0) kept.push_back(std::move(property));
    }
    return kept;
  }
};

// The state a trace ends in, replaying its action labels from the initial
// state: a trace that is no behaviour of the model fails here.
State replay(const FailoverModel& model, const std::vector<mc::TraceStep>& trace) {
  State state = model.initial_states().front();
  std::vector<mc::Successor<Action, State>> successors;
  for (size_t i = 1; i < trace.size(); ++i) {
    successors.clear();
    model.successors(state, successors);
    auto at = std::find_if(successors.begin(), successors.end(), [&](const auto& s) {
      return model.action_label(s.action) == trace[i].action;
    });
    EXPECT_NE(at, successors.end()) << "step " << i << " is no successor: " << trace[i].action;
    if (at == successors.end()) break;
    state = std::move(at->state);
  }
  return state;
}

std::vector<std::string> actions(const mc::CheckResult& result) {
  std::vector<std::string> labels;
  for (size_t i = 1; i < result.trace.size(); ++i) labels.push_back(result.trace[i].action);
  return labels;
}

// One backup, one client with two requests, lease 5, drift 1, heartbeat 2,
// horizon 6, four messages in flight, one crash.
TEST(FailoverModel, DefaultBoundsViolateNothingAndReachEveryGoal) {
  const mc::CheckResult result = mc::check(model_of(Variant::kCorrect));
  EXPECT_EQ(result.outcome, mc::Outcome::kOk);
  EXPECT_EQ(result.stats.distinct_states, 1'210'497u);
  EXPECT_EQ(result.stats.depth, 28);
  for (const auto& goal : result.goals) EXPECT_TRUE(goal.reached) << goal.name;
}

// The backup promised until 5 on its clock when it started, and no step
// moves its clock by more than one tick: five steps at the least, global or
// its own (BFS meets five global ones first), and it promotes in the last.
TEST(FailoverModel, TheEarliestPromotionWaitsOutTheInitialPromise) {
  auto never_promoted = [](const State& s) {
    for (int r = 0, replicas = replica_count(s); r < replicas; ++r) {
      if (replica(s, r).epoch() > 0) return false;
    }
    return true;
  };
  struct NeverPromoted : Only {
    std::function<bool(const State&)> holds;
    std::vector<mc::StateProperty<State>> properties() const {
      return {mc::always<State>("NeverPromoted", holds)};
    }
  };
  NeverPromoted model{{model_of(Variant::kCorrect), {}}, never_promoted};
  const mc::CheckResult result = mc::check(model);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(actions(result),
            (std::vector<std::string>{"Advance time to 1", "Advance time to 2", "Advance time to 3",
                                      "Advance time to 4", "Advance time to 5"}));
}

// The primary's Append at 0 is acknowledged: lease until its clock reads 2
// (5 - 2 * 1 ticks from 0). Its heartbeat at 2 stays in flight; the buggy
// backup, which last heard at 0, promotes itself at 3 = 0 + heartbeat + 1
// on its clock, one tick ahead of global time 2, where the old primary's
// clock reads 2: both leases hold.
TEST(FailoverModel, PromoteOnMissedHeartbeatGivesTwoValidPrimariesIn5Steps) {
  const FailoverModel model = model_of(Variant::kPromoteOnMissedHeartbeat);
  const mc::CheckResult result = mc::check(model);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "AtMostOneValidPrimary");
  EXPECT_EQ(actions(result),
            (std::vector<std::string>{"Deliver Append(e0 t0 []) r1->r2",
                                      "Deliver AppendAck(e0 t0 len 0) r2->r1", "Advance time to 1",
                                      "Advance time to 2", "Tick r2 clock to 3"}));
  EXPECT_FALSE(at_most_one_valid_primary(replay(model, result.trace)));
}

// Without the lease property, what clients see: the backup promotes
// itself as above, takes the client's write and acknowledges it (it has no
// backups left); the client then reads, and the old primary, its lease
// still valid at global time 2, answers from before the write.
TEST(FailoverModel, PromoteOnMissedHeartbeatServesAStaleReadIn11Steps) {
  const Only model{model_of(Variant::kPromoteOnMissedHeartbeat),
                   {"AcknowledgedWriteNeverLost", "Linearizable"}};
  const mc::CheckResult result = mc::check(model);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "Linearizable");
  EXPECT_EQ(
      actions(result),
      (std::vector<std::string>{
          "Deliver Append(e0 t0 []) r1->r2", "Deliver AppendAck(e0 t0 len 0) r2->r1",
          "Input c1 write 1", "Advance time to 1", "Advance time to 2", "Tick r2 clock to 3",
          "Deliver Write(#1 := 1) c1->r2", "Deliver WriteReply(#1 ok) r2->c1", "Input c1 read",
          "Deliver Read(#2) c1->r1", "Deliver ReadReply(#2 = none) r1->c1"}));
  const State last = replay(model.model, result.trace);
  EXPECT_FALSE(linearizable(last));
  EXPECT_TRUE(acknowledged_write_never_lost(last));
}

// The client's write reaches the primary, which acknowledges it at once;
// the Append carrying it stays in flight. Four global ticks and one of the
// backup's own bring its clock to 5, where its initial promise runs out:
// it promotes itself with an empty log.
TEST(FailoverModel, AckBeforeReplicateLosesAnAcknowledgedWriteIn8Steps) {
  const FailoverModel model = model_of(Variant::kAckBeforeReplicate);
  const mc::CheckResult result = mc::check(model);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "AcknowledgedWriteNeverLost");
  EXPECT_EQ(result.trace.size() - 1, 8u);
  const auto labels = actions(result);
  EXPECT_EQ(labels.front(), "Input c1 write 1");
  EXPECT_EQ(labels.back(), "Tick r2 clock to 5");
  EXPECT_EQ(std::count_if(labels.begin(), labels.end(),
                          [](const std::string& l) { return l.rfind("Advance", 0) == 0; }),
            4);
  EXPECT_FALSE(acknowledged_write_never_lost(replay(model, result.trace)));
}

// And the client sees it: the write is acknowledged at once; the primary
// crashes (which also keeps its heartbeats from filling the four message
// slots); the backup waits out its promise (five clock steps) and
// promotes itself with an empty log; the client's read, held back until
// then, is answered "none". Three steps of the write, a crash, the read's
// issue, five of time and the read's two deliveries: 12.
TEST(FailoverModel, AckBeforeReplicateReadsNothingAfterAnAcknowledgedWriteIn12Steps) {
  const Only model{model_of(Variant::kAckBeforeReplicate), {"Linearizable"}};
  const mc::CheckResult result = mc::check(model);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.trace.size() - 1, 12u);
  const auto labels = actions(result);
  EXPECT_EQ(labels.back(), "Deliver ReadReply(#2 = none) r2->c1");
  EXPECT_FALSE(linearizable(replay(model.model, result.trace)));
}

// The replicas assume no drift and trust the whole lease (until 4, from
// the Append at 0); the clocks drift by one. Global time 4, the old
// primary's clock at the lower edge (4, inside its lease), the backup's
// one ahead (5, its promise over): it promotes, and both leases hold. With
// the drift the replicas assume, the same bounds are safe
// (DefaultBoundsViolateNothingAndReachEveryGoal).
TEST(FailoverModel, ClocksDriftingMoreThanAssumedGiveTwoValidPrimariesIn7Steps) {
  implfo::Config config;
  config.drift = 0;
  Bounds bounds;
  bounds.clock_drift = 1;
  const FailoverModel model = model_of(Variant::kCorrect, bounds, config);
  const mc::CheckResult result = mc::check(model);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "AtMostOneValidPrimary");
  EXPECT_EQ(actions(result),
            (std::vector<std::string>{"Deliver Append(e0 t0 []) r1->r2",
                                      "Deliver AppendAck(e0 t0 len 0) r2->r1", "Advance time to 1",
                                      "Advance time to 2", "Advance time to 3", "Advance time to 4",
                                      "Tick r2 clock to 5"}));
  EXPECT_FALSE(at_most_one_valid_primary(replay(model, result.trace)));
}

// Pauses of up to two ticks, once; lease 3 (trusted 1), one request,
// horizon 4.
TEST(FailoverModel, PausesViolateNothing) {
  implfo::Config config;
  config.lease = 3;
  config.ops = 1;
  Bounds bounds;
  bounds.horizon = 4;
  bounds.max_pause = 2;
  bounds.max_pauses = 1;
  const mc::CheckResult result = mc::check(model_of(Variant::kCorrect, bounds, config));
  EXPECT_EQ(result.outcome, mc::Outcome::kOk);
  EXPECT_EQ(result.stats.distinct_states, 948'747u);
}

// Two backups, a client with one request; lease 3, heartbeat 3, no drift
// (drift with two backups is left to the schedule properties), horizon 4.
TEST(FailoverModel, TwoBackupsViolateNothing) {
  implfo::Config config;
  config.replicas = 3;
  config.ops = 1;
  config.lease = 3;
  config.heartbeat = 3;
  config.drift = 0;
  Bounds bounds;
  bounds.horizon = 4;
  const mc::CheckResult result = mc::check(model_of(Variant::kCorrect, bounds, config));
  EXPECT_EQ(result.outcome, mc::Outcome::kOk);
  EXPECT_EQ(result.stats.distinct_states, 240'255u);
  for (const auto& goal : result.goals) EXPECT_TRUE(goal.reached) << goal.name;
}

}  // namespace
}  // namespace crosscheck::check::failover
