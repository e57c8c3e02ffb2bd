// The example deployments of docs/placement.md, each analysed and its
// verdicts pinned: the quorum intersection, every failure case, every
// partition side, the failures always tolerated.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "spec/placement/deployment_file.h"
#include "spec/placement/report.h"

namespace crosscheck::spec::placement {
namespace {

using impl::placement::Deployment;

Deployment example(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  const std::string path = std::string(srcdir ? srcdir : ".") + "/" +
                           (workspace ? workspace : "crosscheck") + "/docs/examples/" + name +
                           ".json";
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  std::string error;
  auto deployment = read_deployment(text.str(), &error);
  EXPECT_TRUE(deployment) << path << ": " << error;
  return deployment ? *deployment : Deployment{};
}

// One failure case as "label: failed nodes, votes left, live?", the votes
// left as "3+3" when the survivors are split into groups.
std::string summary(const Deployment& deployment, const FailureCase& failure) {
  std::string votes;
  for (int group : failure.survival.group_votes)
    votes += (votes.empty() ? "" : "+") + std::to_string(group);
  return failure.label + ": " + deployment.names(failure.survival.failed) + ", " + votes +
         " left, " + (failure.survival.live() ? "live" : "not live");
}

std::vector<std::string> summaries(const Deployment& deployment, const ScenarioResult& scenario) {
  std::vector<std::string> lines;
  for (const FailureCase& failure : scenario.cases) lines.push_back(summary(deployment, failure));
  return lines;
}

// One partition side as "nodes: votes, progress?".
std::vector<std::string> sides(const Deployment& deployment, const ScenarioResult& scenario) {
  std::vector<std::string> lines;
  for (const Side& side : scenario.sides) {
    lines.push_back(deployment.names(side.nodes) + ": " + std::to_string(side.votes) +
                    (side.progresses() ? ", progress" : ", stuck"));
  }
  return lines;
}

using Lines = std::vector<std::string>;

TEST(Examples, ThreeNodesInThreeDatacentersSurviveAnyOneDatacenter) {
  const Deployment deployment = example("three-nodes-three-datacenters");
  const PlacementAnalysis analysis = analyze(deployment);
  EXPECT_TRUE(analysis.intersection.holds);
  ASSERT_EQ(analysis.scenarios.size(), 3u);
  EXPECT_EQ(summaries(deployment, analysis.scenarios[0]), Lines{"worst case: e1, 2 left, live"});
  EXPECT_EQ(summaries(deployment, analysis.scenarios[1]),
            (Lines{"us-east: e1, 2 left, live", "us-west: w1, 2 left, live",
                   "eu-central: c1, 2 left, live"}));
  EXPECT_EQ(sides(deployment, analysis.scenarios[2]),
            (Lines{"e1: 1, stuck", "w1 c1: 2, progress"}));
  EXPECT_EQ(analysis.max_failures_tolerated, 1);
  EXPECT_TRUE(analysis.ok());
}

TEST(Examples, FiveNodesAsTwoTwoOneSurviveADatacenterButNotADatacenterAndOneMoreNode) {
  const Deployment deployment = example("five-nodes-2-2-1");
  const PlacementAnalysis analysis = analyze(deployment);
  EXPECT_TRUE(analysis.intersection.holds);
  ASSERT_EQ(analysis.scenarios.size(), 4u);
  EXPECT_EQ(summaries(deployment, analysis.scenarios[0]), Lines{"worst case: e1 e2, 3 left, live"});
  EXPECT_TRUE(analysis.scenarios[1].ok);
  EXPECT_EQ(
      summaries(deployment, analysis.scenarios[2]),
      (Lines{"us-east + w1: e1 e2 w1, 2 left, not live", "us-west + e1: e1 w1 w2, 2 left, not live",
             "eu-central + e1: e1 c1, 3 left, live"}));
  ASSERT_TRUE(analysis.scenarios[2].smallest_failing);
  EXPECT_EQ(analysis.scenarios[2].smallest_failing->label, "us-east + w1");
  EXPECT_EQ(sides(deployment, analysis.scenarios[3]),
            (Lines{"e1 e2: 2, stuck", "w1 w2 c1: 3, progress"}));
  EXPECT_EQ(analysis.max_failures_tolerated, 2);
  EXPECT_EQ(analysis.failures(), Lines{"any datacenter plus one node leaves no live quorum"});
}

TEST(Examples, SixNodesSplitThreeAndThreeLoseTheMajorityWithEitherDatacenter) {
  const Deployment deployment = example("six-nodes-3-3");
  const PlacementAnalysis analysis = analyze(deployment);
  EXPECT_TRUE(analysis.intersection.holds);
  EXPECT_EQ(deployment.phase1_votes(), 4);
  ASSERT_EQ(analysis.scenarios.size(), 3u);
  EXPECT_EQ(summaries(deployment, analysis.scenarios[0]), Lines{"worst case: e1 e2, 4 left, live"});
  EXPECT_EQ(summaries(deployment, analysis.scenarios[1]),
            (Lines{"us-east: e1 e2 e3, 3 left, not live", "us-west: w1 w2 w3, 3 left, not live"}));
  EXPECT_EQ(sides(deployment, analysis.scenarios[2]),
            (Lines{"e1 e2 e3: 3, stuck", "w1 w2 w3: 3, stuck"}));
  EXPECT_FALSE(analysis.scenarios[2].split_brain);
  EXPECT_EQ(analysis.max_failures_tolerated, 2);
  EXPECT_EQ(deployment.names(analysis.smallest_fatal_failure), "e1 e2 e3");
  EXPECT_EQ(analysis.failures(),
            (Lines{"any one datacenter leaves no live quorum",
                   "partition {us-east} | {us-west}: no side can make progress"}));
}

TEST(Examples, FlexibleQuorumsOfTwoForPhaseTwoAreSafeWithFourForPhaseOne) {
  const Deployment deployment = example("flexible-q1-4-q2-2");
  const PlacementAnalysis analysis = analyze(deployment);
  EXPECT_TRUE(analysis.intersection.holds);
  EXPECT_EQ(analysis.smallest_safe_phase1_size, 4);
  ASSERT_EQ(analysis.scenarios.size(), 3u);
  EXPECT_EQ(summaries(deployment, analysis.scenarios[0]), Lines{"worst case: e1, 4 left, live"});
  // Losing a datacenter of two leaves a phase-2 quorum but no phase-1
  // quorum: the leader in place keeps going, no new one can be elected.
  const Survival& east = analysis.scenarios[1].cases[0].survival;
  EXPECT_TRUE(east.phase2);
  EXPECT_FALSE(east.phase1);
  EXPECT_EQ(sides(deployment, analysis.scenarios[2]),
            (Lines{"e1 e2 w1 w2: 4, progress", "c1: 1, stuck"}));
  EXPECT_EQ(analysis.max_failures_tolerated, 1);
}

TEST(Examples, FlexibleQuorumTooSmallIsCaughtByZ3WithTwoDisjointQuorums) {
  const Deployment deployment = example("flexible-quorum-too-small");
  const PlacementAnalysis analysis = analyze(deployment);
  const IntersectionResult& intersection = analysis.intersection;
  ASSERT_FALSE(intersection.holds);
  EXPECT_EQ(intersection.phase1_quorum.size(), 3u);
  EXPECT_EQ(intersection.phase2_quorum.size(), 2u);
  NodeSet common;
  std::set_intersection(intersection.phase1_quorum.begin(), intersection.phase1_quorum.end(),
                        intersection.phase2_quorum.begin(), intersection.phase2_quorum.end(),
                        std::back_inserter(common));
  EXPECT_TRUE(common.empty()) << deployment.names(common);
  EXPECT_EQ(analysis.smallest_safe_phase1_size, 4);
  // us-east keeps a phase-2 quorum while the other side can elect a leader.
  ASSERT_EQ(analysis.scenarios.size(), 3u);
  EXPECT_TRUE(analysis.scenarios[2].split_brain);
  EXPECT_FALSE(analysis.ok());
  const std::string text = placement_text("too-small.json", deployment, analysis);
  EXPECT_NE(text.find("Quorum intersection (Z3): FAILS"), std::string::npos) << text;
  EXPECT_NE(text.find("phase 1  " + deployment.names(intersection.phase1_quorum) + "  3      3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("phase 2  " + deployment.names(intersection.phase2_quorum)),
            std::string::npos)
      << text;
  const mc::Json json = placement_json("too-small.json", deployment, analysis);
  EXPECT_EQ(json["intersection"]["phase1_quorum"].as_array().size(), 3u);
  EXPECT_EQ(json["result"].as_string(), "fail");
}

TEST(Examples, WeightedMajorityOverAChainSplitsWhenTheMiddleFailsOrIsCut) {
  const Deployment deployment = example("weighted-chain");
  const PlacementAnalysis analysis = analyze(deployment);
  EXPECT_TRUE(analysis.intersection.holds);
  EXPECT_EQ(deployment.total_votes(), 7);
  ASSERT_EQ(analysis.scenarios.size(), 4u);
  EXPECT_EQ(summaries(deployment, analysis.scenarios[0]), Lines{"worst case: e1, 5 left, live"});
  // us-central is the only way between us-east and us-west.
  EXPECT_EQ(summaries(deployment, analysis.scenarios[1]),
            (Lines{"us-east: e1 e2, 4 left, live", "us-central: c1, 3+3 left, not live",
                   "us-west: w1 w2, 4 left, live"}));
  EXPECT_EQ(sides(deployment, analysis.scenarios[2]),
            (Lines{"e1 e2: 3, stuck", "c1 w1 w2: 4, progress"}));
  EXPECT_EQ(sides(deployment, analysis.scenarios[3]),
            (Lines{"e1 e2: 3, stuck", "c1: 1, stuck", "w1 w2: 3, stuck"}));
  EXPECT_EQ(analysis.max_failures_tolerated, 1);
  EXPECT_EQ(deployment.names(analysis.smallest_fatal_failure), "e1 w1");
  EXPECT_EQ(analysis.failures(),
            (Lines{"any one datacenter leaves no live quorum",
                   "partition {us-central} | {us-east, us-west}: no side can make progress"}));
}

}  // namespace
}  // namespace crosscheck::spec::placement
