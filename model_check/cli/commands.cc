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

#include "model_check/cli/audit.h"
#include "model_check/cli/command_line.h"
#include "model_check/cli/commands.h"
#include "model_check/cli/flags.h"
#include "model_check/cli/placement.h"
#include "model_check/cli/protocol.h"
#include "model_check/cli/search_errors.h"
#include "model_check/checkpoint.h"
#include "model_check/msc.h"
#include "model_check/report.h"

namespace crosscheck::cli {

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
  std::string msc;  // check: the violation's message-sequence chart (SVG)
  std::string dot;  // check: the state graph (Graphviz)
};

// The options of check and prove besides the protocol's bounds, declared
// once: CLI11 splits them and writes --help from them.
std::vector<OptionSpec> search_options(const std::string& command) {
  std::vector<OptionSpec> options = {
      {"model", "M", "the model to check (see `crosscheck list`)", "Model"},
      {"variant", "V", "the protocol, or one of its known-buggy variants", "Model"},
  };
  if (command == "prove") return options;
  const std::vector<OptionSpec> search = {
      {"format", "text|json", "the report's format", "Output", "text"},
      {"msc", "FILE", "write a violation's message-sequence chart (SVG)", "Output"},
      {"dot", "FILE", "write the state graph of a small run (Graphviz)", "Output"},
      {"no-progress", "", "no progress lines on stderr", "Output"},
      {"search", "bfs|dfs|simulate", "breadth-first, depth-first, or random walks", "Search", "bfs"},
      {"max-states", "N", "stop with bound_exhausted past N distinct states", "Search"},
      {"max-depth", "N", "explore no deeper than N steps (bfs, dfs)", "Search"},
      {"threads", "N", "worker threads (1..256); the result does not depend on them", "Search", "all cores"},
      {"symmetry", "", "identify states up to the model's symmetry", "Search"},
      {"exact", "", "keep whole states, not fingerprints (bfs)", "Search"},
      {"memory-limit", "BYTES", "stop with memory_exhausted rather than pass BYTES (512M, 4G)", "Search"},
      {"liveness", "", "check the liveness properties after a bfs finds no violation", "Search"},
      {"coverage", "", "count the steps and new states of each kind of action (bfs)", "Search"},
      {"seed", "S", "simulate: the seed of the walks; printed with the result", "Simulation", "fresh"},
      {"walks", "N", "simulate: the number of walks", "Simulation", "1000"},
      {"depth", "D", "simulate: the steps a walk takes at most; dfs: as --max-depth", "Simulation", "100"},
      {"swarm", "K", "simulate: K configurations that weight each kind of action", "Simulation"},
      {"no-shrink", "", "simulate: keep a violating walk as found", "Simulation"},
      {"checkpoint", "FILE", "save the search to FILE, periodically and when stopped (bfs)", "Checkpoints"},
      {"checkpoint-every", "S", "seconds between checkpoints", "Checkpoints", "600"},
      {"resume", "FILE", "continue the search saved in FILE", "Checkpoints"},
  };
  options.insert(options.end(), search.begin(), search.end());
  return options;
}

// A bound's help: its range and defaults.
OptionSpec bound_option(const IntFlag& flag) {
  std::string help = flag.help + " (" + std::to_string(flag.min) + ".." + std::to_string(flag.max);
  for (const auto& [model, value] : flag.model_defaults) help += "; --model " + model + ": " + std::to_string(value);
  for (const auto& [variant, value] : flag.variant_defaults) {
    help += "; --variant " + variant + ": " + std::to_string(value);
  }
  if (!flag.models.empty()) help += "; --model " + join(flag.models, " or ") + " only";
  if (flag.prove_only) help += "; prove only";
  return {flag.name, "N", help + ")", "Bounds", std::to_string(flag.default_value)};
}

// The options of `command PROTOCOL`: a search option wins over a bound of
// the same name (check's --depth is the walks' depth, prove's raft's BMC).
std::vector<OptionSpec> check_options(const ProtocolCli& protocol, const std::string& command) {
  std::vector<OptionSpec> options = search_options(command);
  for (const auto& flag : protocol.flags) {
    const bool taken = std::any_of(options.begin(), options.end(), [&](const OptionSpec& spec) {
      return spec.name == flag.name;
    });
    if (!taken) options.push_back(bound_option(flag));
  }
  return options;
}

