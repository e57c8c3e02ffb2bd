// Partial-order reduction (sleep sets, model_check/sleep_sets.h) must not
// change a verdict: a violation with it exactly when there is one
// without, of the same property, with a counterexample of the same length
// that replays on the model; every state stored (the same count), in no
// more steps.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "model_check/replay.h"
#include "model_check/search.h"

namespace crosscheck::testing {

template <class M>
void expect_sleep_sets_agree(const M& model, const std::string& what) {
  mc::SearchOptions options;
  options.threads = 1;
  const mc::CheckResult plain = mc::check(model, options);
  options.partial_order = true;
  const mc::CheckResult reduced = mc::check(model, options);
  EXPECT_EQ(plain.outcome, reduced.outcome) << what;
  EXPECT_EQ(plain.property, reduced.property) << what;
  EXPECT_EQ(plain.trace.size(), reduced.trace.size()) << what;
  if (plain.outcome == mc::Outcome::kOk) {
    EXPECT_EQ(plain.stats.distinct_states, reduced.stats.distinct_states) << what;
    EXPECT_EQ(plain.stats.depth, reduced.stats.depth) << what;
    EXPECT_LE(reduced.stats.total_states, plain.stats.total_states) << what;
  }
  if (reduced.outcome == mc::Outcome::kViolation) {
    const mc::ReplayResult replayed =
        mc::replay(model, reduced.trace, {reduced.property, reduced.property_kind});
    EXPECT_TRUE(replayed.confirmed) << what << ": " << replayed.reason;
  }
}

}  // namespace crosscheck::testing
