// Power of two choices against one random choice: n requests onto n
// backends that never complete, at n = 10^5.
//
// With one choice a backend's load is Binomial(n, 1/n), close to
// Poisson(1): P(load >= 6) = 5.9e-4, so about 59 of 10^5 backends reach 6
// and the chance that none does is e^-59. The busiest ends at 7 to 9 (the
// asymptotic ln n / ln ln n = 4.71 is only the leading term).
// With two choices the fraction s_i of backends with at least i requests
// follows ds_i/dt = s_{i-1}^2 - s_i^2 (Mitzenmacher's fluid limit): at t = 1,
// s_3 = 8.9e-3, s_4 = 6.0e-6, s_5 = 1.3e-12, s_6 = 3e-26. About 890 backends
// reach 3 and 0.6 reach 4; 5 is expected in 1.3e-7 runs and 6 in 3e-21
// (ln ln n / ln 2 = 3.53). So the test requires two choices' maximum at
// most 5 and one choice's at least 6, and prints both.
// The seed is printed; RC_PARAMS="seed=N" reruns it.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <vector>

#include "impl/balancing/two_choices.h"
#include "impl/common/random.h"
#include "tests/common/property.h"

namespace crosscheck::impl::balancing::testing {
namespace {

using crosscheck::testing::holds_for;

constexpr int kBins = 100'000;

TEST(BallsIntoBins, TwoChoicesKeepTheBusiestFarBelowOneChoiceAtAHundredThousand) {
  const double n = kBins;
  std::cerr << "n = " << kBins << ": ln ln n / ln 2 = " << std::log(std::log(n)) / std::log(2.0)
            << ", ln n / ln ln n = " << std::log(n) / std::log(std::log(n)) << "\n";
  EXPECT_TRUE(holds_for("balls-into-bins", 10, [] {
    SplitMix64 random(*rc::gen::arbitrary<uint64_t>());
    PowerOfTwoChoices two(kBins, SplitMix64(random.next()));
    std::vector<int64_t> one(kBins, 0);
    for (int ball = 0; ball < kBins; ++ball) {
      RC_ASSERT(two.pick().has_value());
      ++one[random.below(kBins)];
    }
    int64_t two_max = 0;
    for (BackendId b = 0; b < kBins; ++b) two_max = std::max(two_max, two.active(b));
    const int64_t one_max = *std::max_element(one.begin(), one.end());
    std::cerr << "busiest backend: two choices " << two_max << ", one choice " << one_max << "\n";
    RC_ASSERT(two_max <= 5);
    RC_ASSERT(one_max >= 6);
  }));
}

}  // namespace
}  // namespace crosscheck::impl::balancing::testing