std::unique_ptr<CLI::App> check_app(const ProtocolCli& protocol, const std::string& command) {
  auto app = std::make_unique<CLI::App>(protocol.summary, "crosscheck " + command + " " + protocol.name);
  declare_options(*app, check_options(protocol, command));
  return app;
}

long long integer_in(const std::string& flag, const std::string& text, long long min, long long max,
                     const std::string& range) {
  const long long n = parse_integer(flag, text);
  if (n < min || n > max) throw UsageError("--" + flag + " must be in " + range);
  return n;
}

// What parse_check saw besides the values themselves.
struct GivenKinds {
  std::vector<std::string> bounds;
  std::vector<std::string> simulation;  // the options of simulation only
  std::vector<std::string> checkpoints;
  bool seed = false;
  bool variant = false;
};

void read_model_option(const ProtocolCli& protocol, const std::string& flag, const std::string& text,
                       ParsedCheck& parsed, GivenKinds& kinds) {
  CheckRequest& request = parsed.request;
  if (flag == "model") {
    request.model = text;
    if (!contains(names_of(protocol.models), text)) {
      throw UsageError("unknown model '" + text + "' for " + protocol.name + " (known: " +
                       join(names_of(protocol.models)) + ")");
    }
  } else if (flag == "variant") {
    request.variant = text;
    kinds.variant = true;
    if (!contains(names_of(protocol.variants), text)) {
      throw UsageError("unknown variant '" + text + "' for " + protocol.name + " (known: " +
                       join(names_of(protocol.variants)) + ")");
    }
  } else if (flag == "format") {
    parsed.format = text;
    if (text != "text" && text != "json") throw UsageError("--format is text or json, not '" + text + "'");
  } else if (flag == "msc" || flag == "dot") {
    (flag == "msc" ? parsed.msc : parsed.dot) = text;
  }
}

mc::SearchMode search_mode(const std::string& text) {
  if (text == "bfs") return mc::SearchMode::kBreadthFirst;
  if (text == "dfs") return mc::SearchMode::kDepthFirst;
  if (text == "simulate") return mc::SearchMode::kSimulate;
  throw UsageError("--search is bfs, dfs or simulate, not '" + text + "'");
}

void read_search_option(const std::string& flag, const std::string& text, mc::SearchOptions& search) {
  if (flag == "max-states") {
    if (parse_integer(flag, text) < 1) throw UsageError("--max-states must be at least 1");
    search.max_states = static_cast<uint64_t>(parse_integer(flag, text));
  } else if (flag == "max-depth") {
    search.max_depth = static_cast<int>(integer_in(flag, text, 1, 1'000'000, "1..1000000"));
  } else if (flag == "threads") {
    search.threads = static_cast<int>(integer_in(flag, text, 1, 256, "1..256"));
  } else if (flag == "memory-limit") {
    search.memory_limit_bytes = parse_bytes(flag, text);
  } else if (flag == "search") {
    search.mode = search_mode(text);
  } else if (flag == "symmetry" || flag == "exact" || flag == "coverage" || flag == "liveness") {
    (flag == "symmetry" ? search.symmetry
     : flag == "exact"  ? search.exact
     : flag == "coverage" ? search.coverage
                          : search.liveness) = true;
  } else if (flag == "no-progress") {
    search.progress = false;
  }
}

// The options of simulation and of checkpoints; false for any other.
bool read_walk_option(const std::string& flag, const std::string& text, mc::SearchOptions& search,
                      GivenKinds& kinds) {
  if (flag == "seed") {
    search.seed = parse_seed(text);
    kinds.seed = true;
  } else if (flag == "walks") {
    search.walks = static_cast<uint64_t>(integer_in(flag, text, 1, 1'000'000'000'000LL, "1..1000000000000"));
  } else if (flag == "depth") {
    search.walk_depth = static_cast<int>(integer_in(flag, text, 1, 1'000'000, "1..1000000"));
  } else if (flag == "swarm") {
    search.swarm = static_cast<int>(integer_in(flag, text, 1, 1'000'000, "1..1000000"));
  } else if (flag == "no-shrink") {
    search.shrink = false;
  } else if (flag == "checkpoint" || flag == "resume") {
    (flag == "checkpoint" ? search.checkpoint_path : search.resume_path) = user_path(text);
    kinds.checkpoints.push_back(flag);
    return true;
  } else if (flag == "checkpoint-every") {
    search.checkpoint_seconds = parse_seconds(flag, text);
    kinds.checkpoints.push_back(flag);
    return true;
  } else {
    return false;
  }
  kinds.simulation.push_back(flag);
  return true;
}

