// Reading check's and prove's arguments (check_arguments.h).
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

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i];
  return out;
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

const ProtocolCli& protocol_named_first(const std::string& command,
                                        const std::vector<std::string>& args) {
  if (args.empty())
    throw UsageError(command + " needs a protocol (known: " + join(names_of(protocols())) + ")");
  return find_protocol(args.front());
}

namespace {

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

// The options of check and prove besides the protocol's bounds, declared
// once: CLI11 splits them and writes --help from them.
std::vector<OptionSpec> search_options(const std::string& command) {
  std::vector<OptionSpec> options = {
      {"model", "M", "the model to check (see `crosscheck list`)", "Model"},
      {"variant", "V", "the protocol, or one of its known-buggy variants", "Model"},
  };
  if (command == "prove") return options;
  options.push_back({"focus", "all|none|NAME",
                     "after the default run, its focused runs (all), none, or one alone", "Model",
                     "all"});
  const std::vector<OptionSpec> search = {
      {"format", "text|json", "the report's format", "Output", "text"},
      {"msc", "FILE", "write a violation's message-sequence chart (SVG)", "Output"},
      {"dot", "FILE", "write the state graph of a small run (Graphviz)", "Output"},
      {"trace-out", "FILE",
       "write the implementation's steps (a violation's, or --search simulate's first walk) as "
       "a trace for `crosscheck validate`",
       "Output"},
      {"no-progress", "", "no progress lines on stderr", "Output"},
      {"search", "bfs|dfs|simulate", "breadth-first, depth-first, or random walks", "Search",
       "bfs"},
      {"max-states", "N", "stop with bound_exhausted past N distinct states", "Search"},
      {"max-depth", "N", "explore no deeper than N steps (bfs, dfs)", "Search"},
      {"threads", "N", "worker threads (1..256); the result does not depend on them", "Search",
       "all cores"},
      {"symmetry", "", "identify states up to the model's symmetry", "Search"},
      {"por", "", "partial-order reduction: bfs with sleep sets, one thread, every state",
       "Search"},
      {"exact", "", "keep whole states, not fingerprints (bfs)", "Search"},
      {"memory-limit", "BYTES", "stop with memory_exhausted rather than pass BYTES (512M, 4G)",
       "Search"},
      {"liveness", "", "check the liveness properties after a bfs finds no violation", "Search"},
      {"coverage", "", "count the steps and new states of each kind of action (bfs)", "Search"},
      {"seed", "S", "simulate: the seed of the walks; printed with the result", "Simulation",
       "fresh"},
      {"walks", "N", "simulate: the number of walks", "Simulation", "1000"},
      {"depth", "D", "simulate: the steps a walk takes at most; dfs: as --max-depth", "Simulation",
       "100"},
      {"swarm", "K", "simulate: K configurations that weight each kind of action", "Simulation"},
      {"no-shrink", "", "simulate: keep a violating walk as found", "Simulation"},
      {"checkpoint", "FILE", "save the search to FILE, periodically and when stopped (bfs)",
       "Checkpoints"},
      {"checkpoint-every", "S", "seconds between checkpoints", "Checkpoints", "600"},
      {"resume", "FILE", "continue the search saved in FILE", "Checkpoints"},
  };
  options.insert(options.end(), search.begin(), search.end());
  return options;
}

// A bound's help: its range and defaults.
OptionSpec bound_option(const IntFlag& flag) {
  std::string help = flag.help + " (" + std::to_string(flag.min) + ".." + std::to_string(flag.max);
  for (const auto& [model, value] : flag.model_defaults)
    help += "; --model " + model + ": " + std::to_string(value);
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
    const bool taken = std::any_of(options.begin(), options.end(),
                                   [&](const OptionSpec& spec) { return spec.name == flag.name; });
    if (!taken) options.push_back(bound_option(flag));
  }
  return options;
}

