// The figures docs/hashing.md quotes, measured from one seed:
//   ./bazelw run //tests/hashing:figures -- [SEED]
// Balance (coefficient of variation by points per node), the fraction of
// keys a join moves for each structure, and the keys bounded loads move on
// a join against the m/(n+1) any scheme must move.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "impl/common/random.h"
#include "impl/hashing/bounded_load.h"
#include "impl/hashing/jump.h"
#include "impl/hashing/rendezvous.h"
#include "impl/hashing/ring.h"
#include "tests/hashing/generators.h"
#include "tests/hashing/statistics.h"

namespace crosscheck::impl::hashing::testing {
namespace {

void balance(SplitMix64& random) {
  std::printf("balance, 100 nodes, 10^5 keys, mean CV^2 over 8 rings (CV = its square root)\n");
  std::printf("%6s %12s %12s %12s %12s\n", "k", "CV shares", "expected", "CV loads", "expected");
  for (int k : {10, 100, 1000}) {
    double shares = 0;
    double loads = 0;
    for (int r = 0; r < 8; ++r) {
      const auto nodes = distinct_nodes(random, 100);  // before the keys' seed is drawn
      const RingBalance balance = measure_balance(nodes, k, random_keys(random.next(), kKeys));
      shares += squared_coefficient_of_variation(balance.shares) / 8;
      loads += squared_coefficient_of_variation(balance.loads) / 8;
    }
    const double expected_shares = 99.0 / (100.0 * k + 1);
    const double expected_loads = 99.0 / 1e5 + (1 - 1e-5) * expected_shares;
    std::printf("%6d %12.4f %12.4f %12.4f %12.4f\n", k, std::sqrt(shares),
                std::sqrt(expected_shares), std::sqrt(loads), std::sqrt(expected_loads));
  }
}

template <class Structure>
double moved_fraction(Structure structure, const std::vector<NodeId>& nodes, NodeId joining,
                      const std::vector<uint64_t>& keys) {
  for (NodeId node : nodes) structure.add_node(node);
  const auto owner_of = [&structure](uint64_t key) { return structure.owner(key); };
  const auto before = owners(keys, owner_of);
  structure.add_node(joining);
  return static_cast<double>(moved_count(before, owners(keys, owner_of))) /
         static_cast<double>(keys.size());
}

void disruption(SplitMix64& random) {
  std::printf("\njoin of a 51st node to 50, 10^5 keys: fraction moved, 1/51 = %.4f\n", 1 / 51.0);
  std::printf("%-18s %8s %8s %8s   (20 joins)\n", "structure", "mean", "min", "max");
  const auto row = [](const char* name, const std::vector<double>& fractions) {
    double sum = 0;
    for (double f : fractions) sum += f;
    std::printf("%-18s %8.4f %8.4f %8.4f\n", name, sum / static_cast<double>(fractions.size()),
                *std::min_element(fractions.begin(), fractions.end()),
                *std::max_element(fractions.begin(), fractions.end()));
  };
  std::vector<double> ring10, ring100, ring1000, rendezvous, jump;
  for (int trial = 0; trial < 20; ++trial) {
    auto nodes = distinct_nodes(random, 51);
    const NodeId joining = nodes.back();
    nodes.pop_back();
    const auto keys = random_keys(random.next(), kKeys);
    ring10.push_back(moved_fraction(HashRing(10), nodes, joining, keys));
    ring100.push_back(moved_fraction(HashRing(100), nodes, joining, keys));
    ring1000.push_back(moved_fraction(HashRing(1000), nodes, joining, keys));
    rendezvous.push_back(moved_fraction(Rendezvous(), nodes, joining, keys));
    size_t moved = 0;
    for (uint64_t key : keys) moved += jump_bucket(key, 50) != jump_bucket(key, 51);
    jump.push_back(static_cast<double>(moved) / static_cast<double>(keys.size()));
  }
  row("ring, k = 10", ring10);
  row("ring, k = 100", ring100);
  row("ring, k = 1000", ring1000);
  row("rendezvous", rendezvous);
  row("jump", jump);
}

void bounded_loads(SplitMix64& random) {
  std::printf("\nbounded loads, 50 nodes, 10^5 keys: keys a join moves / (m/(n+1)), 20 joins\n");
  std::printf("%6s %6s %8s %8s %12s\n", "k", "eps", "mean", "max", "1 + 1/eps^2");
  for (int k : {1, 10, 100}) {
    for (Epsilon epsilon :
         {Epsilon{1, 10}, Epsilon{1, 4}, Epsilon{1, 2}, Epsilon{1, 1}, Epsilon{2, 1}}) {
      const auto nodes = distinct_nodes(random, 50);
      BoundedLoadRing ring(k, epsilon);
      for (NodeId node : nodes) ring.add_node(node);
      ring.insert(random_keys(random.next(), kKeys));
      const std::vector<NodeId> before = ring.owners();
      std::vector<NodeId> taken = nodes;
      double sum = 0;
      double most = 0;
      for (int j = 0; j < 20; ++j) {
        NodeId joining;
        do {
          joining = static_cast<NodeId>(random.below(1u << 30));
        } while (std::find(taken.begin(), taken.end(), joining) != taken.end());
        taken.push_back(joining);
        ring.add_node(joining);
        const double ratio = static_cast<double>(moved_count(before, ring.owners())) / (1e5 / 51);
        ring.remove_node(joining);
        sum += ratio;
        most = std::max(most, ratio);
      }
      const double e =
          static_cast<double>(epsilon.numerator) / static_cast<double>(epsilon.denominator);
      std::printf("%6d %6.2f %8.2f %8.2f %12.1f\n", k, e, sum / 20, most, 1 + 1 / (e * e));
    }
  }
}

}  // namespace
}  // namespace crosscheck::impl::hashing::testing

int main(int argc, char** argv) {
  const uint64_t seed = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1;
  std::printf("seed %llu\n\n", static_cast<unsigned long long>(seed));
  crosscheck::SplitMix64 random(seed);
  crosscheck::impl::hashing::testing::balance(random);
  crosscheck::impl::hashing::testing::disruption(random);
  crosscheck::impl::hashing::testing::bounded_loads(random);
  return 0;
}
