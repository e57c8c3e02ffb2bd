// Runs the two-phase commit implementation along a schedule: a list of
// choices, each picking one of the steps enabled at that point (delivery,
// timeout, local input, drop, duplicate, crash). Property tests generate
// schedules; RapidCheck shrinks a failing one by removing choices.
#pragma once

#include <string>
#include <vector>

#include "spec/twophase/impl_model.h"

namespace crosscheck::spec::twophase::testing {

struct ScheduleRun {
  bool violated = false;
  std::string property;             // the first property broken, if any
  std::vector<std::string> steps;   // the labels of the steps taken
  bool quiescent = false;           // stopped because no step was enabled
};

// Follows the schedule until it ends, no step is enabled, or a property
// breaks; checks every invariant after every step, and every step property.
inline ScheduleRun run_schedule(const ImplModel& model, const std::vector<unsigned>& schedule) {
  ScheduleRun run;
  ImplState state = model.initial_states().front();
  auto invariants = model.properties();
  auto step_properties = model.transition_properties();
  std::vector<mc::Successor<ImplModel::Action, ImplState>> successors;
  for (unsigned choice : schedule) {
    successors.clear();
    model.successors(state, successors);
    std::erase_if(successors, [&](const auto& s) { return !model.within_bounds(s.state); });
    if (successors.empty()) {
      run.quiescent = true;
      break;
    }
    auto& step = successors[choice % successors.size()];
    run.steps.push_back(model.action_label(step.action));
    for (const auto& property : invariants) {
      if (property.expectation == mc::Expectation::kAlways && !property.holds(step.state)) {
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

}  // namespace crosscheck::spec::twophase::testing
