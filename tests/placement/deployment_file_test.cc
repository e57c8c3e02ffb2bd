// Deployment files: what a good one reads as, and the one error each kind
// of bad file gets, naming its place (line and column, or JSON path).
#include "spec/placement/deployment_file.h"

#include <gtest/gtest.h>

#include <string>

namespace crosscheck::spec::placement {
namespace {

using namespace impl::placement;

Deployment read(const std::string& text) {
  std::string error;
  auto deployment = read_deployment(text, &error);
  EXPECT_TRUE(deployment) << error;
  return deployment ? *deployment : Deployment{};
}

TEST(DeploymentFile, NodesAreNamesOrObjectsAndEveryPairOfDatacentersIsLinkedByDefault) {
  const Deployment deployment = read(R"({
    "name": "two sites",
    "datacenters": [
      {"name": "a", "nodes": ["a1", {"name": "a2", "votes": 3}]},
      {"name": "b", "nodes": [{"name": "b1"}]},
      {"name": "c", "nodes": ["c1"]}
    ],
    "quorum": {"system": "weighted-majority"},
    "scenarios": [{"kind": "any-nodes", "count": 2}, {"kind": "partition", "between": [["c"],
      ["a", "b"]]}]
  })");
  EXPECT_EQ(deployment.name, "two sites");
  ASSERT_EQ(deployment.node_count(), 4);
  EXPECT_EQ(deployment.nodes[1].name, "a2");
  EXPECT_EQ(deployment.nodes[1].votes, 3);
  EXPECT_EQ(deployment.nodes[2].datacenter, 1);
  EXPECT_EQ(deployment.total_votes(), 6);
  EXPECT_EQ(deployment.phase1_votes(), 4);
  using Link = std::pair<DatacenterIndex, DatacenterIndex>;
  EXPECT_EQ(deployment.links, (std::vector<Link>{{0, 1}, {0, 2}, {1, 2}}));
  ASSERT_EQ(deployment.scenarios.size(), 2u);
  EXPECT_EQ(deployment.scenarios[0].count, 2);
  EXPECT_EQ(deployment.scenarios[1].between,
            (std::vector<std::vector<DatacenterIndex>>{{2}, {0, 1}}));
}

TEST(DeploymentFile, ExplicitLinksReplaceTheFullMesh) {
  const Deployment deployment = read(R"({
    "datacenters": [{"name": "a", "nodes": ["a1"]}, {"name": "b", "nodes": ["b1"]},
      {"name": "c", "nodes": ["c1"]}],
    "links": [["c", "b"], ["b", "a"]],
    "quorum": {"system": "flexible", "phase1": 2, "phase2": 2}
  })");
  using Link = std::pair<DatacenterIndex, DatacenterIndex>;
  EXPECT_EQ(deployment.links, (std::vector<Link>{{1, 2}, {0, 1}}));
  EXPECT_TRUE(deployment.scenarios.empty());
  EXPECT_EQ(deployment.quorum.kind, QuorumSystemKind::kFlexible);
}

struct BadFile {
  const char* name;
  const char* text;
  const char* error;
};

class BadDeploymentFile : public ::testing::TestWithParam<BadFile> {};

TEST_P(BadDeploymentFile, GetsOneErrorNamingItsPlace) {
  std::string error;
  EXPECT_FALSE(read_deployment(GetParam().text, &error));
  EXPECT_EQ(error, GetParam().error);
}

// Every file below is otherwise good; `TWO_DATACENTERS` is two datacenters of 2 + 1 nodes.
#define TWO_DATACENTERS \
  R"("datacenters": [{"name": "a", "nodes": ["a1", "a2"]}, {"name": "b", "nodes": ["b1"]}])"
#define MAJORITY R"("quorum": {"system": "majority"})"

