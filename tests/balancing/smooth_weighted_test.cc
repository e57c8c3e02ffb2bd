// Smooth weighted round robin (nginx's) over random weights and schedules:
// every window of S = sum-of-weights consecutive picks, within a stretch of
// constant health, holds each up backend exactly its weight's worth; a
// backend is picked twice in a row only when no other backend is a whole
// pick behind its share; and no backend is picked while marked down.
// RapidCheck prints its seed; RC_PARAMS="seed=N" reruns exactly that test.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "impl/balancing/smooth_weighted.h"
#include "tests/balancing/schedule.h"

namespace crosscheck::impl::balancing::testing {
namespace {

rc::Gen<std::vector<int>> weight_lists() {
  return rc::gen::nonEmpty(rc::gen::container<std::vector<int>>(rc::gen::inRange(1, 21)));
}

// The picks of one stretch of constant health, the new pick last, judged
// against the weights of the backends up in it. Returns "" when
//  - every window of S consecutive picks ending at the new pick holds each
//    up backend exactly w times (windows that start at the stretch's start
//    or later), and
//  - a repeat of the previous pick is needed: no other up backend is a
//    whole pick behind its share of the picks before it,
//    t w_j / S - c_j(t) < 1 with t the picks so far and c_j backend j's.
std::string smoothness_violation(const std::vector<int>& weights, const std::vector<uint8_t>& up,
                                 std::vector<BackendId> stretch, BackendId picked) {
  int64_t total = 0;
  for (size_t b = 0; b < weights.size(); ++b) total += up[b] ? weights[b] : 0;
  const auto t = static_cast<int64_t>(stretch.size());
  if (!stretch.empty() && stretch.back() == picked) {
    std::vector<int64_t> count(weights.size(), 0);
    for (BackendId b : stretch) ++count[static_cast<size_t>(b)];
    for (size_t j = 0; j < weights.size(); ++j) {
      if (!up[j] || static_cast<BackendId>(j) == picked) continue;
      if (t * weights[j] - total * count[j] >= total) {
        return backend_name(picked) + " picked again while " +
               backend_name(static_cast<BackendId>(j)) + " is a whole pick behind its share";
      }
    }
  }
  stretch.push_back(picked);
  if (static_cast<int64_t>(stretch.size()) < total) return "";
  std::map<BackendId, int64_t> window;
  for (auto it = stretch.end() - total; it != stretch.end(); ++it) ++window[*it];
  for (size_t b = 0; b < weights.size(); ++b) {
    const int64_t expected = up[b] ? weights[b] : 0;
    if (window[static_cast<BackendId>(b)] != expected) {
      return "a window of " + std::to_string(total) + " picks holds " +
             backend_name(static_cast<BackendId>(b)) + " " +
             std::to_string(window[static_cast<BackendId>(b)]) + " times, not " +
             std::to_string(expected);
    }
  }
  return "";
}

RC_GTEST_PROP(SmoothWeightedRoundRobin, EveryWindowOfSumOfWeightsPicksHoldsEachBackendItsWeight,
              ()) {
  const auto weights = *weight_lists();
  const auto backends = static_cast<int>(weights.size());
  const Play run =
      play(SmoothWeightedRoundRobin(weights), backends, *schedules(),
           [&weights](BackendId picked, const Record& record) {
             return smoothness_violation(weights, record.up, record.since_change, picked);
           });
  RC_ASSERT_FALSE(run.violated);
}

// With every backend up and long runs of picks only, the windows slide
// over several whole cycles.
RC_GTEST_PROP(SmoothWeightedRoundRobin, ThreeCyclesWithoutHealthChangesAreSmoothThroughout, ()) {
  const auto weights = *weight_lists();
  int total = 0;
  for (int w : weights) total += w;
  SmoothWeightedRoundRobin swrr(weights);
  const std::vector<uint8_t> up(weights.size(), 1);
  std::vector<BackendId> picks;
  for (int i = 0; i < 3 * total; ++i) {
    const auto picked = swrr.pick();
    RC_ASSERT(picked.has_value());
    const std::string violation = smoothness_violation(weights, up, picks, *picked);
    if (!violation.empty()) RC_FAIL("pick " + std::to_string(i + 1) + ": " + violation);
    picks.push_back(*picked);
  }
}

// Every weight vector in small ranges, two whole cycles each, with the same
// two checks done incrementally: 2 backends with weights up to 40, 3 up to
// 16, 4 up to 8, 5 up to 5, 6 up to 3 (13,646 vectors).
TEST(SmoothWeightedRoundRobin, EveryWeightVectorInSmallRangesIsSmooth) {
  int vectors = 0;
  std::vector<int> weights;
  const auto check_all = [&](auto&& self, size_t backends, int most) -> void {
    if (weights.size() == backends) {
      ++vectors;
      int64_t total = 0;
      for (int w : weights) total += w;
      SmoothWeightedRoundRobin swrr(weights);
      std::vector<int64_t> count(backends, 0);
      std::vector<BackendId> picks;
      for (int64_t t = 0; t < 2 * total; ++t) {
        const BackendId picked = *swrr.pick();
        if (!picks.empty() && picks.back() == picked) {
          for (size_t j = 0; j < backends; ++j) {
            ASSERT_FALSE(static_cast<BackendId>(j) != picked &&
                         t * weights[j] - total * count[j] >= total)
                << "weights " << ::testing::PrintToString(weights) << ", pick " << t + 1;
          }
        }
        picks.push_back(picked);
        ++count[static_cast<size_t>(picked)];
        if (t + 1 >= total) {
          // The window of the last S picks: the counts now minus those
          // before it.
          std::vector<int64_t> before(backends, 0);
          for (int64_t i = 0; i + total < t + 1; ++i)
            ++before[static_cast<size_t>(picks[static_cast<size_t>(i)])];
          for (size_t b = 0; b < backends; ++b) {
            ASSERT_EQ(count[b] - before[b], weights[b])
                << "weights " << ::testing::PrintToString(weights);
          }
        }
      }
      return;
    }
    for (int w = 1; w <= most; ++w) {
      weights.push_back(w);
      self(self, backends, most);
      weights.pop_back();
    }
  };
  const std::pair<size_t, int> ranges[] = {{2, 40}, {3, 16}, {4, 8}, {5, 5}, {6, 3}};
  for (const auto& [backends, most] : ranges) check_all(check_all, backends, most);
  EXPECT_EQ(vectors, 1600 + 4096 + 4096 + 3125 + 729);
}

// nginx's own example (the commit that introduced the algorithm):
// weights {5, 1, 1} give a a b a c a a, where the old algorithm gave
// c b a a a a a.
TEST(SmoothWeightedRoundRobin, NginxsExampleFiveOneOne) {
  SmoothWeightedRoundRobin swrr({5, 1, 1});
  std::string sequence;
  for (int i = 0; i < 14; ++i) sequence += static_cast<char>('a' + *swrr.pick());
  EXPECT_EQ(sequence, "aabacaaaabacaa");
}

// The smoothness check has teeth: weighted round robin that takes each
// backend w times in a row keeps the windows exact but repeats a backend
// while another is a whole pick behind. With weights {3, 3}, after a a the
// share of b is 2 * 3/6 = 1 pick and it has none, so a third a is refused.
TEST(SmoothWeightedRoundRobin, TheCheckRejectsBlockWeightedRoundRobin) {
  const std::vector<int> weights = {3, 3};
  const std::vector<uint8_t> up = {1, 1};
  const std::vector<BackendId> blocks = {0, 0, 0, 1, 1, 1};
  std::vector<BackendId> stretch;
  std::string first_violation;
  for (BackendId picked : blocks) {
    first_violation = smoothness_violation(weights, up, stretch, picked);
    if (!first_violation.empty()) break;
    stretch.push_back(picked);
  }
  EXPECT_EQ(first_violation, "b1 picked again while b2 is a whole pick behind its share");
  EXPECT_EQ(stretch.size(), 2u);
}

}  // namespace
}  // namespace crosscheck::impl::balancing::testing
