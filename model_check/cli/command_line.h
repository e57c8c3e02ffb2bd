// The command line's grammar on CLI11: each command declares its options
// once (name, value, help, default), and CLI11 splits the arguments
// ("--name value", "--name=value", flags) and writes every --help. The
// values come back as text, for the command to read into its types with
// the checks and words of flags.h, so every error keeps one style: one line
// naming the flag.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace crosscheck::cli {

struct OptionSpec {
  std::string name;        // without the leading dashes
  std::string value_name;  // "N", "FILE", ...; empty for a flag, which takes no value
  std::string help;
  std::string group = "Options";  // the heading --help lists it under
  std::string default_text = {};  // the default --help shows; empty: none
};

// What a command line gave, in its order.
struct GivenArguments {
  std::vector<std::pair<std::string, std::string>> options;  // name, text ("" for a flag)
  std::vector<std::string> positionals;

  bool has(const std::string& name) const;
  // The text the option was given last, or nullptr.
  const std::string* find(const std::string& name) const;
};

void declare_options(CLI::App& app, const std::vector<OptionSpec>& options);

// Parses `args` (the command's own, after its name and subcommand) for
// `app`, whose options declare_options declared. `command` names it in
// errors ("check raft"). Returns nullopt after writing the help to
// `help_out` when the arguments ask for it (--help or -h). Positionals are
// allowed when `positionals` is true; an unknown flag or an unexpected
// argument is a UsageError.
std::optional<GivenArguments> parse_arguments(CLI::App& app, const std::vector<std::string>& args,
                                              const std::string& command, bool positionals,
                                              std::ostream& help_out);

}  // namespace crosscheck::cli
