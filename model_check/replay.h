// Re-executes a trace (a saved counterexample, or a behaviour recorded
// elsewhere) against a model: each step must be one of the model's
// successors of the step before, with the same action label and the same
// state, within the model's bounds; then the violation the trace claims
// must hold at its end.
//
// A trace names actions by label and states by their JSON, which is all a
// saved result has. Where two successors share both (a model whose JSON
// leaves something out), the first is taken.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model_check/liveness_property.h"
#include "model_check/memory.h"
#include "model_check/model.h"
#include "model_check/report.h"
#include "model_check/result.h"

namespace crosscheck::mc {

// What a trace says went wrong at its end: a property of the model by name
// and kind ("always", "step" or "deadlock"). An empty name claims nothing:
// the trace is only checked to be a behaviour of the model.
struct ClaimedViolation {
  std::string property;
  std::string kind;
  // A liveness violation ("eventually" or "leads-to") is a lasso: the step
  // its loop goes back to. Replay confirms the goal never holds from the
  // start (or from a state where the premise holds) and the loop closes;
  // it does not re-check that the loop is fair.
  int64_t loop_start = -1;
};

// Limits on a replay, as on a search: the states it re-executes, and the
// memory it may grow to (0: none).
struct ReplayLimits {
  uint64_t max_states = 0;
  uint64_t memory_limit_bytes = 0;
};

struct ReplayResult {
  // The first step that is not a behaviour of the model, and why; -1 when
  // every step is one.
  int illegal_step = -1;
  std::string reason;
  // Every step legal and the claimed violation there at the end (or none
  // claimed); otherwise `reason` says what held instead.
  bool confirmed = false;
  // A confirmed step property's explanation of the last step, when the
  // property explains itself (TransitionProperty::explain).
  std::optional<StepExplanation> why;
  // The steps re-executed (all of them when every step is legal), each
  // with its event when the model describes events.
  std::vector<TraceStep> trace;
  // bound_exhausted or memory_exhausted when a limit stopped the replay
  // after `trace`'s steps, before the end; `reason` says which, in the
  // terms of ReplayLimits. Nothing is confirmed then.
  std::optional<Outcome> stopped;
};

namespace detail {

// "a: 1 -> 2; b: x -> y" for the first few variables that differ.
inline std::string differences(const Json& model_state, const Json& trace_state) {
  constexpr size_t kShown = 4;
  const std::vector<std::string> changes = state_changes(model_state, trace_state);
  std::string out;
  for (size_t i = 0; i < changes.size() && i < kShown; ++i) out += (i ? "; " : "") + changes[i];
  if (changes.size() > kShown) out += "; and " + std::to_string(changes.size() - kShown) + " more";
  return out;
}

template <Model M>
std::string enabled_labels(
    const M& model, const std::vector<Successor<typename M::Action, typename M::State>>& steps) {
  constexpr size_t kShown = 6;
  std::string out;
  for (size_t i = 0; i < steps.size() && i < kShown; ++i)
    out += (i ? ", " : "") + model.action_label(steps[i].action);
  if (steps.size() > kShown) out += ", and " + std::to_string(steps.size() - kShown) + " more";
  return steps.empty() ? "none" : out;
}

// A liveness claim on the replayed states: the lasso closes, and from the
// start (eventually) or from some state where the premise holds (leads
// to), the goal never holds on it.
template <Model M>
void confirm_liveness_claim(const M& model, const ClaimedViolation& claim,
                            const std::vector<typename M::State>& states, ReplayResult& result) {
  if constexpr (HasLiveness<M>) {
    for (const auto& property : model.liveness_properties()) {
      if (property.name != claim.property ||
          claim.kind != (property.premise ? "leads-to" : "eventually"))
        continue;
      const auto last = static_cast<int64_t>(states.size()) - 1;
      if (claim.loop_start < 0 || claim.loop_start > last ||
          model.state_json(states[claim.loop_start]) != model.state_json(states.back())) {
        result.reason = "the lasso does not close: the last state is not the state after step " +
                        std::to_string(claim.loop_start);
        return;
      }
      size_t from = 0;
      if (property.premise) {
        while (from < states.size() && !property.premise(states[from])) ++from;
        if (from == states.size()) {
          result.reason = "the premise of " + claim.property + " holds nowhere on the trace";
          return;
        }
        // The path to the state the lasso starts from may pass through the
        // goal: the earliest premise state with no goal after it, if any.
        for (size_t i = states.size(); i-- > from && !property.goal(states[i]);) {
          if (property.premise(states[i])) from = i;
        }
      }
      for (size_t i = from; i < states.size(); ++i) {
        if (property.goal(states[i])) {
          result.reason = "the goal of " + claim.property + " holds in the state after step " +
                          std::to_string(i);
          return;
        }
      }
      result.confirmed = true;
      return;
    }
  }
  result.reason = "this model has no " + claim.kind + " property named " + claim.property;
}

template <Model M>
void confirm_claim(const M& model, const ClaimedViolation& claim, const typename M::State& before,
                   const typename M::Action* last_action, const typename M::State& last,
                   size_t last_step, ReplayResult& result) {
  const std::string at = "step " + std::to_string(last_step);
  if (claim.property.empty()) {
    result.confirmed = true;
    return;
  }
  if (claim.kind == "always") {
    for (const auto& property : model.properties()) {
      if (property.name != claim.property || property.expectation != Expectation::kAlways) continue;
      result.confirmed = !property.holds(last);
      if (!result.confirmed) result.reason = claim.property + " holds in the state after " + at;
      return;
    }
  } else if (claim.kind == "step") {
    if constexpr (HasTransitionProperties<M>) {
      for (const auto& property : model.transition_properties()) {
        if (property.name != claim.property) continue;
        if (last_action == nullptr) {
          result.reason = "a step property needs a step, and the trace has only its initial state";
          return;
        }
        result.confirmed = !property.holds(before, *last_action, last);
        if (!result.confirmed) result.reason = claim.property + " holds on " + at;
        if (result.confirmed) result.why = explain_step(property, before, *last_action, last);
        return;
      }
    }
  } else if (claim.kind == "deadlock") {
    if constexpr (HasDeadlockCheck<M>) {
      if (model.check_deadlock()) {
        std::vector<Successor<typename M::Action, typename M::State>> successors;
        model.successors(last, successors);
        result.confirmed = successors.empty();
        if (!result.confirmed) {
          result.reason = "the state after " + at +
                          " is no deadlock: " + enabled_labels(model, successors) + " enabled";
        }
        return;
      }
    }
    result.reason = "this model does not check for deadlock";
    return;
  }
  result.reason = "this model has no " + claim.kind + " property named " + claim.property;
}

// The model's initial state the trace starts from, or nullopt with the
// reason in `result`.
template <Model M>
std::optional<typename M::State> initial_state_of(const M& model, const TraceStep& first,
                                                  ReplayResult& result) {
  using State = typename M::State;
  std::vector<State> initial = model.initial_states();
  auto start = std::find_if(initial.begin(), initial.end(),
                            [&](const State& s) { return model.state_json(s) == first.state; });
  if (start != initial.end()) return std::move(*start);
  result.illegal_step = 0;
  result.reason = "not an initial state of the model";
  if (initial.size() == 1) {
    result.reason +=
        " (it differs in " + differences(model.state_json(initial[0]), first.state) + ")";
  }
  return std::nullopt;
}

// Whether step `i` would pass a limit; if so, says so in `result`. Each
// step keeps a state (for a lasso's check) and its JSON; the successors
// are the model's.
template <class State, class Action>
bool passes_limit(size_t i, size_t trace_size, const ReplayLimits& limits, MemoryBudget& budget,
                  ReplayResult& result) {
  if (limits.max_states > 0 && i >= limits.max_states) {
    result.stopped = Outcome::kBoundExhausted;
    result.reason = "the trace has " + std::to_string(trace_size) +
                    " states, more than the state limit " + std::to_string(limits.max_states) +
                    "; the first " + std::to_string(i) + " replayed";
    return true;
  }
  if (!budget.allows(0, 2 * sizeof(State) + 64 * sizeof(Successor<Action, State>) + 4096)) {
    result.stopped = Outcome::kMemoryExhausted;
    result.reason = "going on would pass the memory limit of " +
                    std::to_string(limits.memory_limit_bytes) + " bytes; the first " +
                    std::to_string(i) + " states replayed";
    return true;
  }
  return false;
}

// The successor of `current` that step `i` of the trace is, or nullptr with
// the reason in `result`.
template <Model M>
const Successor<typename M::Action, typename M::State>* match_step(
    const M& model, const std::vector<Successor<typename M::Action, typename M::State>>& successors,
    const TraceStep& step, size_t i, ReplayResult& result) {
  const Successor<typename M::Action, typename M::State>* labelled = nullptr;
  for (const auto& successor : successors) {
    if (model.action_label(successor.action) != step.action) continue;
    if (labelled == nullptr) labelled = &successor;
    if (model.state_json(successor.state) != step.state) continue;
    if (!model.within_bounds(successor.state)) {
      result.reason =
          "'" + step.action + "' leads outside the model's bounds (its state constraint)";
      return nullptr;
    }
    return &successor;
  }
  if (labelled == nullptr) {
    result.reason = "'" + step.action + "' is not enabled after step " + std::to_string(i - 1) +
                    " (enabled: " + enabled_labels(model, successors) + ")";
  } else {
    result.reason = "'" + step.action +
                    "' leads to another state than the trace's (model -> trace: " +
                    differences(model.state_json(labelled->state), step.state) + ")";
  }
  return nullptr;
}

}  // namespace detail

template <Model M>
ReplayResult replay(const M& model, const std::vector<TraceStep>& trace,
                    const ClaimedViolation& claim, const ReplayLimits& limits = {}) {
  using State = typename M::State;
  using Action = typename M::Action;
  ReplayResult result;
  MemoryBudget budget(limits.memory_limit_bytes, /*sample_every=*/64);
  if (trace.empty()) {
    result.illegal_step = 0;
    result.reason = "the trace is empty";
    return result;
  }
  std::optional<State> start = detail::initial_state_of(model, trace[0], result);
  if (!start) return result;
  State current = std::move(*start);
  State previous = current;
  const bool liveness = claim.kind == "eventually" || claim.kind == "leads-to";
  std::vector<State> states;
  if (liveness) states.push_back(current);
  result.trace.push_back({"", trace[0].state});
  if constexpr (HasStepEvents<M>) result.trace.back().event = model.initial_event(current);
  std::vector<Successor<Action, State>> successors;
  std::optional<Action> last_action;
  for (size_t i = 1; i < trace.size(); ++i) {
    if (detail::passes_limit<State, Action>(i, trace.size(), limits, budget, result)) return result;
    successors.clear();
    model.successors(current, successors);
    const Successor<Action, State>* matched =
        detail::match_step(model, successors, trace[i], i, result);
    if (matched == nullptr) {
      result.illegal_step = static_cast<int>(i);
      return result;
    }
    result.trace.push_back({trace[i].action, trace[i].state});
    if constexpr (HasStepEvents<M>) {
      result.trace.back().event = model.step_event(current, matched->action, matched->state);
    }
    last_action = matched->action;
    previous = std::move(current);
    current = matched->state;
    if (liveness) states.push_back(current);
  }
  if (liveness) {
    detail::confirm_liveness_claim(model, claim, states, result);
    return result;
  }
  detail::confirm_claim(model, claim, previous, last_action ? &*last_action : nullptr, current,
                        trace.size() - 1, result);
  return result;
}

}  // namespace crosscheck::mc
