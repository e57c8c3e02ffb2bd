// Least connections and power of two choices over random schedules of
// picks, completions and health changes: least connections always picks a
// backend with the minimum active count among those up; neither picks a
// backend while it is marked down. RapidCheck prints its seed;
// RC_PARAMS="seed=N" reruns exactly that test.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>

#include "impl/balancing/least_connections.h"
#include "impl/balancing/two_choices.h"
#include "tests/balancing/schedule.h"

namespace crosscheck::impl::balancing::testing {
namespace {

std::string fewer_active_elsewhere(BackendId picked, const Record& record) {
  for (BackendId b = 0; b < static_cast<BackendId>(record.up.size()); ++b) {
    if (record.up[static_cast<size_t>(b)] &&
        record.active[static_cast<size_t>(b)] < record.active[static_cast<size_t>(picked)]) {
      return backend_name(picked) + " picked with " +
             std::to_string(record.active[static_cast<size_t>(picked)]) + " active while " +
             backend_name(b) + " has " + std::to_string(record.active[static_cast<size_t>(b)]);
    }
  }
  return "";
}

RC_GTEST_PROP(LeastConnections, AlwaysPicksAnUpBackendWithTheFewestActiveRequests, ()) {
  const int backends = *rc::gen::inRange(1, 9);
  const Play run = play(LeastConnections(backends), backends, *schedules(), fewer_active_elsewhere);
  RC_ASSERT_FALSE(run.violated);
}

RC_GTEST_PROP(PowerOfTwoChoices, PicksOnlyUpBackends, ()) {
  const int backends = *rc::gen::inRange(1, 9);
  const auto seed = *rc::gen::arbitrary<uint64_t>();
  const Play run = play(PowerOfTwoChoices(backends, SplitMix64(seed)), backends, *schedules(),
                        [](BackendId, const Record&) { return std::string(); });
  RC_ASSERT_FALSE(run.violated);
}

// Two choices never takes the strictly busiest backend: the other draw is
// less busy, or as busy.
RC_GTEST_PROP(PowerOfTwoChoices, NeverPicksTheOneStrictlyBusiestBackend, ()) {
  const int backends = *rc::gen::inRange(2, 9);
  const auto seed = *rc::gen::arbitrary<uint64_t>();
  const Play run =
      play(PowerOfTwoChoices(backends, SplitMix64(seed)), backends, *schedules(),
           [](BackendId picked, const Record& record) -> std::string {
             int up = 0;
             for (uint8_t u : record.up) up += u;
             if (up < 2) return "";
             const int64_t mine = record.active[static_cast<size_t>(picked)];
             for (BackendId b = 0; b < static_cast<BackendId>(record.up.size()); ++b) {
               if (b != picked && record.up[static_cast<size_t>(b)] &&
                   record.active[static_cast<size_t>(b)] >= mine) {
                 return "";
               }
             }
             return backend_name(picked) + " picked although every other up backend is less busy";
           });
  RC_ASSERT_FALSE(run.violated);
}

}  // namespace
}  // namespace crosscheck::impl::balancing::testing
