#include "audit/report.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace crosscheck::audit {

namespace {

using Json = nlohmann::ordered_json;

const char* outcome_name(const Operation& op) {
  switch (op.outcome) {
    case Operation::Outcome::kOk: return "ok";
    case Operation::Outcome::kFail: return "fail";
    case Operation::Outcome::kIndeterminate: return op.completed ? "info" : "never_completed";
  }
  return "?";
}

std::string key_text(const Value& key, const std::string& source) {
  return source == "none" ? "the history" : "key " + key.edn();
}

std::string with_commas(uint64_t n) {
  std::string digits = std::to_string(n);
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3)
    digits.insert(static_cast<size_t>(at), ",");
  return digits;
}

std::string megabytes(uint64_t bytes) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buffer;
}

void list_operations(std::ostringstream& out, const History& history, const std::vector<int>& ids) {
  // A long prefix: its start and its end, which leads to the culprit.
  constexpr size_t kHead = 5, kTail = 25;
  for (size_t k = 0; k < ids.size(); ++k) {
    if (ids.size() > kHead + kTail && k == kHead) {
      out << "   ... " << ids.size() - kHead - kTail << " more (all of them in the JSON result)\n";
      k = ids.size() - kTail;
    }
    out << "  "
        << (k + 1 < 10    ? "  "
            : k + 1 < 100 ? " "
                          : "")
        << k + 1 << ". " << describe(history, ids[k]) << "\n";
  }
}

void text_failure(std::ostringstream& out, const History& history, const AuditResult& result) {
  const Failure& failure = *result.failure;
  const std::string where = key_text(failure.key, result.key_source);
  out << "The longest linearizable prefix of " << where << " has " << failure.prefix.size()
      << (failure.prefix.size() == 1 ? " operation" : " operations") << ":\n";
  list_operations(out, history, failure.prefix);
  out << "Cannot be placed next: " << describe(history, failure.culprit) << "\n";
  out << "  " << failure.expected << "\n";
  out << "  states the object could be in just before it: ";
  for (size_t i = 0; i < failure.states.size(); ++i) out << (i ? ", " : "") << failure.states[i];
  out << "\n";
  for (int i : failure.also_blocked) out << "  nor can " << describe(history, i) << "\n";
}

}  // namespace

std::string text_report(const History& history, const AuditResult& result, const RunInfo& run) {
  std::ostringstream out;
  out << "crosscheck audit " << history.file << ": model " << result.model << "\n";
  out << "  " << result.operations << " operations by " << result.processes
      << " processes: " << result.ok << " ok, " << result.failed << " fail, "
      << result.indeterminate << " indeterminate";
  if (result.dropped_reads > 0)
    out << " (" << result.dropped_reads << " of them reads, which change nothing)";
  out << "\n";
  if (result.key_source != "none") {
    out << "  " << result.keys << (result.keys == 1 ? " key" : " keys") << " ("
        << (result.key_source == "tuples" ? "from [k v] values" : "from :key")
        << "), checked apart on " << run.threads << (run.threads == 1 ? " thread" : " threads")
        << "\n";
  }
  if (history.other_processes > 0)
    out << "  " << history.other_processes
        << " events of other processes (such as :nemesis) passed over\n";
  switch (result.verdict) {
    case Verdict::kLinearizable: out << "linearizable\n"; break;
    case Verdict::kNotLinearizable:
      out << "NOT LINEARIZABLE";
      if (result.key_source != "none") {
        out << ": " << result.failing_keys.size() << " of " << result.keys << " keys (";
        for (size_t i = 0; i < result.failing_keys.size() && i < 10; ++i)
          out << (i ? " " : "") << result.failing_keys[i].edn();
        out << (result.failing_keys.size() > 10 ? " ...)" : ")");
      }
      out << "\n";
      text_failure(out, history, result);
      break;
    case Verdict::kUnknown:
      out << "unknown: the " << result.stopped << " budget ran out with "
          << result.unknown_keys.size() << " of " << result.keys
          << (result.keys == 1 ? " key" : " keys") << " undecided; the rest are linearizable\n";
      break;
  }
  if (!run.chart_file.empty()) out << "chart: " << run.chart_file << "\n";
  out << with_commas(result.configurations) << " configurations, " << megabytes(result.peak_bytes)
      << ", ";
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f s", result.seconds);
  out << seconds << "\n";
  return out.str();
}

namespace {

Json operation_json(const History& history, int index) {
  const Operation& op = history.operations[index];
  Json j;
  j["index"] = index;
  j["process"] = op.process;
  j["f"] = op.f;
  j["type"] = outcome_name(op);
  j["value"] = op.invocation.edn();
  if (op.outcome == Operation::Outcome::kOk) j["result"] = op.completion.edn();
  j["invoke_line"] = op.invoke_line;
  j["complete_line"] = op.completed ? Json(op.complete_line) : Json(nullptr);
  return j;
}

Json operations_json(const History& history, const std::vector<int>& ids) {
  Json list = Json::array();
  for (int i : ids) list.push_back(operation_json(history, i));
  return list;
}

Json keys_json(const std::vector<Value>& keys) {
  Json list = Json::array();
  for (const Value& key : keys) list.push_back(key.edn());
  return list;
}

}  // namespace