std::unique_ptr<CLI::App> check_app(const ProtocolCli& protocol, const std::string& command) {
  auto app =
      std::make_unique<CLI::App>(protocol.summary, "crosscheck " + command + " " + protocol.name);
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

void read_model_option(const ProtocolCli& protocol, const std::string& flag,
                       const std::string& text, ParsedCheck& parsed, GivenKinds& kinds) {
  CheckRequest& request = parsed.request;
  if (flag == "model") {
    request.model = text;
    if (!contains(names_of(protocol.models), text)) {
      throw UsageError("unknown model '" + text + "' for " + protocol.name +
                       " (known: " + join(names_of(protocol.models)) + ")");
    }
  } else if (flag == "variant") {
    request.variant = text;
    kinds.variant = true;
    if (!contains(names_of(protocol.variants), text)) {
      throw UsageError("unknown variant '" + text + "' for " + protocol.name +
                       " (known: " + join(names_of(protocol.variants)) + ")");
    }
  } else if (flag == "format") {
    parsed.format = text;
    if (text != "text" && text != "json")
      throw UsageError("--format is text or json, not '" + text + "'");
  } else if (flag == "msc" || flag == "dot") {
    (flag == "msc" ? parsed.msc : parsed.dot) = text;
  } else if (flag == "trace-out") {
    if (!protocol.write_trace)
      throw UsageError("--trace-out: " + protocol.name + " writes no implementation traces");
    parsed.trace_out = text;
    parsed.request.search.keep_first_walk = true;
  } else if (flag == "focus") {
    parsed.focus = text;
    if (text != "all" && text != "none" && !contains(names_of(protocol.focused_runs), text)) {
      throw UsageError("unknown focused run '" + text + "' for " + protocol.name +
                       " (known: " + join(names_of(protocol.focused_runs)) + ", or all, none)");
    }
  }
}

mc::SearchMode search_mode(const std::string& text) {
  if (text == "bfs") return mc::SearchMode::kBreadthFirst;
  if (text == "dfs") return mc::SearchMode::kDepthFirst;
  if (text == "simulate") return mc::SearchMode::kSimulate;
  throw UsageError("--search is bfs, dfs or simulate, not '" + text + "'");
}

void read_search_option(const std::string& flag, const std::string& text,
                        mc::SearchOptions& search) {
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
  } else if (flag == "symmetry" || flag == "exact" || flag == "coverage" || flag == "liveness" ||
             flag == "por") {
    (flag == "symmetry"   ? search.symmetry
     : flag == "exact"    ? search.exact
     : flag == "coverage" ? search.coverage
     : flag == "por"      ? search.partial_order
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
    search.walks =
        static_cast<uint64_t>(integer_in(flag, text, 1, 1'000'000'000'000LL, "1..1000000000000"));
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
      throw UsageError("--" + flag + " must be in " + std::to_string(spec.min) + ".." +
                       std::to_string(spec.max) + ", not " + std::to_string(n));
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
      throw UsageError("--" + spec.name + " applies to --model " + join(spec.models, " or ") +
                       ", not " + request.model);
    }
    request.values.try_emplace(spec.name, spec.default_for(request.model, request.variant));
  }
  if (kinds.variant && !contains(protocol.variant_models, request.model)) {
    throw UsageError("--variant applies to --model " + join(protocol.variant_models, " or ") +
                     ", not " + request.model);
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
      throw UsageError("--" + flag + " applies to --search simulate" +
                       (flag == "depth" ? " or dfs" : ""));
    }
  }
  if (!kinds.checkpoints.empty() && search.mode != mc::SearchMode::kBreadthFirst) {
    throw UsageError("--" + kinds.checkpoints.front() + " applies to --search bfs");
  }
  if (contains(kinds.checkpoints, "checkpoint-every") && search.checkpoint_path.empty()) {
    throw UsageError("--checkpoint-every needs --checkpoint FILE");
  }
}

ParsedCheck read_check(const ProtocolCli& protocol, const std::string& command,
                       const GivenArguments& given) {
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
    const bool searching = std::any_of(search.begin(), search.end(),
                                       [&](const OptionSpec& spec) { return spec.name == flag; });
    if (!searching) {
      read_bound(protocol, flag, text, request, kinds);
    } else if (!read_walk_option(flag, text, request.search, kinds)) {
      read_model_option(protocol, flag, text, parsed, kinds);
      read_search_option(flag, text, request.search);
    }
  }
  settle_bounds(protocol, command, kinds, request);
  settle_search_mode(kinds, request.search);
  const mc::SearchOptions& chosen = request.search;
  parsed.configured = !kinds.bounds.empty() || chosen.max_depth > 0 ||
                      chosen.mode != mc::SearchMode::kBreadthFirst || !kinds.checkpoints.empty() ||
                      chosen.liveness || chosen.partial_order || !parsed.dot.empty();
  const bool one_focused_run = parsed.focus != "all" && parsed.focus != "none";
  if (one_focused_run && request.model != protocol.models.front().name) {
    throw UsageError("--focus " + parsed.focus + " applies to --model " +
                     protocol.models.front().name + ", not " + request.model);
  }
  if (one_focused_run && parsed.configured) {
    throw UsageError("--focus " + parsed.focus +
                     " sets the bounds and the search itself: not with a bound, --max-depth, "
                     "--search, --por, --liveness, --dot or a checkpoint");
  }
  return parsed;
}

}  // namespace

std::optional<ParsedCheck> parse_check(const ProtocolCli& protocol, const std::string& command,
                                       const std::vector<std::string>& args,
                                       std::ostream& help_out) {
  auto app = check_app(protocol, command);
  std::optional<GivenArguments> given =
      parse_arguments(*app, args, command + " " + protocol.name, /*positionals=*/false, help_out);
  if (!given) return std::nullopt;
  return read_check(protocol, command, *given);
}

ParsedCheck parse_check(const ProtocolCli& protocol, const std::string& command,
                        const std::vector<std::string>& args) {
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
  if (request.search.memory_limit_bytes > 0)
    run.parameters.set("memory-limit", request.search.memory_limit_bytes);
  if (request.search.exact) run.parameters.set("exact", true);
  if (request.search.symmetry) run.parameters.set("symmetry", true);
  if (request.search.partial_order) run.parameters.set("por", true);
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
    for (const auto& spec : protocol.flags)
      probe.values[spec.name] = spec.default_for(candidate.name);
    if (!protocol.tools(probe).lifelines.empty())
      with_nodes += (with_nodes.empty() ? "" : " or ") + candidate.name;
  }
  return "--msc: model " + model + " of " + protocol.name +
         " is an abstract spec without nodes or messages, so there is no chart to draw" +
         (with_nodes.empty() ? std::string() : "; --model " + with_nodes + " has them");
}

}  // namespace crosscheck::cli
