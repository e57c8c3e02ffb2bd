// Always-on assertions for protocol code.
//
// A node checks its own local invariants on every step, in release builds
// too: a violated local invariant is a bug in the implementation, never an
// input error, so it aborts with the condition, file and line.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace crosscheck::detail {
[[noreturn]] inline void assertion_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, condition);
  std::abort();
}
}  // namespace crosscheck::detail

#define CC_ASSERT(condition)                                                                  \
  do {                                                                                        \
    if (!(condition)) ::crosscheck::detail::assertion_failed(#condition, __FILE__, __LINE__); \
  } while (false)