std::string json_report(const History& history, const AuditResult& result, const RunInfo& run) {
  Json j;
  j["command"] = "audit";
  j["file"] = history.file;
  j["model"] = result.model;
  j["result"] = verdict_name(result.verdict);
  j["stopped"] = result.stopped.empty() ? Json(nullptr) : Json(result.stopped);
  j["operations"] = {
      {"total", result.operations}, {"ok", result.ok},
      {"fail", result.failed},      {"indeterminate", result.indeterminate},
      {"judged", result.judged},    {"dropped_reads", result.dropped_reads},
      {"events", history.events},   {"other_process_events", history.other_processes}};
  j["processes"] = result.processes;
  j["keys"] = {{"source", result.key_source},
               {"count", result.keys},
               {"failing", keys_json(result.failing_keys)},
               {"unknown", keys_json(result.unknown_keys)}};
  if (result.failure) {
    const Failure& f = *result.failure;
    j["failure"] = {{"key", f.key.edn()},
                    {"prefix", operations_json(history, f.prefix)},
                    {"culprit", operation_json(history, f.culprit)},
                    {"expected", f.expected},
                    {"states_before", f.states},
                    {"also_blocked", operations_json(history, f.also_blocked)}};
  } else {
    j["failure"] = nullptr;
  }
  j["configurations"] = result.configurations;
  j["memory_bytes"] = result.peak_bytes;
  j["seconds"] = result.seconds;
  j["threads"] = run.threads;
  j["timeout_seconds"] = run.timeout_seconds;
  j["memory_limit_bytes"] = run.memory_limit_bytes;
  j["chart"] = run.chart_file.empty() ? Json(nullptr) : Json(run.chart_file);
  return j.dump(2) + "\n";
}

namespace {

std::string bar_label(const Operation& op) {
  std::string label = op.f + " " + op.invocation.edn();
  if (op.outcome == Operation::Outcome::kOk && !(op.completion == op.invocation))
    label += " -> " + op.completion.edn();
  if (op.outcome == Operation::Outcome::kIndeterminate) label += " ?";
  return label;
}

// Bars of `ids` on positions renumbered 0, 1, ... in event order, so the
// chart of one key is as wide as its own events.
Chart bars_of(const History& history, const std::vector<int>& ids, const std::vector<int>& order,
              int culprit) {
  std::vector<int> positions;
  for (int i : ids) {
    positions.push_back(history.operations[i].invoke_position);
    if (history.operations[i].complete_position >= 0)
      positions.push_back(history.operations[i].complete_position);
  }
  std::sort(positions.begin(), positions.end());
  auto compact = [&](int position) {
    return static_cast<int>(std::lower_bound(positions.begin(), positions.end(), position) -
                            positions.begin());
  };
  std::map<int, int> placed_at;
  for (size_t k = 0; k < order.size(); ++k) placed_at[order[k]] = static_cast<int>(k);
  Chart chart;
  chart.events = static_cast<int>(positions.size());
  for (int i : ids) {
    const Operation& op = history.operations[i];
    ChartBar bar;
    bar.process = static_cast<int>(op.process);
    bar.invoked = compact(op.invoke_position);
    bar.completed = op.complete_position >= 0 ? compact(op.complete_position) : -1;
    bar.indeterminate = op.outcome == Operation::Outcome::kIndeterminate;
    bar.label = bar_label(op);
    bar.detail = describe(history, i);
    if (auto at = placed_at.find(i); at != placed_at.end()) bar.linearized_at = at->second;
    bar.culprit = i == culprit;
    chart.bars.push_back(std::move(bar));
  }
  return chart;
}

// The operations a reader needs to see the failure: those invoked before
// the culprit completed (the rest cannot change the verdict), the last
// kMostBars of them on a long key, and the culprit.
std::vector<int> around_culprit(const History& history, const Failure& f) {
  constexpr size_t kMostBars = 80;
  const int end = history.operations[f.culprit].complete_position;
  std::vector<int> ids;
  for (int i : f.partition)
    if (history.operations[i].invoke_position <= end) ids.push_back(i);
  if (ids.size() > kMostBars) ids.erase(ids.begin(), ids.end() - kMostBars);
  if (std::find(ids.begin(), ids.end(), f.culprit) == ids.end()) ids.push_back(f.culprit);
  return ids;
}

}  // namespace

Chart chart_of(const History& history, const AuditResult& result) {
  if (result.failure) {
    const Failure& f = *result.failure;
    Chart chart = bars_of(history, around_culprit(history, f), f.prefix, f.culprit);
    chart.title = history.file + (result.key_source == "none" ? "" : ", key " + f.key.edn()) +
                  ": not linearizable";
    chart.subtitle = describe(history, f.culprit) + " cannot be placed after the " +
                     std::to_string(f.prefix.size()) + " numbered operations: " + f.expected;
    return chart;
  }
  std::vector<int> ids = result.witness;
  if (result.verdict == Verdict::kUnknown || ids.empty()) {
    ids.clear();
    for (size_t i = 0; i < history.operations.size() && ids.size() < 200; ++i)
      if (history.operations[i].outcome != Operation::Outcome::kFail)
        ids.push_back(static_cast<int>(i));
  }
  std::vector<int> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  constexpr size_t kMostBars = 200;  // the first of a long key: enough to read
  if (sorted.size() > kMostBars) sorted.resize(kMostBars);
  Chart chart =
      bars_of(history, sorted,
              result.verdict == Verdict::kLinearizable ? result.witness : std::vector<int>{}, -1);
  chart.title =
      history.file + ": " + (result.verdict == Verdict::kLinearizable ? "linearizable" : "unknown");
  chart.subtitle = result.verdict == Verdict::kLinearizable
                       ? "numbers: one linearization" +
                             std::string(result.keys > 1 ? " (of the largest key)" : "")
                       : "the first operations, undecided";
  return chart;
}

}  // namespace crosscheck::audit
