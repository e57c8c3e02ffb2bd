#include "check/raft/validate_trace.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "model_check/cli/command_line.h"
#include "model_check/cli/flags.h"
#include "model_check/msc.h"
#include "model_check/report.h"
#include "trace/raft/report.h"
#include "trace/raft/trace.h"
#include "trace/raft/validator.h"

namespace crosscheck::cli {

namespace {

using trace::raft::Verdict;

struct ValidateRequest {
  std::string path;
  int threads = 1;
  std::string format = "text";
  std::string chart;
  bool progress = true;
  trace::raft::ValidationOptions options;
};

const std::vector<OptionSpec> kValidateOptions = {
    {"format", "text|json", "the report's format", "Output", "text"},
    {"msc", "FILE",
     "write an SVG message-sequence chart of the events up to the first that departs (or of the "
     "last ones, when none does)",
     "Output"},
    {"no-progress", "", "no progress lines on stderr", "Output"},
    {"max-states", "N", "give up when more states than N fit the events so far: unknown (exit 3)",
     "Limits", "100000"},
    {"threads", "N", "threads that parse the trace (1..256); the search itself is one", "Limits",
     "all cores"},
};

std::optional<ValidateRequest> parse_validate(const std::vector<std::string>& args,
                                              std::ostream& help_out) {
  CLI::App app("Does a trace recorded from a Raft implementation follow the spec?",
               "crosscheck validate raft TRACE");
  declare_options(app, kValidateOptions);
  app.footer(
      "TRACE is etcd-io/raft's trace format: one JSON object a line, events under \"event\" in the "
      "lines tagged \"trace\" (docs/validate.md).\n"
      "Exit status: 0 valid, 1 invalid, 2 bad input, 3 unknown.");
  std::optional<GivenArguments> given =
      parse_arguments(app, args, "validate raft", /*positionals=*/true, help_out);
  if (!given) return std::nullopt;
  ValidateRequest request;
  request.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (const auto& [flag, value] : given->options) {
    if (flag == "format") {
      if (value != "text" && value != "json")
        throw UsageError("--format is text or json, not '" + value + "'");
      request.format = value;
    } else if (flag == "msc") {
      request.chart = value;
    } else if (flag == "no-progress") {
      request.progress = false;
    } else if (flag == "threads") {
      const long long n = parse_integer(flag, value);
      if (n < 1 || n > 256) throw UsageError("--threads must be between 1 and 256, not " + value);
      request.threads = static_cast<int>(n);
    } else if (flag == "max-states") {
      const long long n = parse_integer(flag, value);
      if (n < 1) throw UsageError("--max-states must be at least 1, not " + value);
      request.options.max_states = static_cast<size_t>(n);
    }
  }
  if (given->positionals.size() > 1) {
    throw UsageError("validate raft takes one TRACE, not '" + given->positionals[0] + "' and '" +
                     given->positionals[1] + "'");
  }
  if (given->positionals.empty())
    throw UsageError("validate raft needs a TRACE file (see crosscheck validate raft --help)");
  request.path = given->positionals.front();
  return request;
}

trace::raft::Trace read(const std::string& path, int threads) {
  std::ifstream in(user_path(path), std::ios::binary);
  if (!in) throw UsageError("cannot read the trace " + path);
  try {
    trace::raft::Trace trace = trace::raft::read_trace(in, threads);
    if (trace.events.empty()) throw UsageError(path + ": no trace events (lines tagged \"trace\")");
    return trace;
  } catch (const trace::raft::TraceError& error) {
    throw UsageError(path + ": " + error.what());
  }
}

// A progress line on stderr every two seconds, for long traces.
std::function<void(size_t, size_t)> progress_printer() {
  using Clock = std::chrono::steady_clock;
  auto last = std::make_shared<Clock::time_point>(Clock::now());
  return [last](size_t done, size_t total) {
    if (Clock::now() - *last < std::chrono::seconds(2)) return;
    *last = Clock::now();
    std::cerr << "validate raft: " << done << " of " << total << " events\n";
  };
}

}  // namespace

void check_validate_raft_arguments(const std::vector<std::string>& args) {
  std::ostringstream help;
  parse_validate(args, help);
}

int run_validate_raft(const std::vector<std::string>& args, std::ostream& out) {
  std::optional<ValidateRequest> request = parse_validate(args, out);
  if (!request) return 0;
  const trace::raft::Trace trace = read(request->path, request->threads);
  if (request->progress) request->options.progress = progress_printer();
  const auto start = std::chrono::steady_clock::now();
  const trace::raft::ValidationResult result = trace::raft::validate(trace, request->options);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  const trace::raft::ValidationRun run{request->path, elapsed.count(), request->chart};
  if (!request->chart.empty()) {
    std::ofstream chart(user_path(request->chart), std::ios::binary);
    const mc::RunDescription description{"raft", "etcd spec", "", mc::Json::object()};
    chart << mc::msc_svg(description, trace::raft::chart_of(trace, result));
    if (!chart) throw UsageError("cannot write the chart to " + request->chart);
  }
  if (request->format == "json") {
    out << trace::raft::json_report(trace, result, run).pretty() << "\n";
  } else {
    out << trace::raft::text_report(trace, result, run);
  }
  switch (result.verdict) {
    case Verdict::kValid: return 0;
    case Verdict::kInvalid: return 1;
    case Verdict::kUnknown: return 3;
  }
  return 4;
}

}  // namespace crosscheck::cli