void read_bound(const ProtocolCli& protocol, const std::string& flag, const std::string& text,
                CheckRequest& request, GivenKinds& kinds) {
  for (const auto& spec : protocol.flags) {
    if (spec.name != flag) continue;
    const long long n = parse_integer(flag, text);
    if (n < spec.min || n > spec.max) {
      throw UsageError("--" + flag + " must be in " + std::to_string(spec.min) + ".." + std::to_string(spec.max) +
                       ", not " + std::to_string(n));
    }
    request.values[flag] = static_cast<int>(n);
    kinds.bounds.push_back(flag);
  }
}

// The bounds a model does not take, and the defaults of those not given.
void settle_bounds(const ProtocolCli& protocol, const std::string& command, const GivenKinds& kinds,
                   CheckRequest& request) {
  for (const auto& spec : protocol.flags) {
    const bool given = contains(kinds.bounds, spec.name);
    if (given && spec.prove_only && command != "prove") {
      throw UsageError("--" + spec.name + " applies to prove, not " + command);
    }
    if (given && !spec.models.empty() && !contains(spec.models, request.model)) {
      throw UsageError("--" + spec.name + " applies to --model " + join(spec.models, " or ") + ", not " +
                       request.model);
    }
    request.values.try_emplace(spec.name, spec.default_for(request.model, request.variant));
  }
  if (kinds.variant && !contains(protocol.variant_models, request.model)) {
    throw UsageError("--variant applies to --model " + join(protocol.variant_models, " or ") + ", not " +
                     request.model);
  }
}

// The options that apply to one search mode only.
void settle_search_mode(const GivenKinds& kinds, mc::SearchOptions& search) {
  if (search.mode == mc::SearchMode::kSimulate) {
    if (!kinds.seed) search.seed = fresh_seed();
    apply_test_sharding(search);
  } else {
    for (const auto& flag : kinds.simulation) {
      // dfs takes --depth as its bound, like --max-depth.
      if (flag == "depth" && search.mode == mc::SearchMode::kDepthFirst) {
        if (search.max_depth == 0) search.max_depth = search.walk_depth;
        continue;
      }
      throw UsageError("--" + flag + " applies to --search simulate" + (flag == "depth" ? " or dfs" : ""));
    }
  }
  if (!kinds.checkpoints.empty() && search.mode != mc::SearchMode::kBreadthFirst) {
    throw UsageError("--" + kinds.checkpoints.front() + " applies to --search bfs");
  }
  if (contains(kinds.checkpoints, "checkpoint-every") && search.checkpoint_path.empty()) {
    throw UsageError("--checkpoint-every needs --checkpoint FILE");
  }
}

ParsedCheck read_check(const ProtocolCli& protocol, const std::string& command, const GivenArguments& given) {
  ParsedCheck parsed;
  CheckRequest& request = parsed.request;
  request.model = protocol.models.front().name;
  request.variant = protocol.variants.front().name;
  request.search.progress = true;
  request.search.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  GivenKinds kinds;
  const std::vector<OptionSpec> search = search_options(command);
  for (const auto& option : given.options) {
    const std::string& flag = option.first;
    const std::string& text = option.second;
    const bool searching = std::any_of(search.begin(), search.end(), [&](const OptionSpec& spec) {
      return spec.name == flag;
    });
    if (!searching) {
      read_bound(protocol, flag, text, request, kinds);
    } else if (!read_walk_option(flag, text, request.search, kinds)) {
      read_model_option(protocol, flag, text, parsed, kinds);
      read_search_option(flag, text, request.search);
    }
  }
  settle_bounds(protocol, command, kinds, request);
  settle_search_mode(kinds, request.search);
  return parsed;
}

// `command` is "check" or "prove": prove-only bounds are refused for check.
// nullopt: the arguments asked for help, which went to `help_out`.
std::optional<ParsedCheck> parse_check(const ProtocolCli& protocol, const std::string& command,
                                       const std::vector<std::string>& args, std::ostream& help_out) {
  auto app = check_app(protocol, command);
  std::optional<GivenArguments> given =
      parse_arguments(*app, args, command + " " + protocol.name, /*positionals=*/false, help_out);
  if (!given) return std::nullopt;
  return read_check(protocol, command, *given);
}

