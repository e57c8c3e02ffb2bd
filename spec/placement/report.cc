#include "spec/placement/report.h"

#include <algorithm>
#include <sstream>

namespace crosscheck::spec::placement {
namespace {

using impl::placement::QuorumSystemKind;
using impl::placement::ScenarioKind;
using mc::Json;

// Columns two spaces apart, each as wide as its widest cell (counted in
// characters, not UTF-8 bytes).
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

  std::string render(const std::string& indent) const {
    std::vector<size_t> widths;
    for (const auto& row : rows_) {
      widths.resize(std::max(widths.size(), row.size()));
      for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], width(row[i]));
    }
    std::string out;
    for (const auto& row : rows_) {
      std::string line = indent;
      for (size_t i = 0; i < row.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size()) line.append(widths[i] - width(row[i]) + 2, ' ');
      }
      line.erase(line.find_last_not_of(' ') + 1);
      out += line + "\n";
    }
    return out;
  }

 private:
  static size_t width(const std::string& text) {
    return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
      return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
    }));
  }

  std::vector<std::vector<std::string>> rows_;
};

std::string yes_no(bool value) { return value ? "yes" : "no"; }

std::string nodes_word(size_t count) {
  return std::to_string(count) + (count == 1 ? " node" : " nodes");
}

std::string datacenter_names(const Deployment& deployment,
                             const std::vector<DatacenterIndex>& datacenters) {
  std::string text;
  for (DatacenterIndex datacenter : datacenters) {
    text += (text.empty() ? "" : ", ") + deployment.datacenters[datacenter].name;
  }
  return text;
}

bool links_every_pair(const Deployment& deployment) {
  const size_t count = deployment.datacenters.size();
  return deployment.links.size() == count * (count - 1) / 2;
}

std::string quorum_system_text(const Deployment& deployment) {
  const std::string n = std::to_string(deployment.node_count());
  switch (deployment.quorum.kind) {
    case QuorumSystemKind::kMajority:
      return "majority: a quorum is any " + std::to_string(deployment.phase1_votes()) + " of the " +
             n + " nodes, in phase 1 and phase 2 alike";
    case QuorumSystemKind::kWeightedMajority:
      return "weighted majority: a quorum holds at least " +
             std::to_string(deployment.phase1_votes()) + " of the " +
             std::to_string(deployment.total_votes()) + " votes, in phase 1 and phase 2 alike";
    case QuorumSystemKind::kFlexible:
      return "flexible: a phase-1 quorum is any " + std::to_string(deployment.phase1_votes()) +
             " of the " + n + " nodes, a phase-2 quorum any " +
             std::to_string(deployment.phase2_votes());
  }
  return "?";
}

std::string votes_left(const Deployment& deployment, int votes) {
  return std::to_string(votes) + " of " + std::to_string(deployment.total_votes());
}

// "6 of 7", or "3 + 3 of 7" when the survivors cannot all reach each other.
std::string votes_left(const Deployment& deployment, const Survival& survival) {
  std::string groups;
  for (int votes : survival.group_votes)
    groups += (groups.empty() ? "" : " + ") + std::to_string(votes);
  return (groups.empty() ? "0" : groups) + " of " + std::to_string(deployment.total_votes());
}

void deployment_text(std::ostream& out, const std::string& file, const Deployment& deployment) {
  out << "Deployment: " << (deployment.name.empty() ? file : deployment.name + " (" + file + ")")
      << "\n";
  Table datacenters({"datacenter", "nodes", "votes"});
  for (const auto& datacenter : deployment.datacenters) {
    datacenters.add({datacenter.name, deployment.names(datacenter.nodes),
                     std::to_string(deployment.votes(datacenter.nodes))});
  }
  out << datacenters.render("  ");
  if (links_every_pair(deployment)) {
    out << "  links: every pair of datacenters\n";
  } else {
    std::string links;
    for (const auto& [a, b] : deployment.links) {
      links += (links.empty() ? "" : ", ") + deployment.datacenters[a].name + "-" +
               deployment.datacenters[b].name;
    }
    out << "  links: " << (links.empty() ? "none" : links) << "\n";
  }
  out << "Quorum system: " << quorum_system_text(deployment) << "\n\n";
}

