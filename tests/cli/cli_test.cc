// The command line as a user meets it: the acceptance runs of two-phase
// commit and of placement, and one clear error line with exit status 2 for
// every bad input.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "model_check/json.h"

namespace crosscheck {
namespace {

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

std::string binary() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return std::string(srcdir ? srcdir : ".") + "/" + (workspace ? workspace : "crosscheck") +
         "/crosscheck";
}

CliRun crosscheck(const std::string& args) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string err_path = std::string(tmp ? tmp : "/tmp") + "/stderr.txt";
  std::string command = binary() + " " + args + " 2>" + err_path;
  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.out.append(buffer.data(), n);
  int status = pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  std::stringstream text;
  text << err.rdbuf();
  run.err = text.str();
  return run;
}

mc::Json parse(const std::string& text) {
  std::string error;
  auto json = mc::Json::parse(text, &error);
  EXPECT_TRUE(json) << error << "\n" << text;
  return json ? *json : mc::Json();
}

std::string temp_path(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return std::string(tmp ? tmp : "/tmp") + "/" + name;
}

// An object's member, to change it in place.
mc::Json& member(mc::Json& object, const std::string& name) {
  for (auto& [key, value] : object.as_object()) {
    if (key == name) return value;
  }
  throw std::out_of_range("no member " + name);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Cli, TwoPhaseSpecWithThreeRmsMatchesTlc) {
  CliRun run = crosscheck("check twophase --model spec --rms 3 --format json --no-progress");
  ASSERT_EQ(run.status, 0) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["protocol"].as_string(), "twophase");
  EXPECT_EQ(json["model"].as_string(), "spec");
  EXPECT_EQ(json["result"].as_string(), "ok");
  EXPECT_EQ(json["distinct_states"].as_int(), 288);
  EXPECT_EQ(json["depth"].as_int(), 11);
  for (const char* field : {"total_states", "seconds", "states_per_second", "peak_memory_bytes"}) {
    EXPECT_TRUE(json[field].is_number()) << field;
  }
}

TEST(Cli, SymmetryReducesTwoPhaseToItsOrbits) {
  CliRun run = crosscheck("check twophase --model spec --symmetry --format json --no-progress");
  ASSERT_EQ(run.status, 0) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["distinct_states"].as_int(), 80);
  EXPECT_EQ(json["depth"].as_int(), 11);
}

TEST(Cli, TCommitWithThreeRmsMatchesTlc) {
  CliRun run = crosscheck("check twophase --model tcommit --format json --no-progress");
  ASSERT_EQ(run.status, 0) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["distinct_states"].as_int(), 34);
  EXPECT_EQ(json["depth"].as_int(), 7);
}

TEST(Cli, TheDefaultCheckIsOk) {
  CliRun run = crosscheck("check twophase --no-progress");
  EXPECT_EQ(run.status, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("Result: ok."), std::string::npos) << run.out;
}

TEST(Cli, EveryBuggyVariantIsAViolationWithATraceThatReplays) {
  for (const char* variant : {"rm-timeout-abort", "tm-majority-commit", "tm-unlogged-decision"}) {
    CliRun run = crosscheck(std::string("check twophase --format json --no-progress --variant ") + variant);
    EXPECT_EQ(run.status, 1) << variant << run.err;
    mc::Json json = parse(run.out);
    EXPECT_EQ(json["result"].as_string(), "violation") << variant;
    EXPECT_EQ(json["variant"].as_string(), variant);
    ASSERT_TRUE(json["trace"].is_array()) << variant;
    EXPECT_GE(json["trace"].as_array().size(), 2u);
    EXPECT_EQ(json["trace"].as_array()[0]["action"].as_string(), "Initial");

    const std::string path = temp_path(std::string(variant) + ".json");
    write_file(path, run.out);
    CliRun replay = crosscheck("replay " + path);
    EXPECT_EQ(replay.status, 0) << variant << replay.out << replay.err;
    const size_t last = json["trace"].as_array().size() - 1;
    EXPECT_NE(replay.out.find("Confirmed: " + json["property"].as_string() + " (always) is violated at step " +
                              std::to_string(last)),
              std::string::npos)
        << replay.out;
    EXPECT_NE(replay.out.find("  1. " + json["trace"].as_array()[1]["action"].as_string() + ": ok"),
              std::string::npos)
        << replay.out;
  }
}

