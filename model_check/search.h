// The checker's front door: check(model, SearchOptions) runs the search
// strategy SearchOptions::mode names -- breadth first (breadth_first.h),
// depth first (depth_first.h) or simulation (simulation.h) -- with its
// own typed options, converted here from the one bag of SearchOptions,
// and with liveness, the liveness check (liveness.h) after a breadth-first
// search. An option the chosen strategy does not take, or this model
// cannot, is refused with an OptionError (option_error.h). Each strategy
// can also be called directly with its own options.
#pragma once

#include <functional>
#include <utility>

#include "model_check/breadth_first.h"
#include "model_check/breadth_first_options.h"
#include "model_check/depth_first.h"
#include "model_check/liveness.h"
#include "model_check/model.h"
#include "model_check/option_error.h"
#include "model_check/result.h"
#include "model_check/search_options.h"
#include "model_check/simulation.h"
#include "model_check/sleep_sets.h"

namespace crosscheck::mc {

namespace detail {

// Refuses what only the breadth-first search takes, for another strategy.
inline void refuse_breadth_first_only(const SearchOptions& options) {
  if (options.coverage) throw OptionError(OptionError::Kind::kCoverageNeedsBreadthFirst);
  if (options.liveness) throw OptionError(OptionError::Kind::kLivenessNeedsBreadthFirst);
}

inline void refuse_checkpoint(const SearchOptions& options) {
  if (!options.checkpoint_path.empty() || !options.resume_path.empty()) {
    throw OptionError(OptionError::Kind::kCheckpointNeedsBreadthFirst);
  }
}

}  // namespace detail

// SearchOptions as each strategy takes them. Options of the simulation
// are ignored by the exhaustive searches, which cannot tell them from
// their defaults; the others are refused where they do not apply.
inline BreadthFirstOptions breadth_first_options(const SearchOptions& options) {
  BreadthFirstOptions breadth_first;
  static_cast<CommonOptions&>(breadth_first) = options;
  breadth_first.max_depth = options.max_depth;
  breadth_first.symmetry = options.symmetry;
  breadth_first.exact = options.exact;
  breadth_first.coverage = options.coverage;
  breadth_first.states_per_thread_batch = options.states_per_thread_batch;
  breadth_first.checkpoint = {options.checkpoint_path, options.checkpoint_seconds,
                              options.resume_path, options.configuration};
  return breadth_first;
}

inline DepthFirstOptions depth_first_options(const SearchOptions& options) {
  detail::refuse_breadth_first_only(options);
  if (options.exact) throw OptionError(OptionError::Kind::kExactNeedsBreadthFirst);
  detail::refuse_checkpoint(options);
  DepthFirstOptions depth_first;
  static_cast<CommonOptions&>(depth_first) = options;
  depth_first.max_depth = options.max_depth;
  depth_first.symmetry = options.symmetry;
  return depth_first;
}

inline SimulationOptions simulation_options(const SearchOptions& options) {
  detail::refuse_breadth_first_only(options);
  if (options.exact || options.symmetry || options.max_depth > 0) {
    throw OptionError(OptionError::Kind::kSimulationIgnoresExhaustiveOptions);
  }
  detail::refuse_checkpoint(options);
  SimulationOptions simulation;
  static_cast<CommonOptions&>(simulation) = options;
  simulation.seed = options.seed;
  simulation.walks = options.walks;
  simulation.walk_depth = options.walk_depth;
  simulation.swarm = options.swarm;
  simulation.shard_index = options.shard_index;
  simulation.shard_count = options.shard_count;
  simulation.shrink = options.shrink;
  simulation.keep_first_walk = options.keep_first_walk;
  return simulation;
}

namespace detail {

template <Model M>
CheckResult check_with_sleep_sets(const M& model, const SearchOptions& options) {
  if (options.mode != SearchMode::kBreadthFirst || options.symmetry || options.exact ||
      options.coverage || options.liveness || !options.checkpoint_path.empty() ||
      !options.resume_path.empty()) {
    throw OptionError(OptionError::Kind::kPartialOrderAlone);
  }
  if constexpr (HasCommutingSteps<M>) {
    SleepSetOptions sleep;
    static_cast<CommonOptions&>(sleep) = options;
    sleep.max_depth = options.max_depth;
    return sleep_set_search(model, sleep);
  } else {
    throw OptionError(OptionError::Kind::kNoPartialOrder);
  }
}

// The breadth-first search, then the liveness properties if it found no
// violation; a liveness violation is the result, with the safety run's
// property lists.
template <Model M>
CheckResult check_with_liveness(const M& model, const SearchOptions& options,
                                std::function<void(const typename M::State&)> on_new_state) {
  if constexpr (HasLiveness<M>) {
    CheckResult result =
        breadth_first(model, breadth_first_options(options), std::move(on_new_state));
    if (result.outcome == Outcome::kViolation) return result;
    if (stopped_early(result.outcome)) {
      for (const auto& property : model.liveness_properties()) {
        result.unchecked.push_back(property.name);
      }
      return result;
    }
    CheckResult live = check_liveness(model, options);
    result.liveness = live.liveness;
    result.fairness = live.fairness;
    result.liveness_graph = live.liveness_graph;
    if (live.outcome == Outcome::kOk) return result;
    if (live.outcome != Outcome::kViolation) {
      // The safety search was complete; its counts stand, and the
      // liveness graph's show how far that phase got.
      result.outcome = live.outcome;
      result.stopped_phase = live.stopped_phase;
      result.unchecked = live.unchecked;
      return result;
    }
    live.invariants = result.invariants;
    live.goals = result.goals;
    return live;
  } else {
    throw OptionError(OptionError::Kind::kNoLivenessProperties);
  }
}

}  // namespace detail

// Explores the model as `options` says: by default, every state reachable
// within its bounds, breadth first. Calls `on_new_state` (when given, and
// only in a breadth-first search) once for every distinct state stored,
// in the order a sequential search stores them, before its properties are
// checked. Throws OptionError for options the chosen strategy or this
// model cannot take, CheckpointError for a checkpoint that cannot be
// written or resumed.
template <Model M>
CheckResult check(const M& model, const SearchOptions& options,
                  std::function<void(const typename M::State&)> on_new_state) {
  if (options.partial_order) return detail::check_with_sleep_sets(model, options);
  switch (options.mode) {
    case SearchMode::kDepthFirst: return depth_first(model, depth_first_options(options));
    case SearchMode::kSimulate: return simulate(model, simulation_options(options));
    case SearchMode::kBreadthFirst: break;
  }
  if (options.liveness) return detail::check_with_liveness(model, options, std::move(on_new_state));
  return breadth_first(model, breadth_first_options(options), std::move(on_new_state));
}

template <Model M>
CheckResult check(const M& model, const SearchOptions& options = {}) {
  return check(model, options, nullptr);
}

}  // namespace crosscheck::mc
