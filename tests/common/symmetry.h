// Symmetry reduction must not change a verdict: a violation with
// `symmetry` exactly when there is one without, of the same property, with
// a shortest counterexample of the same length, in no more states; and an
// actor model's reduced run counts the orbits of the plain run's states.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "impl/common/node_renaming.h"
#include "model_check/actor_symmetry.h"
#include "model_check/replay.h"
#include "model_check/search.h"

namespace crosscheck::testing {

template <class M>
void expect_symmetry_agrees(const M& model, const std::string& what) {
  mc::SearchOptions options;
  const mc::CheckResult full = mc::check(model, options);
  options.symmetry = true;
  const mc::CheckResult reduced = mc::check(model, options);
  EXPECT_EQ(full.outcome, reduced.outcome) << what;
  EXPECT_EQ(full.property, reduced.property) << what;
  // An orbit is as far from the initial state as each of its members, so
  // the shortest counterexample keeps its length.
  EXPECT_EQ(full.trace.size(), reduced.trace.size()) << what;
  EXPECT_LE(reduced.stats.distinct_states, full.stats.distinct_states) << what;
}

// The counterexample a run with symmetry finds is a behaviour of the model
// as it is: replay re-executes it step by step and confirms the violation.
template <class M>
void expect_symmetric_counterexample_replays(const M& model) {
  mc::SearchOptions options;
  options.symmetry = true;
  const mc::CheckResult result = mc::check(model, options);
  ASSERT_EQ(result.outcome, mc::Outcome::kViolation);
  const mc::ReplayResult replayed =
      mc::replay(model, result.trace, {result.property, result.property_kind});
  EXPECT_TRUE(replayed.confirmed) << replayed.reason;
}

// The orbits of the states an unreduced run of an actor model stores, each
// orbit found by trying every renaming of `groups` (not only those the
// harness's name-free keys leave): what a run with symmetry should count.
template <class M>
size_t orbits_of_plain_run(const M& model, const std::vector<std::vector<NodeId>>& groups,
                           uint64_t& plain_states) {
  const int nodes = model.protocol().node_count();
  std::vector<NodeRenaming> renamings = mc::symmetry::renamings(nodes, groups);
  renamings.push_back(NodeRenaming(nodes));
  std::set<uint64_t> orbits;
  typename M::State renamed;
  const mc::CheckResult plain = mc::check(model, {}, [&](const typename M::State& state) {
    uint64_t orbit = UINT64_MAX;
    for (const NodeRenaming& renaming : renamings) {
      mc::rename_state(model.protocol(), model.network_policy(), state, renaming, renamed);
      orbit = std::min(orbit, model.fingerprint(renamed));
    }
    orbits.insert(orbit);
  });
  plain_states = plain.stats.distinct_states;
  return orbits.size();
}

}  // namespace crosscheck::testing
