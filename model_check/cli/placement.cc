#include "model_check/cli/placement.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>

#include "model_check/cli/command_line.h"
#include "model_check/cli/flags.h"
#include "model_check/json.h"
#include "spec/placement/deployment_file.h"
#include "spec/placement/report.h"

namespace crosscheck::cli {
namespace {

namespace placement = crosscheck::spec::placement;

struct PlacementRequest {
  std::vector<std::string> files;
  std::string format = "text";
};

// nullopt: the arguments asked for help, which went to `help_out`.
std::optional<PlacementRequest> parse_placement(const std::vector<std::string>& args,
                                                std::ostream& help_out) {
  CLI::App app(
      "Which failures a multi-datacenter deployment file survives: the quorums that still "
      "intersect, "
      "the failures that leave one, the links that matter.",
      "crosscheck placement FILE...");
  declare_options(app, {{"format", "text|json", "the report's format", "Output", "text"}});
  std::optional<GivenArguments> given =
      parse_arguments(app, args, "placement", /*positionals=*/true, help_out);
  if (!given) return std::nullopt;
  PlacementRequest request;
  if (const std::string* format = given->find("format")) {
    if (*format != "text" && *format != "json")
      throw UsageError("--format is text or json, not '" + *format + "'");
    request.format = *format;
  }
  request.files = given->positionals;
  if (request.files.empty()) throw UsageError("placement needs a deployment file");
  return request;
}

placement::Deployment read_file(const std::string& file) {
  std::ifstream in(user_path(file), std::ios::binary);
  if (!in) throw PlacementInputError(file + ": cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw PlacementInputError(file + ": cannot read the file");
  std::string error;
  std::optional<placement::Deployment> deployment = placement::read_deployment(text.str(), &error);
  if (!deployment) throw PlacementInputError(file + ": " + error);
  return *deployment;
}

}  // namespace

void validate_placement_arguments(const std::vector<std::string>& args) {
  std::ostringstream help;
  parse_placement(args, help);
}

int run_placement(const std::vector<std::string>& args, std::ostream& out) {
  const std::optional<PlacementRequest> parsed = parse_placement(args, out);
  if (!parsed) return 0;
  const PlacementRequest& request = *parsed;
  std::vector<placement::Deployment> deployments;
  for (const auto& file : request.files) deployments.push_back(read_file(file));
  int failing = 0;
  mc::Json reports = mc::Json::array();
  for (size_t i = 0; i < deployments.size(); ++i) {
    const placement::PlacementAnalysis analysis = placement::analyze(deployments[i]);
    if (!analysis.ok()) ++failing;
    if (request.format == "json") {
      reports.push(placement::placement_json(request.files[i], deployments[i], analysis));
    } else {
      out << (i ? "\n" : "")
          << placement::placement_text(request.files[i], deployments[i], analysis);
    }
  }
  if (request.format == "json") {
    mc::Json json = mc::Json::object();
    json.set("result", failing == 0 ? "ok" : "fail");
    json.set("deployments", std::move(reports));
    out << json.pretty() << "\n";
  } else if (deployments.size() > 1) {
    out << "\n"
        << deployments.size()
        << " deployments: " << deployments.size() - static_cast<size_t>(failing) << " ok, "
        << failing << " failing\n";
  }
  return failing == 0 ? 0 : 1;
}

}  // namespace crosscheck::cli
