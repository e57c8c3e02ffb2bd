// crosscheck's commands (commands.h).
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <ostream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "model_check/cli/audit.h"
#include "model_check/cli/commands.h"
#include "model_check/cli/flags.h"
#include "model_check/cli/placement.h"
#include "model_check/cli/protocol.h"
#include "model_check/cli/search_errors.h"
#include "model_check/checkpoint.h"
#include "model_check/msc.h"
#include "model_check/report.h"

namespace crosscheck::cli {

const char* const kUsage =
    "usage: crosscheck list\n"
    "       crosscheck check PROTOCOL [--model M] [--variant V] [bounds...] [--format text|json]\n"
    "                                 [--max-states N] [--max-depth N] [--threads N] [--symmetry]\n"
    "                                 [--exact] [--memory-limit BYTES] [--no-progress]\n"
    "                                 [--search bfs|dfs|simulate] [--seed S] [--walks N] [--depth D]\n"
    "                                 [--swarm K] [--no-shrink] [--liveness] [--coverage]\n"
    "                                 [--checkpoint FILE [--checkpoint-every S]] [--resume FILE]\n"
    "       crosscheck prove PROTOCOL\n"
    "       crosscheck replay TRACE.json [--msc FILE] [--max-states N] [--memory-limit BYTES]\n"
    "       crosscheck placement FILE... [--format text|json]\n"
    "       crosscheck audit HISTORY --model M [--format text|json] [--timeout S] [--chart FILE] ...\n"
    "check also writes, with --msc FILE, a violation's message-sequence chart (SVG) and, with\n"
    "--dot FILE, the state graph of a small run (Graphviz).\n"
    "Run `crosscheck list` for the protocols, their models, variants, bounds and properties.\n";

namespace {

std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i];
  return out;
}

template <class T>
std::vector<std::string> names_of(const std::vector<T>& items) {
  std::vector<std::string> names;
  for (const auto& item : items) names.push_back(item.name);
  return names;
}

const ProtocolCli& find_protocol(const std::string& name) {
  for (const auto& protocol : protocols()) {
    if (protocol.name == name) return protocol;
  }
  throw UsageError("unknown protocol '" + name + "' (known: " + join(names_of(protocols())) + ")");
}

bool contains(const std::vector<std::string>& items, const std::string& item) {
  for (const auto& candidate : items) {
    if (candidate == item) return true;
  }
  return false;
}

uint64_t parse_seed(const std::string& text) {
  uint64_t seed = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seed);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw UsageError("--seed takes an unsigned 64-bit integer, not '" + text + "'");
  }
  return seed;
}

// A seed for a run that was given none; printed with the result, so the
// run can be repeated.
uint64_t fresh_seed() {
  std::random_device device;
  return (uint64_t{device()} << 32) ^ device();
}

// Under `bazel test` with shard_count, each shard runs its share of the
// walks (Bazel's test sharding protocol: the two variables, and a file
// touched to say the test knows of sharding).
void apply_test_sharding(mc::SearchOptions& search) {
  const char* total = std::getenv("TEST_TOTAL_SHARDS");
  const char* index = std::getenv("TEST_SHARD_INDEX");
  if (total == nullptr || index == nullptr) return;
  const long long count = parse_integer("TEST_TOTAL_SHARDS", total);
  const long long shard = parse_integer("TEST_SHARD_INDEX", index);
  if (count < 1 || shard < 0 || shard >= count) {
    throw UsageError("TEST_SHARD_INDEX " + std::string(index) + " is not a shard of " + total);
  }
  search.shard_count = static_cast<int>(count);
  search.shard_index = static_cast<int>(shard);
  if (const char* status = std::getenv("TEST_SHARD_STATUS_FILE")) std::ofstream{status};
}

struct ParsedCheck {
  CheckRequest request;
  std::string format = "text";
};