TEST(Cli, TextTraceNumbersTheSteps) {
  CliRun run = crosscheck("check twophase --variant tm-majority-commit --no-progress");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.out.find("violation of Validity"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("  4. Deliver VoteYes"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("nodes.tm.decision: \"none\" -> \"commit\""), std::string::npos) << run.out;
}

TEST(Cli, AStateLimitEndsAsBoundExhausted) {
  CliRun run = crosscheck("check twophase --max-states 10 --format json --no-progress");
  EXPECT_EQ(run.status, 3);
  EXPECT_EQ(parse(run.out)["result"].as_string(), "bound_exhausted");
}

TEST(Cli, AMemoryLimitEndsAsMemoryExhaustedWithTheCountsSoFar) {
  CliRun run = crosscheck("check twophase --memory-limit 1M --format json --no-progress");
  EXPECT_EQ(run.status, 3) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["result"].as_string(), "memory_exhausted");
  EXPECT_GE(json["distinct_states"].as_int(), 1);
  EXPECT_EQ(json["parameters"]["memory-limit"].as_int(), 1 << 20);
}

TEST(Cli, ExactRunsCountLikeFingerprintRuns) {
  CliRun run = crosscheck("check twophase --model spec --rms 4 --exact --format json --no-progress");
  ASSERT_EQ(run.status, 0) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["distinct_states"].as_int(), 1568);  // TLC's figure for 4 RMs
  EXPECT_TRUE(json["exact"].as_bool());
  EXPECT_EQ(json["fingerprint_collision_probability"].as_double(), 0.0);
}

