#include "model_check/clocks.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <vector>

namespace crosscheck::mc {
namespace {

constexpr int kNodes = 2;
using TwoClocks = Clocks<kNodes>;

// Every path of global and local ticks up to the horizon, as the sequence
// of clock states it passes through.
void walk(TwoClocks clocks, const ClockBounds& bounds, std::vector<TwoClocks>& path,
          const std::function<void(const std::vector<TwoClocks>&)>& visit) {
  visit(path);
  if (clocks.can_advance(bounds)) {
    TwoClocks next = clocks;
    uint32_t moved = 0;
    next.advance(kNodes, moved);
    path.push_back(next);
    walk(next, bounds, path, visit);
    path.pop_back();
  }
  for (NodeId node = 0; node < kNodes; ++node) {
    if (!clocks.can_tick(node, bounds)) continue;
    TwoClocks next = clocks;
    next.tick(node);
    path.push_back(next);
    walk(next, bounds, path, visit);
    path.pop_back();
  }
}

TEST(Clocks, AMeasuredIntervalIsOffByAtMostTheDriftAndTwoNodesDisagreeByAtMostTwice) {
  for (int drift = 0; drift <= 2; ++drift) {
    ClockBounds bounds{.drift = drift, .horizon = 4};
    std::vector<TwoClocks> path{TwoClocks{}};
    int worst_against_real = 0;
    int worst_between_nodes = 0;
    walk(TwoClocks{}, bounds, path, [&](const std::vector<TwoClocks>& p) {
      const TwoClocks& last = p.back();
      for (size_t start = 0; start < p.size(); ++start) {
        const TwoClocks& from = p[start];
        int real = last.now - from.now;
        int measured[kNodes];
        for (int i = 0; i < kNodes; ++i) {
          ASSERT_GE(last.local[i], last.now);
          ASSERT_LE(last.local[i], last.now + drift);
          measured[i] = last.local[i] - from.local[i];
          worst_against_real = std::max(worst_against_real, std::abs(measured[i] - real));
        }
        worst_between_nodes = std::max(worst_between_nodes, std::abs(measured[0] - measured[1]));
      }
    });
    // Both bounds are tight: some interval shows each in full.
    EXPECT_EQ(worst_against_real, drift);
    EXPECT_EQ(worst_between_nodes, 2 * drift);
  }
}

TEST(Clocks, AClockAtTheLowerEdgeIsCarriedAlongAndReportedAsMoved) {
  ClockBounds bounds{.drift = 1, .horizon = 3};
  TwoClocks clocks;
  ASSERT_TRUE(clocks.can_tick(1, bounds));
  clocks.tick(1);
  EXPECT_FALSE(clocks.can_tick(1, bounds));
  uint32_t moved = 0;
  clocks.advance(kNodes, moved);
  EXPECT_EQ(moved, 1u);  // node 0 was carried; node 1 was already ahead
  EXPECT_EQ(clocks.local[0], 1);
  EXPECT_EQ(clocks.local[1], 1);
}

TEST(Clocks, APausedNodeWakesWhenGlobalTimeReachesItsPauseEnd) {
  ClockBounds bounds{.drift = 0, .horizon = 5, .max_pause = 2, .max_pauses = 1};
  TwoClocks clocks;
  ASSERT_TRUE(clocks.can_pause(0, bounds));
  clocks.pause(0, 2);
  EXPECT_TRUE(clocks.paused(0));
  EXPECT_FALSE(clocks.can_pause(1, bounds));  // the budget is spent
  uint32_t moved = 0;
  clocks.advance(kNodes, moved);
  EXPECT_TRUE(clocks.paused(0));
  EXPECT_EQ(clocks.local[0], 1);  // its clock runs on during the pause
  clocks.advance(kNodes, moved);
  EXPECT_FALSE(clocks.paused(0));
}

}  // namespace
}  // namespace crosscheck::mc