// `command` is "check" or "prove": prove-only bounds are refused for check.
ParsedCheck parse_check(const ProtocolCli& protocol, const std::string& command,
                        const std::vector<std::string>& args) {
  ParsedCheck parsed;
  CheckRequest& request = parsed.request;
  request.model = protocol.models.front().name;
  request.variant = protocol.variants.front().name;
  request.search.progress = true;
  request.search.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::string> given;
  std::vector<std::string> search_flags;  // the flags of simulation only
  std::vector<std::string> checkpoint_flags;
  bool seed_given = false;
  bool variant_given = false;
  for (size_t i = 0; i < args.size(); ++i) {
    auto [flag, value] = split_flag(args, i);
    if (flag == "model") {
      request.model = require_value(flag, value);
      if (!contains(names_of(protocol.models), request.model)) {
        throw UsageError("unknown model '" + request.model + "' for " + protocol.name +
                         " (known: " + join(names_of(protocol.models)) + ")");
      }
    } else if (flag == "variant") {
      request.variant = require_value(flag, value);
      variant_given = true;
      if (!contains(names_of(protocol.variants), request.variant)) {
        throw UsageError("unknown variant '" + request.variant + "' for " + protocol.name +
                         " (known: " + join(names_of(protocol.variants)) + ")");
      }
    } else if (flag == "format") {
      parsed.format = require_value(flag, value);
      if (parsed.format != "text" && parsed.format != "json") {
        throw UsageError("--format is text or json, not '" + parsed.format + "'");
      }
    } else if (flag == "max-states") {
      long long n = parse_integer(flag, require_value(flag, value));
      if (n < 1) throw UsageError("--max-states must be at least 1");
      request.search.max_states = static_cast<uint64_t>(n);
    } else if (flag == "max-depth") {
      long long n = parse_integer(flag, require_value(flag, value));
      if (n < 1 || n > 1'000'000) throw UsageError("--max-depth must be in 1..1000000");
      request.search.max_depth = static_cast<int>(n);
    } else if (flag == "threads") {
      long long n = parse_integer(flag, require_value(flag, value));
      if (n < 1 || n > 256) throw UsageError("--threads must be in 1..256");
      request.search.threads = static_cast<int>(n);
    } else if (flag == "symmetry") {
      if (value) throw UsageError("--symmetry takes no value");
      request.search.symmetry = true;
    } else if (flag == "exact") {
      if (value) throw UsageError("--exact takes no value");
      request.search.exact = true;
    } else if (flag == "memory-limit") {
      request.search.memory_limit_bytes = parse_bytes(flag, require_value(flag, value));
    } else if (flag == "search") {
      const std::string mode = require_value(flag, value);
      if (mode == "bfs") {
        request.search.mode = mc::SearchMode::kBreadthFirst;
      } else if (mode == "dfs") {
        request.search.mode = mc::SearchMode::kDepthFirst;
      } else if (mode == "simulate") {
        request.search.mode = mc::SearchMode::kSimulate;
      } else {
        throw UsageError("--search is bfs, dfs or simulate, not '" + mode + "'");
      }
    } else if (flag == "seed") {
      request.search.seed = parse_seed(require_value(flag, value));
      search_flags.push_back(flag);
      seed_given = true;
    } else if (flag == "walks") {
      long long n = parse_integer(flag, require_value(flag, value));
      if (n < 1 || n > 1'000'000'000'000LL) throw UsageError("--walks must be in 1..1000000000000");
      request.search.walks = static_cast<uint64_t>(n);
      search_flags.push_back(flag);
    } else if (flag == "depth" && command == "check") {
      long long n = parse_integer(flag, require_value(flag, value));
      if (n < 1 || n > 1'000'000) throw UsageError("--depth must be in 1..1000000");
      request.search.walk_depth = static_cast<int>(n);
      search_flags.push_back(flag);
    } else if (flag == "swarm") {
      long long n = parse_integer(flag, require_value(flag, value));
      if (n < 1 || n > 1'000'000) throw UsageError("--swarm must be in 1..1000000");
      request.search.swarm = static_cast<int>(n);
      search_flags.push_back(flag);
    } else if (flag == "no-shrink") {
      if (value) throw UsageError("--no-shrink takes no value");
      request.search.shrink = false;
      search_flags.push_back(flag);
    } else if (flag == "coverage") {
      if (value) throw UsageError("--coverage takes no value");
      request.search.coverage = true;
    } else if (flag == "liveness") {
      if (value) throw UsageError("--liveness takes no value");
      request.search.liveness = true;
    } else if (flag == "no-progress") {
      if (value) throw UsageError("--no-progress takes no value");
      request.search.progress = false;
    } else if ((flag == "checkpoint" || flag == "resume") && command == "check") {
      (flag == "checkpoint" ? request.search.checkpoint_path : request.search.resume_path) =
          user_path(require_value(flag, value));
      checkpoint_flags.push_back(flag);
    } else if (flag == "checkpoint-every" && command == "check") {
      request.search.checkpoint_seconds = parse_seconds(flag, require_value(flag, value));
      checkpoint_flags.push_back(flag);
    } else {
      const IntFlag* spec = nullptr;
      for (const auto& candidate : protocol.flags) {
        if (candidate.name == flag) spec = &candidate;
      }
      if (!spec) throw UsageError("unknown flag --" + flag + " for check " + protocol.name);
      long long n = parse_integer(flag, require_value(flag, value));
      if (n < spec->min || n > spec->max) {
        throw UsageError("--" + flag + " must be in " + std::to_string(spec->min) + ".." +
                         std::to_string(spec->max) + ", not " + std::to_string(n));
      }
      request.values[flag] = static_cast<int>(n);
      given.push_back(flag);
    }
  }
  for (const auto& spec : protocol.flags) {
    if (contains(given, spec.name) && spec.prove_only && command != "prove") {
      throw UsageError("--" + spec.name + " applies to prove, not " + command);
    }
    if (contains(given, spec.name) && !spec.models.empty() && !contains(spec.models, request.model)) {
      throw UsageError("--" + spec.name + " applies to --model " + join(spec.models, " or ") + ", not " +
                       request.model);
    }
    request.values.try_emplace(spec.name, spec.default_for(request.model, request.variant));
  }
  if (request.search.mode == mc::SearchMode::kSimulate) {
    if (!seed_given) request.search.seed = fresh_seed();
    apply_test_sharding(request.search);
  } else {
    for (const auto& flag : search_flags) {
      // dfs takes --depth as its bound, like --max-depth.
      if (flag == "depth" && request.search.mode == mc::SearchMode::kDepthFirst) {
        if (request.search.max_depth == 0) request.search.max_depth = request.search.walk_depth;
        continue;
      }
      throw UsageError("--" + flag + " applies to --search simulate" + (flag == "depth" ? " or dfs" : ""));
    }
  }
  if (!checkpoint_flags.empty() && request.search.mode != mc::SearchMode::kBreadthFirst) {
    throw UsageError("--" + checkpoint_flags.front() + " applies to --search bfs");
  }
  if (contains(checkpoint_flags, "checkpoint-every") && request.search.checkpoint_path.empty()) {
    throw UsageError("--checkpoint-every needs --checkpoint FILE");
  }
  if (variant_given && !contains(protocol.variant_models, request.model)) {
    throw UsageError("--variant applies to --model " + join(protocol.variant_models, " or ") + ", not " +
                     request.model);
  }
  return parsed;
}