TEST(Cli, ResultsCarryBytesPerStateAndTheCollisionEstimate) {
  CliRun run = crosscheck("check twophase --model spec --rms 6 --format json --no-progress");
  ASSERT_EQ(run.status, 0) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_GT(json["bytes_per_state"].as_double(), 0.0);
  EXPECT_GT(json["visited_bytes"].as_int(), 0);
  EXPECT_GT(json["fingerprint_collision_probability"].as_double(), 0.0);
  EXPECT_LT(json["fingerprint_collision_probability"].as_double(), 1e-6);
  CliRun text = crosscheck("check twophase --model spec --rms 6 --no-progress");
  EXPECT_NE(text.out.find("fingerprint collision probability: calculated (optimistic)"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("bytes/state"), std::string::npos) << text.out;
}

TEST(Cli, ListShowsProtocolsVariantsAndProperties) {
  CliRun run = crosscheck("list");
  EXPECT_EQ(run.status, 0);
  for (const char* text : {"twophase", "tm-unlogged-decision", "Atomicity (always)", "TCConsistent (always)",
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
  for (const char* text : {"Usage: crosscheck check raft", "--servers N=3", "(1..5; --model spec: 2)",
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
  for (const char* name : {"raft", "ring-election", "twophase"}) EXPECT_NE(names.find(name), std::string::npos) << names;
  CliRun run = crosscheck("check paxoz");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("unknown protocol 'paxoz' (known: " + names + ")\n"), std::string::npos) << run.err;
}

TEST(Cli, ProveShowsTheInvariantInductive) {
  CliRun run = crosscheck("prove twophase");
  EXPECT_EQ(run.status, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("proved"), std::string::npos) << run.out;
}

TEST(Cli, PaxosSpecMatchesTlc) {
  CliRun run = crosscheck("check paxos --model spec --acceptors 3 --values 2 --max-ballot 1 --format json --no-progress");
  ASSERT_EQ(run.status, 0) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["result"].as_string(), "ok");
  EXPECT_EQ(json["distinct_states"].as_int(), 3921);
  EXPECT_EQ(json["depth"].as_int(), 17);
}

TEST(Cli, EveryPaxosVariantIsAViolationWithATrace) {
  for (const char* variant :
       {"acceptor-forgets", "ignore-promised-value", "quorum-off-by-one", "accept-lower-ballot"}) {
    CliRun run = crosscheck(std::string("check paxos --format json --no-progress --variant ") + variant);
    EXPECT_EQ(run.status, 1) << variant << run.err;
    mc::Json json = parse(run.out);
    EXPECT_EQ(json["result"].as_string(), "violation") << variant;
    ASSERT_TRUE(json["trace"].is_array()) << variant;
    EXPECT_EQ(json["trace"].as_array()[1]["action"].as_string(), "Timeout p1 retry") << variant;
  }
}

TEST(Cli, RaftSpecOnItsDefaultsIsOkAndStatesItsBounds) {
  CliRun run = crosscheck("check raft --model spec --format json --no-progress");
  ASSERT_EQ(run.status, 0) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["result"].as_string(), "ok");
  EXPECT_EQ(json["distinct_states"].as_int(), 72723);
  EXPECT_EQ(json["parameters"]["servers"].as_int(), 2);
  EXPECT_EQ(json["parameters"]["max-term"].as_int(), 3);
}

TEST(Cli, EveryRaftVariantIsAViolationReadAsEventsBetweenServers) {
  for (const char* variant :
       {"commit-old-term", "forget-vote", "no-log-check", "volatile-term", "accept-stale-term"}) {
    CliRun run = crosscheck(std::string("check raft --format json --no-progress --variant ") + variant);
    EXPECT_EQ(run.status, 1) << variant << run.err;
    mc::Json json = parse(run.out);
    EXPECT_EQ(json["result"].as_string(), "violation") << variant;
    ASSERT_TRUE(json["trace"].is_array()) << variant;
    const auto& trace = json["trace"].as_array();
    ASSERT_GE(trace.size(), 3u) << variant;
    EXPECT_EQ(trace[1]["action"].as_string(), "Timeout s1 election") << variant;
  }
  CliRun run = crosscheck("check raft --variant forget-vote --check-refinement 0 --no-progress");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.out.find("violation of ElectionSafety"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Deliver RequestVoteResponse(term 2, granted) s2->s3"), std::string::npos) << run.out;
}

TEST(Cli, ProveRaftChecksElectionSafetyByBmcAndInduction) {
  CliRun run = crosscheck("prove raft --depth 6 --max-term 2 --max-restarts 0 --max-messages 2");
  EXPECT_EQ(run.status, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("no violation up to depth 6"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("proved"), std::string::npos) << run.out;
}

// The acceptance run of simulation: a violation found from a seed the
// result prints, and the same trace again from that seed alone.
TEST(Cli, ASimulatedRaftViolationIsReproducedFromItsPrintedSeed) {
  const std::string args = "check raft --variant commit-old-term --search simulate --walks 100000 --depth 60 "
                           "--no-progress --format json";
  CliRun first = crosscheck(args);
  ASSERT_EQ(first.status, 1) << first.err;
  mc::Json found = parse(first.out);
  EXPECT_EQ(found["result"].as_string(), "violation");
  EXPECT_EQ(found["search"].as_string(), "simulate");
  const std::string seed = found["seed"].as_string();
  std::printf("seed %s\n", seed.c_str());
  CliRun again = crosscheck(args + " --seed " + seed + " --threads 1");
  ASSERT_EQ(again.status, 1) << again.err;
  mc::Json repeated = parse(again.out);
  EXPECT_EQ(repeated["seed"].as_string(), seed);
  EXPECT_EQ(repeated["violating_walk"].as_int(), found["violating_walk"].as_int());
  EXPECT_EQ(repeated["property"].as_string(), found["property"].as_string());
  EXPECT_EQ(repeated["trace"].dump(), found["trace"].dump());

  CliRun text = crosscheck("check raft --variant commit-old-term --search simulate --walks 100000 --depth 60 "
                           "--no-progress --seed " + seed);
  EXPECT_NE(text.out.find("of seed " + seed), std::string::npos) << text.out;
}

TEST(Cli, DepthFirstSearchCountsLikeBreadthFirst) {
  CliRun run = crosscheck("check twophase --model spec --rms 3 --search dfs --format json --no-progress");
  ASSERT_EQ(run.status, 0) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["distinct_states"].as_int(), 288);
  EXPECT_EQ(json["search"].as_string(), "dfs");
}

TEST(Cli, ViolationsCarryEachStepsEventAndTheLifelines) {
  CliRun run = crosscheck("check twophase --variant tm-majority-commit --format json --no-progress");
  ASSERT_EQ(run.status, 1) << run.err;
  mc::Json json = parse(run.out);
  ASSERT_TRUE(json["lifelines"].is_array());
  EXPECT_EQ(json["lifelines"].dump(), R"(["tm", "rm1", "rm2", "rm3"])");
  const auto& trace = json["trace"].as_array();
  EXPECT_EQ(trace[0]["event"]["kind"].as_string(), "initial");
  EXPECT_EQ(trace[0]["event"]["sent"].as_array().size(), 3u);
  EXPECT_EQ(trace[1]["event"].dump(),
            R"({"kind": "message", "node": "rm1", "from": "tm", "text": "Prepare", )"
            R"("sent": [{"from": "rm1", "to": "tm", "text": "VoteYes"}]})");
}

TEST(CliReplay, ConfirmsABehaviourOfASpecThatClaimsNoViolation) {
  // A behaviour recorded elsewhere: TCommit, one RM prepares and commits.
  const std::string trace =
      R"json({"protocol": "twophase", "model": "tcommit", "variant": "correct", "parameters": {"rms": 1}, "trace": [)json"
      R"json({"action": "Initial", "state": {"rmState": {"r1": "working"}}},)json"
      R"json({"action": "Prepare(r1)", "state": {"rmState": {"r1": "prepared"}}},)json"
      R"json({"action": "Decide(r1) commit", "state": {"rmState": {"r1": "committed"}}}]})json";
  write_file(temp_path("tcommit.json"), trace);
  CliRun run = crosscheck("replay " + temp_path("tcommit.json"));
  EXPECT_EQ(run.status, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("Confirmed: every step is a behaviour of the model (the trace claims no violation)."),
            std::string::npos)
      << run.out;
  // A chart needs nodes, which TCommit has not.
  run = crosscheck("replay " + temp_path("tcommit.json") + " --msc " + temp_path("tcommit.svg"));
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("--msc: model tcommit of twophase is an abstract spec"), std::string::npos) << run.err;
}

// Raft's no-log-check counterexample (six steps: s1 leads term 2 and takes
// an entry; s2, whose log is empty, asks s1 for its vote in term 3), saved,
// then changed. Figure 8's chart is checked by msc_svg_test.
class CliReplayRaft : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    CliRun check = crosscheck("check raft --variant no-log-check --format json --no-progress --msc " +
                              temp_path("no-log-check.svg"));
    ASSERT_EQ(check.status, 1) << check.err;
    saved_ = new mc::Json(parse(check.out));
  }
  static void TearDownTestSuite() {
    delete saved_;
    saved_ = nullptr;
  }

  static CliRun replay(const mc::Json& json, const std::string& name) {
    write_file(temp_path(name), json.pretty());
    return crosscheck("replay " + temp_path(name));
  }

  static mc::Json* saved_;
};

