// The command line's grammar on CLI11 (command_line.h).
#include "model_check/cli/command_line.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <map>
#include <ostream>

#include "model_check/cli/flags.h"

namespace crosscheck::cli {

bool GivenArguments::has(const std::string& name) const { return find(name) != nullptr; }

const std::string* GivenArguments::find(const std::string& name) const {
  const std::string* found = nullptr;
  for (const auto& [given, text] : options) {
    if (given == name) found = &text;
  }
  return found;
}

void declare_options(CLI::App& app, const std::vector<OptionSpec>& options) {
  for (const OptionSpec& spec : options) {
    CLI::Option* option = nullptr;
    if (spec.value_name.empty()) {
      option = app.add_flag("--" + spec.name, spec.help)->disable_flag_override();
    } else {
      option = app.add_option("--" + spec.name, spec.help)
                   ->type_name(spec.value_name)
                   ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
      if (!spec.default_text.empty()) option->default_str(spec.default_text);
    }
    option->group(spec.group);
  }
}

namespace {

// CLI11's words for the two mistakes of a flag's value, in this program's.
UsageError reworded(const CLI::ParseError& error) {
  const std::string text = error.what();
  if (error.get_name() == "ArgumentMismatch") {
    if (const size_t at = text.find(" was given a disallowed flag override");
        at != std::string::npos) {
      const std::string name = text.substr(0, at);
      return UsageError((name.rfind("--", 0) == 0 ? name : "--" + name) + " takes no value");
    }
    if (const size_t at = text.find(": ");
        at != std::string::npos && text.find(" missing") != std::string::npos) {
      return UsageError(text.substr(0, at) + " needs a value");
    }
  }
  return UsageError(text);
}

// Each option CLI11 saw, with its value, in the order of the command line.
GivenArguments given_in_order(const CLI::App& app) {
  GivenArguments given;
  std::map<const CLI::Option*, size_t> taken;
  for (const CLI::Option* option : app.parse_order()) {
    const std::string name = option->get_name(false, true).substr(2);
    if (option->get_type_size() == 0) {
      given.options.emplace_back(name, "");
      continue;
    }
    const auto& results = option->results();
    const size_t index = taken[option]++;
    given.options.emplace_back(name, index < results.size() ? results[index] : results.back());
  }
  return given;
}

}  // namespace

std::optional<GivenArguments> parse_arguments(CLI::App& app, const std::vector<std::string>& args,
                                              const std::string& command, bool positionals,
                                              std::ostream& help_out) {
  app.allow_extras();
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    help_out << app.help();
    return std::nullopt;
  } catch (const CLI::ParseError& error) {
    throw reworded(error);
  }
  GivenArguments given = given_in_order(app);
  for (const std::string& extra : app.remaining()) {
    if (extra.rfind("--", 0) == 0) {
      throw UsageError("unknown flag " + extra.substr(0, extra.find('=')) + " for " + command);
    }
    if (!positionals) throw UsageError("unexpected argument '" + extra + "'");
    given.positionals.push_back(extra);
  }
  return given;
}

}  // namespace crosscheck::cli