mc::RunDescription describe(const ProtocolCli& protocol, const CheckRequest& request) {
  mc::RunDescription run{protocol.name, request.model, request.variant, mc::Json::object()};
  for (const auto& spec : protocol.flags) {
    if (!spec.prove_only && (spec.models.empty() || contains(spec.models, request.model))) {
      run.parameters.set(spec.name, request.value(spec.name));
    }
  }
  if (request.search.max_states > 0) run.parameters.set("max-states", request.search.max_states);
  if (request.search.max_depth > 0) run.parameters.set("max-depth", request.search.max_depth);
  if (request.search.memory_limit_bytes > 0) run.parameters.set("memory-limit", request.search.memory_limit_bytes);
  if (request.search.exact) run.parameters.set("exact", true);
  if (request.search.mode == mc::SearchMode::kSimulate) {
    run.parameters.set("walks", request.search.walks);
    run.parameters.set("depth", request.search.walk_depth);
    if (request.search.swarm > 0) run.parameters.set("swarm", request.search.swarm);
  }
  return run;
}

// The files `check` writes besides its report.
struct OutputFiles {
  std::string msc;  // the violation's message-sequence chart (SVG)
  std::string dot;  // the state graph (Graphviz)
};

// Takes --msc and --dot out of `args`, leaving the flags of the search.
std::vector<std::string> take_output_files(const std::vector<std::string>& args, OutputFiles& files) {
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    const bool flag = args[i].rfind("--", 0) == 0;
    const std::string body = flag ? args[i].substr(2) : "";
    const std::string name = body.substr(0, body.find('='));
    if (name != "msc" && name != "dot") {
      rest.push_back(args[i]);
      continue;
    }
    auto [parsed_name, value] = split_flag(args, i);
    (name == "msc" ? files.msc : files.dot) = require_value(parsed_name, value);
  }
  return rest;
}