mc::Json* CliReplayRaft::saved_ = nullptr;

TEST_F(CliReplayRaft, ConfirmsEachStepAndTheViolation) {
  ASSERT_TRUE(saved_);
  CliRun run = replay(*saved_, "no-log-check.json");
  EXPECT_EQ(run.status, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("crosscheck replay raft: model impl, variant no-log-check, servers 3"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("  0. Initial state: ok\n  1. Timeout s1 election: ok\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("  6. Deliver RequestVote(term 3, last log 0/0) s2->s1: ok"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Confirmed: RefinesRaftSpec (step) is violated at step 6, the trace's last."),
            std::string::npos)
      << run.out;
}

TEST_F(CliReplayRaft, NamesTheFirstStepThatIsNotABehaviour) {
  ASSERT_TRUE(saved_);
  mc::Json tampered = *saved_;
  // Step 2 delivers s1's RequestVote to s2; in the tampered trace s2 votes
  // for s3 instead.
  mc::Json& step = member(tampered, "trace").as_array()[2];
  member(member(member(step, "state"), "nodes"), "s2").set("voted_for", "s3");
  CliRun run = replay(tampered, "no-log-check-tampered.json");
  EXPECT_EQ(run.status, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("  1. Timeout s1 election: ok\n"
                         "  2. Deliver RequestVote(term 2, last log 0/0) s1->s2: NOT LEGAL\n"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("Not a behaviour of the model: step 2 of 6: 'Deliver RequestVote(term 2, last log 0/0) "
                         "s1->s2' leads to another state than the trace's (model -> trace: "
                         "nodes.s2.voted_for: \"s1\" -> \"s3\")"),
            std::string::npos)
      << run.out;
}

TEST_F(CliReplayRaft, NamesAStepThatIsNotEnabled) {
  ASSERT_TRUE(saved_);
  mc::Json tampered = *saved_;
  member(tampered, "trace").as_array()[4].set("action", "Input s2 ClientRequest(1)");  // s2 leads nothing
  CliRun run = replay(tampered, "no-log-check-not-enabled.json");
  EXPECT_EQ(run.status, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("step 4 of 6: 'Input s2 ClientRequest(1)' is not enabled after step 3 (enabled: "),
            std::string::npos)
      << run.out;
}

TEST_F(CliReplayRaft, DoesNotConfirmAPropertyThatHolds) {
  ASSERT_TRUE(saved_);
  mc::Json claim = *saved_;
  claim.set("property", "ElectionSafety");
  claim.set("property_kind", "always");
  CliRun run = replay(claim, "no-log-check-election-safety.json");
  EXPECT_EQ(run.status, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("Not confirmed: every step is legal, but ElectionSafety holds in the state after step 6"),
            std::string::npos)
      << run.out;
}

TEST_F(CliReplayRaft, RefusesATraceOfOtherBounds) {
  ASSERT_TRUE(saved_);
  mc::Json other = *saved_;
  mc::Json parameters = other["parameters"];
  parameters.set("max-term", 2);  // the trace reaches term 3
  other.set("parameters", parameters);
  CliRun run = replay(other, "no-log-check-max-term-2.json");
  EXPECT_EQ(run.status, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("Not a behaviour of the model: step 5 of 6: 'Timeout s2 election' leads outside the "
                         "model's bounds"),
            std::string::npos)
      << run.out;
}

TEST_F(CliReplayRaft, DrawsTheChartOfAConfirmedTrace) {
  ASSERT_TRUE(saved_);
  write_file(temp_path("no-log-check-again.json"), saved_->pretty());
  CliRun run = crosscheck("replay " + temp_path("no-log-check-again.json") + " --msc " +
                          temp_path("no-log-check-again.svg"));
  ASSERT_EQ(run.status, 0) << run.err;
  // The same chart as check drew from the same trace.
  const std::string chart = read_file(temp_path("no-log-check.svg"));
  EXPECT_EQ(read_file(temp_path("no-log-check-again.svg")), chart);
  EXPECT_NE(chart.find("id=\"step-6\""), std::string::npos);
}

TEST(CliOutputs, MscWithoutAViolationSaysSoAndWritesNothing) {
  const std::string path = temp_path("none.svg");
  CliRun run = crosscheck("check twophase --rms 1 --no-progress --msc " + path);
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.err.find("no violation, so no chart written to " + path), std::string::npos) << run.err;
  EXPECT_FALSE(std::ifstream(path).good());
}

TEST(CliOutputs, DotWritesTheStateGraphOfASmallRun) {
  const std::string path = temp_path("tcommit.dot");
  CliRun run = crosscheck("check twophase --model tcommit --rms 2 --no-progress --dot=" + path);
  EXPECT_EQ(run.status, 0) << run.err;
  const std::string dot = read_file(path);
  EXPECT_EQ(dot.rfind("digraph \"twophase tcommit\" {", 0), 0u) << dot;
  // TCommit with 2 RMs: 12 states, each a box.
  size_t states = 0;
  for (size_t at = dot.find("[label=\"rmState"); at != std::string::npos; at = dot.find("[label=\"rmState", at + 1)) {
    ++states;
  }
  EXPECT_EQ(states, 12u) << dot;
}

TEST(Cli, BalancingFailoverOnItsDefaultsIsOk) {
  CliRun run = crosscheck("check balancing-failover --format json --no-progress");
  ASSERT_EQ(run.status, 0) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["result"].as_string(), "ok");
  EXPECT_EQ(json["distinct_states"].as_int(), 14214);
  EXPECT_EQ(json["depth"].as_int(), 39);
  EXPECT_EQ(json["parameters"]["response-rounds"].as_int(), 4);
}

