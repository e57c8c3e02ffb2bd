// Breadth-first search, one of the checker's strategies: every state
// reachable within the bounds, level by level, on any number of threads
// with the same result; a violation comes with a shortest trace. The
// search itself is in breadth_first_search.h.
#pragma once

#include <concepts>
#include <functional>
#include <utility>

#include "model_check/breadth_first_checkpoint.h"
#include "model_check/breadth_first_level.h"
#include "model_check/breadth_first_options.h"
#include "model_check/breadth_first_search.h"
#include "model_check/model.h"
#include "model_check/option_error.h"
#include "model_check/result.h"
#include "model_check/visited_set.h"

namespace crosscheck::mc {

// Explores breadth first, calling `on_new_state` (when given) once for
// every distinct state stored, in the order a sequential search stores
// them, before its properties are checked. Throws OptionError for options
// this model cannot take, CheckpointError for a checkpoint that cannot be
// written or resumed.
template <Model M>
CheckResult breadth_first(const M& model, const BreadthFirstOptions& options,
                          std::function<void(const typename M::State&)> on_new_state = nullptr) {
  using State = typename M::State;
  if (options.exact) {
    if constexpr (std::equality_comparable<State>) {
      return detail::BreadthFirstSearch<M, ExactVisitedSet<State>>(model, options,
                                                                   std::move(on_new_state))
          .run();
    } else {
      throw OptionError(OptionError::Kind::kExactNeedsEquality);
    }
  }
  return detail::BreadthFirstSearch<M, VisitedSet>(model, options, std::move(on_new_state)).run();
}

}  // namespace crosscheck::mc
