// Balance of the ring: with k points a node, the coefficient of variation
// of the nodes' loads is close to 1/sqrt(k).
//
// For n nodes with k points each, a node's share of the ring is (for
// uniformly placed points) Beta(k, nk - k), so the expected squared
// coefficient of variation of the shares about their mean 1/n is
//   E[CV^2] = n^2 Var(share) = (n - 1) / (nk + 1),
// about 1/k: 0.314, 0.0995 and 0.0315 for k = 10, 100, 1000 at n = 100.
// 10^5 keys add the Binomial spread of about 1000 keys a node:
//   E[CV^2 of loads] = (n - 1)/K + (1 - 1/K) (n - 1)/(nk + 1),
// 0.316, 0.104 and 0.0445 at n = 100, K = 10^5 (the keys, not the arcs,
// dominate at k = 1000).
//
// A measured CV^2 over n nodes is a sample variance, close to a chi-square
// with n - 1 degrees of freedom scaled by its mean; averaged over R rings,
// R (n - 1) degrees. Its kSigmas bounds come from the Wilson-Hilferty
// approximation, widened for the excess kurtosis 6/k of a Gamma(k) share.
// With R = 8 rings of 100 nodes the measured CV lies within about -19% and
// +21% of its expected value (k = 10), -17% and +18% (k = 1000).
// The seed is printed; RC_PARAMS="seed=N" reruns it.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cmath>
#include <string>
#include <vector>

#include "impl/common/random.h"
#include "impl/hashing/ring.h"
#include "tests/common/property.h"
#include "tests/hashing/generators.h"
#include "tests/hashing/statistics.h"

namespace crosscheck::impl::hashing::testing {
namespace {

using crosscheck::testing::holds_for;

constexpr int kNodes = 100;
constexpr int kRings = 8;

struct Bounds {
  double low;
  double high;
};

// The range of a mean of chi-square variables with `degrees` degrees of
// freedom each scaled to mean 1, kSigmas out, after Wilson and Hilferty:
// (chi2/d)^(1/3) is close to normal with mean 1 - 2/(9d) and variance
// 2/(9d). `kurtosis` widens the spread: a sample variance's variance is
// 2/(n-1) + kurtosis/n of its mean squared, not 2/(n-1).
Bounds chi_square_bounds(double degrees, double kurtosis) {
  const double z = kSigmas * std::sqrt(1 + kurtosis * (kNodes - 1) / (2.0 * kNodes));
  const double center = 1 - 2 / (9 * degrees);
  const double spread = z * std::sqrt(2 / (9 * degrees));
  return {std::pow(center - spread, 3), std::pow(center + spread, 3)};
}

std::string outside(const char* what, double measured, double expected, Bounds bounds) {
  return std::string(what) + ": CV^2 " + std::to_string(measured) + " outside [" +
         std::to_string(expected * bounds.low) + ", " + std::to_string(expected * bounds.high) +
         "]";
}

TEST(RingBalance, TheCoefficientOfVariationOfLoadIsCloseToOneOverSqrtK) {
  EXPECT_TRUE(holds_for("ring-balance", 12, [] {
    const int k = *rc::gen::element(10, 100, 1000);
    SplitMix64 random(*rc::gen::arbitrary<uint64_t>());
    double shares_cv2 = 0;
    double loads_cv2 = 0;
    for (int r = 0; r < kRings; ++r) {
      // Nodes first, then the keys' seed: one statement each, so the order
      // of the draws does not depend on the compiler.
      const auto nodes = distinct_nodes(random, kNodes);
      const RingBalance balance = measure_balance(nodes, k, random_keys(random.next(), kKeys));
      shares_cv2 += squared_coefficient_of_variation(balance.shares) / kRings;
      loads_cv2 += squared_coefficient_of_variation(balance.loads) / kRings;
    }
    const double n = kNodes;
    const double keys = static_cast<double>(kKeys);
    const double expected_shares = (n - 1) / (n * k + 1);
    const double expected_loads = (n - 1) / keys + (1 - 1 / keys) * expected_shares;
    const Bounds bounds = chi_square_bounds(kRings * (n - 1), 6.0 / k);
    RC_TAG(k);
    if (shares_cv2 < expected_shares * bounds.low || shares_cv2 > expected_shares * bounds.high) {
      RC_FAIL(outside("shares", shares_cv2, expected_shares, bounds));
    }
    if (loads_cv2 < expected_loads * bounds.low || loads_cv2 > expected_loads * bounds.high) {
      RC_FAIL(outside("loads", loads_cv2, expected_loads, bounds));
    }
  }));
}

}  // namespace
}  // namespace crosscheck::impl::hashing::testing
