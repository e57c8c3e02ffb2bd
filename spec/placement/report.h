// The whole placement analysis of one deployment, and its text and JSON
// renderings (`crosscheck placement`; the fields are in docs/cli.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "impl/placement/deployment.h"
#include "model_check/json.h"
#include "spec/placement/failures.h"
#include "spec/placement/intersection.h"

namespace crosscheck::spec::placement {

struct PlacementAnalysis {
  IntersectionResult intersection;
  std::optional<int> smallest_safe_phase1_size;  // flexible quorums only
  std::vector<ScenarioResult> scenarios;
  int max_failures_tolerated = 0;
  NodeSet smallest_fatal_failure;

  // The quorums intersect and every scenario asked about is survived.
  bool ok() const;
  // Why not, one line each.
  std::vector<std::string> failures() const;
};

PlacementAnalysis analyze(const Deployment& deployment);

// `file` names the deployment in the report.
std::string placement_text(const std::string& file, const Deployment& deployment,
                           const PlacementAnalysis& analysis);
mc::Json placement_json(const std::string& file, const Deployment& deployment,
                        const PlacementAnalysis& analysis);

}  // namespace crosscheck::spec::placement
