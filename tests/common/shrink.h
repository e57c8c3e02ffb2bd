// Runs a RapidCheck property by hand to keep what it shrank to: the last
// failing run seen during shrinking is the final counterexample. Tests use
// it to show that a buggy variant is found and shrunk to a short schedule.
#pragma once

#include <rapidcheck.h>

#include <iostream>
#include <string>

#include "tests/common/property.h"

namespace crosscheck::testing {

template <class Run>
struct ShrunkFailure {
  bool found = false;
  Run run;
};

// `run_one` draws a schedule with RapidCheck's generators, runs it and
// returns the run; a run with `violated` set fails the property. The seed
// is printed, and RC_PARAMS="seed=N" reproduces the whole search.
template <class Run, class RunOne>
ShrunkFailure<Run> shrink_failure(const std::string& id, int tests, RunOne run_one) {
  ShrunkFailure<Run> last;
  auto property = [&] {
    Run run = run_one();
    if (run.violated) last = {true, run};
    RC_ASSERT_FALSE(run.violated);
  };
  rc::detail::TestMetadata metadata;
  metadata.id = id;
  auto result = rc::detail::checkTestable(property, metadata, seeded_params(id, tests));
  if (!result.template is<rc::detail::FailureResult>()) {
    rc::detail::printResultMessage(result, std::cerr);
    return {};
  }
  return last;
}

}  // namespace crosscheck::testing