void write_file(const std::string& flag, const std::string& path, const std::string& content) {
  std::ofstream out(user_path(path), std::ios::binary);
  out << content;
  if (!out.flush()) throw UsageError("--" + flag + ": cannot write '" + path + "'");
}

std::string no_chart(const ProtocolCli& protocol, const std::string& model) {
  std::string with_nodes;
  for (const auto& candidate : protocol.models) {
    if (candidate.name == model) continue;
    CheckRequest probe;
    probe.model = candidate.name;
    for (const auto& spec : protocol.flags) probe.values[spec.name] = spec.default_for(candidate.name);
    if (!protocol.tools(probe).lifelines.empty()) with_nodes += (with_nodes.empty() ? "" : " or ") + candidate.name;
  }
  return "--msc: model " + model + " of " + protocol.name +
         " is an abstract spec without nodes or messages, so there is no chart to draw" +
         (with_nodes.empty() ? std::string() : "; --model " + with_nodes + " has them");
}

// The state graph is kept whole, edges and states, and drawn by Graphviz:
// past this it is neither cheap nor readable.
constexpr size_t kMaxGraphStates = 1000;

std::optional<mc::StateGraph> state_graph(const ModelTools& tools, const CheckRequest& request) {
  mc::StateGraphOptions options;
  options.max_states = kMaxGraphStates;
  options.max_depth = request.search.max_depth;
  options.symmetry = request.search.symmetry;
  auto graph = tools.state_graph(options);
  if (!graph) {
    throw UsageError("--dot: more than " + std::to_string(kMaxGraphStates) +
                     " states within these bounds; the graph is for small runs (lower the bounds or set --max-depth)");
  }
  return graph;
}

// Re-executes a violation's trace: a check of the search's own trace, and
// where the chart's events come from.
void add_events(mc::CheckResult& result, const ModelTools& tools) {
  mc::ReplayResult replayed =
      tools.replay(result.trace, {result.property, result.property_kind, result.loop_start}, mc::ReplayLimits{});
  if (replayed.illegal_step >= 0 || !replayed.confirmed) {
    throw std::logic_error("the counterexample does not replay" +
                           (replayed.illegal_step >= 0 ? " at step " + std::to_string(replayed.illegal_step) : "") +
                           ": " + replayed.reason);
  }
  result.trace = std::move(replayed.trace);
  result.lifelines = tools.lifelines;
}

// A model the bounds make impossible throws invalid_argument when it is
// built: a usage error, when the tools are built or in the check.
UsageError impossible_model(const std::invalid_argument& error, const CheckRequest& request) {
  return UsageError(std::string(error.what()) + " (--model " + request.model + ")");
}

// check's arguments, parsed and checked, and the model they ask for.
struct PreparedCheck {
  OutputFiles files;
  const ProtocolCli* protocol = nullptr;
  ParsedCheck parsed;
  ModelTools tools;
};

PreparedCheck prepare_check(const std::vector<std::string>& all_args) {
  PreparedCheck check;
  const std::vector<std::string> args = take_output_files(all_args, check.files);
  if (args.empty()) throw UsageError("check needs a protocol (known: " + join(names_of(protocols())) + ")");
  check.protocol = &find_protocol(args.front());
  check.parsed = parse_check(*check.protocol, "check", {args.begin() + 1, args.end()});
  try {
    check.tools = check.protocol->tools(check.parsed.request);
  } catch (const std::invalid_argument& error) {
    throw impossible_model(error, check.parsed.request);
  }
  if (!check.files.msc.empty() && check.tools.lifelines.empty()) {
    throw UsageError(no_chart(*check.protocol, check.parsed.request.model));
  }
  return check;
}

// What a checkpoint must have been saved by to be resumed: the model and
// its bounds, and how states are identified; not the limits, threads or
// output, which a resumed run may change.
std::string configuration_of(const mc::RunDescription& run, const mc::SearchOptions& search) {
  mc::Json parameters = mc::Json::object();
  for (const auto& [name, value] : run.parameters.as_object()) {
    if (name != "max-states" && name != "memory-limit") parameters.set(name, value);
  }
  return run.protocol + " --model " + run.model + " --variant " + run.variant + " " + parameters.dump() +
         (search.symmetry ? " --symmetry" : "");
}

std::atomic<bool> stop_requested{false};

