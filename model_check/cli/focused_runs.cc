#include "model_check/cli/focused_runs.h"

#include <cstdio>

#include "model_check/report.h"

namespace crosscheck::cli {

std::vector<const FocusedRun*> focused_runs_of(const ProtocolCli& protocol,
                                               const ParsedCheck& parsed) {
  std::vector<const FocusedRun*> runs;
  if (parsed.focus == "none") return runs;
  for (const FocusedRun& run : protocol.focused_runs) {
    if (parsed.focus == "all" || parsed.focus == run.name) runs.push_back(&run);
  }
  if (parsed.focus == "all" &&
      (parsed.configured || parsed.request.model != protocol.models.front().name)) {
    runs.clear();
  }
  return runs;
}

CheckRequest focused_request(const CheckRequest& base, const FocusedRun& run) {
  CheckRequest request = base;
  for (const auto& [flag, value] : run.values) request.values.at(flag) = value;
  request.search.symmetry = request.search.symmetry || run.symmetry;
  request.search.max_depth = run.max_depth;
  return request;
}

bool focused_run_passed(const FocusedRun& run, const CheckRequest& request,
                        const mc::CheckResult& result) {
  if (result.outcome == mc::Outcome::kOk) return true;
  const uint64_t max_states = request.search.max_states;
  return result.outcome == mc::Outcome::kBoundExhausted && run.max_depth > 0 &&
         result.stats.depth == run.max_depth &&
         (max_states == 0 || result.stats.distinct_states < max_states);
}

namespace {

// e.g. "--max-ballot 2 --max-crashes 0 --symmetry --max-depth 18"
std::string flags_of(const FocusedRun& run) {
  std::string flags;
  for (const auto& [flag, value] : run.values) {
    flags += (flags.empty() ? "--" : " --") + flag + " " + std::to_string(value);
  }
  if (run.symmetry) flags += " --symmetry";
  if (run.max_depth > 0) flags += " --max-depth " + std::to_string(run.max_depth);
  return flags;
}

std::string verdict_of(const FocusedRunRecord& record) {
  const bool passed = focused_run_passed(*record.run, record.request, record.result);
  if (passed && record.run->max_depth > 0) {
    return "ok to depth " + std::to_string(record.run->max_depth);
  }
  if (passed) return "ok";
  std::string verdict = mc::outcome_name(record.result.outcome);
  if (!record.result.property.empty()) verdict += " of " + record.result.property;
  return verdict;
}

}  // namespace

mc::Json focused_runs_json(const ProtocolCli& protocol,
                           const std::vector<FocusedRunRecord>& records) {
  mc::Json runs = mc::Json::array();
  for (const FocusedRunRecord& record : records) {
    mc::Json run = mc::Json::object();
    run.set("name", record.run->name);
    run.set("exercises", record.run->exercises);
    run.set("parameters", describe(protocol, record.request).parameters);
    run.set("result", mc::outcome_name(record.result.outcome));
    run.set("passed", focused_run_passed(*record.run, record.request, record.result));
    run.set("distinct_states", record.result.stats.distinct_states);
    run.set("depth", record.result.stats.depth);
    run.set("seconds", record.result.stats.seconds);
    if (!record.result.property.empty()) run.set("property", record.result.property);
    if (!record.result.coverage.empty())
      run.set("coverage", mc::coverage_json(record.result.coverage));
    runs.push(std::move(run));
  }
  return runs;
}

std::string focused_runs_text(const std::vector<FocusedRunRecord>& records) {
  std::string out = "\nFocused runs (after the default run; --focus none skips them)\n";
  for (const FocusedRunRecord& record : records) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f s", record.result.stats.seconds);
    out += "  " + record.run->name + ": " + flags_of(*record.run) + "\n";
    out += "    exercises: " + record.run->exercises + "\n";
    out += "    " + verdict_of(record) + ": " +
           mc::with_separators(record.result.stats.distinct_states) + " states, depth " +
           std::to_string(record.result.stats.depth) + ", " + seconds + "\n";
    if (!record.result.coverage.empty()) {
      out += "    coverage (steps generated, new states found):\n";
      out += mc::coverage_lines(record.result.coverage, "      ");
    }
  }
  return out;
}

}  // namespace crosscheck::cli
