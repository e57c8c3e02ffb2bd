// The lock service in the checker (check/lockservice/model.h): the default
// bounds of `crosscheck check lockservice` pinned, and each known-buggy
// variant caught with its shortest counterexample, the length pinned and
// the steps that make the bug checked. docs/lockservice.md walks through
// the traces.
#include <gtest/gtest.h>

#include <string>

#include "check/lockservice/model.h"
#include "model_check/search.h"

namespace crosscheck::check::lockservice {
namespace {

using ls::Variant;

struct Bounds {
  int clients = 2;
  int lease = 3;
  int drift = 1;
  int horizon = 5;
  int max_pause = 3;
  int max_pauses = 1;
  int max_drops = 0;
  int max_keepalives = 0;
  Variant variant = Variant::kCorrect;
};

LockModel model(const Bounds& setup) {
  ls::Config config;
  config.clients = setup.clients;
  config.lease = setup.lease;
  config.drift = setup.drift;
  config.variant = setup.variant;
  LockBounds bounds;
  bounds.clocks = {.drift = setup.drift,
                   .horizon = setup.horizon,
                   .max_pause = setup.max_pause,
                   .max_pauses = setup.max_pauses};
  bounds.max_drops = setup.max_drops;
  bounds.max_keepalives = setup.max_keepalives;
  return LockModel(config, bounds);
}

mc::CheckResult check(const Bounds& setup, mc::SearchOptions options = {}) {
  return mc::check(model(setup), options);
}

std::string steps(const mc::CheckResult& result) {
  std::string text;
  for (size_t i = 1; i < result.trace.size(); ++i)
    text += "  " + std::to_string(i) + ". " + result.trace[i].action + "\n";
  return text;
}

bool has_step(const mc::CheckResult& result, const std::string& action) {
  for (const auto& step : result.trace) {
    if (step.action == action) return true;
  }
  return false;
}

// The CLI's defaults: two clients, lease 3, drift 1, one pause of up to 3
// ticks, global time up to 5. No property is violated.
TEST(LockModel, DefaultBoundsHoldEveryProperty) {
  const mc::CheckResult result = check(Bounds{});
  ASSERT_EQ(result.outcome, mc::Outcome::kOk) << result.property << "\n" << steps(result);
  EXPECT_EQ(result.stats.distinct_states, 4654690u);
  EXPECT_EQ(result.stats.depth, 27);
  EXPECT_EQ(result.invariants.size(), 6u);
}

// The same count on two threads (a test of its own, so that the test's
// shards split the two long runs).
TEST(LockModel, DefaultBoundsCountTheSameOnTwoThreads) {
  mc::SearchOptions parallel;
  parallel.threads = 2;
  const mc::CheckResult result = check(Bounds{}, parallel);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk);
  EXPECT_EQ(result.stats.distinct_states, 4654690u);
}

// Kleppmann (2016): c1 checks its lease and is paused before it writes;
// its session expires, c2 is granted the lock (token 2) and writes; c1
// wakes and writes with token 1, which a resource that ignores tokens
// accepts. Fourteen steps.
TEST(LockModel, NoFencingAcceptsThePausedHoldersWrite) {
  Bounds setup;
  setup.variant = Variant::kNoFencing;
  const mc::CheckResult result = check(setup);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "FencedMutualExclusion") << steps(result);
  EXPECT_EQ(result.trace.size() - 1, 14u) << steps(result);
  EXPECT_TRUE(has_step(result, "Input c1 CheckLease")) << steps(result);
  EXPECT_TRUE(has_step(result, "Pause c1 for 2 ticks")) << steps(result);
  EXPECT_TRUE(has_step(result, "Deliver Reply(to 2, held, token 2) server->c2")) << steps(result);
  EXPECT_EQ(result.trace.back().action, "Input c1 Write") << steps(result);
}

// Without pauses a running client writes right after its check, and the
// same bounds hold even without fencing: the pause is what fencing is for.
TEST(LockModel, NoFencingNeedsThePause) {
  Bounds setup;
  setup.variant = Variant::kNoFencing;
  setup.max_pauses = 0;
  const mc::CheckResult result = check(setup);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property << "\n" << steps(result);
}

// A client that trusts its lease for the full L ticks of its own clock: c1
// acquires at 0 and trusts until its clock reads 3; the server's clock runs
// a tick ahead, expires c1 at global time 2 and grants c2, whose lease is
// good too. Both believe at global time 2. Nine steps.
TEST(LockModel, NoDriftMarginLetsTwoClientsBelieve) {
  Bounds setup;
  setup.variant = Variant::kNoDriftMargin;
  const mc::CheckResult result = check(setup);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "LeaseMutualExclusion") << steps(result);
  EXPECT_EQ(result.trace.size() - 1, 9u) << steps(result);
  EXPECT_TRUE(has_step(result, "Tick server clock to 3")) << steps(result);
  EXPECT_EQ(result.trace.back().state["time"]["now"].as_int(), 2);
}

