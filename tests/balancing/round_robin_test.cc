// Round robin over random schedules of picks, completions and health
// changes: no backend is picked while marked down, and while the set of up
// backends stays the same their pick counts differ by at most one. The
// known-buggy rr-skip-down-late is caught with a shrunk schedule.
// RapidCheck prints its seed; RC_PARAMS="seed=N" reruns exactly that test.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <iostream>
#include <map>

#include "impl/balancing/round_robin.h"
#include "tests/balancing/schedule.h"
#include "tests/common/shrink.h"

namespace crosscheck::impl::balancing::testing {
namespace {

// Pick counts of the up backends since health last changed, this pick
// included, differ by at most one.
std::string counts_spread(BackendId picked, const Record& record) {
  std::map<BackendId, int64_t> counts;
  for (BackendId b = 0; b < static_cast<BackendId>(record.up.size()); ++b) {
    if (record.up[static_cast<size_t>(b)]) counts[b] = 0;
  }
  for (BackendId b : record.since_change) ++counts[b];
  ++counts[picked];
  int64_t least = INT64_MAX;
  int64_t most = 0;
  for (const auto& [backend, count] : counts) {
    least = std::min(least, count);
    most = std::max(most, count);
  }
  if (most - least <= 1) return "";
  return "pick counts since the last health change range from " + std::to_string(least) + " to " +
         std::to_string(most);
}

RC_GTEST_PROP(RoundRobin, PicksOnlyUpBackendsAndKeepsTheirTotalsWithinOne, ()) {
  const int backends = *rc::gen::inRange(1, 9);
  const Play run = play(RoundRobin(backends), backends, *schedules(), counts_spread);
  RC_ASSERT_FALSE(run.violated);
}

TEST(RoundRobin, GoesRoundTheUpBackendsInIdOrder) {
  RoundRobin rr(3);
  EXPECT_EQ(rr.pick(), 0);
  EXPECT_EQ(rr.pick(), 1);
  rr.on_health(2, Health::kDown);
  EXPECT_EQ(rr.pick(), 0);
  EXPECT_EQ(rr.pick(), 1);
  rr.on_health(0, Health::kDown);
  rr.on_health(1, Health::kDown);
  EXPECT_EQ(rr.pick(), std::nullopt);
  rr.on_health(2, Health::kUp);
  EXPECT_EQ(rr.pick(), 2);
  EXPECT_EQ(rr.pick(), 2);
}

// The least schedule that shows the bug: one backend, marked down, then
// picked.
TEST(RoundRobinVariants, SkipDownLateIsCaughtAndShrinksToAMarkDownAndAPick) {
  auto failure = crosscheck::testing::shrink_failure<Play>("rr-skip-down-late", 10000, [] {
    const int backends = *rc::gen::inRange(1, 9);
    return play(RoundRobin(backends, RoundRobinVariant::kSkipDownLate), backends, *schedules(),
                [](BackendId, const Record&) { return std::string(); });
  });
  ASSERT_TRUE(failure.found) << "no schedule caught rr-skip-down-late";
  std::cerr << "shrunk schedule for rr-skip-down-late:\n" << describe(failure.run);
  EXPECT_EQ(failure.run.steps.size(), 2u) << describe(failure.run);
  EXPECT_EQ(failure.run.violation, "b1 was picked while marked down");
}

}  // namespace
}  // namespace crosscheck::impl::balancing::testing
