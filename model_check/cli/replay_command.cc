// crosscheck replay: a saved result's trace, re-executed on its model.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "model_check/checkpoint.h"
#include "model_check/cli/audit.h"
#include "model_check/cli/check_arguments.h"
#include "model_check/cli/command_line.h"
#include "model_check/cli/commands.h"
#include "model_check/cli/flags.h"
#include "model_check/cli/placement.h"
#include "model_check/cli/protocol.h"
#include "model_check/cli/search_errors.h"
#include "model_check/msc.h"
#include "model_check/report.h"

namespace crosscheck::cli {

namespace {

// The request a saved result was checked with: its model, variant and
// bounds, through the same parsing (and errors) as the command line's.
CheckRequest request_of(const ProtocolCli& protocol, const mc::Json& saved) {
  std::vector<std::string> args = {"--model", saved["model"].as_string()};
  if (contains(protocol.variant_models, saved["model"].as_string())) {
    args.insert(args.end(), {"--variant", saved["variant"].as_string()});
  }
  for (const auto& [name, value] : saved["parameters"].as_object()) {
    for (const auto& spec : protocol.flags) {
      if (spec.name != name || spec.prove_only) continue;
      if (!value.is_int()) throw UsageError("parameter " + name + " is not an integer");
      args.insert(args.end(), {"--" + name, std::to_string(value.as_int())});
    }
  }
  return parse_check(protocol, "check", args).request;
}

const mc::Json& field(const mc::Json& json, const std::string& name,
                      bool (mc::Json::*is_type)() const, const char* type) {
  const mc::Json* value = json.find(name);
  if (value == nullptr || !(value->*is_type)())
    throw UsageError("no " + std::string(type) + " field '" + name + "'");
  return *value;
}

std::vector<mc::TraceStep> trace_of(const mc::Json& saved) {
  std::vector<mc::TraceStep> trace;
  for (const auto& step : field(saved, "trace", &mc::Json::is_array, "array").as_array()) {
    const std::string where = "trace step " + std::to_string(trace.size());
    if (!step.is_object() || !step["action"].is_string() || !step["state"].is_object()) {
      throw UsageError(where + " needs a string 'action' and an object 'state'");
    }
    trace.push_back({trace.empty() ? "" : step["action"].as_string(), step["state"]});
  }
  if (trace.empty()) throw UsageError("the trace is empty; it starts with the initial state");
  return trace;
}

// What a saved result claims: the run, its trace and the violation.
struct SavedRun {
  mc::RunDescription run;
  CheckRequest request;
  std::vector<mc::TraceStep> trace;
  mc::ClaimedViolation claim;
};

SavedRun read_saved_run(const mc::Json& saved) {
  SavedRun read;
  for (const char* name : {"protocol", "model", "variant"}) {
    field(saved, name, &mc::Json::is_string, "string");
  }
  field(saved, "parameters", &mc::Json::is_object, "object");
  const ProtocolCli& protocol = find_protocol(saved["protocol"].as_string());
  if (saved.find("trace") == nullptr) {
    throw UsageError("no trace to replay (result " + saved["result"].dump() + ")");
  }
  read.request = request_of(protocol, saved);
  read.run = describe(protocol, read.request);
  read.trace = trace_of(saved);
  if (const mc::Json* property = saved.find("property")) {
    read.claim = {property->is_string() ? property->as_string() : "",
                  field(saved, "property_kind", &mc::Json::is_string, "string").as_string()};
    if (const mc::Json* loop = saved.find("loop_start"); loop != nullptr && loop->is_int()) {
      read.claim.loop_start = loop->as_int();
    }
  }
  return read;
}

// The replay's verdict after its steps; returns the exit status.
int report_verdict(const SavedRun& saved, const mc::ReplayResult& replayed,
                   const mc::ReplayLimits& limits, std::ostream& out) {
  const std::vector<mc::TraceStep>& trace = saved.trace;
  if (replayed.stopped) {
    out << "\nStopped: " << word_for_command_line(replayed, limits, trace.size())
        << ". Nothing is confirmed.\n\nResult: "
        << (*replayed.stopped == mc::Outcome::kMemoryExhausted ? "memory exhausted"
                                                               : "bound exhausted")
        << ".\n";
    return mc::exit_status(*replayed.stopped);
  }
  if (replayed.illegal_step >= 0) {
    const size_t step = static_cast<size_t>(replayed.illegal_step);
    out << "  " << step << ". " << (step == 0 ? "Initial state" : trace[step].action)
        << ": NOT LEGAL\n\n"
        << "Not a behaviour of the model: step " << step << " of " << trace.size() - 1 << ": "
        << replayed.reason << "\n";
    return 1;
  }
  if (!replayed.confirmed) {
    out << "\nNot confirmed: every step is legal, but " << replayed.reason << "\n";
    return 1;
  }
  if (saved.claim.property.empty()) {
    out << "\nConfirmed: every step is a behaviour of the model (the trace claims no "
           "violation).\n";
  } else {
    out << "\nConfirmed: " << saved.claim.property << " (" << saved.claim.kind
        << ") is violated at step " << trace.size() - 1 << ", the trace's last.\n";
    if (replayed.why) out << "\n" << mc::explanation_text("Why:", *replayed.why);
  }
  return 0;
}

}  // namespace

int replay_saved_result(const std::string& text, const std::string& path,
                        const std::string& msc_file, std::ostream& out,
                        const mc::ReplayLimits& limits) {
  std::string error;
  std::optional<mc::Json> json = mc::Json::parse(text, &error);
  if (!json || !json->is_object()) {
    throw UsageError(path + ": not a JSON object" + (error.empty() ? "" : ": " + error));
  }
  SavedRun saved;
  try {
    saved = read_saved_run(*json);
  } catch (const UsageError& error) {
    throw UsageError(path + ": " + error.what());
  }
  const mc::RunDescription& run = saved.run;
  const ProtocolCli& protocol = find_protocol(run.protocol);
  std::optional<ModelTools> built;
  try {
    built = protocol.tools(saved.request);
  } catch (const std::invalid_argument& error) {
    throw UsageError(path + ": " + error.what());
  }
  const ModelTools& tools = *built;
  if (!msc_file.empty() && tools.lifelines.empty()) {
    throw UsageError(no_chart(protocol, saved.request.model));
  }
  const mc::ReplayResult replayed = tools.replay(saved.trace, saved.claim, limits);
  out << "crosscheck replay " << run.protocol << ": model " << run.model << ", variant "
      << run.variant;
  for (const auto& [name, value] : run.parameters.as_object()) {
    out << ", " << name << " " << value.dump();
  }
  out << "\n\n";
  for (size_t i = 0; i < replayed.trace.size(); ++i) {
    out << "  " << i << ". " << (i == 0 ? "Initial state" : replayed.trace[i].action) << ": ok\n";
  }
  const int status = report_verdict(saved, replayed, limits, out);
  if (status == 0 && !msc_file.empty()) {
    mc::CheckResult result;
    result.outcome = mc::Outcome::kViolation;
    result.property = saved.claim.property;
    result.property_kind = saved.claim.kind;
    result.trace = replayed.trace;
    result.lifelines = tools.lifelines;
    write_file("msc", msc_file, mc::msc_svg(run, result));
  }
  return status;
}

namespace {

struct ReplayArguments {
  std::string path;
  std::string msc;
  mc::ReplayLimits limits;
};

const std::vector<OptionSpec> kReplayOptions = {
    {"msc", "FILE", "write the replayed violation's message-sequence chart (SVG)", "Output"},
    {"max-states", "N", "stop after N states of the trace", "Limits"},
    {"memory-limit", "BYTES", "stop rather than pass BYTES (512M, 4G)", "Limits"},
};

std::unique_ptr<CLI::App> replay_app() {
  auto app = std::make_unique<CLI::App>(
      "Re-executes a saved result's trace on its model: is each step legal, "
      "and is the violation it claims there?",
      "crosscheck replay TRACE.json");
  declare_options(*app, kReplayOptions);
  return app;
}

// nullopt: the arguments asked for help, which went to `help_out`.
std::optional<ReplayArguments> parse_replay(const std::vector<std::string>& args,
                                            std::ostream& help_out) {
  for (const auto& arg : args) {
    if (arg == "--dot" || arg.rfind("--dot=", 0) == 0)
      throw UsageError("--dot applies to check, not replay");
  }
  auto app = replay_app();
  std::optional<GivenArguments> given =
      parse_arguments(*app, args, "replay", /*positionals=*/true, help_out);
  if (!given) return std::nullopt;
  ReplayArguments replay;
  for (const auto& [flag, text] : given->options) {
    if (flag == "msc") {
      replay.msc = text;
    } else if (flag == "max-states") {
      if (parse_integer(flag, text) < 1) throw UsageError("--max-states must be at least 1");
      replay.limits.max_states = static_cast<uint64_t>(parse_integer(flag, text));
    } else if (flag == "memory-limit") {
      replay.limits.memory_limit_bytes = parse_bytes(flag, text);
    }
  }
  if (given->positionals.size() != 1)
    throw UsageError("replay needs one TRACE.json, the JSON result of check");
  replay.path = given->positionals.front();
  return replay;
}

// A JSON document in memory takes several times its text: a replay whose
// file would not fit in the memory limit so is refused before it is read.
constexpr uint64_t kJsonBytesPerTextByte = 16;

}  // namespace

int run_replay(const std::vector<std::string>& args, std::ostream& out) {
  const std::optional<ReplayArguments> parsed = parse_replay(args, out);
  if (!parsed) return 0;
  const ReplayArguments& replay = *parsed;
  std::ifstream in(user_path(replay.path), std::ios::binary | std::ios::ate);
  if (!in) throw UsageError("cannot read '" + replay.path + "'");
  const auto file_bytes = static_cast<uint64_t>(std::max<std::streamoff>(0, in.tellg()));
  in.seekg(0);
  const uint64_t limit = replay.limits.memory_limit_bytes;
  if (limit > 0 && !mc::MemoryBudget(limit).allows(0, file_bytes * kJsonBytesPerTextByte)) {
    out << "crosscheck replay: " << replay.path << " (" << file_bytes
        << " bytes) would not fit in --memory-limit " << limit
        << " bytes once read; nothing replayed.\n\nResult: memory exhausted.\n";
    return mc::exit_status(mc::Outcome::kMemoryExhausted);
  }
  std::stringstream text;
  text << in.rdbuf();
  return replay_saved_result(text.str(), replay.path, replay.msc, out, replay.limits);
}

void validate_replay(const std::vector<std::string>& args) {
  std::ostringstream help;
  parse_replay(args, help);
}

}  // namespace crosscheck::cli
