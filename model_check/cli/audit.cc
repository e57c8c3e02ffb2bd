#include "model_check/cli/audit.h"

#include <fstream>
#include <ostream>
#include <thread>

#include "audit/audit.h"
#include "audit/models.h"
#include "audit/report.h"
#include "model_check/cli/flags.h"

namespace crosscheck::cli {

const char* const kAuditUsage =
    "usage: crosscheck audit HISTORY --model M [--input edn|jsonl] [--format text|json]\n"
    "                        [--timeout S] [--threads N] [--memory-limit BYTES] [--chart FILE]\n"
    "HISTORY is Jepsen's history.edn (one operation map a line) or JSON lines with the same\n"
    "fields, chosen by the extension (.edn; .jsonl, .json, .ndjson) or by --input.\n"
    "--timeout defaults to 300 s and --memory-limit to half the machine's memory; when one runs\n"
    "out the answer is unknown (exit 3). --threads defaults to the cores; keys are checked apart.\n"
    "--chart writes an SVG timeline of the failing key (or of a linearization).\n"
    "Exit status: 0 linearizable, 1 not linearizable, 2 bad input, 3 unknown.\n";

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
  for (const audit::ModelInfo& model : audit::models()) names += (names.empty() ? "" : ", ") + model.name;
  return names;
}

void parse_flag(const std::string& flag, const std::string& value, AuditRequest& request) {
  if (flag == "model") {
    request.options.model = value;
    bool known = false;
    for (const audit::ModelInfo& model : audit::models()) known = known || model.name == value;
    if (!known) throw UsageError("unknown model '" + value + "' (known: " + model_names() + ")");
  } else if (flag == "input") {
    if (value != "edn" && value != "jsonl") throw UsageError("--input is edn or jsonl, not '" + value + "'");
    request.input = value;
  } else if (flag == "format") {
    if (value != "text" && value != "json") throw UsageError("--format is text or json, not '" + value + "'");
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
  } else {
    throw UsageError("unknown flag --" + flag + " for audit (see crosscheck audit --help)");
  }
}

AuditRequest parse_audit(const std::vector<std::string>& args) {
  AuditRequest request;
  request.options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  request.options.timeout_seconds = 300;
  request.options.memory_limit_bytes = audit::default_memory_limit_bytes();
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].rfind("--", 0) != 0) {
      if (!request.path.empty()) throw UsageError("audit takes one HISTORY, not '" + request.path + "' and '" + args[i] + "'");
      request.path = args[i];
      continue;
    }
    auto [flag, value] = split_flag(args, i);
    parse_flag(flag, require_value(flag, value), request);
  }
  if (request.path.empty()) throw UsageError("audit needs a HISTORY file (see crosscheck audit --help)");
  if (request.options.model.empty()) throw UsageError("audit needs --model M (known: " + model_names() + ")");
  return request;
}

bool asks_for_help(const std::vector<std::string>& args) {
  return args.size() == 1 && (args[0] == "--help" || args[0] == "-h");
}

}  // namespace

void validate_audit_arguments(const std::vector<std::string>& args) {
  if (!asks_for_help(args)) parse_audit(args);
}

int run_audit(const std::vector<std::string>& args, std::ostream& out) {
  if (asks_for_help(args)) {
    out << kAuditUsage << "models:\n";
    for (const audit::ModelInfo& model : audit::models()) {
      out << "  " << model.name << ": " << model.summary << " (:f";
      for (const std::string& f : model.operations) out << " :" << f;
      out << ")\n";
    }
    return 0;
  }
  const AuditRequest request = parse_audit(args);
  audit::History history;
  audit::AuditResult result;
  try {
    history = audit::read_history(user_path(request.path), request.input);
    result = audit::audit(history, request.options);
  } catch (const audit::InputError& error) {
    throw UsageError(error.what());
  }
  audit::RunInfo run{request.options.threads, request.options.timeout_seconds, request.options.memory_limit_bytes,
                     request.chart};
  if (!request.chart.empty()) {
    std::ofstream chart(user_path(request.chart), std::ios::binary);
    chart << audit::render_svg(audit::chart_of(history, result));
    if (!chart) throw UsageError("cannot write the chart to " + request.chart);
  }
  out << (request.format == "json" ? audit::json_report(history, result, run)
                                   : audit::text_report(history, result, run));
  switch (result.verdict) {
    case audit::Verdict::kLinearizable:
      return 0;
    case audit::Verdict::kNotLinearizable:
      return 1;
    case audit::Verdict::kUnknown:
      return 3;
  }
  return 4;
}

}  // namespace crosscheck::cli
