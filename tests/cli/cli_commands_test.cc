// The other commands as a user meets them: list, --help, prove, and the
// acceptance runs of placement, and one clear error line with exit status 2
// for every bad command line.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "model_check/json.h"
#include "tests/cli/cli_runner.h"

namespace crosscheck::cli::testing {
namespace {

TEST(Cli, ListShowsProtocolsVariantsAndProperties) {
  CliRun run = crosscheck("list");
  EXPECT_EQ(run.status, 0);
  for (const char* text :
       {"twophase", "tm-unlogged-decision", "Atomicity (always)", "TCConsistent (always)",
        "RefinesTCommit (step)", "--max-crashes", "raft", "commit-old-term",
        "ElectionSafety (always)", "RefinesRaftSpec (step)", "--model spec 2"}) {
    EXPECT_NE(run.out.find(text), std::string::npos) << text;
  }
}

// Every --help comes from the declared options and descriptors: a bound
// shows its range and default, each command its summary.
TEST(Cli, HelpIsGeneratedFromTheDeclarations) {
  CliRun top = crosscheck("--help");
  EXPECT_EQ(top.status, 0);
  for (const char* text : {"check", "prove", "replay", "placement", "audit", "list"}) {
    EXPECT_NE(top.out.find(text), std::string::npos) << text;
  }
  CliRun check = crosscheck("check --help");
  EXPECT_EQ(check.status, 0);
  EXPECT_NE(check.out.find("raft"), std::string::npos) << check.out;
  CliRun raft = crosscheck("check raft --help");
  EXPECT_EQ(raft.status, 0);
  for (const char* text :
       {"Usage: crosscheck check raft", "--servers N=3", "(1..5; --model spec: 2)",
        "--search bfs|dfs|simulate=bfs", "--checkpoint FILE"}) {
    EXPECT_NE(raft.out.find(text), std::string::npos) << text << "\n" << raft.out;
  }
  CliRun prove = crosscheck("prove raft --help");
  EXPECT_EQ(prove.status, 0);
  EXPECT_EQ(prove.out.find("--search"), std::string::npos) << prove.out;
  CliRun replay = crosscheck("replay --help");
  EXPECT_EQ(replay.status, 0);
  EXPECT_NE(replay.out.find("--max-states N"), std::string::npos) << replay.out;
}

// An unknown protocol's error names every protocol `list` shows, in its
// order: whatever protocols are linked in, not a list kept by hand.
TEST(Cli, UnknownProtocolNamesEveryProtocolListed) {
  CliRun list = crosscheck("list");
  ASSERT_EQ(list.status, 0);
  std::string names;
  std::istringstream lines(list.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() == ' ') continue;
    names += (names.empty() ? "" : ", ") + line.substr(0, line.find(':'));
  }
  for (const char* name : {"raft", "ring-election", "twophase"}) {
    EXPECT_NE(names.find(name), std::string::npos) << names;
  }
  CliRun run = crosscheck("check paxoz");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("unknown protocol 'paxoz' (known: " + names + ")\n"), std::string::npos)
      << run.err;
}

TEST(Cli, ProveShowsTheInvariantInductive) {
  CliRun run = crosscheck("prove twophase");
  EXPECT_EQ(run.status, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("proved"), std::string::npos) << run.out;
}

TEST(Cli, ProveRaftChecksElectionSafetyByBmcAndInduction) {
  CliRun run = crosscheck("prove raft --depth 6 --max-term 2 --max-restarts 0 --max-messages 2");
  EXPECT_EQ(run.status, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("no violation up to depth 6"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("proved"), std::string::npos) << run.out;
}

TEST(Cli, PlacementOfEveryExamplePrintsItsTablesAndFailsWhereAScenarioIsLost) {
  std::string files;
  for (const char* name : {"three-nodes-three-datacenters", "five-nodes-2-2-1", "six-nodes-3-3",
                           "flexible-q1-4-q2-2", "flexible-quorum-too-small", "weighted-chain"}) {
    files += " " + example(name);
  }
  CliRun run = crosscheck("placement" + files);
  EXPECT_EQ(run.status, 1) << run.err;
  for (const char* text :
       {"Quorum system: majority: a quorum is any 4 of the 6 nodes",
        "  scenario            case        failed    "
        "votes left  phase 1  phase 2  live\n",
        "  any one datacenter  us-east     e1 e2 e3  3 of 6      no       no       NO\n",
        "Result: ok: the quorums intersect and every scenario is survived",
        "Result: FAIL: any one datacenter leaves no live quorum; partition {us-east} | {us-west}: "
        "no side can make "
        "progress",
        "Node failures always tolerated: 2 (any 2 nodes)", "6 deployments: 1 ok, 5 failing"}) {
    EXPECT_NE(run.out.find(text), std::string::npos) << text << "\n" << run.out;
  }
}

TEST(Cli, ProvePaxosShowsTheStrengthenedInvInductiveAndPaxosTlaInvNot) {
  CliRun run = crosscheck("prove paxos --model spec --acceptors 3 --values 2 --max-ballot 1");
  EXPECT_EQ(run.status, 0) << run.out << run.err;
  for (const char* text :
       {"Paxos.tla, 3 acceptors, 2 values, ballots 0..1", "Next => (Inv /\\ S6..S9)': proved (",
        "Inv /\\ S6..S9 => Agreement: proved (", "Inv /\\ S6..S9 => Validity: proved (",
        "Paxos.tla's Inv without S6..S9: not inductive (", "counterexample to induction"}) {
    EXPECT_NE(run.out.find(text), std::string::npos) << text << "\n" << run.out;
  }
}

TEST(Cli, PlacementOfASafeDeploymentExitsZero) {
  CliRun run = crosscheck("placement --format json " + example("three-nodes-three-datacenters"));
  EXPECT_EQ(run.status, 0) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["result"].as_string(), "ok");
  const mc::Json& deployment = json["deployments"].as_array().at(0);
  EXPECT_TRUE(deployment["intersection"]["holds"].as_bool());
  EXPECT_EQ(deployment["max_failures_tolerated"].as_int(), 1);
  EXPECT_EQ(
      deployment["scenarios"].as_array().at(2)["sides"].as_array().at(1)["progress"].as_bool(),
      true);
}

