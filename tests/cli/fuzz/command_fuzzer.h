// What the command-line fuzzers accept of a command: one of the exit
// statuses it may return, or a UsageError whose message is one line of
// printable text (crosscheck prints it after "crosscheck: " and exits 2).
// Anything else is a finding: another exception (the command line's
// "internal error"), a crash, a sanitizer report, a hang. std::abort()
// makes libFuzzer keep the input.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <initializer_list>
#include <typeinfo>

#include "model_check/cli/flags.h"
#include "tests/common/one_line.h"

namespace crosscheck::cli::fuzz {

template <class Command>
void expect_status_or_usage_error(std::initializer_list<int> statuses, Command command) {
  try {
    const int status = command();
    if (std::find(statuses.begin(), statuses.end(), status) == statuses.end()) {
      std::fprintf(stderr, "fuzz: unexpected exit status %d\n", status);
      std::abort();
    }
  } catch (const UsageError& error) {
    if (!crosscheck::testing::one_printable_line(error.what())) {
      std::fprintf(stderr, "fuzz: a usage error that is not one printable line: \"%s\"\n",
                   error.what());
      std::abort();
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "fuzz: %s instead of a usage error: %s\n", typeid(error).name(),
                 error.what());
    std::abort();
  }
}

}  // namespace crosscheck::cli::fuzz