TEST(Cli, RrSkipDownLateRoutesToABackendMarkedDown) {
  CliRun run = crosscheck("check balancing-failover --variant rr-skip-down-late --format json --no-progress");
  EXPECT_EQ(run.status, 1) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["result"].as_string(), "violation");
  EXPECT_EQ(json["property"].as_string(), "RoutesOnlyToUpBackends");
  ASSERT_TRUE(json["trace"].is_array());
  const auto& trace = json["trace"].as_array();
  ASSERT_EQ(trace.size(), 15u);
  EXPECT_EQ(trace[14]["action"].as_string(), "Input router client request");
}

TEST(Cli, LockServiceOnItsDefaultsIsOk) {
  CliRun run = crosscheck("check lockservice --format json --no-progress");
  ASSERT_EQ(run.status, 0) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["result"].as_string(), "ok");
  EXPECT_EQ(json["distinct_states"].as_int(), 4654690);
  EXPECT_EQ(json["depth"].as_int(), 27);
  EXPECT_EQ(json["parameters"]["horizon"].as_int(), 5);
}

TEST(Cli, LockServiceNoFencingAcceptsAPausedHoldersWrite) {
  CliRun run = crosscheck("check lockservice --variant no-fencing --format json --no-progress");
  EXPECT_EQ(run.status, 1) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["result"].as_string(), "violation");
  EXPECT_EQ(json["property"].as_string(), "FencedMutualExclusion");
  const auto& trace = json["trace"].as_array();
  ASSERT_EQ(trace.size(), 15u);
  EXPECT_EQ(trace[14]["action"].as_string(), "Input c1 Write");
}

TEST(Cli, LockServiceRedlockMajorityHasTwoHolders) {
  CliRun run = crosscheck("check lockservice --variant redlock-majority --format json --no-progress");
  EXPECT_EQ(run.status, 1) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["property"].as_string(), "MutualExclusion");
  EXPECT_EQ(json["trace"].as_array().size(), 6u);
}