void intersection_text(std::ostream& out, const Deployment& deployment,
                       const PlacementAnalysis& analysis) {
  const IntersectionResult& intersection = analysis.intersection;
  if (intersection.holds) {
    out << "Quorum intersection (Z3): holds: every phase-1 quorum meets every phase-2 quorum\n";
  } else {
    out << "Quorum intersection (Z3): FAILS: these two quorums have no node in common\n";
    Table quorums({"quorum", "nodes", "votes", "needs"});
    quorums.add({"phase 1", deployment.names(intersection.phase1_quorum),
                 std::to_string(deployment.votes(intersection.phase1_quorum)),
                 std::to_string(deployment.phase1_votes())});
    quorums.add({"phase 2", deployment.names(intersection.phase2_quorum),
                 std::to_string(deployment.votes(intersection.phase2_quorum)),
                 std::to_string(deployment.phase2_votes())});
    out << quorums.render("  ");
  }
  if (analysis.smallest_safe_phase1_size) {
    out << "  the smallest phase-1 size that meets every phase-2 quorum of "
        << deployment.phase2_votes() << ": " << *analysis.smallest_safe_phase1_size << "\n";
  }
  out << "\n";
}

void failures_text(std::ostream& out, const Deployment& deployment,
                   const PlacementAnalysis& analysis) {
  Table table({"scenario", "case", "failed", "votes left", "phase 1", "phase 2", "live"});
  for (const ScenarioResult& scenario : analysis.scenarios) {
    for (size_t i = 0; i < scenario.cases.size(); ++i) {
      const Survival& survival = scenario.cases[i].survival;
      table.add({i == 0 ? scenario.description : "", scenario.cases[i].label,
                 deployment.names(survival.failed), votes_left(deployment, survival),
                 yes_no(survival.phase1), yes_no(survival.phase2), survival.live() ? "yes" : "NO"});
    }
  }
  out << "Failure scenarios (live: survivors that can reach each other hold a phase-1 and a "
         "phase-2 quorum)\n"
      << table.render("  ") << "\n";
}

void partitions_text(std::ostream& out, const Deployment& deployment,
                     const PlacementAnalysis& analysis) {
  Table table({"scenario", "side", "nodes", "votes", "phase 1", "phase 2", "progress"});
  for (const ScenarioResult& scenario : analysis.scenarios) {
    for (size_t i = 0; i < scenario.sides.size(); ++i) {
      const Side& side = scenario.sides[i];
      table.add({i == 0 ? scenario.description : "", datacenter_names(deployment, side.datacenters),
                 deployment.names(side.nodes), votes_left(deployment, side.votes),
                 yes_no(side.phase1), yes_no(side.phase2), side.progresses() ? "yes" : "no"});
    }
  }
  out << "Partitions (a side can make progress when it holds a phase-1 and a phase-2 quorum)\n"
      << table.render("  ") << "\n";
}

const FailureCase* smallest_failing_case(const PlacementAnalysis& analysis,
                                         std::string* scenario_description) {
  const FailureCase* smallest = nullptr;
  for (const ScenarioResult& scenario : analysis.scenarios) {
    if (!scenario.smallest_failing) continue;
    if (!smallest ||
        scenario.smallest_failing->survival.failed.size() < smallest->survival.failed.size()) {
      smallest = &*scenario.smallest_failing;
      *scenario_description = scenario.description;
    }
  }
  return smallest;
}

