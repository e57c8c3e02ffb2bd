// What the statistical properties allow, and why.
//
// A property test runs tens of random cases on every `bazel test`, so a
// statistical check must practically never fail by chance: each bound
// below is set where one case fails with probability around 10^-9 or
// less, from the variance of the quantity at the key count the test uses.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <vector>

#include "impl/common/random.h"
#include "impl/hashing/ring.h"

namespace crosscheck::impl::hashing::testing {

// A normal deviate this many standard deviations out is exceeded, either
// way, with probability 2.6e-12.
inline constexpr double kSigmas = 7;

// The keys of one case: `count` values of a SplitMix64 seeded by the
// case's seed, which RapidCheck prints.
inline std::vector<uint64_t> random_keys(uint64_t seed, size_t count) {
  SplitMix64 random(seed);
  std::vector<uint64_t> keys(count);
  for (auto& key : keys) key = random.next();
  return keys;
}

// How far a Binomial(trials, p) count may stray from trials * p: kSigmas
// standard deviations, sqrt(trials p (1 - p)), plus one for the count's
// integrality. At 10^5 trials and p = 1/51 that is +-310 keys about 1961:
// 0.31% of the keys.
inline double binomial_tolerance(double trials, double p) {
  return kSigmas * std::sqrt(trials * p * (1 - p)) + 1;
}

// A node's share of a ring is the sum of the arcs in front of its k
// points, among M points in all: close to a sum of k independent
// exponential arcs of mean 1/M, a Gamma(k) variable of mean k/M. Its
// Chernoff bounds are
//   P(share >= (1 + d) k/M) <= exp(-k (d - ln(1 + d)))
//   P(share <= (1 - d) k/M) <= exp(-k (-d - ln(1 - d)))
// These return the d at which the bound is 10^-9 (solved by bisection).
inline constexpr double kChernoffLogProbability = -20.72;  // ln(10^-9)

inline double solve_increasing(double target, double (*f)(double), double high) {
  double low = 0;
  for (int i = 0; i < 100; ++i) {
    const double mid = (low + high) / 2;
    (f(mid) < target ? low : high) = mid;
  }
  return high;
}

inline double share_excess_allowed(int points_per_node) {
  return solve_increasing(
      -kChernoffLogProbability / points_per_node, [](double d) { return d - std::log1p(d); }, 1e6);
}

inline double share_shortfall_allowed(int points_per_node) {
  return solve_increasing(
      -kChernoffLogProbability / points_per_node, [](double d) { return -d - std::log1p(-d); },
      1 - 1e-12);
}

// Each node's fraction of the ring: the arcs that end at its points (a key
// whose digest lies in (previous point, point] belongs to that point).
inline std::map<NodeId, double> ring_shares(const HashRing& ring) {
  std::map<NodeId, double> shares;
  const auto& points = ring.points();
  for (size_t i = 0; i < points.size(); ++i) {
    const uint64_t previous = points[i == 0 ? points.size() - 1 : i - 1].position;
    // Unsigned subtraction wraps round the ring at i == 0.
    shares[points[i].node] +=
        static_cast<double>(points[i].position - previous) / 18446744073709551616.0;
  }
  return shares;
}

// Shares of the ring and loads of `keys`, per node, in the order of `nodes`.
struct RingBalance {
  std::vector<double> shares;
  std::vector<double> loads;
};

inline RingBalance measure_balance(const std::vector<NodeId>& nodes, int points_per_node,
                                   const std::vector<uint64_t>& keys) {
  HashRing ring(points_per_node);
  for (NodeId node : nodes) ring.add_node(node);
  auto share = ring_shares(ring);
  std::map<NodeId, double> load;
  for (uint64_t key : keys) ++load[ring.owner(key)];
  RingBalance balance;
  for (NodeId node : nodes) {
    balance.shares.push_back(share[node]);
    balance.loads.push_back(load[node]);
  }
  return balance;
}

// The squared coefficient of variation (population form) of `values`
// about their mean.
inline double squared_coefficient_of_variation(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  const double mean = sum / static_cast<double>(values.size());
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  return squares / static_cast<double>(values.size()) / (mean * mean);
}

}  // namespace crosscheck::impl::hashing::testing
