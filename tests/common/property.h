// Runs a RapidCheck property with a case count of its own. RC_GTEST_PROP
// runs every property 100 times; a property that hashes 10^5 keys a case
// states how many cases it can afford. The seed is printed, and
// RC_PARAMS="seed=N" reruns exactly the same cases.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <iostream>
#include <sstream>
#include <string>
#include <utility>

namespace crosscheck::testing {

// The configured parameters (RC_PARAMS) with `cases` cases, after printing
// the seed that reproduces them.
inline rc::detail::TestParams seeded_params(const std::string& id, int cases) {
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.maxSuccess = cases;
  std::cerr << "RapidCheck seed " << params.seed << " (" << id << ", " << cases << " cases)\n";
  return params;
}

// Success (printing the cases' tags, as RC_GTEST_PROP does), or
// RapidCheck's report of the shrunk counterexample.
template <class Property>
::testing::AssertionResult holds_for(const std::string& id, int cases, Property&& property) {
  rc::detail::TestMetadata metadata;
  metadata.id = id;
  const auto result = rc::detail::checkTestable(std::forward<Property>(property), metadata,
                                                seeded_params(id, cases));
  if (result.template is<rc::detail::SuccessResult>()) {
    if (!result.template get<rc::detail::SuccessResult>().distribution.empty()) {
      rc::detail::printResultMessage(result, std::cerr);
      std::cerr << "\n";
    }
    return ::testing::AssertionSuccess();
  }
  std::ostringstream report;
  rc::detail::printResultMessage(result, report);
  return ::testing::AssertionFailure() << report.str();
}

}  // namespace crosscheck::testing