void summary_text(std::ostream& out, const Deployment& deployment,
                  const PlacementAnalysis& analysis) {
  const int tolerated = analysis.max_failures_tolerated;
  out << "Node failures always tolerated: " << tolerated << " (any "
      << nodes_word(static_cast<size_t>(tolerated))
      << "); the smallest failure leaving no live quorum: "
      << deployment.names(analysis.smallest_fatal_failure) << " ("
      << nodes_word(analysis.smallest_fatal_failure.size()) << ")\n";
  std::string description;
  if (const FailureCase* smallest = smallest_failing_case(analysis, &description)) {
    out << "Smallest failing scenario: " << description << ": " << smallest->label << " ("
        << deployment.names(smallest->survival.failed) << ", "
        << nodes_word(smallest->survival.failed.size()) << ")\n";
  }
  if (analysis.ok()) {
    out << "Result: ok: the quorums intersect and every scenario is survived\n";
  } else {
    std::string reasons;
    for (const auto& reason : analysis.failures())
      reasons += (reasons.empty() ? "" : "; ") + reason;
    out << "Result: FAIL: " << reasons << "\n";
  }
}

Json names_json(const Deployment& deployment, const NodeSet& set) {
  Json names = Json::array();
  for (NodeIndex node : set) names.push(deployment.nodes[node].name);
  return names;
}

Json survival_json(const Deployment& deployment, const FailureCase& failure) {
  Json json = Json::object();
  json.set("case", failure.label);
  json.set("failed", names_json(deployment, failure.survival.failed));
  json.set("votes_left", failure.survival.votes_left());
  Json groups = Json::array();
  for (int votes : failure.survival.group_votes) groups.push(votes);
  json.set("group_votes", std::move(groups));
  json.set("phase1", failure.survival.phase1);
  json.set("phase2", failure.survival.phase2);
  json.set("live", failure.survival.live());
  return json;
}

Json scenario_json(const Deployment& deployment, const ScenarioResult& scenario) {
  Json json = Json::object();
  json.set("scenario", scenario.description);
  json.set("kind", to_string(scenario.scenario.kind));
  json.set("ok", scenario.ok);
  if (scenario.scenario.kind == ScenarioKind::kPartition) {
    Json sides = Json::array();
    for (const Side& side : scenario.sides) {
      Json item = Json::object();
      Json datacenters = Json::array();
      for (DatacenterIndex datacenter : side.datacenters)
        datacenters.push(deployment.datacenters[datacenter].name);
      item.set("datacenters", std::move(datacenters));
      item.set("nodes", names_json(deployment, side.nodes));
      item.set("votes", side.votes);
      item.set("phase1", side.phase1);
      item.set("phase2", side.phase2);
      item.set("progress", side.progresses());
      sides.push(std::move(item));
    }
    json.set("sides", std::move(sides));
    json.set("split_brain", scenario.split_brain);
    return json;
  }
  Json cases = Json::array();
  for (const FailureCase& failure : scenario.cases) cases.push(survival_json(deployment, failure));
  json.set("cases", std::move(cases));
  if (scenario.smallest_failing)
    json.set("smallest_failing", survival_json(deployment, *scenario.smallest_failing));
  return json;
}

Json deployment_json(const Deployment& deployment) {
  Json datacenters = Json::array();
  for (const auto& datacenter : deployment.datacenters) {
    Json item = Json::object();
    item.set("name", datacenter.name);
    item.set("nodes", names_json(deployment, datacenter.nodes));
    item.set("votes", deployment.votes(datacenter.nodes));
    datacenters.push(std::move(item));
  }
  Json links = Json::array();
  for (const auto& [a, b] : deployment.links) {
    links.push(Json(Json::Array{deployment.datacenters[a].name, deployment.datacenters[b].name}));
  }
  Json quorum = Json::object();
  quorum.set("system", to_string(deployment.quorum.kind));
  quorum.set("phase1_votes", deployment.phase1_votes());
  quorum.set("phase2_votes", deployment.phase2_votes());
  Json json = Json::object();
  json.set("nodes", deployment.node_count());
  json.set("total_votes", deployment.total_votes());
  json.set("datacenters", std::move(datacenters));
  json.set("links", std::move(links));
  json.set("quorum", std::move(quorum));
  return json;
}

}  // namespace

