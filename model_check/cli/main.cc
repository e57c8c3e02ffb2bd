// crosscheck: the command line.
//
//   crosscheck list
//   crosscheck check PROTOCOL [--model M] [--variant V] [bounds] [--format text|json]
//   crosscheck prove PROTOCOL
//   crosscheck placement FILE... [--format text|json]
//
// Exit status: 0 ok, 1 violation / unreached goal / failed proof / a
// placement check that fails, 2 bad
// usage, 3 search stopped by a bound or the memory limit before it was
// complete.
#include <charconv>
#include <cstdio>
#include <iostream>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include <algorithm>

#include "model_check/cli/placement.h"
#include "model_check/cli/protocol.h"
#include "model_check/report.h"

namespace crosscheck::cli {
namespace {

constexpr int kUsageError = 2;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const char* const kUsage =
    "usage: crosscheck list\n"
    "       crosscheck check PROTOCOL [--model M] [--variant V] [bounds...] [--format text|json]\n"
    "                                 [--max-states N] [--max-depth N] [--threads N] [--symmetry]\n"
    "                                 [--exact] [--memory-limit BYTES] [--no-progress]\n"
    "       crosscheck prove PROTOCOL\n"
    "       crosscheck placement FILE... [--format text|json]\n"
    "Run `crosscheck list` for the protocols, their models, variants, bounds and properties.\n";

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

long long parse_integer(const std::string& flag, const std::string& text) {
  long long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw UsageError("--" + flag + " takes an integer, not '" + text + "'");
  }
  return value;
}

// A byte count: digits, optionally followed by K, M, G or T (powers of 1024).
uint64_t parse_bytes(const std::string& flag, const std::string& text) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  const std::string suffix(end, text.data() + text.size());
  int shift = -1;
  if (suffix.empty() || suffix == "B") shift = 0;
  if (suffix == "K" || suffix == "k" || suffix == "KiB") shift = 10;
  if (suffix == "M" || suffix == "m" || suffix == "MiB") shift = 20;
  if (suffix == "G" || suffix == "g" || suffix == "GiB") shift = 30;
  if (suffix == "T" || suffix == "t" || suffix == "TiB") shift = 40;
  if (error != std::errc() || end == text.data() || shift < 0) {
    throw UsageError("--" + flag + " takes a byte count such as 512M or 4G, not '" + text + "'");
  }
  if (value == 0 || value > (std::numeric_limits<uint64_t>::max() >> shift)) {
    throw UsageError("--" + flag + " must be at least 1 byte and fit in 64 bits, not '" + text + "'");
  }
  return value << shift;
}

struct ParsedCheck {
  CheckRequest request;
  std::string format = "text";
};

// Splits "--name=value" and "--name value"; returns the flag name and value.
std::pair<std::string, std::optional<std::string>> split_flag(const std::vector<std::string>& args, size_t& i) {
  const std::string& arg = args[i];
  if (arg.rfind("--", 0) != 0) throw UsageError("unexpected argument '" + arg + "'");
  std::string body = arg.substr(2);
  auto equals = body.find('=');
  if (equals != std::string::npos) return {body.substr(0, equals), body.substr(equals + 1)};
  if (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) return {body, args[++i]};
  return {body, std::nullopt};
}

std::string require_value(const std::string& flag, const std::optional<std::string>& value) {
  if (!value) throw UsageError("--" + flag + " needs a value");
  return *value;
}

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
    } else if (flag == "no-progress") {
      if (value) throw UsageError("--no-progress takes no value");
      request.search.progress = false;
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
    request.values.try_emplace(spec.name, spec.default_for(request.model));
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
  return run;
}

int run_check(const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError("check needs a protocol (known: " + join(names_of(protocols())) + ")");
  const ProtocolCli& protocol = find_protocol(args.front());
  ParsedCheck parsed = parse_check(protocol, "check", {args.begin() + 1, args.end()});
  mc::CheckResult result;
  try {
    result = protocol.check(parsed.request);
  } catch (const std::invalid_argument& error) {
    throw UsageError(std::string(error.what()) + " (--model " + parsed.request.model + ")");
  }
  mc::RunDescription run = describe(protocol, parsed.request);
  if (parsed.format == "json") {
    std::cout << mc::result_json(run, result).pretty() << "\n";
  } else {
    std::cout << mc::result_text(run, result);
  }
  return mc::exit_status(result.outcome);
}

int run_prove(const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError("prove needs a protocol (known: " + join(names_of(protocols())) + ")");
  const ProtocolCli& protocol = find_protocol(args.front());
  if (!protocol.prove) throw UsageError("no Z3 proofs for " + protocol.name + " yet");
  ParsedCheck parsed = parse_check(protocol, "prove", {args.begin() + 1, args.end()});
  return protocol.prove(parsed.request, std::cout);
}

int run_list() {
  for (const auto& protocol : protocols()) {
    std::cout << protocol.name << ": " << protocol.summary << "\n";
    std::cout << "  models:\n";
    for (const auto& model : protocol.models) {
      std::cout << "    " << model.name << ": " << model.summary << "\n";
      for (const auto& property : protocol.properties(model.name)) std::cout << "      " << property << "\n";
    }
    std::cout << "  variants (--model " << join(protocol.variant_models, " or ") << "):\n";
    for (const auto& variant : protocol.variants) std::cout << "    " << variant.name << ": " << variant.summary << "\n";
    std::cout << "  bounds:\n";
    for (const auto& flag : protocol.flags) {
      std::cout << "    --" << flag.name << " N  " << flag.help << " (" << flag.min << ".." << flag.max
                << ", default " << flag.default_value;
      for (const auto& [model, value] : flag.model_defaults) std::cout << ", --model " << model << " " << value;
      if (!flag.models.empty()) std::cout << "; --model " << join(flag.models, " or ");
      if (flag.prove_only) std::cout << "; prove only";
      std::cout << ")\n";
    }
  }
  return 0;
}

int run(const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError("a command is needed");
  const std::string& command = args.front();
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "list") {
    if (!rest.empty()) throw UsageError("list takes no arguments");
    return run_list();
  }
  if (command == "check") return run_check(rest);
  if (command == "prove") return run_prove(rest);
  if (command == "placement") {
    try {
      return run_placement(rest, std::cout);
    } catch (const PlacementInputError& error) {
      throw UsageError(error.what());
    }
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return 0;
  }
  throw UsageError("unknown command '" + command + "' (known: list, check, prove, placement, help)");
}

}  // namespace
}  // namespace crosscheck::cli

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return crosscheck::cli::run(args);
  } catch (const crosscheck::cli::UsageError& error) {
    std::fprintf(stderr, "crosscheck: %s\n", error.what());
    if (args.empty()) std::fputs(crosscheck::cli::kUsage, stderr);
    return crosscheck::cli::kUsageError;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "crosscheck: internal error: %s\n", error.what());
    return 4;
  }
}
