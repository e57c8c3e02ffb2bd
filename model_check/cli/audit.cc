#include "model_check/cli/audit.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>

#include "audit/audit.h"
#include "audit/models.h"
#include "audit/report.h"
#include "model_check/cli/command_line.h"
#include "model_check/cli/flags.h"

namespace crosscheck::cli {

namespace {

struct AuditRequest {
  std::string path;
  std::string input;
  std::string format = "text";
  std::string chart;
  audit::AuditOptions options;
};

std::string model_names() {
  std::string names;
  for (const audit::ModelInfo& model : audit::models())
    names += (names.empty() ? "" : ", ") + model.name;
  return names;
}

const std::vector<OptionSpec> kAuditOptions = {
    {"model", "M", "the sequential model the history is checked against (listed below)", "Model"},
    {"input", "edn|jsonl",
     "the history's format; by default from its extension (.edn; .jsonl, .json, .ndjson)", "Input"},
    {"format", "text|json", "the report's format", "Output", "text"},
    {"chart", "FILE", "write an SVG timeline of the failing key (or of a linearization)", "Output"},
    {"timeout", "S", "give up after S seconds: the answer is unknown (exit 3)", "Limits", "300"},
    {"threads", "N", "threads (1..256); keys are checked apart", "Limits", "all cores"},
    {"memory-limit", "BYTES", "give up rather than pass BYTES (512M, 4G): unknown (exit 3)",
     "Limits", "half the memory"},
};

std::string audit_footer() {
  std::string footer =
      "HISTORY is Jepsen's history.edn (one operation map a line) or JSON lines with the same "
      "fields.\n"
      "Exit status: 0 linearizable, 1 not linearizable, 2 bad input, 3 unknown.\nmodels:\n";
  for (const audit::ModelInfo& model : audit::models()) {
    footer += "  " + model.name + ": " + model.summary + " (:f";
    for (const std::string& f : model.operations) footer += " :" + f;
    footer += ")\n";
  }
  return footer;
}

void read_option(const std::string& flag, const std::string& value, AuditRequest& request) {
  if (flag == "model") {
    request.options.model = value;
    bool known = false;
    for (const audit::ModelInfo& model : audit::models()) known = known || model.name == value;
    if (!known) throw UsageError("unknown model '" + value + "' (known: " + model_names() + ")");
  } else if (flag == "input") {
    if (value != "edn" && value != "jsonl")
      throw UsageError("--input is edn or jsonl, not '" + value + "'");
    request.input = value;
  } else if (flag == "format") {
    if (value != "text" && value != "json")
      throw UsageError("--format is text or json, not '" + value + "'");
    request.format = value;
  } else if (flag == "timeout") {
    request.options.timeout_seconds = parse_seconds(flag, value);
  } else if (flag == "threads") {
    const long long n = parse_integer(flag, value);
    if (n < 1 || n > 256) throw UsageError("--threads must be between 1 and 256, not " + value);
    request.options.threads = static_cast<int>(n);
  } else if (flag == "memory-limit") {
    request.options.memory_limit_bytes = parse_bytes(flag, value);
  } else if (flag == "chart") {
    request.chart = value;
  }
}

// nullopt: the arguments asked for help, which went to `help_out`.
std::optional<AuditRequest> parse_audit(const std::vector<std::string>& args,
                                        std::ostream& help_out) {
  CLI::App app("Is a history recorded from a real system linearizable?",
               "crosscheck audit HISTORY");
  declare_options(app, kAuditOptions);
  app.footer(audit_footer());
  std::optional<GivenArguments> given =
      parse_arguments(app, args, "audit", /*positionals=*/true, help_out);
  if (!given) return std::nullopt;
  AuditRequest request;
  request.options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  request.options.timeout_seconds = 300;
  request.options.memory_limit_bytes = audit::default_memory_limit_bytes();
  for (const auto& [flag, value] : given->options) read_option(flag, value, request);
  if (given->positionals.size() > 1) {
    throw UsageError("audit takes one HISTORY, not '" + given->positionals[0] + "' and '" +
                     given->positionals[1] + "'");
  }
  if (given->positionals.empty())
    throw UsageError("audit needs a HISTORY file (see crosscheck audit --help)");
  request.path = given->positionals.front();
  if (request.options.model.empty())
    throw UsageError("audit needs --model M (known: " + model_names() + ")");
  return request;
}

}  // namespace

void validate_audit_arguments(const std::vector<std::string>& args) {
  std::ostringstream help;
  parse_audit(args, help);
}

int run_audit(const std::vector<std::string>& args, std::ostream& out) {
  const std::optional<AuditRequest> parsed = parse_audit(args, out);
  if (!parsed) return 0;
  const AuditRequest& request = *parsed;
  audit::History history;
  audit::AuditResult result;
  try {
    history = audit::read_history(user_path(request.path), request.input);
    result = audit::audit(history, request.options);
  } catch (const audit::InputError& error) {
    throw UsageError(error.what());
  }
  audit::RunInfo run{request.options.threads, request.options.timeout_seconds,
                     request.options.memory_limit_bytes, request.chart};
  if (!request.chart.empty()) {
    std::ofstream chart(user_path(request.chart), std::ios::binary);
    chart << audit::render_svg(audit::chart_of(history, result));
    if (!chart) throw UsageError("cannot write the chart to " + request.chart);
  }
  out << (request.format == "json" ? audit::json_report(history, result, run)
                                   : audit::text_report(history, result, run));
  switch (result.verdict) {
    case audit::Verdict::kLinearizable: return 0;
    case audit::Verdict::kNotLinearizable: return 1;
    case audit::Verdict::kUnknown: return 3;
  }
  return 4;
}

}  // namespace crosscheck::cli
