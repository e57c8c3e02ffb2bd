#include "model_check/report.h"

#include <cstdio>
#include <map>

namespace crosscheck::mc {

namespace {

void flatten(const Json& value, const std::string& path,
             std::vector<std::pair<std::string, std::string>>& out) {
  if (value.is_object()) {
    for (const auto& [name, member] : value.as_object()) {
      flatten(member, path.empty() ? name : path + "." + name, out);
    }
    return;
  }
  out.emplace_back(path, value.dump());
}

Json event_json(const StepEvent& event) {
  Json json = Json::object();
  json.set("kind", event.kind);
  if (!event.node.empty()) json.set("node", event.node);
  if (!event.from.empty()) json.set("from", event.from);
  if (!event.text.empty()) json.set("text", event.text);
  Json sent = Json::array();
  for (const auto& message : event.sent) {
    Json entry = Json::object();
    entry.set("from", message.from);
    entry.set("to", message.to);
    entry.set("text", message.text);
    sent.push(std::move(entry));
  }
  json.set("sent", std::move(sent));
  return json;
}

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

}  // namespace

std::string property_lists(const CheckResult& result);

std::string with_separators(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::vector<std::string> state_changes(const Json& before, const Json& after) {
  std::vector<std::pair<std::string, std::string>> old_leaves;
  std::vector<std::pair<std::string, std::string>> new_leaves;
  flatten(before, "", old_leaves);
  flatten(after, "", new_leaves);
  std::map<std::string, std::string> old_by_path(old_leaves.begin(), old_leaves.end());
  std::vector<std::string> changes;
  for (const auto& [path, value] : new_leaves) {
    auto old = old_by_path.find(path);
    if (old == old_by_path.end()) {
      changes.push_back(path + ": (absent) -> " + value);
    } else if (old->second != value) {
      changes.push_back(path + ": " + old->second + " -> " + value);
    }
    if (old != old_by_path.end()) old_by_path.erase(old);
  }
  for (const auto& [path, value] : old_leaves) {
    if (old_by_path.count(path)) changes.push_back(path + ": " + value + " -> (absent)");
  }
  return changes;
}

std::vector<std::pair<std::string, std::string>> state_leaves(const Json& state) {
  std::vector<std::pair<std::string, std::string>> leaves;
  flatten(state, "", leaves);
  return leaves;
}

namespace {

Json names_json(const std::vector<std::string>& names) {
  Json json = Json::array();
  for (const auto& name : names) json.push(name);
  return json;
}

// What ran and how far it got: the fields every result begins with.
void set_run_fields(const RunDescription& run, const CheckResult& result, Json& json) {
  const SearchStats& stats = result.stats;
  json.set("protocol", run.protocol);
  json.set("model", run.model);
  json.set("variant", run.variant);
  json.set("parameters", run.parameters);
  json.set("result", outcome_name(result.outcome));
  json.set("distinct_states", stats.distinct_states);
  json.set("total_states", stats.total_states);
  json.set("depth", stats.depth);
  json.set("queue", stats.queue);
  json.set("seconds", stats.seconds);
  json.set("states_per_second", stats.states_per_second);
  json.set("peak_memory_bytes", stats.peak_memory_bytes);
  json.set("visited_bytes", stats.visited_bytes);
  json.set("bytes_per_state", stats.bytes_per_state);
  json.set("exact", stats.exact);
  json.set("fingerprint_collision_probability", stats.fingerprint_collision_probability);
}

void set_search_fields(const SearchRun& search, Json& json) {
  json.set("search", search.mode);
  if (search.sleep_sets) {
    json.set("partial_order", "sleep sets");
    json.set("pruned_steps", search.pruned_steps);
    json.set("explored_again", search.explored_again);
  }
  if (search.mode != "simulate") return;
  // A string: a 64-bit seed does not survive a JSON reader's doubles.
  json.set("seed", std::to_string(search.seed));
  json.set("walks", search.walks);
  json.set("steps", search.steps);
  if (search.swarm > 0) json.set("swarm", search.swarm);
  if (search.shard_count > 1) {
    json.set("shard_index", search.shard_index);
    json.set("shard_count", search.shard_count);
  }
  if (search.violating_walk >= 0) {
    json.set("violating_walk", search.violating_walk);
    json.set("unshrunk_steps", search.unshrunk_steps);
  }
}

// The properties checked, the goals, coverage and what a stop left unchecked.
void set_property_fields(const CheckResult& result, Json& json) {
  json.set("invariants", names_json(result.invariants));
  if (!result.liveness.empty()) {
    json.set("liveness", names_json(result.liveness));
    json.set("fairness", result.fairness);
  }
  Json goals = Json::array();
  for (const auto& goal : result.goals) {
    Json entry = Json::object();
    entry.set("name", goal.name);
    entry.set("reached", goal.reached);
    if (goal.reached) entry.set("depth", goal.depth);
    goals.push(std::move(entry));
  }
  json.set("goals", std::move(goals));
  if (!result.coverage.empty()) json.set("coverage", coverage_json(result.coverage));
  if (!result.stopped_phase.empty()) json.set("stopped_in", result.stopped_phase);
  if (!result.unchecked.empty()) json.set("unchecked", names_json(result.unchecked));
  if (result.liveness_graph) {
    Json graph = Json::object();
    graph.set("states", result.liveness_graph->states);
    graph.set("steps", result.liveness_graph->steps);
    graph.set("bytes", result.liveness_graph->bytes);
    graph.set("seconds", result.liveness_graph->seconds);
    json.set("liveness_graph", std::move(graph));
  }
}

void set_violation_fields(const CheckResult& result, Json& json) {
  json.set("property", result.property);
  json.set("property_kind", result.property_kind);
  Json trace = Json::array();
  for (size_t i = 0; i < result.trace.size(); ++i) {
    const TraceStep& step = result.trace[i];
    Json entry = Json::object();
    entry.set("step", static_cast<int64_t>(i));
    entry.set("action", step.action.empty() ? Json("Initial") : Json(step.action));
    entry.set("state", step.state);
    if (step.event) entry.set("event", event_json(*step.event));
    trace.push(std::move(entry));
  }
  json.set("trace", std::move(trace));
  if (result.loop_start >= 0) json.set("loop_start", result.loop_start);
  if (!result.lifelines.empty()) json.set("lifelines", names_json(result.lifelines));
  if (result.why) {
    json.set("why", result.why->text);
    json.set("why_details", result.why->details);
  }
}

}  // namespace

Json result_json(const RunDescription& run, const CheckResult& result) {
  Json json = Json::object();
  set_run_fields(run, result, json);
  set_search_fields(result.search, json);
  set_property_fields(result, json);
  if (result.outcome == Outcome::kViolation) set_violation_fields(result, json);
  return json;
}

namespace {

std::string mebibytes(uint64_t bytes) {
  return format("%.1f MiB", static_cast<double>(bytes) / (1 << 20));
}

// The trace, each state after the first as its changes.
std::string trace_text(const CheckResult& result) {
  std::string out;
  for (size_t i = 0; i < result.trace.size(); ++i) {
    const TraceStep& step = result.trace[i];
    if (i == 0) {
      out += "  0. Initial state\n";
      std::vector<std::pair<std::string, std::string>> leaves;
      flatten(step.state, "", leaves);
      for (const auto& [path, value] : leaves) out += "       " + path + " = " + value + "\n";
      continue;
    }
    out += "  " + std::to_string(i) + ". " + step.action + "\n";
    auto changes = state_changes(result.trace[i - 1].state, step.state);
    if (changes.empty()) out += "       (no change)\n";
    for (const auto& change : changes) out += "       " + change + "\n";
  }
  if (result.loop_start >= 0 && static_cast<size_t>(result.loop_start) + 1 == result.trace.size()) {
    out += "  then stutters forever: no weakly fair action is enabled in the last state.\n";
  } else if (result.loop_start >= 0) {
    out += "  then back to the state after step " + std::to_string(result.loop_start) +
           ", and round that loop forever.\n";
  }
  return out + "\n";
}

std::string violation_text(const CheckResult& result) {
  const SearchRun& search = result.search;
  std::string out = "Result: violation of " + result.property + " (" + result.property_kind + "), ";
  const std::string steps = std::to_string(result.trace.size() - 1);
  if (search.mode == "simulate") {
    out += "found by walk " + std::to_string(search.violating_walk) + " of seed " +
           std::to_string(search.seed) + " (" + std::to_string(search.unshrunk_steps) +
           " steps), shrunk to " + steps + " steps:\n\n";
  } else if (result.loop_start >= 0) {
    out += "a fair behaviour that never gets there: " + steps + " steps, then a loop:\n\n";
  } else {
    // Only the plain breadth-first search promises the shortest.
    const bool shortest = search.mode == "bfs" && !search.sleep_sets;
    out += std::string(shortest ? "shortest trace " : "trace ") + steps + " steps:\n\n";
  }
  out += trace_text(result);
  if (result.why) {
    out += explanation_text("Why step " + steps + " breaks " + result.property + ":", *result.why) +
           "\n";
  }
  return out;
}

std::string outcome_text(const CheckResult& result) {
  const SearchRun& search = result.search;
  const bool simulated = search.mode == "simulate";
  switch (result.outcome) {
    case Outcome::kOk:
      if (simulated) {
        return "Result: ok. No property violated on " + with_separators(search.walks) +
               " random walks (seed " + std::to_string(search.seed) +
               "); states off those walks were not explored.\n";
      }
      return "Result: ok. No property violated in any reachable state within the bounds.\n";
    case Outcome::kViolation: return violation_text(result);
    case Outcome::kGoalUnreached:
      return "Result: goal unreached. Every reachable state was explored and a `sometimes` goal "
             "never held:\n"
             "the bounds may hide the behaviour the invariants are meant to judge.\n";
    case Outcome::kBoundExhausted:
      if (simulated) {
        return "Result: bound exhausted. --max-states stopped the walks after " +
               with_separators(search.walks) + " of them; nothing was violated on those.\n";
      }
      return "Result: bound exhausted. The search limit stopped the run before every reachable "
             "state was\n"
             "explored; nothing was violated in the states explored.\n";
    case Outcome::kMemoryExhausted:
      return "Result: memory exhausted. Going on would have passed the memory limit, so the run "
             "stopped\n"
             "before every reachable state was explored; nothing was violated in the states "
             "explored.\n";
    case Outcome::kInterrupted:
      return "Result: interrupted. The run was asked to stop (SIGINT or SIGTERM) before every "
             "reachable state\n"
             "was explored; nothing was violated in the states explored.\n";
  }
  return "";
}

std::string stopped_text(const CheckResult& result) {
  if (result.stopped_phase == "shrinking") {
    return "Shrinking stopped at a limit (--max-states or --memory-limit): a shorter trace may "
           "exist.\n";
  }
  if (result.stopped_phase.empty()) return "";
  std::string out = "Stopped in the " + result.stopped_phase + " phase.";
  if (!result.unchecked.empty()) {
    out += " Not checked:";
    for (size_t i = 0; i < result.unchecked.size(); ++i) {
      out += (i ? ", " : " ") + result.unchecked[i];
    }
    out += ".";
  }
  return out + "\n";
}

std::string simulation_statistics(const CheckResult& result) {
  const SearchRun& search = result.search;
  const SearchStats& stats = result.stats;
  std::string out;
  out += "  seed              " + std::to_string(search.seed) + "\n";
  out += "  walks             " + with_separators(search.walks) + "\n";
  out += "  steps             " + with_separators(search.steps) + "\n";
  if (search.shard_count > 1) {
    out += "  shard             " + std::to_string(search.shard_index) + " of " +
           std::to_string(search.shard_count) + "\n";
  }
  out += "  total states      " + with_separators(stats.total_states) + "\n";
  out += "  longest walk      " + std::to_string(stats.depth) + " states\n";
  out += "  seconds           " + format("%.3f", stats.seconds) + "\n";
  out += "  peak memory       " + mebibytes(stats.peak_memory_bytes) + "\n";
  return out;
}

std::string search_statistics(const CheckResult& result) {
  const SearchStats& stats = result.stats;
  std::string out;
  if (result.search.mode == "dfs") out += "  search            depth-first\n";
  if (result.search.sleep_sets) {
    out += "  reduction         sleep sets: " + with_separators(result.search.pruned_steps) +
           " steps pruned, " + with_separators(result.search.explored_again) +
           " states explored again\n";
  }
  out += "  distinct states   " + with_separators(stats.distinct_states) + "\n";
  out += "  total states      " + with_separators(stats.total_states) + "\n";
  out += "  depth             " + std::to_string(stats.depth) + "\n";
  if (stats.queue > 0) out += "  left in queue     " + with_separators(stats.queue) + "\n";
  out += "  seconds           " + format("%.3f", stats.seconds) + "\n";
  out += "  states/second     " + with_separators(static_cast<uint64_t>(stats.states_per_second)) +
         "\n";
  out += "  peak memory       " + mebibytes(stats.peak_memory_bytes) + "\n";
  out += "  visited set       " + mebibytes(stats.visited_bytes) + ", " +
         format("%.1f bytes/state", stats.bytes_per_state) +
         (stats.exact ? " (exact: whole states)" : "") + "\n";
  if (result.liveness_graph) {
    const LivenessGraphStats& graph = *result.liveness_graph;
    const double per_state =
        graph.states > 0 ? static_cast<double>(graph.bytes) / static_cast<double>(graph.states)
                         : 0.0;
    out += "  liveness graph    " + with_separators(graph.states) + " states, " +
           with_separators(graph.steps) + " steps, " + mebibytes(graph.bytes) + ", " +
           format("%.1f bytes/state", per_state) + ", " + format("%.3f s", graph.seconds) + "\n";
  }
  if (stats.exact) {
    out += "  fingerprint collision probability: none, states compared in full (--exact)\n";
  } else {
    out += "  fingerprint collision probability: calculated (optimistic) " +
           format("%.2g", stats.fingerprint_collision_probability) + "\n";
  }
  return out;
}

}  // namespace

std::string result_text(const RunDescription& run, const CheckResult& result) {
  std::string out =
      "crosscheck check " + run.protocol + ": model " + run.model + ", variant " + run.variant;
  for (const auto& [name, value] : run.parameters.as_object()) {
    out += ", " + name + " " + value.dump();
  }
  out += "\n\n" + outcome_text(result) + stopped_text(result) + "\nStatistics\n";
  const bool simulated = result.search.mode == "simulate";
  out += simulated ? simulation_statistics(result) : search_statistics(result);
  return out + property_lists(result);
}

Json coverage_json(const std::vector<ActionCoverage>& coverage) {
  Json json = Json::array();
  for (const auto& entry : coverage) {
    Json item = Json::object();
    item.set("action", entry.action);
    item.set("generated", entry.generated);
    item.set("distinct", entry.distinct);
    json.push(std::move(item));
  }
  return json;
}

std::string coverage_lines(const std::vector<ActionCoverage>& coverage, const std::string& indent) {
  std::string out;
  for (const auto& entry : coverage) {
    out += indent + entry.action + ": " + with_separators(entry.generated) + ", " +
           with_separators(entry.distinct) + "\n";
  }
  return out;
}

std::string property_lists(const CheckResult& result) {
  std::string out;
  if (!result.coverage.empty()) {
    out += "\nAction coverage (steps generated, new states found)\n";
    std::vector<std::string> warnings;
    out += coverage_lines(result.coverage, "  ");
    for (const auto& entry : result.coverage) {
      if (entry.generated == 0) {
        warnings.push_back(entry.action + " was never enabled");
      } else if (entry.distinct == 0) {
        warnings.push_back(entry.action + " never reached a new state");
      }
    }
    for (const auto& warning : warnings)
      out += "  warning: " + warning + ": the bounds may hide its behaviour\n";
  }
  if (!result.invariants.empty()) {
    out += "\nInvariants checked\n";
    for (const auto& name : result.invariants) out += "  " + name + "\n";
  }
  if (!result.liveness.empty()) {
    out += "\nLiveness checked (" + result.fairness + ")\n";
    for (const auto& name : result.liveness) out += "  " + name + "\n";
  }
  if (!result.goals.empty()) {
    out += "\nGoals (sometimes)\n";
    for (const auto& goal : result.goals) {
      out += "  " + goal.name + ": " +
             (goal.reached ? "reached at depth " + std::to_string(goal.depth)
                           : std::string("NOT reached")) +
             "\n";
    }
  }
  return out;
}

std::string explanation_text(const std::string& heading, const StepExplanation& why) {
  std::string out = heading + "\n";
  size_t begin = 0;
  while (begin < why.text.size()) {
    size_t end = why.text.find('\n', begin);
    if (end == std::string::npos) end = why.text.size();
    out += "  " + why.text.substr(begin, end - begin) + "\n";
    begin = end + 1;
  }
  return out;
}

int exit_status(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk: return 0;
    case Outcome::kViolation:
    case Outcome::kGoalUnreached: return 1;
    case Outcome::kBoundExhausted:
    case Outcome::kMemoryExhausted:
    case Outcome::kInterrupted: return 3;
  }
  return 1;
}

}  // namespace crosscheck::mc
