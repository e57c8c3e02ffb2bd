// Renders a check result for people (text) and for machines (JSON).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model_check/json.h"
#include "model_check/result.h"

namespace crosscheck::mc {

// What was checked: echoed in every report so a result can be reproduced.
struct RunDescription {
  std::string protocol;
  std::string model;
  std::string variant;
  Json parameters = Json::object();  // bounds and budgets, by flag name
};

// The JSON result of `crosscheck check`: an interface, so fields are only
// ever added, never renamed.
Json result_json(const RunDescription& run, const CheckResult& result);

// The report for a terminal: a summary and, on violation, a numbered event
// list with the state changes of each step.
std::string result_text(const RunDescription& run, const CheckResult& result);

// One line per variable (leaf of the state object) that differs between
// two states: "path: before -> after".
std::vector<std::string> state_changes(const Json& before, const Json& after);

// The leaves of a state object in order: each variable's path
// ("nodes.s1.term") and its value as JSON.
std::vector<std::pair<std::string, std::string>> state_leaves(const Json& state);

// A step property's explanation for a terminal: `heading` on a line, then
// each line of the explanation indented.
std::string explanation_text(const std::string& heading, const StepExplanation& why);

// 1234567 as "1,234,567".
std::string with_separators(uint64_t n);

// --coverage's counts, as the JSON's "coverage" and as text lines (each
// "<indent>kind: generated, new").
Json coverage_json(const std::vector<ActionCoverage>& coverage);
std::string coverage_lines(const std::vector<ActionCoverage>& coverage, const std::string& indent);

// The process exit status for a result: 0 ok, 1 violation or unreached
// goal, 3 search stopped by a bound or the memory limit before it was
// complete.
int exit_status(Outcome outcome);

}  // namespace crosscheck::mc
