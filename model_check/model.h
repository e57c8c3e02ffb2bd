// What the checker needs of a model, and nothing about any protocol.
//
// A model is a class with a State type, an Action type and these members:
//
//   std::vector<State> initial_states() const;
//   void successors(const State& s, std::vector<Successor<Action, State>>& out) const;
//       Appends every (action, next state) pair enabled in s; `out` arrives
//       empty. A stuttering step (next == s) may be listed; it is counted as
//       generated, like TLC does, and never as new.
//   bool within_bounds(const State& s) const;
//       The state constraint: a successor outside the bounds is generated
//       but neither stored, checked nor explored (TLC's CONSTRAINT).
//   uint64_t fingerprint(const State& s) const;
//   Json state_json(const State& s) const;     // an object, one member a variable
//   std::string action_label(const Action& a) const;
//   std::vector<StateProperty<State>> properties() const;
//
// and optionally
//
//   std::vector<TransitionProperty<State, Action>> transition_properties() const;
//   bool check_deadlock() const;   // a state with no successor is a violation
//   std::vector<std::string> action_kinds() const;
//       Every kind of action the model has (see action_kind in
//       simulation.h), so that a coverage report can name the ones never
//       enabled.
//   State canonical(const State& s) const;
//       The representative of s's orbit under the model's symmetries (for
//       instance, the permutations of interchangeable node ids). With
//       symmetry reduction on, states are identified by the fingerprint of
//       their representative; every property must be symmetric.
//   std::vector<std::string> lifelines() const;
//   StepEvent initial_event(const State& s) const;
//   StepEvent step_event(const State& from, const Action& action, const State& to) const;
//       For a model of nodes that exchange messages: the nodes, and what
//       each step did among them (result.h), so that a trace can be drawn
//       as a message-sequence chart. Node names are those of the events.
//   std::optional<StepFootprint> footprint(const Action& a) const;
//   void successors(const State& s, std::vector<Successor<Action, State>>& out,
//                   StepFilter filter) const;
//       For partial-order reduction (sleep_sets.h): a step's footprint
//       (below), or nothing for a step that may not commute with any other;
//       and successors() with only the steps the filter keeps.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model_check/json.h"
#include "model_check/result.h"

namespace crosscheck::mc {

enum class Expectation {
  kAlways,     // an invariant: holds in every reachable state
  kSometimes,  // a reachability goal: holds in some reachable state
};

template <class State>
struct StateProperty {
  std::string name;
  Expectation expectation;
  std::function<bool(const State&)> holds;
};

template <class State>
StateProperty<State> always(std::string name, std::function<bool(const State&)> holds) {
  return {std::move(name), Expectation::kAlways, std::move(holds)};
}

template <class State>
StateProperty<State> sometimes(std::string name, std::function<bool(const State&)> holds) {
  return {std::move(name), Expectation::kSometimes, std::move(holds)};
}

// An invariant of steps rather than states (an action property, such as
// "every step maps to a step of the abstract spec or stutters"). Checked on
// every generated step between states within the bounds.
template <class State, class Action>
struct TransitionProperty {
  std::string name;
  std::function<bool(const State& from, const Action& action, const State& to)> holds;
  // True for a property of TLA+'s form [A]_v, such as "every step maps to
  // a step of the abstract spec or stutters": every step that leaves the
  // state as it was satisfies it, so a search may skip calling it there.
  bool stutters_hold = false;
  // Optional: why a step that breaks the property breaks it, in the
  // model's terms (CheckResult::why). Called only on a step `holds`
  // refused, when a search reports it, so it may search as hard as it
  // likes.
  std::function<StepExplanation(const State& from, const Action& action, const State& to)>
      explain{};
};

// Why `property` fails on the step from `from` by `action` to `to`, or
// nothing when the property does not say.
template <class State, class Action>
std::optional<StepExplanation> explain_step(const TransitionProperty<State, Action>& property,
                                            const State& from, const Action& action,
                                            const State& to) {
  if (!property.explain) return std::nullopt;
  return property.explain(from, action, to);
}

template <class Action, class State>
struct Successor {
  Action action;
  State state;
};

template <class M>
concept Model = requires(const M& model, const typename M::State& state,
                         const typename M::Action& action,
                         std::vector<Successor<typename M::Action, typename M::State>>& out) {
  { model.initial_states() } -> std::same_as<std::vector<typename M::State>>;
  model.successors(state, out);
  { model.within_bounds(state) } -> std::convertible_to<bool>;
  { model.fingerprint(state) } -> std::same_as<uint64_t>;
  { model.state_json(state) } -> std::same_as<Json>;
  { model.action_label(action) } -> std::convertible_to<std::string>;
  { model.properties() } -> std::same_as<std::vector<StateProperty<typename M::State>>>;
};

template <class M>
concept HasTransitionProperties = requires(const M& model) {
  {
    model.transition_properties()
    } -> std::same_as<std::vector<TransitionProperty<typename M::State, typename M::Action>>>;
};

template <class M>
concept HasDeadlockCheck = requires(const M& model) {
  { model.check_deadlock() } -> std::convertible_to<bool>;
};

template <class M>
concept HasActionKinds = requires(const M& model) {
  { model.action_kinds() } -> std::same_as<std::vector<std::string>>;
};

template <class M>
concept HasSymmetry = requires(const M& model, const typename M::State& state) {
  { model.canonical(state) } -> std::same_as<typename M::State>;
};

// What a step reads and writes, and what makes it the same step in every
// state where it is enabled (one message delivered on one link, one node's
// timer). Two steps whose `touches` are disjoint commute: where both are
// enabled, each stays enabled after the other and both orders reach the
// same state.
struct StepFootprint {
  uint64_t id;
  // The model's to define; the actor harness: bit n < 32, node n; bits 32
  // and up, a fault budget the step spends.
  uint64_t touches;

  bool commutes_with(const StepFootprint& other) const { return (touches & other.touches) == 0; }
};

// Which steps successors() generates: those whose footprint ids are not in
// `ids` (sorted), or, with `only`, just those whose ids are.
struct StepFilter {
  std::span<const uint64_t> ids;
  bool only = false;

  bool keeps(const std::optional<StepFootprint>& step) const {
    if (!step) return !only;
    return std::binary_search(ids.begin(), ids.end(), step->id) == only;
  }
};

template <class M>
concept HasCommutingSteps = requires(
    const M& model, const typename M::State& state, const typename M::Action& action,
    std::vector<Successor<typename M::Action, typename M::State>>& out, StepFilter filter) {
  { model.footprint(action) } -> std::same_as<std::optional<StepFootprint>>;
  model.successors(state, out, filter);
};

template <class M>
concept HasStepEvents = requires(const M& model, const typename M::State& state,
                                 const typename M::Action& action) {
  { model.lifelines() } -> std::same_as<std::vector<std::string>>;
  { model.initial_event(state) } -> std::same_as<StepEvent>;
  { model.step_event(state, action, state) } -> std::same_as<StepEvent>;
};

}  // namespace crosscheck::mc
