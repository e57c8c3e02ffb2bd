// A model's properties as every search mode checks them: invariants,
// goals, step properties and deadlock, with the names a result lists.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "model_check/memory.h"
#include "model_check/model.h"
#include "model_check/result.h"

namespace crosscheck::mc {

template <Model M>
class PropertySet {
 public:
  using State = typename M::State;
  using Action = typename M::Action;
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

  explicit PropertySet(const M& model) : properties_(model.properties()) {
    if constexpr (HasTransitionProperties<M>) steps_ = model.transition_properties();
    if constexpr (HasDeadlockCheck<M>) check_deadlock_ = model.check_deadlock();
    for (size_t i = 0; i < properties_.size(); ++i) {
      (properties_[i].expectation == Expectation::kAlways ? invariants_ : goals_).push_back(i);
    }
    if (goals_.size() > 64)
      throw std::invalid_argument("a model may have at most 64 sometimes goals");
  }

  // Lists the properties in a result: invariants and step properties
  // checked, and every goal as not yet reached.
  void describe(CheckResult& result) const {
    for (size_t i : invariants_) result.invariants.push_back(properties_[i].name);
    for (size_t i : goals_) result.goals.push_back({properties_[i].name, false, 0});
    for (const auto& property : steps_) result.invariants.push_back(property.name);
  }

  // The index (into properties()) of the first invariant `state` breaks, or kNone.
  uint32_t first_violated_invariant(const State& state) const {
    for (size_t i : invariants_) {
      if (!properties_[i].holds(state)) return static_cast<uint32_t>(i);
    }
    return kNone;
  }

  // The index (into steps()) of the first step property the step breaks, or kNone.
  uint32_t first_violated_step(const State& from, const Action& action, const State& to) const {
    for (size_t i = 0; i < steps_.size(); ++i) {
      if (!steps_[i].holds(from, action, to)) return static_cast<uint32_t>(i);
    }
    return kNone;
  }

  // Bit g set: goal g holds in `state`; goals in `skip` are not evaluated.
  uint64_t goals_of(const State& state, uint64_t skip = 0) const {
    uint64_t holds = 0;
    for (size_t g = 0; g < goals_.size(); ++g) {
      if (!(skip >> g & 1) && properties_[goals_[g]].holds(state)) holds |= uint64_t{1} << g;
    }
    return holds;
  }

  const std::vector<StateProperty<State>>& properties() const { return properties_; }
  const std::vector<TransitionProperty<State, Action>>& steps() const { return steps_; }
  size_t goal_count() const { return goals_.size(); }
  bool check_deadlock() const { return check_deadlock_; }

 private:
  std::vector<StateProperty<State>> properties_;
  std::vector<size_t> invariants_;
  std::vector<size_t> goals_;
  std::vector<TransitionProperty<State, Action>> steps_;
  bool check_deadlock_ = false;
};

// The outcome of an exhaustive search that found no violation: a depth
// bound that cut a behaviour makes it incomplete; a goal never reached
// makes it suspect.
inline void settle_exhaustive_outcome(CheckResult& result, bool depth_bound_hit) {
  if (result.outcome != Outcome::kOk) return;
  if (depth_bound_hit) {
    result.outcome = Outcome::kBoundExhausted;
    return;
  }
  for (const auto& goal : result.goals) {
    if (!goal.reached) result.outcome = Outcome::kGoalUnreached;
  }
}

// The statistics and outcome of an exhaustive search that ends now: its
// time since `start`, what is left to explore, the visited set's size.
inline void finish_exhaustive(CheckResult& result, std::chrono::steady_clock::time_point start,
                              uint64_t queue, uint64_t visited_bytes, bool depth_bound_hit) {
  SearchStats& stats = result.stats;
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stats.states_per_second =
      stats.seconds > 0 ? static_cast<double>(stats.distinct_states) / stats.seconds : 0;
  stats.queue = queue;
  stats.peak_memory_bytes = peak_memory_bytes();
  stats.visited_bytes = visited_bytes;
  stats.bytes_per_state = stats.distinct_states > 0 ? static_cast<double>(stats.visited_bytes) /
                                                          static_cast<double>(stats.distinct_states)
                                                    : 0;
  settle_exhaustive_outcome(result, depth_bound_hit);
  name_stopped_phase(result, "safety");
}

}  // namespace crosscheck::mc
