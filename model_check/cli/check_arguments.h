// What the commands share: finding a protocol, reading check's and
// prove's arguments into a request, and writing the files they ask for.
// Internal to the command line; commands.h is its interface.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "model_check/cli/flags.h"
#include "model_check/cli/protocol.h"
#include "model_check/report.h"

namespace crosscheck::cli {

std::string join(const std::vector<std::string>& items, const char* separator = ", ");

template <class T>
std::vector<std::string> names_of(const std::vector<T>& items) {
  std::vector<std::string> names;
  for (const auto& item : items) names.push_back(item.name);
  return names;
}

bool contains(const std::vector<std::string>& items, const std::string& item);

// The registered protocol of that name; a UsageError naming them all if none.
const ProtocolCli& find_protocol(const std::string& name);

// The protocol `command`'s first argument names.
const ProtocolCli& protocol_named_first(const std::string& command,
                                        const std::vector<std::string>& args);

struct ParsedCheck {
  CheckRequest request;
  // The focused runs to go on to (protocol.h's FocusedRun): "all" (after
  // the default run, when it applies), "none", or one by name, alone.
  std::string focus = "all";
  // Whether the arguments chose the configuration themselves: a bound, a
  // depth, a search other than bfs, a checkpoint, liveness, a chart of the
  // state graph. Focused runs follow only the default configuration.
  bool configured = false;
  std::string format = "text";
  std::string msc;  // check: the violation's message-sequence chart (SVG)
  std::string dot;  // check: the state graph (Graphviz)
  // check: the implementation's steps as a trace for `validate`
  // (ProtocolCli::write_trace).
  std::string trace_out;
};

// `command` is "check" or "prove": prove-only bounds are refused for check.
// nullopt: the arguments asked for help, which went to `help_out`.
std::optional<ParsedCheck> parse_check(const ProtocolCli& protocol, const std::string& command,
                                       const std::vector<std::string>& args,
                                       std::ostream& help_out);

// parse_check for arguments that cannot ask for help.
ParsedCheck parse_check(const ProtocolCli& protocol, const std::string& command,
                        const std::vector<std::string>& args);

// The run as a result names it: protocol, model, variant and every bound.
mc::RunDescription describe(const ProtocolCli& protocol, const CheckRequest& request);

// Writes a file that option --`flag` asked for, or throws a UsageError.
void write_file(const std::string& flag, const std::string& path, const std::string& content);

// Why --msc cannot draw `model`, and which of the protocol's models can.
std::string no_chart(const ProtocolCli& protocol, const std::string& model);

// crosscheck replay (replay_command.cc): runs it, or checks its arguments
// only, as validate_command does.
int run_replay(const std::vector<std::string>& args, std::ostream& out);
void validate_replay(const std::vector<std::string>& args);

}  // namespace crosscheck::cli