TEST(Cli, PlacementShowsTheTwoDisjointQuorumsOfFlexibleQuorumTooSmall) {
  CliRun run = crosscheck("placement --format=json " + example("flexible-quorum-too-small"));
  EXPECT_EQ(run.status, 1) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["result"].as_string(), "fail");
  const mc::Json& intersection = json["deployments"].as_array().at(0)["intersection"];
  EXPECT_FALSE(intersection["holds"].as_bool());
  const auto& phase1 = intersection["phase1_quorum"].as_array();
  const auto& phase2 = intersection["phase2_quorum"].as_array();
  EXPECT_EQ(phase1.size(), 3u);
  EXPECT_EQ(phase2.size(), 2u);
  for (const auto& node : phase1) {
    EXPECT_EQ(std::count(phase2.begin(), phase2.end(), node), 0) << node.dump();
  }
  CliRun text = crosscheck("placement " + example("flexible-quorum-too-small"));
  EXPECT_NE(
      text.out.find("Quorum intersection (Z3): FAILS: these two quorums have no node in common"),
      std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("  phase 1  "), std::string::npos) << text.out;
}

TEST(Cli, APlacementFileErrorNamesTheFileAndThePlace) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(tmp ? tmp : "/tmp") + "/two-homes.json";
  std::ofstream(path)
      << R"({"datacenters": [{"name": "a", "nodes": ["x"]}, {"name": "b", "nodes": ["x"]}],
                             "quorum": {"system": "majority"}})";
  CliRun run = crosscheck("placement " + example("three-nodes-three-datacenters") + " " + path);
  EXPECT_EQ(run.status, 2);
  EXPECT_TRUE(run.out.empty()) << run.out;
  EXPECT_EQ(run.err, "crosscheck: " + path +
                         ": datacenters[1].nodes[0]: node \"x\" is already in datacenter \"a\" "
                         "(datacenters[0].nodes[0])\n");
  std::ofstream(path) << "{\n  \"datacenters\": [}\n";
  run = crosscheck("placement " + path);
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.err, "crosscheck: " + path +
                         ": unexpected character '}' at line 2, column 19 (offset 20)\n");
}

struct BadInput {
  const char* args;
  const char* message;
};

class CliBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(CliBadInput, GetsOneClearErrorLineAndExitStatusTwo) {
  CliRun run = crosscheck(GetParam().args);
  EXPECT_EQ(run.status, 2) << GetParam().args;
  EXPECT_TRUE(run.out.empty()) << run.out;
  EXPECT_NE(run.err.find(GetParam().message), std::string::npos) << run.err;
  EXPECT_EQ(run.err.rfind("crosscheck: ", 0), 0u) << run.err;
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, CliBadInput,
    ::testing::Values(
        BadInput{"frobnicate", "unknown command 'frobnicate'"},
        BadInput{"check", "check needs a protocol"},
        BadInput{"check paxoz", "unknown protocol 'paxoz' (known: "},
        BadInput{"check twophase --variant nope", "unknown variant 'nope'"},
        BadInput{"check twophase --model nope", "unknown model 'nope'"},
        BadInput{"check twophase --frob 1", "unknown flag --frob"},
        BadInput{"check twophase --rms 0", "--rms must be in 1..16, not 0"},
        BadInput{"check twophase --rms 17", "--rms must be in 1..16, not 17"},
        BadInput{"check twophase --rms three", "--rms takes an integer, not 'three'"},
        BadInput{"check twophase --rms", "--rms needs a value"},
        BadInput{"check twophase --format xml", "--format is text or json"},
        BadInput{"check twophase --model spec --max-drops 1",
                 "--max-drops applies to --model impl"},
        BadInput{"check twophase --model spec --variant rm-timeout-abort",
                 "--variant applies to --model impl"},
        BadInput{"check twophase --max-states 0", "--max-states must be at least 1"},
        BadInput{"check twophase extra", "unexpected argument 'extra'"},
        BadInput{"list extra", "list takes no arguments"},
        BadInput{"check multipaxos --symmetry",
                 "--symmetry: this model defines no symmetry (--model impl)"},
        BadInput{"check twophase --threads 0", "--threads must be in 1..256"},
        BadInput{"check raft --por", "--por: this model says none of its steps commute"},
        BadInput{"check twophase --por --symmetry",
                 "--por is a breadth-first search of its own: not with --search dfs|simulate, "
                 "--symmetry"},
        BadInput{"check twophase --por --search dfs", "--por is a breadth-first search of its own"},
        BadInput{"check paxos --focus three-ballots --por",
                 "--focus three-ballots sets the bounds and the search itself"},
        BadInput{"check raft --servers 6", "--servers must be in 1..5, not 6"},
        BadInput{"check raft --variant nope", "unknown variant 'nope'"},
        BadInput{"check raft --drift 2", "--drift applies only with --lease-reads"},
        BadInput{"check raft --lease-reads 1 --check-quorum 1 --snapshots 1",
                 "lease reads are modelled without leadership transfer, membership changes and "
                 "snapshots"},
        BadInput{"check raft --focus nope",
                 "unknown focused run 'nope' for raft (known: two-entries, four-terms, "
                 "pre-vote-check-quorum, transfer, reads, membership, membership-three-entries, "
                 "joint, snapshots, membership-four, lease-reads, or all, "
                 "none)"},
        BadInput{"check raft --focus two-entries --max-log 1",
                 "--focus two-entries sets the bounds and the search itself"},
        BadInput{"check raft --model spec --focus two-entries",
                 "--focus two-entries applies to --model impl, not spec"},
        BadInput{"check twophase --rms 7 --symmetry",
                 "--symmetry: a group of 7 interchangeable nodes is more than 6 can take"},
        BadInput{"check twophase --rms 1 --symmetry",
                 "--symmetry: no two nodes of this configuration are interchangeable"},
        BadInput{"check raft --depth 5", "--depth applies to --search simulate or dfs"},
        BadInput{"check twophase --seed 5", "--seed applies to --search simulate"},
        BadInput{"check twophase --search bogus", "--search is bfs, dfs or simulate, not 'bogus'"},
        BadInput{"check twophase --search simulate --seed -1",
                 "--seed takes an unsigned 64-bit integer, not '-1'"},
        BadInput{"check twophase --search simulate --max-depth 5",
                 "apply to bfs and dfs, not simulate"},
        BadInput{"check paxos --model spec --proposers 2", "--proposers applies to --model impl"},
        BadInput{"prove paxos --values 3", "--values applies to --model spec, not impl"},
        BadInput{"check raft --model spec --max-drops 1", "--max-drops applies to --model impl"},
        BadInput{"check balancing-failover --backends 5", "--backends must be in 1..4, not 5"},
        BadInput{"check multipaxos --max-ballot 4",
                 "the refinement to Paxos.tla takes at most 5 replicas, ballots up to 3"},
        BadInput{"check multipaxos --slots 5", "--slots must be in 1..4, not 5"},
        BadInput{"check failover --lease 2 --drift 1", "--lease must exceed twice --drift"},
        BadInput{"check failover --backups 3", "--backups must be in 1..2, not 3"},
        BadInput{"check failover --max-crashes 3", "--max-crashes must be at most the replicas"},
        BadInput{"check raft --model spec --check-refinement 0",
                 "--check-refinement applies to --model impl"},
        BadInput{"check twophase --memory-limit 4X",
                 "--memory-limit takes a byte count such as 512M"},
        BadInput{"check twophase --memory-limit 0", "--memory-limit must be at least 1 byte"},
        BadInput{"check twophase --memory-limit 99999999999T", "fit in 64 bits"},
        BadInput{"check twophase --exact=yes", "--exact takes no value"},
        BadInput{"check twophase --frob=1", "unknown flag --frob for check twophase"},
        BadInput{"help me", "help takes no arguments"},
        BadInput{"check twophase --model spec --msc x.svg",
                 "--msc: model spec of twophase is an abstract spec without nodes or messages, so "
                 "there is no chart to draw; --model impl has them"},
        BadInput{"check twophase --msc", "--msc needs a value"},
        BadInput{"check twophase --dot g.dot", "--dot: more than 1000 states within these bounds"},
        BadInput{"replay", "replay needs one TRACE.json"},
        BadInput{"replay /nonexistent/trace.json", "cannot read '/nonexistent/trace.json'"},
        BadInput{"replay /dev/null --dot g.dot", "--dot applies to check, not replay"},
        BadInput{"placement", "placement needs a deployment file"},
        BadInput{"placement --format xml x.json", "--format is text or json, not 'xml'"},
        BadInput{"placement --depth 3 x.json", "unknown flag --depth for placement"},
        BadInput{"placement /nonexistent/deployment.json",
                 "/nonexistent/deployment.json: cannot open the file"}));

}  // namespace
}  // namespace crosscheck::cli::testing
