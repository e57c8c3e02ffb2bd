// Runs a model along a schedule: a list of choices, each picking one of the
// steps enabled at that point (for an actor model: a delivery, a timeout,
// a local input, a drop, a duplicate, a crash). Property tests generate
// schedules; RapidCheck shrinks a failing one by removing choices.
#pragma once

#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "model_check/model.h"

namespace crosscheck::testing {

struct ScheduleRun {
  bool violated = false;
  std::string property;            // the first property broken, if any
  std::vector<std::string> steps;  // the labels of the steps taken
  bool quiescent = false;          // stopped because no step was enabled
};

// Which properties a run checks, by name.
using PropertyFilter = std::function<bool(const std::string& name)>;
inline bool every_property(const std::string&) { return true; }

// Follows the schedule until it ends, no step is enabled, or a property
// breaks; checks every `always` property after every step, and every step
// property on every step. `pick(steps, choice)` says which of the enabled
// steps a choice takes, or nullopt to skip the choice.
template <class Model, class Choice, class Pick>
ScheduleRun run_schedule(const Model& model, const std::vector<Choice>& schedule, Pick pick,
                         const PropertyFilter& checked = every_property) {
  using State = typename Model::State;
  ScheduleRun run;
  State state = model.initial_states().front();
  auto invariants = model.properties();
  auto step_properties = model.transition_properties();
  std::erase_if(invariants, [&](const auto& p) {
    return p.expectation != mc::Expectation::kAlways || !checked(p.name);
  });
  std::erase_if(step_properties, [&](const auto& p) { return !checked(p.name); });
  std::vector<mc::Successor<typename Model::Action, State>> successors;
  bool moved = true;  // since the successors were last computed
  for (const Choice& choice : schedule) {
    if (moved) {
      successors.clear();
      model.successors(state, successors);
      std::erase_if(successors, [&](const auto& s) { return !model.within_bounds(s.state); });
      moved = false;
    }
    if (successors.empty()) {
      run.quiescent = true;
      break;
    }
    const std::optional<size_t> picked = pick(successors, choice);
    if (!picked) continue;
    moved = true;
    auto& step = successors[*picked];
    run.steps.push_back(model.action_label(step.action));
    for (const auto& property : invariants) {
      if (!property.holds(step.state)) {
        run.violated = true;
        run.property = property.name;
        return run;
      }
    }
    for (const auto& property : step_properties) {
      if (!property.holds(state, step.action, step.state)) {
        run.violated = true;
        run.property = property.name;
        return run;
      }
    }
    state = std::move(step.state);
  }
  return run;
}

// The steps taken, numbered from 1, one a line.
inline std::string describe(const ScheduleRun& run) {
  std::ostringstream out;
  for (size_t i = 0; i < run.steps.size(); ++i)
    out << "  " << i + 1 << ". " << run.steps[i] << "\n";
  return out.str();
}

// Each choice an index into the enabled steps, modulo their number.
template <class Model>
ScheduleRun run_schedule(const Model& model, const std::vector<unsigned>& schedule) {
  return run_schedule(model, schedule, [](const auto& steps, unsigned choice) {
    return std::optional<size_t>(choice % steps.size());
  });
}

}  // namespace crosscheck::testing