// Two clients leave a release one waiter to wake, so the herd variant
// defaults to three: run bare, it shows n - 1 = 2 wake-ups.
TEST(Cli, LockServiceHerdDefaultsToThreeClientsAndWakesTwo) {
  CliRun run = crosscheck("check lockservice --variant herd --format json --no-progress");
  EXPECT_EQ(run.status, 1) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["parameters"]["clients"].as_int(), 3);
  EXPECT_EQ(json["property"].as_string(), "OneWakeupPerRelease");
  EXPECT_EQ(json["trace"].as_array().size(), 10u);
  CliRun two = crosscheck("check lockservice --variant herd --clients 2 --max-pause 0 --format json --no-progress");
  EXPECT_EQ(two.status, 0) << two.err;
  EXPECT_EQ(parse(two.out)["parameters"]["clients"].as_int(), 2);
}

std::string runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return std::string(srcdir ? srcdir : ".") + "/" + (workspace ? workspace : "crosscheck") + "/" + path;
}

std::string example(const std::string& name) { return runfile("docs/examples/" + name + ".json"); }

TEST(Cli, PlacementOfEveryExamplePrintsItsTablesAndFailsWhereAScenarioIsLost) {
  std::string files;
  for (const char* name : {"three-nodes-three-datacenters", "five-nodes-2-2-1", "six-nodes-3-3", "flexible-q1-4-q2-2",
                           "flexible-quorum-too-small", "weighted-chain"}) {
    files += " " + example(name);
  }
  CliRun run = crosscheck("placement" + files);
  EXPECT_EQ(run.status, 1) << run.err;
  for (const char* text :
       {"Quorum system: majority: a quorum is any 4 of the 6 nodes", "  scenario            case        failed    "
        "votes left  phase 1  phase 2  live\n",
        "  any one datacenter  us-east     e1 e2 e3  3 of 6      no       no       NO\n",
        "Result: ok: the quorums intersect and every scenario is survived",
        "Result: FAIL: any one datacenter leaves no live quorum; partition {us-east} | {us-west}: no side can make "
        "progress",
        "Node failures always tolerated: 2 (any 2 nodes)", "6 deployments: 1 ok, 5 failing"}) {
    EXPECT_NE(run.out.find(text), std::string::npos) << text << "\n" << run.out;
  }
}

TEST(Cli, ProvePaxosShowsTheStrengthenedInvInductiveAndPaxosTlaInvNot) {
  CliRun run = crosscheck("prove paxos --model spec --acceptors 3 --values 2 --max-ballot 1");
  EXPECT_EQ(run.status, 0) << run.out << run.err;
  for (const char* text : {"Paxos.tla, 3 acceptors, 2 values, ballots 0..1", "Next => (Inv /\\ S6..S9)': proved (",
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
  EXPECT_EQ(deployment["scenarios"].as_array().at(2)["sides"].as_array().at(1)["progress"].as_bool(), true);
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
  for (const auto& node : phase1) EXPECT_EQ(std::count(phase2.begin(), phase2.end(), node), 0) << node.dump();
  CliRun text = crosscheck("placement " + example("flexible-quorum-too-small"));
  EXPECT_NE(text.out.find("Quorum intersection (Z3): FAILS: these two quorums have no node in common"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("  phase 1  "), std::string::npos) << text.out;
}

TEST(Cli, APlacementFileErrorNamesTheFileAndThePlace) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(tmp ? tmp : "/tmp") + "/two-homes.json";
  std::ofstream(path) << R"({"datacenters": [{"name": "a", "nodes": ["x"]}, {"name": "b", "nodes": ["x"]}],
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
  EXPECT_EQ(run.err, "crosscheck: " + path + ": unexpected character '}' at line 2, column 19 (offset 20)\n");
}

TEST(Cli, MultiPaxosWithOneClientIsOkAndStatesItsBounds) {
  CliRun run = crosscheck("check multipaxos --clients 1 --slots 1 --max-drops 0 --format json --no-progress");
  ASSERT_EQ(run.status, 0) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["result"].as_string(), "ok");
  EXPECT_EQ(json["distinct_states"].as_int(), 9781);  // as tests/multipaxos/impl_model_test.cc pins it
  EXPECT_EQ(json["parameters"]["max-messages"].as_int(), 4);
  EXPECT_EQ(json["parameters"]["retries"].as_int(), 0);
}

TEST(Cli, MultiPaxosLeaderLocalReadIsAStaleReadFromTheOldLeader) {
  CliRun run = crosscheck("check multipaxos --variant leader-local-read --format json --no-progress");
  EXPECT_EQ(run.status, 1) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["result"].as_string(), "violation");
  EXPECT_EQ(json["property"].as_string(), "Linearizable");
  const auto& trace = json["trace"].as_array();
  ASSERT_EQ(trace.size(), 17u);
  EXPECT_EQ(trace.back()["action"].as_string(), "Deliver Reply(c1.1 get k1 -> absent) r1->c1");
  const auto& clients = trace.back()["state"]["history"]["client_history"].as_array();
  ASSERT_EQ(clients.size(), 4u);
  EXPECT_EQ(clients[1].as_string(), "c2.1 put k1=2 -> ok");
  EXPECT_EQ(clients[3].as_string(), "c1.1 get k1 -> absent");
}

