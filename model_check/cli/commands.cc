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

#include "model_check/checkpoint.h"
#include "model_check/cli/audit.h"
#include "model_check/cli/check_arguments.h"
#include "model_check/cli/command_line.h"
#include "model_check/cli/commands.h"
#include "model_check/cli/flags.h"
#include "model_check/cli/focused_runs.h"
#include "model_check/cli/placement.h"
#include "model_check/cli/protocol.h"
#include "model_check/cli/search_errors.h"
#include "model_check/msc.h"
#include "model_check/report.h"

namespace crosscheck::cli {

namespace {

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
                     " states within these bounds; the graph is for small runs (lower the bounds "
                     "or set --max-depth)");
  }
  return graph;
}

// Re-executes a violation's trace: a check of the search's own trace, and
// where the chart's events come from.
void add_events(mc::CheckResult& result, const ModelTools& tools) {
  mc::ReplayResult replayed = tools.replay(
      result.trace, {result.property, result.property_kind, result.loop_start}, mc::ReplayLimits{});
  if (replayed.illegal_step >= 0 || !replayed.confirmed) {
    throw std::logic_error(
        "the counterexample does not replay" +
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

// nullopt: the arguments asked for help, which went to `help_out`.
std::optional<PreparedCheck> prepare_check(const std::vector<std::string>& args,
                                           std::ostream& help_out) {
  PreparedCheck check;
  check.protocol = &protocol_named_first("check", args);
  std::optional<ParsedCheck> parsed =
      parse_check(*check.protocol, "check", {args.begin() + 1, args.end()}, help_out);
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
  if (!check.parsed.trace_out.empty()) {
    const std::string refusal = check.protocol->trace_refusal(check.parsed.request);
    if (!refusal.empty()) throw UsageError("--trace-out: " + refusal);
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
  return run.protocol + " --model " + run.model + " --variant " + run.variant + " " +
         parameters.dump() + (search.symmetry ? " --symmetry" : "") +
         (search.partial_order ? " --por" : "");
}

// --trace-out: a violation's steps, or else a simulation's first walk.
void write_trace(const ProtocolCli& protocol, const CheckRequest& request,
                 const mc::CheckResult& result, const std::string& path) {
  std::vector<std::string> labels;
  size_t initial = 0;
  if (result.outcome == mc::Outcome::kViolation) {
    for (size_t step = 1; step < result.trace.size(); ++step)
      labels.push_back(result.trace[step].action);
    initial = result.first_walk_initial;
  } else if (request.search.mode == mc::SearchMode::kSimulate) {
    labels = result.first_walk;
    initial = result.first_walk_initial;
  } else {
    std::fprintf(stderr, "crosscheck: no violation, so no trace written to %s\n", path.c_str());
    return;
  }
  std::ostringstream trace;
  protocol.write_trace(request, initial, labels, trace);
  write_file("trace-out", path, trace.str());
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

// Runs one configuration, with the command line's words for what it refuses.
mc::CheckResult run_request(const ProtocolCli& protocol, CheckRequest& request) {
  request.search.configuration = configuration_of(describe(protocol, request), request.search);
  request.search.stop = &stop_requested;
  try {
    return protocol.check(request);
  } catch (const mc::OptionError& error) {
    throw impossible_model(std::invalid_argument(word_for_command_line(error)), request);
  } catch (const std::invalid_argument& error) {
    throw impossible_model(error, request);
  } catch (const mc::CheckpointError& error) {
    throw UsageError(word_for_command_line(error));
  }
}

// The run to report: the default run, or the first focused run that did
// not pass. `records` gets each focused run taken.
struct ReportedRun {
  CheckRequest request;
  mc::CheckResult result;
  std::vector<FocusedRunRecord> records;
  const FocusedRun* focused = nullptr;  // the focused run reported, if it is one
};

ReportedRun run_with_focused_runs(const ProtocolCli& protocol, const ParsedCheck& parsed) {
  ReportedRun reported{parsed.request, {}, {}};
  const std::vector<const FocusedRun*> focused = focused_runs_of(protocol, parsed);
  const bool alone = parsed.focus != "all" && parsed.focus != "none";
  if (!alone) {
    reported.result = run_request(protocol, reported.request);
    if (reported.result.outcome != mc::Outcome::kOk) return reported;
  }
  for (const FocusedRun* run : focused) {
    CheckRequest request = focused_request(parsed.request, *run);
    if (request.search.progress) {
      std::fprintf(stderr, "crosscheck: focused run %s: %s\n", run->name.c_str(),
                   run->exercises.c_str());
    }
    mc::CheckResult result = run_request(protocol, request);
    reported.records.push_back({run, request, result});
    if (alone || !focused_run_passed(*run, request, result)) {
      reported.request = std::move(request);
      reported.result = std::move(result);
      reported.focused = run;
      if (focused_run_passed(*run, reported.request, reported.result)) {
        reported.result.outcome = mc::Outcome::kOk;  // every state within its depth checked
      }
      return reported;
    }
  }
  return reported;
}

int run_check(const std::vector<std::string>& args, std::ostream& out) {
  std::optional<PreparedCheck> prepared = prepare_check(args, out);
  if (!prepared) return 0;
  PreparedCheck& check = *prepared;
  const ParsedCheck& parsed = check.parsed;
  const ProtocolCli& protocol = *check.protocol;
  std::optional<mc::StateGraph> graph;
  if (!parsed.dot.empty()) graph = state_graph(check.tools, parsed.request);
  answer_interrupts();
  ReportedRun reported = run_with_focused_runs(protocol, parsed);
  mc::CheckResult& result = reported.result;
  if (result.outcome == mc::Outcome::kViolation) {
    add_events(result,
               reported.focused == nullptr ? check.tools : protocol.tools(reported.request));
  }
  mc::RunDescription run = describe(protocol, reported.request);
  if (parsed.format == "json") {
    mc::Json json = mc::result_json(run, result);
    if (reported.focused != nullptr) json.set("focused_run", reported.focused->name);
    if (!reported.records.empty()) {
      json.set("focused_runs", focused_runs_json(protocol, reported.records));
    }
    out << json.pretty() << "\n";
  } else {
    if (reported.focused != nullptr) {
      out << "Focused run " << reported.focused->name << ", which exercises "
          << reported.focused->exercises << ":\n\n";
    }
    out << mc::result_text(run, result);
    if (!reported.records.empty()) out << focused_runs_text(reported.records);
  }
  if (!parsed.msc.empty()) {
    if (result.outcome == mc::Outcome::kViolation) {
      write_file("msc", parsed.msc, mc::msc_svg(run, result));
    } else {
      std::fprintf(stderr, "crosscheck: no violation, so no chart written to %s\n",
                   parsed.msc.c_str());
    }
  }
  if (!parsed.trace_out.empty()) write_trace(protocol, reported.request, result, parsed.trace_out);
  if (graph)
    write_file("dot", parsed.dot,
               mc::state_graph_dot(run.protocol + " " + run.model, *graph, result.trace));
  return mc::exit_status(result.outcome);
}

struct ParsedProve {
  const ProtocolCli* protocol = nullptr;
  ParsedCheck parsed;
};

// nullopt: the arguments asked for help, which went to `help_out`.
std::optional<ParsedProve> parse_prove(const std::vector<std::string>& args,
                                       std::ostream& help_out) {
  const ProtocolCli& protocol = protocol_named_first("prove", args);
  if (!protocol.prove) throw UsageError("no Z3 proofs for " + protocol.name + " yet");
  std::optional<ParsedCheck> parsed =
      parse_check(protocol, "prove", {args.begin() + 1, args.end()}, help_out);
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
      for (const auto& property : protocol.properties(model.name))
        out << "      " << property << "\n";
    }
    out << "  variants (--model " << join(protocol.variant_models, " or ") << "):\n";
    for (const auto& variant : protocol.variants)
      out << "    " << variant.name << ": " << variant.summary << "\n";
    out << "  bounds:\n";
    for (const auto& flag : protocol.flags) {
      out << "    --" << flag.name << " N  " << flag.help << " (" << flag.min << ".." << flag.max
          << ", default " << flag.default_value;
      for (const auto& [model, value] : flag.model_defaults)
        out << ", --model " << model << " " << value;
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

// The protocol a `validate` command names, with its trace reader.
const ProtocolCli& trace_protocol(const std::vector<std::string>& args) {
  std::vector<std::string> readers;
  for (const ProtocolCli& protocol : protocols())
    if (protocol.validate_trace) readers.push_back(protocol.name);
  if (args.empty() || args.front().starts_with("-")) {
    throw UsageError(
        "validate needs a protocol and a TRACE (protocols with traces: " + join(readers) + ")");
  }
  for (const ProtocolCli& protocol : protocols()) {
    if (protocol.name == args.front() && protocol.validate_trace) return protocol;
  }
  throw UsageError("no trace validation for '" + args.front() +
                   "' (protocols with traces: " + join(readers) + ")");
}

std::vector<std::string> after_protocol(const std::vector<std::string>& args) {
  return {args.begin() + 1, args.end()};
}

int run_validate(const std::vector<std::string>& args, std::ostream& out) {
  return trace_protocol(args).validate_trace(after_protocol(args), out);
}

void validate_validate(const std::vector<std::string>& args) {
  trace_protocol(args).validate_trace_arguments(after_protocol(args));
}

// In the order the usage error for an unknown command names them.
const std::vector<Command>& commands() {
  using Args = const std::vector<std::string>&;
  static const std::vector<Command> all = {
      {{"list"},
       "the protocols, their models, variants, bounds and properties",
       run_list,
       expect_no_arguments},
      {{"check"},
       "model-check a protocol within bounds: every interleaving, or random walks",
       run_check,
       validate_check},
      {{"prove"}, "prove a protocol's invariants with Z3", run_prove, validate_prove},
      {{"replay"},
       "re-execute the trace of a saved JSON result on its model",
       run_replay,
       validate_replay,
       true},
      {{"placement"},
       "which failures a multi-datacenter deployment file survives",
       run_placement,
       validate_placement_arguments,
       true},
      {{"audit"},
       "is a history recorded from a real system linearizable",
       run_audit,
       validate_audit_arguments,
       true},
      {{"validate"},
       "does a trace recorded from an implementation follow the protocol's spec",
       run_validate,
       validate_validate,
       true},
      {{"help", "--help", "-h"}, "this help", run_help, [](Args) {}},
  };
  return all;
}

// The commands, and each protocol under check and prove, for --help.
std::unique_ptr<CLI::App> command_tree() {
  auto root = std::make_unique<CLI::App>(
      "Crosscheck: distributed protocols, model-checked, proved and audited.", "crosscheck");
  root->footer(
      "Run `crosscheck COMMAND --help` for a command's options, `crosscheck check PROTOCOL "
      "--help`\n"
      "for a protocol's bounds, and `crosscheck list` for the models and properties.");
  for (const Command& command : commands()) {
    if (command.names.front() == "help") continue;
    CLI::App* sub = root->add_subcommand(command.names.front(), command.summary);
    if (command.names.front() != "check" && command.names.front() != "prove") continue;
    sub->footer("Run `crosscheck " + command.names.front() + " PROTOCOL --help` for its options.");
    for (const auto& protocol : protocols()) {
      if (command.names.front() == "check" || protocol.prove)
        sub->add_subcommand(protocol.name, protocol.summary);
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
  dispatch(args, [](const Command& command, const std::vector<std::string>& rest) {
    command.validate(rest);
  });
}

}  // namespace crosscheck::cli
