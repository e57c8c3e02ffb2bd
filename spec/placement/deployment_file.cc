#include "spec/placement/deployment_file.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>
#include <vector>

#include "model_check/json.h"
#include "spec/placement/link_graph.h"

namespace crosscheck::spec::placement {
namespace {

using mc::Json;
using namespace impl::placement;

struct FileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(const std::string& path, const std::string& message) {
  throw FileError((path.empty() ? "(top level)" : path) + ": " + message);
}

// A field of the format by its name (quorum.phase1); any other member,
// such as an unknown field, in brackets and quoted (quorum["phase 1"]),
// so that what it holds cannot break or blur the error line.
std::string member_path(const std::string& path, std::string_view key) {
  const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
  if (!plain) return path + "[" + mc::json_quote(key) + "]";
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string element_path(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::string quoted(std::string_view text) { return mc::json_quote(text); }

std::string kind_of(const Json& value) {
  if (value.is_null()) return "null";
  if (value.is_bool()) return "a boolean";
  if (value.is_int()) return "an integer";
  if (value.is_double()) return "a number with a fraction";
  if (value.is_string()) return "a string";
  if (value.is_array()) return "an array";
  return "an object";
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

void expect_object(const Json& value, const std::string& path) {
  if (!value.is_object()) fail(path, "expected an object, not " + kind_of(value));
}

// The fields an object may have; any other is refused with its own path.
void refuse_unknown_fields(const Json& object, const std::string& path,
                           const std::vector<std::string>& known, const std::string& context = "") {
  expect_object(object, path);
  for (const auto& [name, value] : object.as_object()) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      fail(member_path(path, name), "unknown field" + context + " (known: " + join(known) + ")");
    }
  }
}

const Json& required(const Json& object, const std::string& path, std::string_view key) {
  const Json* value = object.find(key);
  if (!value) fail(path, "missing field " + quoted(key));
  return *value;
}

const Json::Array& expect_array(const Json& value, const std::string& path, size_t min, size_t max,
                                const std::string& items) {
  if (!value.is_array()) fail(path, "expected an array of " + items + ", not " + kind_of(value));
  const auto& array = value.as_array();
  if (array.size() < min || array.size() > max) {
    fail(path, "expected " + std::to_string(min) + " to " + std::to_string(max) + " " + items +
                   ", not " + std::to_string(array.size()));
  }
  return array;
}

int expect_integer(const Json& value, const std::string& path, int min, int max,
                   const std::string& why = "") {
  if (!value.is_int()) fail(path, "expected an integer, not " + kind_of(value));
  const int64_t n = value.as_int();
  if (n < min || n > max) {
    fail(path, std::to_string(n) + " is out of range " + std::to_string(min) + ".." +
                   std::to_string(max) + (why.empty() ? "" : " (" + why + ")"));
  }
  return static_cast<int>(n);
}

std::string expect_text(const Json& value, const std::string& path) {
  if (!value.is_string()) fail(path, "expected a string, not " + kind_of(value));
  return value.as_string();
}

// Names are printed space-separated in reports, so they may not hold spaces.
std::string expect_name(const Json& value, const std::string& path) {
  const std::string name = expect_text(value, path);
  const bool printable = std::all_of(name.begin(), name.end(), [](char c) {
    return std::isgraph(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
  });
  if (name.empty() || name.size() > static_cast<size_t>(kMaxNameLength) || !printable) {
    fail(path, "a name is 1 to " + std::to_string(kMaxNameLength) +
                   " characters without spaces, not " + quoted(name));
  }
  return name;
}

const std::vector<std::string> kSystems = {"majority", "weighted-majority", "flexible"};
const std::vector<std::string> kScenarioKinds = {"any-nodes", "any-datacenter",
                                                 "any-datacenter-plus-node", "partition"};

class DeploymentReader {
 public:
  Deployment read(const Json& root) {
    refuse_unknown_fields(root, "",
                          {"name", "description", "datacenters", "links", "quorum", "scenarios"});
    if (const Json* name = root.find("name")) deployment_.name = expect_text(*name, "name");
    if (const Json* description = root.find("description"))
      expect_text(*description, "description");
    const Json& quorum = required(root, "", "quorum");
    read_quorum_system(quorum);
    read_datacenters(required(root, "", "datacenters"));
    read_quorum_sizes(quorum);
    if (const Json* links = root.find("links")) {
      read_links(*links);
    } else {
      deployment_.link_every_pair();
    }
    // Nodes that can never reach each other cannot serve as one replica
    // group; what a partition or a datacenter failure cuts off is for the
    // analysis to answer.
    if (const auto components = link_components(deployment_); components.size() > 1) {
      fail("links", "datacenter " + quoted(deployment_.datacenters[components[1].front()].name) +
                        " cannot reach datacenter " + quoted(deployment_.datacenters.front().name) +
                        "; the links must connect every datacenter");
    }
    if (const Json* scenarios = root.find("scenarios")) {
      const auto& items = expect_array(*scenarios, "scenarios", 0, kMaxScenarios, "scenarios");
      for (size_t i = 0; i < items.size(); ++i) {
        deployment_.scenarios.push_back(read_scenario(items[i], element_path("scenarios", i)));
      }
    }
    return deployment_;
  }

 private:
  void read_quorum_system(const Json& quorum) {
    expect_object(quorum, "quorum");
    const std::string system = expect_text(required(quorum, "quorum", "system"), "quorum.system");
    if (system == "majority") {
      deployment_.quorum.kind = QuorumSystemKind::kMajority;
    } else if (system == "weighted-majority") {
      deployment_.quorum.kind = QuorumSystemKind::kWeightedMajority;
    } else if (system == "flexible") {
      deployment_.quorum.kind = QuorumSystemKind::kFlexible;
    } else {
      fail("quorum.system",
           "unknown quorum system " + quoted(system) + " (known: " + join(kSystems) + ")");
    }
    const bool flexible = deployment_.quorum.kind == QuorumSystemKind::kFlexible;
    refuse_unknown_fields(quorum, "quorum",
                          flexible ? std::vector<std::string>{"system", "phase1", "phase2"}
                                   : std::vector<std::string>{"system"},
                          " for the " + quoted(system) + " quorum system");
  }

  void read_quorum_sizes(const Json& quorum) {
    if (deployment_.quorum.kind == QuorumSystemKind::kWeightedMajority &&
        deployment_.total_votes() < 1) {
      fail("datacenters", "the nodes' votes add up to 0; a weighted majority needs at least 1");
    }
    if (deployment_.quorum.kind != QuorumSystemKind::kFlexible) return;
    const int n = deployment_.node_count();
    const std::string why =
        "the deployment has " + std::to_string(n) + (n == 1 ? " node" : " nodes");
    deployment_.quorum.phase1_size =
        expect_integer(required(quorum, "quorum", "phase1"), "quorum.phase1", 1, n, why);
    deployment_.quorum.phase2_size =
        expect_integer(required(quorum, "quorum", "phase2"), "quorum.phase2", 1, n, why);
  }

  void read_datacenters(const Json& value) {
    const auto& items = expect_array(value, "datacenters", 1, kMaxDatacenters, "datacenters");
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string path = element_path("datacenters", i);
      refuse_unknown_fields(items[i], path, {"name", "nodes"});
      const std::string name =
          expect_name(required(items[i], path, "name"), member_path(path, "name"));
      auto [at, inserted] =
          datacenter_places_.emplace(name, std::make_pair(static_cast<DatacenterIndex>(i), path));
      if (!inserted)
        fail(member_path(path, "name"),
             "datacenter " + quoted(name) + " is already named at " + at->second.second);
      const DatacenterIndex datacenter = deployment_.add_datacenter(name);
      const std::string nodes_path = member_path(path, "nodes");
      const auto& nodes =
          expect_array(required(items[i], path, "nodes"), nodes_path, 1, kMaxNodes, "nodes");
      for (size_t j = 0; j < nodes.size(); ++j)
        read_node(nodes[j], element_path(nodes_path, j), datacenter);
    }
  }

  // A node is its name, or an object with its name and (for a weighted
  // majority) its votes.
  void read_node(const Json& value, const std::string& path, DatacenterIndex datacenter) {
    std::string name;
    int votes = 1;
    if (value.is_string()) {
      name = expect_name(value, path);
    } else if (value.is_object()) {
      refuse_unknown_fields(value, path, {"name", "votes"});
      name = expect_name(required(value, path, "name"), member_path(path, "name"));
      if (const Json* given = value.find("votes")) {
        if (deployment_.quorum.kind != QuorumSystemKind::kWeightedMajority) {
          fail(member_path(path, "votes"),
               "votes apply only to the \"weighted-majority\" quorum system, not " +
                   quoted(to_string(deployment_.quorum.kind)));
        }
        votes = expect_integer(*given, member_path(path, "votes"), 0, kMaxVotes);
      }
    } else {
      fail(path, "expected a node name or an object with \"name\", not " + kind_of(value));
    }
    if (auto at = node_places_.find(name); at != node_places_.end()) {
      const auto& [first, first_path] = at->second;
      const Datacenter& where = deployment_.datacenters[deployment_.nodes[first].datacenter];
      fail(path, "node " + quoted(name) + " is already in datacenter " + quoted(where.name) + " (" +
                     first_path + ")");
    }
    if (deployment_.node_count() == kMaxNodes)
      fail(path, "more than " + std::to_string(kMaxNodes) + " nodes");
    node_places_[name] = {deployment_.add_node(datacenter, name, votes), path};
  }

  DatacenterIndex datacenter_named(const Json& value, const std::string& path) {
    const std::string name = expect_text(value, path);
    auto at = datacenter_places_.find(name);
    if (at == datacenter_places_.end()) fail(path, "unknown datacenter " + quoted(name));
    return at->second.first;
  }

  void read_links(const Json& value) {
    const auto& items =
        expect_array(value, "links", 0, kMaxDatacenters * (kMaxDatacenters - 1) / 2, "links");
    std::map<std::pair<DatacenterIndex, DatacenterIndex>, std::string> seen;
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string path = element_path("links", i);
      const auto& ends = expect_array(items[i], path, 2, 2, "datacenter names");
      const DatacenterIndex a = datacenter_named(ends[0], element_path(path, 0));
      const DatacenterIndex b = datacenter_named(ends[1], element_path(path, 1));
      if (a == b)
        fail(path, "a link joins two different datacenters, not " +
                       quoted(deployment_.datacenters[a].name) + " to itself");
      auto [at, inserted] = seen.emplace(std::make_pair(std::min(a, b), std::max(a, b)), path);
      if (!inserted) fail(path, "the same link as " + at->second);
      deployment_.add_link(a, b);
    }
  }

  Scenario read_scenario(const Json& value, const std::string& path) {
    expect_object(value, path);
    const std::string kind = expect_text(required(value, path, "kind"), member_path(path, "kind"));
    Scenario scenario;
    const std::string context = " for scenario kind " + quoted(kind);
    if (kind == "any-nodes") {
      refuse_unknown_fields(value, path, {"kind", "count"}, context);
      const int n = deployment_.node_count();
      scenario.kind = ScenarioKind::kAnyNodes;
      scenario.count =
          expect_integer(required(value, path, "count"), member_path(path, "count"), 1, n,
                         "the deployment has " + std::to_string(n) + (n == 1 ? " node" : " nodes"));
    } else if (kind == "any-datacenter") {
      refuse_unknown_fields(value, path, {"kind"}, context);
      scenario.kind = ScenarioKind::kAnyDatacenter;
    } else if (kind == "any-datacenter-plus-node") {
      refuse_unknown_fields(value, path, {"kind"}, context);
      scenario.kind = ScenarioKind::kAnyDatacenterPlusNode;
    } else if (kind == "partition") {
      refuse_unknown_fields(value, path, {"kind", "between"}, context);
      scenario.kind = ScenarioKind::kPartition;
      scenario.between =
          read_partition_groups(required(value, path, "between"), member_path(path, "between"));
    } else {
      fail(member_path(path, "kind"),
           "unknown scenario " + quoted(kind) + " (known: " + join(kScenarioKinds) + ")");
    }
    return scenario;
  }

  std::vector<std::vector<DatacenterIndex>> read_partition_groups(const Json& value,
                                                                  const std::string& path) {
    const auto& groups =
        expect_array(value, path, 2, kMaxDatacenters, "groups of datacenter names");
    std::map<DatacenterIndex, std::string> seen;
    std::vector<std::vector<DatacenterIndex>> between;
    for (size_t g = 0; g < groups.size(); ++g) {
      const std::string group_path = element_path(path, g);
      const auto& names =
          expect_array(groups[g], group_path, 1, kMaxDatacenters, "datacenter names");
      between.emplace_back();
      for (size_t i = 0; i < names.size(); ++i) {
        const std::string name_path = element_path(group_path, i);
        const DatacenterIndex datacenter = datacenter_named(names[i], name_path);
        auto [at, inserted] = seen.emplace(datacenter, name_path);
        if (!inserted) {
          fail(name_path, "datacenter " + quoted(deployment_.datacenters[datacenter].name) +
                              " is already at " + at->second);
        }
        between.back().push_back(datacenter);
      }
    }
    return between;
  }

  Deployment deployment_;
  std::map<std::string, std::pair<DatacenterIndex, std::string>>
      datacenter_places_;                                                 // name -> index, path
  std::map<std::string, std::pair<NodeIndex, std::string>> node_places_;  // name -> index, path
};

}  // namespace

std::optional<Deployment> read_deployment(std::string_view text, std::string* error) {
  std::string syntax_error;
  std::optional<Json> root = Json::parse(text, &syntax_error, {.reject_duplicate_members = true});
  if (!root) {
    if (error) *error = syntax_error;
    return std::nullopt;
  }
  try {
    Deployment deployment = DeploymentReader().read(*root);
    const std::string inconsistency = deployment.inconsistency();
    if (!inconsistency.empty())
      throw std::logic_error("the file reader let through " + inconsistency);
    return deployment;
  } catch (const FileError& bad) {
    if (error) *error = bad.what();
    return std::nullopt;
  }
}

}  // namespace crosscheck::spec::placement
