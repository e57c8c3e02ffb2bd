#include "model_check/cli/placement.h"

#include <cstdlib>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>

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

PlacementRequest parse_arguments(const std::vector<std::string>& args) {
  PlacementRequest request;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0) {
      request.files.push_back(arg);
      continue;
    }
    std::string flag = arg.substr(2);
    std::optional<std::string> value;
    if (const auto equals = flag.find('='); equals != std::string::npos) {
      value = flag.substr(equals + 1);
      flag.resize(equals);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    }
    if (flag != "format") throw PlacementInputError("unknown flag --" + flag + " for placement (known: --format)");
    if (!value) throw PlacementInputError("--format needs a value");
    if (*value != "text" && *value != "json")
      throw PlacementInputError("--format is text or json, not '" + *value + "'");
    request.format = *value;
  }
  if (request.files.empty()) throw PlacementInputError("placement needs a deployment file");
  return request;
}

// Under `bazel run` the working directory is the runfiles tree; the user's
// own is in BUILD_WORKING_DIRECTORY, and relative names are meant from it.
std::string resolve(const std::string& file) {
  const char* user_directory = std::getenv("BUILD_WORKING_DIRECTORY");
  if (!user_directory || file.empty() || file.front() == '/') return file;
  return std::string(user_directory) + "/" + file;
}

placement::Deployment read_file(const std::string& file) {
  std::ifstream in(resolve(file), std::ios::binary);
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

void validate_placement_arguments(const std::vector<std::string>& args) { parse_arguments(args); }

int run_placement(const std::vector<std::string>& args, std::ostream& out) {
  const PlacementRequest request = parse_arguments(args);
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
      out << (i ? "\n" : "") << placement::placement_text(request.files[i], deployments[i], analysis);
    }
  }
  if (request.format == "json") {
    mc::Json json = mc::Json::object();
    json.set("result", failing == 0 ? "ok" : "fail");
    json.set("deployments", std::move(reports));
    out << json.pretty() << "\n";
  } else if (deployments.size() > 1) {
    out << "\n"
        << deployments.size() << " deployments: " << deployments.size() - static_cast<size_t>(failing) << " ok, "
        << failing << " failing\n";
  }
  return failing == 0 ? 0 : 1;
}

}  // namespace crosscheck::cli