// With perfect clocks the full lease is safe: the margin is for drift.
TEST(LockModel, NoDriftMarginIsSafeWithoutDrift) {
  Bounds setup;
  setup.variant = Variant::kNoDriftMargin;
  setup.drift = 0;
  const mc::CheckResult result = check(setup);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property << "\n" << steps(result);
}

int64_t max_wakeups(const mc::CheckResult& result) {
  return result.trace.back().state["nodes"]["server"]["max wake-ups per release"].as_int();
}

// Herd: every waiter watches the lock's children. With three clients
// queued, the holder's session expiry wakes both waiters: n-1 = 2 wake-ups
// for one release. Nine steps.
TEST(LockModel, HerdWakesEveryWaiter) {
  Bounds setup;
  setup.variant = Variant::kHerd;
  setup.clients = 3;
  setup.max_pauses = 0;
  const mc::CheckResult result = check(setup);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "OneWakeupPerRelease") << steps(result);
  EXPECT_EQ(result.trace.size() - 1, 9u) << steps(result);
  EXPECT_EQ(max_wakeups(result), 2);  // n - 1
}

// The recipe's predecessor watches wake one client per deletion, with the
// same three clients (perfect clocks and global time up to 2, which reach a
// release with two waiters queued: 57,621 states). On the same bounds herd
// wakes two on c1's Release: eleven steps.
TEST(LockModel, PredecessorWatchesWakeOne) {
  Bounds setup;
  setup.clients = 3;
  setup.horizon = 2;
  setup.drift = 0;
  setup.max_pauses = 0;
  const mc::CheckResult result = check(setup);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property << "\n" << steps(result);
  EXPECT_EQ(result.stats.distinct_states, 57621u);
  Bounds herd = setup;
  herd.variant = Variant::kHerd;
  const mc::CheckResult herded = check(herd);
  ASSERT_EQ(herded.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(herded.trace.size() - 1, 11u) << steps(herded);
  EXPECT_EQ(herded.trace.back().action, "Deliver Release c1->server") << steps(herded);
  EXPECT_EQ(max_wakeups(herded), 2);
}

// With two clients a release has one waiter to wake, so herd and
// predecessor watches cannot differ.
TEST(LockModel, HerdOfTwoIsOne) {
  Bounds setup;
  setup.variant = Variant::kHerd;
  setup.max_pauses = 0;
  EXPECT_EQ(check(setup).outcome, mc::Outcome::kOk);
}

// Keepalives: each client may renew once, on a shorter horizon without
// pauses (106,358 states without the keepalives).
TEST(LockModel, KeepalivesKeepEveryProperty) {
  Bounds setup;
  setup.horizon = 3;
  setup.max_pauses = 0;
  setup.max_keepalives = 1;
  const mc::CheckResult result = check(setup);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property << "\n" << steps(result);
  EXPECT_EQ(result.stats.distinct_states, 1884622u);
  setup.max_keepalives = 0;
  EXPECT_EQ(check(setup).stats.distinct_states, 106358u);
}

// Redlock on three independent lock nodes: c1 gets nodes 1 and 2, c2
// gets node 3; node 1 restarts and forgets its grant, and grants c2. Both
// hold a majority. Five steps; without a restart it holds.
TEST(RedlockModel, ARestartThatForgetsGivesTwoHolders) {
  const mc::CheckResult result = mc::check(RedlockModel(3, 1), {});
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  EXPECT_EQ(result.property, "MutualExclusion");
  EXPECT_EQ(result.trace.size() - 1, 5u) << steps(result);
  EXPECT_TRUE(has_step(result, "Restart node1 (forgets its grant)")) << steps(result);
  EXPECT_EQ(result.stats.distinct_states, 122u);
  EXPECT_EQ(mc::check(RedlockModel(3, 0), {}).outcome, mc::Outcome::kOk);
}

// Liveness on small bounds: a client the table has granted the lock
// learns it (or its session ends), under fair delivery and time. A lost
// reply breaks it: c2's Acquire answer is dropped, the wakeup it then gets
// is held back for want of a lease, and nothing retries.
TEST(LockModel, WaiterEventuallyGranted) {
  Bounds setup;
  setup.horizon = 3;
  setup.max_pauses = 0;
  mc::SearchOptions options;
  options.liveness = true;
  const mc::CheckResult result = check(setup, options);
  EXPECT_EQ(result.outcome, mc::Outcome::kOk) << result.property << "\n" << steps(result);
  EXPECT_EQ(result.liveness.size(), 1u);
  setup.max_drops = 1;
  const mc::CheckResult lossy = check(setup, options);
  ASSERT_EQ(lossy.outcome, mc::Outcome::kViolation) << steps(lossy);
  EXPECT_EQ(lossy.property, "WaiterEventuallyGranted");
  EXPECT_TRUE(has_step(lossy, "Drop Reply(to 0, waiting) server->c2") ||
              has_step(lossy, "Drop Reply(to 1, waiting) server->c2"))
      << steps(lossy);
}

}  // namespace
}  // namespace crosscheck::check::lockservice