TEST(Cli, FailoverAckBeforeReplicateLosesAnAcknowledgedWrite) {
  CliRun run = crosscheck("check failover --variant ack-before-replicate --format json --no-progress");
  EXPECT_EQ(run.status, 1) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["result"].as_string(), "violation");
  EXPECT_EQ(json["property"].as_string(), "AcknowledgedWriteNeverLost");
  const auto& trace = json["trace"].as_array();
  ASSERT_EQ(trace.size(), 9u);  // as tests/failover/impl_model_test.cc pins it
  EXPECT_EQ(trace.back()["action"].as_string(), "Tick r2 clock to 5");
  EXPECT_EQ(trace.back()["state"]["nodes"]["r2"]["role"].as_string(), "primary");
  EXPECT_EQ(trace.back()["state"]["nodes"]["r2"]["log"].as_string(), "[]");
  EXPECT_EQ(json["parameters"]["horizon"].as_int(), 6);
  EXPECT_EQ(json["parameters"]["drift"].as_int(), 1);
}

TEST(Cli, FailoverPromoteOnMissedHeartbeatGivesTwoValidPrimaries) {
  CliRun run = crosscheck("check failover --variant promote-on-missed-heartbeat --format json --no-progress");
  EXPECT_EQ(run.status, 1) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["property"].as_string(), "AtMostOneValidPrimary");
  const auto& last = json["trace"].as_array().back()["state"]["nodes"];
  EXPECT_TRUE(last["r1"]["lease_valid"].as_bool());
  EXPECT_TRUE(last["r2"]["lease_valid"].as_bool());
}

// A liveness counterexample is a lasso: replay confirms that the goal never
// holds on it and that it closes, and refuses one that does not.
TEST(CliReplay, ConfirmsALivenessLassoAndRefusesOneThatDoesNotClose) {
  CliRun run = crosscheck("check twophase --liveness --max-drops 0 --max-duplicates 0 --max-crashes 0 --max-stops 1 "
                          "--format json --no-progress");
  ASSERT_EQ(run.status, 1) << run.err;
  mc::Json saved = parse(run.out);
  EXPECT_EQ(saved["property_kind"].as_string(), "eventually");
  EXPECT_EQ(saved["loop_start"].as_int(), 4);
  write_file(temp_path("blocking.json"), saved.dump());
  CliRun confirmed = crosscheck("replay " + temp_path("blocking.json"));
  EXPECT_EQ(confirmed.status, 0) << confirmed.out << confirmed.err;
  saved.set("loop_start", 2);
  write_file(temp_path("blocking-open.json"), saved.dump());
  CliRun open = crosscheck("replay " + temp_path("blocking-open.json"));
  EXPECT_EQ(open.status, 1) << open.out << open.err;
  EXPECT_NE(open.out.find("the lasso does not close: the last state is not the state after step 2"), std::string::npos)
      << open.out;
}