// parse_check for arguments that cannot ask for help.
ParsedCheck parse_check(const ProtocolCli& protocol, const std::string& command, const std::vector<std::string>& args) {
  std::ostringstream ignored;
  std::optional<ParsedCheck> parsed = parse_check(protocol, command, args, ignored);
  if (!parsed) throw UsageError("--help: not here");
  return *parsed;
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
  const ProtocolCli* protocol = nullptr;
  ParsedCheck parsed;
  ModelTools tools;
};

const ProtocolCli& protocol_named_first(const std::string& command, const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError(command + " needs a protocol (known: " + join(names_of(protocols())) + ")");
  return find_protocol(args.front());
}

// nullopt: the arguments asked for help, which went to `help_out`.
std::optional<PreparedCheck> prepare_check(const std::vector<std::string>& args, std::ostream& help_out) {
  PreparedCheck check;
  check.protocol = &protocol_named_first("check", args);
  std::optional<ParsedCheck> parsed = parse_check(*check.protocol, "check", {args.begin() + 1, args.end()}, help_out);
  if (!parsed) return std::nullopt;
  check.parsed = std::move(*parsed);
  try {
    check.tools = check.protocol->tools(check.parsed.request);
  } catch (const std::invalid_argument& error) {
    throw impossible_model(error, check.parsed.request);
  }
  if (!check.parsed.msc.empty() && check.tools.lifelines.empty()) {
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

int run_check(const std::vector<std::string>& args, std::ostream& out) {
  std::optional<PreparedCheck> prepared = prepare_check(args, out);
  if (!prepared) return 0;
  PreparedCheck& check = *prepared;
  const ParsedCheck& files = check.parsed;
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

const std::vector<OptionSpec> kReplayOptions = {
    {"msc", "FILE", "write the replayed violation's message-sequence chart (SVG)", "Output"},
    {"max-states", "N", "stop after N states of the trace", "Limits"},
    {"memory-limit", "BYTES", "stop rather than pass BYTES (512M, 4G)", "Limits"},
};

std::unique_ptr<CLI::App> replay_app() {
  auto app = std::make_unique<CLI::App>("Re-executes a saved result's trace on its model: is each step legal, "
                                        "and is the violation it claims there?",
                                        "crosscheck replay TRACE.json");
  declare_options(*app, kReplayOptions);
  return app;
}

// nullopt: the arguments asked for help, which went to `help_out`.
std::optional<ReplayArguments> parse_replay(const std::vector<std::string>& args, std::ostream& help_out) {
  for (const auto& arg : args) {
    if (arg == "--dot" || arg.rfind("--dot=", 0) == 0) throw UsageError("--dot applies to check, not replay");
  }
  auto app = replay_app();
  std::optional<GivenArguments> given = parse_arguments(*app, args, "replay", /*positionals=*/true, help_out);
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
  if (given->positionals.size() != 1) throw UsageError("replay needs one TRACE.json, the JSON result of check");
  replay.path = given->positionals.front();
  return replay;
}

// A JSON document in memory takes several times its text: a replay whose
// file would not fit in the memory limit so is refused before it is read.
constexpr uint64_t kJsonBytesPerTextByte = 16;

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

// nullopt: the arguments asked for help, which went to `help_out`.
std::optional<ParsedProve> parse_prove(const std::vector<std::string>& args, std::ostream& help_out) {
  const ProtocolCli& protocol = protocol_named_first("prove", args);
  if (!protocol.prove) throw UsageError("no Z3 proofs for " + protocol.name + " yet");
  std::optional<ParsedCheck> parsed = parse_check(protocol, "prove", {args.begin() + 1, args.end()}, help_out);
  if (!parsed) return std::nullopt;
  return ParsedProve{&protocol, std::move(*parsed)};
}

int run_prove(const std::vector<std::string>& args, std::ostream& out) {
  const std::optional<ParsedProve> prove = parse_prove(args, out);
  if (!prove) return 0;
  return prove->protocol->prove(prove->parsed.request, out);
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

struct Command {
  std::vector<std::string> names;
  std::string summary;
  std::function<int(const std::vector<std::string>& args, std::ostream& out)> run;
  // Parses and checks the arguments as `run` does, and stops there: it
  // reads and writes no file and starts no search or proof.
  std::function<void(const std::vector<std::string>& args)> validate;
  // `COMMAND --help` is the command's own (it has options of its own).
  bool own_help = false;
};

int run_help(const std::vector<std::string>& args, std::ostream& out);

void validate_check(const std::vector<std::string>& args) {
  std::ostringstream help;
  prepare_check(args, help);
}

void validate_prove(const std::vector<std::string>& args) {
  std::ostringstream help;
  parse_prove(args, help);
}

void validate_replay(const std::vector<std::string>& args) {
  std::ostringstream help;
  parse_replay(args, help);
}

// In the order the usage error for an unknown command names them.
const std::vector<Command>& commands() {
  using Args = const std::vector<std::string>&;
  static const std::vector<Command> all = {
      {{"list"}, "the protocols, their models, variants, bounds and properties", run_list, expect_no_arguments},
      {{"check"}, "model-check a protocol within bounds: every interleaving, or random walks", run_check,
       validate_check},
      {{"prove"}, "prove a protocol's invariants with Z3", run_prove, validate_prove},
      {{"replay"}, "re-execute the trace of a saved JSON result on its model", run_replay, validate_replay, true},
      {{"placement"}, "which failures a multi-datacenter deployment file survives", run_placement,
       validate_placement_arguments, true},
      {{"audit"}, "is a history recorded from a real system linearizable", run_audit, validate_audit_arguments, true},
      {{"help", "--help", "-h"}, "this help", run_help, [](Args) {}},
  };
  return all;
}

// The commands, and each protocol under check and prove, for --help.
std::unique_ptr<CLI::App> command_tree() {
  auto root = std::make_unique<CLI::App>(
      "Crosscheck: distributed protocols, model-checked, proved and audited.", "crosscheck");
  root->footer("Run `crosscheck COMMAND --help` for a command's options, `crosscheck check PROTOCOL --help`\n"
               "for a protocol's bounds, and `crosscheck list` for the models and properties.");
  for (const Command& command : commands()) {
    if (command.names.front() == "help") continue;
    CLI::App* sub = root->add_subcommand(command.names.front(), command.summary);
    if (command.names.front() != "check" && command.names.front() != "prove") continue;
    sub->footer("Run `crosscheck " + command.names.front() + " PROTOCOL --help` for its options.");
    for (const auto& protocol : protocols()) {
      if (command.names.front() == "check" || protocol.prove) sub->add_subcommand(protocol.name, protocol.summary);
    }
  }
  return root;
}

int run_help(const std::vector<std::string>& args, std::ostream& out) {
  if (!args.empty()) throw UsageError("help takes no arguments (see `crosscheck COMMAND --help`)");
  out << command_tree()->help();
  return 0;
}

bool asks_for_help(const std::vector<std::string>& args) {
  return args.size() == 1 && (args.front() == "--help" || args.front() == "-h");
}

// A command that prints the help of the command `name`.
Command help_of(const std::string& name) {
  auto print = [name](const std::vector<std::string>&, std::ostream& out) {
    out << command_tree()->get_subcommand(name)->help("crosscheck");
    return 0;
  };
  return {{name}, "", print, [](const std::vector<std::string>&) {}};
}

// Runs `act` on the command that `args` names and the rest of them.
template <class Act>
auto dispatch(const std::vector<std::string>& args, Act act) {
  if (args.empty()) throw UsageError("a command is needed");
  const std::string& name = args.front();
  std::vector<std::string> names;
  for (const Command& command : commands()) {
    if (contains(command.names, name)) {
      const std::vector<std::string> rest(args.begin() + 1, args.end());
      if (!command.own_help && name != "help" && asks_for_help(rest)) return act(help_of(name), {});
      try {
        return act(command, rest);
      } catch (const PlacementInputError& error) {
        throw UsageError(error.what());
      }
    }
    names.push_back(command.names.front());
  }
  throw UsageError("unknown command '" + name + "' (known: " + join(names) + ")");
}

}  // namespace

std::string usage() { return command_tree()->help(); }

int run_command(const std::vector<std::string>& args, std::ostream& out) {
  return dispatch(args, [&](const Command& command, const std::vector<std::string>& rest) {
    return command.run(rest, out);
  });
}

void validate_command(const std::vector<std::string>& args) {
  dispatch(args, [](const Command& command, const std::vector<std::string>& rest) { command.validate(rest); });
}

}  // namespace crosscheck::cli