// SIGINT and SIGTERM ask the search to stop at its next clean point (and
// save its checkpoint); a second one ends the process at once.
void answer_interrupts() {
  struct sigaction action = {};
  action.sa_handler = [](int) { stop_requested.store(true); };
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int run_check(const std::vector<std::string>& all_args, std::ostream& out) {
  PreparedCheck check = prepare_check(all_args);
  const OutputFiles& files = check.files;
  const ProtocolCli& protocol = *check.protocol;
  ParsedCheck& parsed = check.parsed;
  const ModelTools& tools = check.tools;
  std::optional<mc::StateGraph> graph;
  if (!files.dot.empty()) graph = state_graph(tools, parsed.request);
  parsed.request.search.configuration = configuration_of(describe(protocol, parsed.request), parsed.request.search);
  parsed.request.search.stop = &stop_requested;
  answer_interrupts();
  mc::CheckResult result;
  try {
    result = protocol.check(parsed.request);
  } catch (const mc::OptionError& error) {
    throw impossible_model(std::invalid_argument(word_for_command_line(error)), parsed.request);
  } catch (const std::invalid_argument& error) {
    throw impossible_model(error, parsed.request);
  } catch (const mc::CheckpointError& error) {
    throw UsageError(word_for_command_line(error));
  }
  if (result.outcome == mc::Outcome::kViolation) add_events(result, tools);
  mc::RunDescription run = describe(protocol, parsed.request);
  if (parsed.format == "json") {
    out << mc::result_json(run, result).pretty() << "\n";
  } else {
    out << mc::result_text(run, result);
  }
  if (!files.msc.empty()) {
    if (result.outcome == mc::Outcome::kViolation) {
      write_file("msc", files.msc, mc::msc_svg(run, result));
    } else {
      std::fprintf(stderr, "crosscheck: no violation, so no chart written to %s\n", files.msc.c_str());
    }
  }
  if (graph) write_file("dot", files.dot, mc::state_graph_dot(run.protocol + " " + run.model, *graph, result.trace));
  return mc::exit_status(result.outcome);
}

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

const mc::Json& field(const mc::Json& json, const std::string& name, bool (mc::Json::*is_type)() const,
                      const char* type) {
  const mc::Json* value = json.find(name);
  if (value == nullptr || !(value->*is_type)()) throw UsageError("no " + std::string(type) + " field '" + name + "'");
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

}  // namespace

int replay_saved_result(const std::string& text, const std::string& path, const std::string& msc_file,
                        std::ostream& out, const mc::ReplayLimits& limits) {
  std::string error;
  std::optional<mc::Json> saved = mc::Json::parse(text, &error);
  if (!saved || !saved->is_object()) throw UsageError(path + ": not a JSON object" + (error.empty() ? "" : ": " + error));
  mc::RunDescription run;
  CheckRequest request;
  std::vector<mc::TraceStep> trace;
  mc::ClaimedViolation claim;
  try {
    for (const char* name : {"protocol", "model", "variant"}) field(*saved, name, &mc::Json::is_string, "string");
    field(*saved, "parameters", &mc::Json::is_object, "object");
    const ProtocolCli& protocol = find_protocol((*saved)["protocol"].as_string());
    if (saved->find("trace") == nullptr) {
      throw UsageError("no trace to replay (result " + (*saved)["result"].dump() + ")");
    }
    request = request_of(protocol, *saved);
    run = describe(protocol, request);
    trace = trace_of(*saved);
    if (const mc::Json* property = saved->find("property")) {
      claim = {property->is_string() ? property->as_string() : "",
               field(*saved, "property_kind", &mc::Json::is_string, "string").as_string()};
      if (const mc::Json* loop = saved->find("loop_start"); loop != nullptr && loop->is_int()) {
        claim.loop_start = loop->as_int();
      }
    }
  } catch (const UsageError& error) {
    throw UsageError(path + ": " + error.what());
  }
  const ProtocolCli& protocol = find_protocol(run.protocol);
  std::optional<ModelTools> built;
  try {
    built = protocol.tools(request);
  } catch (const std::invalid_argument& error) {
    throw UsageError(path + ": " + error.what());
  }
  const ModelTools& tools = *built;
  if (!msc_file.empty() && tools.lifelines.empty()) throw UsageError(no_chart(protocol, request.model));
  const mc::ReplayResult replayed = tools.replay(trace, claim, limits);
  out << "crosscheck replay " << run.protocol << ": model " << run.model << ", variant " << run.variant;
  for (const auto& [name, value] : run.parameters.as_object()) out << ", " << name << " " << value.dump();
  out << "\n\n";
  for (size_t i = 0; i < replayed.trace.size(); ++i) {
    out << "  " << i << ". " << (i == 0 ? "Initial state" : replayed.trace[i].action) << ": ok\n";
  }
  if (replayed.stopped) {
    out << "\nStopped: " << word_for_command_line(replayed, limits, trace.size())
        << ". Nothing is confirmed.\n\nResult: "
        << (*replayed.stopped == mc::Outcome::kMemoryExhausted ? "memory exhausted" : "bound exhausted") << ".\n";
    return mc::exit_status(*replayed.stopped);
  }
  if (replayed.illegal_step >= 0) {
    const size_t step = static_cast<size_t>(replayed.illegal_step);
    out << "  " << step << ". " << (step == 0 ? "Initial state" : trace[step].action) << ": NOT LEGAL\n\n"
        << "Not a behaviour of the model: step " << step << " of " << trace.size() - 1 << ": "
        << replayed.reason << "\n";
    return 1;
  }
  if (!replayed.confirmed) {
    out << "\nNot confirmed: every step is legal, but " << replayed.reason << "\n";
    return 1;
  }
  if (claim.property.empty()) {
    out << "\nConfirmed: every step is a behaviour of the model (the trace claims no violation).\n";
  } else {
    out << "\nConfirmed: " << claim.property << " (" << claim.kind << ") is violated at step "
        << trace.size() - 1 << ", the trace's last.\n";
  }
  if (!msc_file.empty()) {
    mc::CheckResult result;
    result.outcome = mc::Outcome::kViolation;
    result.property = claim.property;
    result.property_kind = claim.kind;
    result.trace = replayed.trace;
    result.lifelines = tools.lifelines;
    write_file("msc", msc_file, mc::msc_svg(run, result));
  }
  return 0;
}

namespace {

struct ReplayArguments {
  std::string path;
  std::string msc;
  mc::ReplayLimits limits;
};

ReplayArguments parse_replay(const std::vector<std::string>& all_args) {
  OutputFiles files;
  const std::vector<std::string> flagged = take_output_files(all_args, files);
  if (!files.dot.empty()) throw UsageError("--dot applies to check, not replay");
  ReplayArguments replay;
  replay.msc = files.msc;
  std::vector<std::string> args;
  for (size_t i = 0; i < flagged.size(); ++i) {
    if (flagged[i].rfind("--", 0) != 0) {
      args.push_back(flagged[i]);
      continue;
    }
    auto [flag, value] = split_flag(flagged, i);
    if (flag == "max-states") {
      const long long n = parse_integer(flag, require_value(flag, value));
      if (n < 1) throw UsageError("--max-states must be at least 1");
      replay.limits.max_states = static_cast<uint64_t>(n);
    } else if (flag == "memory-limit") {
      replay.limits.memory_limit_bytes = parse_bytes(flag, require_value(flag, value));
    } else {
      throw UsageError("unknown flag --" + flag + " for replay (known: --msc, --max-states, --memory-limit)");
    }
  }
  if (args.size() != 1) throw UsageError("replay needs one TRACE.json, the JSON result of check");
  replay.path = args[0];
  return replay;
}

// A JSON document in memory takes several times its text: a replay whose
// file would not fit in the memory limit so is refused before it is read.
constexpr uint64_t kJsonBytesPerTextByte = 16;

int run_replay(const std::vector<std::string>& all_args, std::ostream& out) {
  const ReplayArguments replay = parse_replay(all_args);
  std::ifstream in(user_path(replay.path), std::ios::binary | std::ios::ate);
  if (!in) throw UsageError("cannot read '" + replay.path + "'");
  const auto file_bytes = static_cast<uint64_t>(std::max<std::streamoff>(0, in.tellg()));
  in.seekg(0);
  const uint64_t limit = replay.limits.memory_limit_bytes;
  if (limit > 0 && !mc::MemoryBudget(limit).allows(0, file_bytes * kJsonBytesPerTextByte)) {
    out << "crosscheck replay: " << replay.path << " (" << file_bytes << " bytes) would not fit in --memory-limit "
        << limit << " bytes once read; nothing replayed.\n\nResult: memory exhausted.\n";
    return mc::exit_status(mc::Outcome::kMemoryExhausted);
  }
  std::stringstream text;
  text << in.rdbuf();
  return replay_saved_result(text.str(), replay.path, replay.msc, out, replay.limits);
}

struct ParsedProve {
  const ProtocolCli* protocol = nullptr;
  ParsedCheck parsed;
};

ParsedProve parse_prove(const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError("prove needs a protocol (known: " + join(names_of(protocols())) + ")");
  const ProtocolCli& protocol = find_protocol(args.front());
  if (!protocol.prove) throw UsageError("no Z3 proofs for " + protocol.name + " yet");
  return {&protocol, parse_check(protocol, "prove", {args.begin() + 1, args.end()})};
}

int run_prove(const std::vector<std::string>& args, std::ostream& out) {
  const ParsedProve prove = parse_prove(args);
  return prove.protocol->prove(prove.parsed.request, out);
}

void expect_no_arguments(const std::vector<std::string>& args) {
  if (!args.empty()) throw UsageError("list takes no arguments");
}

int run_list(const std::vector<std::string>& args, std::ostream& out) {
  expect_no_arguments(args);
  for (const auto& protocol : protocols()) {
    out << protocol.name << ": " << protocol.summary << "\n";
    out << "  models:\n";
    for (const auto& model : protocol.models) {
      out << "    " << model.name << ": " << model.summary << "\n";
      for (const auto& property : protocol.properties(model.name)) out << "      " << property << "\n";
    }
    out << "  variants (--model " << join(protocol.variant_models, " or ") << "):\n";
    for (const auto& variant : protocol.variants) out << "    " << variant.name << ": " << variant.summary << "\n";
    out << "  bounds:\n";
    for (const auto& flag : protocol.flags) {
      out << "    --" << flag.name << " N  " << flag.help << " (" << flag.min << ".." << flag.max
          << ", default " << flag.default_value;
      for (const auto& [model, value] : flag.model_defaults) out << ", --model " << model << " " << value;
      for (const auto& [variant, value] : flag.variant_defaults) {
        out << ", --variant " << variant << " " << value;
      }
      if (!flag.models.empty()) out << "; --model " << join(flag.models, " or ");
      if (flag.prove_only) out << "; prove only";
      out << ")\n";
    }
  }
  return 0;
}

int run_help(const std::vector<std::string>&, std::ostream& out) {
  out << kUsage;
  return 0;
}

struct Command {
  std::vector<std::string> names;
  std::function<int(const std::vector<std::string>& args, std::ostream& out)> run;
  // Parses and checks the arguments as `run` does, and stops there: it
  // reads and writes no file and starts no search or proof.
  std::function<void(const std::vector<std::string>& args)> validate;
};

// In the order the usage error for an unknown command names them.
const std::vector<Command>& commands() {
  using Args = const std::vector<std::string>&;
  static const std::vector<Command> all = {
      {{"list"}, run_list, expect_no_arguments},
      {{"check"}, run_check, [](Args args) { prepare_check(args); }},
      {{"prove"}, run_prove, [](Args args) { parse_prove(args); }},
      {{"replay"}, run_replay, [](Args args) { parse_replay(args); }},
      {{"placement"}, run_placement, validate_placement_arguments},
      {{"audit"}, run_audit, validate_audit_arguments},
      {{"help", "--help", "-h"}, run_help, [](Args) {}},
  };
  return all;
}

// Runs `act` on the command that `args` names and the rest of them.
template <class Act>
auto dispatch(const std::vector<std::string>& args, Act act) {
  if (args.empty()) throw UsageError("a command is needed");
  const std::string& name = args.front();
  std::vector<std::string> names;
  for (const Command& command : commands()) {
    if (contains(command.names, name)) {
      try {
        return act(command, std::vector<std::string>(args.begin() + 1, args.end()));
      } catch (const PlacementInputError& error) {
        throw UsageError(error.what());
      }
    }
    names.push_back(command.names.front());
  }
  throw UsageError("unknown command '" + name + "' (known: " + join(names) + ")");
}

}  // namespace

int run_command(const std::vector<std::string>& args, std::ostream& out) {
  return dispatch(args, [&](const Command& command, const std::vector<std::string>& rest) {
    return command.run(rest, out);
  });
}

void validate_command(const std::vector<std::string>& args) {
  dispatch(args, [](const Command& command, const std::vector<std::string>& rest) { command.validate(rest); });
}

}  // namespace crosscheck::cli