bool PlacementAnalysis::ok() const { return failures().empty(); }

std::vector<std::string> PlacementAnalysis::failures() const {
  std::vector<std::string> reasons;
  if (!intersection.holds) reasons.push_back("a phase-1 and a phase-2 quorum do not intersect");
  for (const ScenarioResult& scenario : scenarios) {
    if (scenario.ok) continue;
    if (scenario.scenario.kind != ScenarioKind::kPartition) {
      reasons.push_back(scenario.description + " leaves no live quorum");
      continue;
    }
    reasons.push_back(scenario.description + (scenario.split_brain
                                                  ? ": split brain, one side can elect a leader "
                                                    "while another holds a phase-2 quorum"
                                                  : ": no side can make progress"));
  }
  return reasons;
}

PlacementAnalysis analyze(const Deployment& deployment) {
  PlacementAnalysis analysis;
  analysis.intersection = check_intersection(deployment);
  if (deployment.quorum.kind == QuorumSystemKind::kFlexible) {
    analysis.smallest_safe_phase1_size = smallest_safe_phase1_size(deployment);
  }
  for (const Scenario& scenario : deployment.scenarios)
    analysis.scenarios.push_back(analyze_scenario(deployment, scenario));
  analysis.smallest_fatal_failure = smallest_fatal_failure(deployment);
  analysis.max_failures_tolerated = static_cast<int>(analysis.smallest_fatal_failure.size()) - 1;
  return analysis;
}

std::string placement_text(const std::string& file, const Deployment& deployment,
                           const PlacementAnalysis& analysis) {
  std::ostringstream out;
  deployment_text(out, file, deployment);
  intersection_text(out, deployment, analysis);
  const bool any_failures = std::any_of(analysis.scenarios.begin(), analysis.scenarios.end(),
                                        [](const ScenarioResult& s) { return !s.cases.empty(); });
  const bool any_partitions = std::any_of(analysis.scenarios.begin(), analysis.scenarios.end(),
                                          [](const ScenarioResult& s) { return !s.sides.empty(); });
  if (any_failures) failures_text(out, deployment, analysis);
  if (any_partitions) partitions_text(out, deployment, analysis);
  summary_text(out, deployment, analysis);
  return out.str();
}

Json placement_json(const std::string& file, const Deployment& deployment,
                    const PlacementAnalysis& analysis) {
  Json json = Json::object();
  json.set("file", file);
  json.set("name", deployment.name);
  json.set("deployment", deployment_json(deployment));
  Json intersection = Json::object();
  intersection.set("holds", analysis.intersection.holds);
  if (!analysis.intersection.holds) {
    intersection.set("phase1_quorum", names_json(deployment, analysis.intersection.phase1_quorum));
    intersection.set("phase2_quorum", names_json(deployment, analysis.intersection.phase2_quorum));
  }
  if (analysis.smallest_safe_phase1_size) {
    intersection.set("smallest_safe_phase1_size", *analysis.smallest_safe_phase1_size);
  }
  json.set("intersection", std::move(intersection));
  Json scenarios = Json::array();
  for (const ScenarioResult& scenario : analysis.scenarios)
    scenarios.push(scenario_json(deployment, scenario));
  json.set("scenarios", std::move(scenarios));
  json.set("max_failures_tolerated", analysis.max_failures_tolerated);
  json.set("smallest_fatal_failure", names_json(deployment, analysis.smallest_fatal_failure));
  json.set("result", analysis.ok() ? "ok" : "fail");
  Json reasons = Json::array();
  for (const auto& reason : analysis.failures()) reasons.push(reason);
  json.set("failures", std::move(reasons));
  return json;
}

}  // namespace crosscheck::spec::placement
