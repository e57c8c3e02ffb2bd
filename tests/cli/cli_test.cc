// The command line as a user meets it: the acceptance runs of two-phase
// commit, and one clear error line with exit status 2 for every bad input.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
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
         "/model_check/cli/crosscheck";
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

TEST(Cli, EveryBuggyVariantIsAViolationWithATrace) {
  for (const char* variant : {"rm-timeout-abort", "tm-majority-commit", "tm-unlogged-decision"}) {
    CliRun run = crosscheck(std::string("check twophase --format json --no-progress --variant ") + variant);
    EXPECT_EQ(run.status, 1) << variant << run.err;
    mc::Json json = parse(run.out);
    EXPECT_EQ(json["result"].as_string(), "violation") << variant;
    EXPECT_EQ(json["variant"].as_string(), variant);
    ASSERT_TRUE(json["trace"].is_array()) << variant;
    EXPECT_GE(json["trace"].as_array().size(), 2u);
    EXPECT_EQ(json["trace"].as_array()[0]["action"].as_string(), "Initial");
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
                      BadInput{"check paxoz", "unknown protocol 'paxoz' (known: twophase, raft, paxos, multipaxos)"},
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
                      BadInput{"check raft --depth 5", "--depth applies to prove, not check"},
                      BadInput{"check paxos --model spec --proposers 2", "--proposers applies to --model impl"},
                      BadInput{"check raft --model spec --max-drops 1", "--max-drops applies to --model impl"},
                      BadInput{"check multipaxos --max-ballot 4",
                               "the refinement to Paxos.tla takes at most 5 replicas, ballots up to 3"},
                      BadInput{"check multipaxos --slots 5", "--slots must be in 1..4, not 5"},
                      BadInput{"check raft --model spec --check-refinement 0",
                               "--check-refinement applies to --model impl"},
                      BadInput{"check twophase --memory-limit 4X", "--memory-limit takes a byte count such as 512M"},
                      BadInput{"check twophase --memory-limit 0", "--memory-limit must be at least 1 byte"},
                      BadInput{"check twophase --memory-limit 99999999999T", "fit in 64 bits"},
                      BadInput{"check twophase --exact=yes", "--exact takes no value"}));

}  // namespace
}  // namespace crosscheck