INSTANTIATE_TEST_SUITE_P(
    Files, BadDeploymentFile,
    ::testing::Values(
        BadFile{"MalformedJson",
                "{\n  " TWO_DATACENTERS ",\n  " MAJORITY "\n  \"scenarios\": []\n}",
                "expected ',' or '}' at line 4, column 3 (offset 128)"},
        BadFile{"TrailingText", "{" TWO_DATACENTERS ", " MAJORITY "} x",
                "trailing characters after the JSON value at line 1, column 123 (offset 122)"},
        BadFile{"RepeatedMember", "{" TWO_DATACENTERS ",\n " MAJORITY ",\n " MAJORITY "}",
                "duplicate member \"quorum\" at line 3, column 2 (offset 124)"},
        BadFile{"RepeatedMemberWithANewline", "{\"a\\nb\": 1, \"a\\nb\": 2}",
                R"(duplicate member "a\nb" at line 1, column 13 (offset 12))"},
        BadFile{"NotAnObject", "[1]", "(top level): expected an object, not an array"},
        BadFile{"UnknownTopLevelField", "{" TWO_DATACENTERS ", " MAJORITY ", \"datacentres\": []}",
                "datacentres: unknown field (known: name, description, datacenters, links, quorum, "
                "scenarios)"},
        BadFile{"UnknownDatacenterField",
                R"({"datacenters": [{"name": "a", "nodes": ["a1"], "region": "x"}], )" MAJORITY "}",
                "datacenters[0].region: unknown field (known: name, nodes)"},
        BadFile{
            "UnknownNodeField",
            R"({"datacenters": [{"name": "a", "nodes": [{"name": "a1", "weight": 2}]}], )" MAJORITY
            "}",
            "datacenters[0].nodes[0].weight: unknown field (known: name, votes)"},
        BadFile{"UnknownFieldWithANewline",
                R"({"datacenters": [{"name": "a", "nodes": ["a1"], "re\ngion": "x"}], )" MAJORITY
                "}",
                R"(datacenters[0]["re\ngion"]: unknown field (known: name, nodes))"},
        BadFile{"UnknownFieldWithADelete",
                "{\"datacenters\": [{\"name\": \"a\", \"n\x7f"
                "des\": [\"a1\"]}], " MAJORITY "}",
                R"(datacenters[0]["n\u007fdes"]: unknown field (known: name, nodes))"},
        BadFile{"UnknownQuorumField",
                "{" TWO_DATACENTERS R"(, "quorum": {"system": "majority", "phase1": 2}})",
                "quorum.phase1: unknown field for the \"majority\" quorum system (known: system)"},
        BadFile{
            "UnknownScenarioField",
            "{" TWO_DATACENTERS ", " MAJORITY
            R"(, "scenarios": [{"kind": "any-datacenter", "count": 1}]})",
            "scenarios[0].count: unknown field for scenario kind \"any-datacenter\" (known: kind)"},
        BadFile{"NodeInTwoDatacenters",
                R"({"datacenters": [{"name": "a", "nodes": ["x1"]}, {"name": "b", "nodes": ["b1", )"
                R"("x1"]}], )" MAJORITY "}",
                "datacenters[1].nodes[1]: node \"x1\" is already in datacenter \"a\" "
                "(datacenters[0].nodes[0])"},
        BadFile{"NodeTwiceInADatacenter",
                R"({"datacenters": [{"name": "a", "nodes": ["a1", {"name": "a1"}]}], )" MAJORITY
                "}",
                "datacenters[0].nodes[1]: node \"a1\" is already in datacenter \"a\" "
                "(datacenters[0].nodes[0])"},
        BadFile{"DatacenterNamedTwice",
                R"({"datacenters": [{"name": "a", "nodes": ["a1"]}, {"name": "a", "nodes": )"
                R"(["a2"]}], )" MAJORITY "}",
                "datacenters[1].name: datacenter \"a\" is already named at datacenters[0]"},
        BadFile{"EmptyDatacenter", R"({"datacenters": [{"name": "a", "nodes": []}], )" MAJORITY "}",
                "datacenters[0].nodes: expected 1 to 256 nodes, not 0"},
        BadFile{"NoDatacenters", R"({"datacenters": [], )" MAJORITY "}",
                "datacenters: expected 1 to 64 datacenters, not 0"},
        BadFile{
            "NameWithASpace", R"({"datacenters": [{"name": "a", "nodes": ["a 1"]}], )" MAJORITY "}",
            "datacenters[0].nodes[0]: a name is 1 to 64 characters without spaces, not \"a 1\""},
        BadFile{"NodeOfTheWrongType",
                R"({"datacenters": [{"name": "a", "nodes": [7]}], )" MAJORITY "}",
                "datacenters[0].nodes[0]: expected a node name or an object with \"name\", not an "
                "integer"},
        BadFile{"MissingQuorum", "{" TWO_DATACENTERS "}", "(top level): missing field \"quorum\""},
        BadFile{"UnknownQuorumSystem",
                "{" TWO_DATACENTERS R"(, "quorum": {"system": "plurality"}})",
                "quorum.system: unknown quorum system \"plurality\" (known: majority, "
                "weighted-majority, flexible)"},
        BadFile{"Phase1SizeTooLarge",
                "{" TWO_DATACENTERS
                R"(, "quorum": {"system": "flexible", "phase1": 4, "phase2": 2}})",
                "quorum.phase1: 4 is out of range 1..3 (the deployment has 3 nodes)"},
        BadFile{"Phase2SizeZero",
                "{" TWO_DATACENTERS
                R"(, "quorum": {"system": "flexible", "phase1": 2, "phase2": 0}})",
                "quorum.phase2: 0 is out of range 1..3 (the deployment has 3 nodes)"},
        BadFile{"Phase2SizeMissing",
                "{" TWO_DATACENTERS R"(, "quorum": {"system": "flexible", "phase1": 2}})",
                "quorum: missing field \"phase2\""},
        BadFile{"PhaseSizeNotAnInteger",
                "{" TWO_DATACENTERS
                R"(, "quorum": {"system": "flexible", "phase1": 2.5, "phase2": 2}})",
                "quorum.phase1: expected an integer, not a number with a fraction"},
        BadFile{
            "VotesOutsideAWeightedMajority",
            R"({"datacenters": [{"name": "a", "nodes": [{"name": "a1", "votes": 2}]}], )" MAJORITY
            "}",
            "datacenters[0].nodes[0].votes: votes apply only to the \"weighted-majority\" quorum "
            "system, not "
            "\"majority\""},
        BadFile{"VotesOutOfRange",
                R"({"datacenters": [{"name": "a", "nodes": [{"name": "a1", "votes": -1}]}], )"
                R"("quorum": {"system": "weighted-majority"}})",
                "datacenters[0].nodes[0].votes: -1 is out of range 0..1000"},
        BadFile{"NoVotesAtAll",
                R"({"datacenters": [{"name": "a", "nodes": [{"name": "a1", "votes": 0}]}], )"
                R"("quorum": {"system": "weighted-majority"}})",
                "datacenters: the nodes' votes add up to 0; a weighted majority needs at least 1"},
        BadFile{"LinkToAnUnknownDatacenter",
                "{" TWO_DATACENTERS R"(, "links": [["a", "c"]], )" MAJORITY "}",
                "links[0][1]: unknown datacenter \"c\""},
        BadFile{"LinkToItself", "{" TWO_DATACENTERS R"(, "links": [["a", "a"]], )" MAJORITY "}",
                "links[0]: a link joins two different datacenters, not \"a\" to itself"},
        BadFile{"LinksLeavingADatacenterUnreachable",
                R"({"datacenters": [{"name": "a", "nodes": ["a1"]}, {"name": "b", "nodes": ["b1"]},
                    {"name": "c", "nodes": ["c1"]}], "links": [["a", "c"]], )" MAJORITY "}",
                "links: datacenter \"b\" cannot reach datacenter \"a\"; the links must connect "
                "every datacenter"},
        BadFile{"LinkTwice",
                "{" TWO_DATACENTERS R"(, "links": [["a", "b"], ["b", "a"]], )" MAJORITY "}",
                "links[1]: the same link as links[0]"},
        BadFile{"NodeCountOutOfRange",
                "{" TWO_DATACENTERS ", " MAJORITY
                R"(, "scenarios": [{"kind": "any-nodes", "count": 4}]})",
                "scenarios[0].count: 4 is out of range 1..3 (the deployment has 3 nodes)"},
        BadFile{"UnknownScenario",
                "{" TWO_DATACENTERS ", " MAJORITY R"(, "scenarios": [{"kind": "meteor"}]})",
                "scenarios[0].kind: unknown scenario \"meteor\" (known: any-nodes, any-datacenter, "
                "any-datacenter-plus-node, partition)"},
        BadFile{"PartitionOfAnUnknownDatacenter",
                "{" TWO_DATACENTERS ", " MAJORITY
                R"(, "scenarios": [{"kind": "partition", "between": [["a"], ["z"]]}]})",
                "scenarios[0].between[1][0]: unknown datacenter \"z\""},
        BadFile{"PartitionNamingADatacenterTwice",
                "{" TWO_DATACENTERS ", " MAJORITY
                R"(, "scenarios": [{"kind": "partition", "between": [["a"], ["b", "a"]]}]})",
                "scenarios[0].between[1][1]: datacenter \"a\" is already at "
                "scenarios[0].between[0][0]"},
        BadFile{"PartitionOfOneGroup",
                "{" TWO_DATACENTERS ", " MAJORITY
                R"(, "scenarios": [{"kind": "partition", "between": [["a", "b"]]}]})",
                "scenarios[0].between: expected 2 to 64 groups of datacenter names, not 1"}),
    [](const ::testing::TestParamInfo<BadFile>& info) { return std::string(info.param.name); });

#undef TWO_DATACENTERS
#undef MAJORITY

}  // namespace
}  // namespace crosscheck::spec::placement