// Every mode stops cleanly at --max-states and says what it left
// unchecked: the liveness phase after a safety search the limit stopped,
// simulation, and replay.
TEST(CliLimits, EveryModeStopsCleanlyAtTheStateLimit) {
  CliRun live = crosscheck("check twophase --liveness --max-states 20 --format json --no-progress");
  ASSERT_EQ(live.status, 3) << live.err;
  mc::Json json = parse(live.out);
  EXPECT_EQ(json["result"].as_string(), "bound_exhausted");
  EXPECT_EQ(json["stopped_in"].as_string(), "safety");
  ASSERT_TRUE(json["unchecked"].is_array());
  ASSERT_EQ(json["unchecked"].as_array().size(), 1u);
  EXPECT_EQ(json["unchecked"].as_array()[0].as_string(), "EveryRmDecides");
  EXPECT_EQ(json.find("liveness"), nullptr);  // the properties checked: none

  CliRun walks = crosscheck("check twophase --search simulate --seed 1 --walks 100 --depth 10 --max-states 55 --no-progress");
  EXPECT_EQ(walks.status, 3) << walks.err;
  EXPECT_NE(walks.out.find("Result: bound exhausted. --max-states stopped the walks after"), std::string::npos)
      << walks.out;
  EXPECT_NE(walks.out.find("Stopped in the simulation phase."), std::string::npos) << walks.out;

  CliRun run = crosscheck("check twophase --variant tm-majority-commit --format json --no-progress");
  ASSERT_EQ(run.status, 1) << run.err;
  write_file(temp_path("tm-majority-commit.json"), run.out);
  CliRun whole = crosscheck("replay " + temp_path("tm-majority-commit.json"));
  EXPECT_EQ(whole.status, 0) << whole.out << whole.err;
  CliRun cut = crosscheck("replay " + temp_path("tm-majority-commit.json") + " --max-states 2");
  EXPECT_EQ(cut.status, 3) << cut.out << cut.err;
  EXPECT_NE(cut.out.find("more than --max-states 2; the first 2 replayed"), std::string::npos) << cut.out;
  CliRun tiny = crosscheck("replay " + temp_path("tm-majority-commit.json") + " --memory-limit 1M");
  EXPECT_EQ(tiny.status, 3) << tiny.out << tiny.err;
  EXPECT_NE(tiny.out.find("Result: memory exhausted."), std::string::npos) << tiny.out;
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
    ::testing::Values(BadInput{"frobnicate", "unknown command 'frobnicate'"},
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
                      BadInput{"check twophase --model spec --max-drops 1", "--max-drops applies to --model impl"},
                      BadInput{"check twophase --model spec --variant rm-timeout-abort",
                               "--variant applies to --model impl"},
                      BadInput{"check twophase --max-states 0", "--max-states must be at least 1"},
                      BadInput{"check twophase extra", "unexpected argument 'extra'"},
                      BadInput{"list extra", "list takes no arguments"},
                      BadInput{"check twophase --symmetry", "--symmetry: this model defines no symmetry (--model impl)"},
                      BadInput{"check twophase --threads 0", "--threads must be in 1..256"},
                      BadInput{"check raft --servers 6", "--servers must be in 1..5, not 6"},
                      BadInput{"check raft --variant nope", "unknown variant 'nope'"},
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
                      BadInput{"check twophase --memory-limit 4X", "--memory-limit takes a byte count such as 512M"},
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

// Replay's inputs that are no saved result of check.
struct BadTrace {
  const char* name;
  const char* json;
  const char* message;
};

class CliReplayBadTrace : public ::testing::TestWithParam<BadTrace> {};

TEST_P(CliReplayBadTrace, GetsOneClearErrorLineAndExitStatusTwo) {
  const std::string path = temp_path(std::string(GetParam().name) + ".json");
  write_file(path, GetParam().json);
  CliRun run = crosscheck("replay " + path);
  EXPECT_EQ(run.status, 2) << run.out;
  EXPECT_TRUE(run.out.empty()) << run.out;
  EXPECT_NE(run.err.find(path + ": " + GetParam().message), std::string::npos) << run.err;
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, CliReplayBadTrace,
    ::testing::Values(
        BadTrace{"not_json", "{\"protocol\": ", "not a JSON object"},
        BadTrace{"no_protocol", "{}", "no string field 'protocol'"},
        BadTrace{"unknown_protocol",
                 R"({"protocol": "zab", "model": "impl", "variant": "correct", "parameters": {}, "trace": []})",
                 "unknown protocol 'zab'"},
        BadTrace{"ok_result",
                 R"({"protocol": "twophase", "model": "spec", "variant": "correct", "parameters": {"rms": 1}, )"
                 R"("result": "ok"})",
                 "no trace to replay (result \"ok\")"},
        BadTrace{"bad_bound", R"({"protocol": "twophase", "model": "spec", "variant": "correct", )"
                              R"("parameters": {"rms": 99}, "trace": []})",
                 "--rms must be in 1..16, not 99"},
        BadTrace{"bad_step", R"({"protocol": "twophase", "model": "spec", "variant": "correct", )"
                             R"("parameters": {"rms": 1}, "trace": [{"action": "Initial"}]})",
                 "trace step 0 needs a string 'action' and an object 'state'"},
        BadTrace{"empty_trace", R"({"protocol": "twophase", "model": "spec", "variant": "correct", )"
                                R"("parameters": {"rms": 1}, "trace": []})",
                 "the trace is empty; it starts with the initial state"},
        BadTrace{"control_byte", "{\"protocol\": \x02}",
                 "not a JSON object: unexpected character '\\x02' at line 1, column 14"},
        BadTrace{"newline_in_name",
                 R"({"protocol": "two\nphase", "model": "impl", "variant": "correct", "parameters": {}, "trace": []})",
                 R"(unknown protocol 'two\nphase' (known: )"},
        BadTrace{"impossible_bounds", R"({"protocol": "multipaxos", "model": "impl", "variant": "correct", )"
                                      R"("parameters": {"max-ballot": 4}, )"
                                      R"("trace": [{"action": "Initial", "state": {}}]})",
                 "the refinement to Paxos.tla takes at most 5 replicas"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace crosscheck
