// How a protocol presents itself to the command line: its models, variants,
// bounds and how to check it. The driver (commands.cc) knows no protocol;
// each protocol registers one ProtocolCli.
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model_check/replay.h"
#include "model_check/report.h"
#include "model_check/result.h"
#include "model_check/search.h"
#include "model_check/state_graph.h"

namespace crosscheck::cli {

struct IntFlag {
  std::string name;  // without the leading dashes
  std::string help;
  int min;
  int max;
  int default_value;
  std::vector<std::string> models;  // the models it applies to; empty: all
  // A default of its own for some model, where the shared one would make
  // that model's state space too large or too small.
  std::map<std::string, int> model_defaults = {};
  // A bound of `crosscheck prove` only (such as a BMC depth); an error
  // for `check`, which would otherwise ignore it.
  bool prove_only = false;
  // A default of its own for some variant, where the bug needs more than
  // the shared default to show (it wins over a model's default).
  std::map<std::string, int> variant_defaults = {};

  int default_for(const std::string& model, const std::string& variant = "") const {
    if (auto at = variant_defaults.find(variant); at != variant_defaults.end()) return at->second;
    auto at = model_defaults.find(model);
    return at == model_defaults.end() ? default_value : at->second;
  }
};

struct NamedItem {
  std::string name;
  std::string summary;
};

struct CheckRequest {
  std::string model;
  std::string variant;
  std::map<std::string, int> values;  // every IntFlag of the protocol, given or defaulted
  mc::SearchOptions search;

  int value(const std::string& flag) const { return values.at(flag); }
};

// What the command line does with a model besides checking it.
struct ModelTools {
  std::vector<std::string>
      lifelines;  // the model's nodes; empty for a model without any (no chart)
  std::function<mc::ReplayResult(const std::vector<mc::TraceStep>&, const mc::ClaimedViolation&,
                                 const mc::ReplayLimits&)>
      replay;
  std::function<std::optional<mc::StateGraph>(const mc::StateGraphOptions&)> state_graph;
};

template <mc::Model M>
ModelTools model_tools(M model) {
  auto shared = std::make_shared<const M>(std::move(model));
  ModelTools tools;
  if constexpr (mc::HasStepEvents<M>) tools.lifelines = shared->lifelines();
  tools.replay = [shared](const std::vector<mc::TraceStep>& trace,
                          const mc::ClaimedViolation& claim, const mc::ReplayLimits& limits) {
    return mc::replay(*shared, trace, claim, limits);
  };
  tools.state_graph = [shared](const mc::StateGraphOptions& options) {
    return mc::explore_state_graph(*shared, options);
  };
  return tools;
}

// A focused run of a protocol's default check: bounds that exercise a rule
// the default bounds do not reach, made affordable by symmetry and, where
// the whole state space within them is out of reach, a depth bound (every
// state within that many steps is checked). `crosscheck check P` with no
// bound given runs the default configuration, then each focused run.
struct FocusedRun {
  std::string name;
  std::string exercises;              // the rule it exists to exercise, in words
  std::map<std::string, int> values;  // the bounds that differ from the defaults
  bool symmetry = false;
  int max_depth = 0;  // 0: the whole state space within the bounds
};

struct ProtocolCli {
  std::string name;
  std::string summary;
  std::vector<NamedItem> models;            // the first is the default
  std::vector<NamedItem> variants;          // the first is the correct protocol, the default
  std::vector<std::string> variant_models;  // models that --variant applies to
  std::vector<IntFlag> flags;
  // The properties a model checks, by name and kind, for `crosscheck list`.
  // Left empty, these are set by with_one_model (below); prove may stay so.
  std::function<std::vector<std::string>(const std::string& model)> properties = nullptr;
  std::function<mc::CheckResult(const CheckRequest&)> check = nullptr;
  // `crosscheck prove`: Z3 proofs of the invariants; returns the exit status.
  std::function<int(const CheckRequest&, std::ostream&)> prove = nullptr;
  // The request's model, for replaying traces and drawing.
  std::function<ModelTools(const CheckRequest&)> tools = nullptr;
  // Of the first model, after its default run (see FocusedRun).
  std::vector<FocusedRun> focused_runs = {};
  // `crosscheck validate PROTOCOL TRACE`: a trace recorded from an
  // implementation, checked against the protocol's spec. Given the
  // arguments after the protocol's name, returns the exit status; throws
  // UsageError for bad arguments and malformed traces. Absent for
  // protocols that read no traces.
  std::function<int(const std::vector<std::string>& args, std::ostream& out)> validate_trace =
      nullptr;
  // `check --trace-out FILE`: writes a run's steps (from initial state
  // `initial`, by action label: a violation's trace, or a simulation's
  // first walk) as a trace of the implementation that validate_trace
  // reads. trace_refusal says why a request's steps cannot be written, or
  // "" when they can.
  std::function<void(const CheckRequest&, size_t initial, const std::vector<std::string>& labels,
                     std::ostream& out)>
      write_trace = nullptr;
  std::function<std::string(const CheckRequest&)> trace_refusal = nullptr;
  // validate_trace's checks of its arguments alone: no file read.
  std::function<void(const std::vector<std::string>& args)> validate_trace_arguments = nullptr;
};

// Every protocol linked into the program, by name: the order `list` shows
// them in, whatever the order they were linked in.
const std::vector<ProtocolCli>& protocols();

// Registers a protocol with the command line. A protocol's descriptor
// library (check/<protocol>/cli.cc) holds one, and is alwayslink, so
// linking it into a program is all that adding a protocol takes:
//
//   ProtocolCli raft_cli() { ... }
//   CROSSCHECK_REGISTER_PROTOCOL(raft_cli);
//
// The descriptor is built on the first call of protocols(), after every
// static object of the program is constructed.
struct ProtocolRegistrar {
  explicit ProtocolRegistrar(ProtocolCli (*make)());
};

#define CROSSCHECK_REGISTER_PROTOCOL(make) \
  static const ::crosscheck::cli::ProtocolRegistrar crosscheck_protocol_registrar_##make(make)

// Names of a model's properties with their kind, e.g. "Atomicity (always)".
template <class M>
std::vector<std::string> property_names(const M& model) {
  std::vector<std::string> names;
  for (const auto& property : model.properties()) {
    names.push_back(property.name + (property.expectation == mc::Expectation::kAlways
                                         ? " (always)"
                                         : " (sometimes)"));
  }
  if constexpr (mc::HasTransitionProperties<M>) {
    for (const auto& property : model.transition_properties())
      names.push_back(property.name + " (step)");
  }
  if constexpr (mc::HasLiveness<M>) {
    for (const auto& property : model.liveness_properties()) {
      names.push_back(property.name +
                      (property.premise ? " (leads-to, --liveness)" : " (eventually, --liveness)"));
    }
  }
  return names;
}

// A protocol whose every model and variant is `make(request)`, a function
// from a CheckRequest to a model: its check, its tools, and its properties
// (for `crosscheck list`, those of the model at the default bounds).
template <class Make>
ProtocolCli with_one_model(ProtocolCli protocol, Make make) {
  protocol.properties = [make, flags = protocol.flags](const std::string&) {
    CheckRequest request;
    for (const IntFlag& flag : flags) request.values[flag.name] = flag.default_value;
    return property_names(make(request));
  };
  protocol.check = [make](const CheckRequest& request) {
    return mc::check(make(request), request.search);
  };
  protocol.tools = [make](const CheckRequest& request) { return model_tools(make(request)); };
  return protocol;
}

}  // namespace crosscheck::cli
