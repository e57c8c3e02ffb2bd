// `crosscheck check` as a user meets it: the acceptance runs of two-phase
// commit, the counts and shortest counterexamples of every protocol on the
// command line, what a result carries (JSON, text, charts, state graphs),
// and a clean stop at every limit.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "model_check/json.h"
#include "tests/cli/cli_runner.h"

namespace crosscheck::cli::testing {
namespace {

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

// --por: every state of the plain run (85,661), in fewer steps, with
// what the reduction did in the JSON and the flag among the parameters.
TEST(Cli, PartialOrderReductionKeepsEveryStateAndSaysWhatItPruned) {
  CliRun run = crosscheck(
      "check twophase --por --max-drops 0 --max-duplicates 0 --max-crashes 0 --format json "
      "--no-progress");
  ASSERT_EQ(run.status, 0) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["distinct_states"].as_int(), 85661);
  EXPECT_EQ(json["total_states"].as_int(), 381645);
  EXPECT_EQ(json["partial_order"].as_string(), "sleep sets");
  EXPECT_EQ(json["pruned_steps"].as_int(), 74306);
  EXPECT_EQ(json["explored_again"].as_int(), 568);
  EXPECT_TRUE(json["parameters"]["por"].as_bool());
  EXPECT_EQ(json["search"].as_string(), "bfs");
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
    CliRun run =
        crosscheck(std::string("check twophase --format json --no-progress --variant ") + variant);
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
    EXPECT_NE(replay.out.find("Confirmed: " + json["property"].as_string() +
                              " (always) is violated at step " + std::to_string(last)),
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
  EXPECT_NE(run.out.find("nodes.tm.decision: \"none\" -> \"commit\""), std::string::npos)
      << run.out;
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
  CliRun run =
      crosscheck("check twophase --model spec --rms 4 --exact --format json --no-progress");
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
  EXPECT_NE(text.out.find("fingerprint collision probability: calculated (optimistic)"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("bytes/state"), std::string::npos) << text.out;
}

TEST(Cli, PaxosSpecMatchesTlc) {
  CliRun run = crosscheck(
      "check paxos --model spec --acceptors 3 --values 2 --max-ballot 1 --format json "
      "--no-progress");
  ASSERT_EQ(run.status, 0) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["result"].as_string(), "ok");
  EXPECT_EQ(json["distinct_states"].as_int(), 3921);
  EXPECT_EQ(json["depth"].as_int(), 17);
}

TEST(Cli, EveryPaxosVariantIsAViolationWithATrace) {
  for (const char* variant :
       {"acceptor-forgets", "ignore-promised-value", "quorum-off-by-one", "accept-lower-ballot"}) {
    CliRun run =
        crosscheck(std::string("check paxos --format json --no-progress --variant ") + variant);
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
    CliRun run =
        crosscheck(std::string("check raft --format json --no-progress --variant ") + variant);
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
  EXPECT_NE(run.out.find("Deliver RequestVoteResponse(term 2, granted) s2->s3"), std::string::npos)
      << run.out;
}

// A refinement violation says which raft.tla action the step should have
// been and which of its conjuncts was false (docs/raft.md, "When a step
// does not refine the spec"): Figure 8's commit of an old term's entry.
TEST(Cli, ARaftRefinementViolationNamesTheActionAndTheConjunctThatFailed) {
  CliRun run = crosscheck("check raft --variant commit-old-term --format json --no-progress");
  ASSERT_EQ(run.status, 1) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["property"].as_string(), "RefinesRaftSpec");
  ASSERT_TRUE(json["why"].is_string()) << run.out;
  const mc::Json& details = json["why_details"];
  EXPECT_EQ(details["server"].as_string(), "s2");
  EXPECT_EQ(details["max_spec_steps"].as_int(), 14);
  EXPECT_EQ(details["tried"].dump(),
            R"(["Restart", "Timeout", "RequestVote", "BecomeLeader", "ClientRequest", )"
            R"("AdvanceCommitIndex", "AppendEntries", "UpdateTerm", "DropStaleResponse", )"
            R"("HandleAppendEntriesResponse"])");
  const mc::Json& closest = details["closest"];
  EXPECT_EQ(closest["after"].dump(), R"j(["HandleAppendEntriesResponse(s1->s2 )j"
                                     R"j(AppendEntriesResponse(term 3, ok, match 1))"])j");
  EXPECT_EQ(closest["action"].as_string(), "AdvanceCommitIndex(s2)");
  EXPECT_EQ(closest["action_kind"].as_string(), "AdvanceCommitIndex");
  EXPECT_EQ(closest["failed"].as_string(), "log[i][Max(agreeIndexes)].term = currentTerm[i]");
  EXPECT_EQ(closest["failed_kind"].as_string(), "condition");
  EXPECT_EQ(closest["values"].as_string(),
            "Max(agreeIndexes) = 1, log[s2][1].term = 2, currentTerm[s2] = 3");
  EXPECT_EQ(closest["differences"].dump(),
            R"(["commitIndex[s2] is 0 in the spec, 1 in the implementation"])");

  CliRun text = crosscheck("check raft --variant commit-old-term --no-progress");
  EXPECT_NE(text.out.find("\nWhy step 17 breaks RefinesRaftSpec:\n"
                          "  No sequence of at most 14 raft.tla steps of s2 leads from the state "
                          "before this step to the state after it.\n"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("\n  Closest: AdvanceCommitIndex(s2), after HandleAppendEntriesResponse("
                          "s1->s2 AppendEntriesResponse(term 3, ok, match 1)).\n"
                          "  AdvanceCommitIndex(s2) takes another branch: "
                          "log[i][Max(agreeIndexes)].term = currentTerm[i] is false "
                          "(Max(agreeIndexes) = 1, log[s2][1].term = 2, currentTerm[s2] = 3).\n"
                          "  Still different: commitIndex[s2] is 0 in the spec, 1 in the "
                          "implementation.\n"),
            std::string::npos)
      << text.out;
}

// The acceptance run of simulation: a violation found from a seed the
// result prints, and the same trace again from that seed alone.
TEST(Cli, ASimulatedRaftViolationIsReproducedFromItsPrintedSeed) {
  const std::string args =
      "check raft --variant commit-old-term --search simulate --walks 100000 --depth 60 "
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

  CliRun text = crosscheck(
      "check raft --variant commit-old-term --search simulate --walks 100000 --depth 60 "
      "--no-progress --seed " +
      seed);
  EXPECT_NE(text.out.find("of seed " + seed), std::string::npos) << text.out;
}

TEST(Cli, DepthFirstSearchCountsLikeBreadthFirst) {
  CliRun run =
      crosscheck("check twophase --model spec --rms 3 --search dfs --format json --no-progress");
  ASSERT_EQ(run.status, 0) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["distinct_states"].as_int(), 288);
  EXPECT_EQ(json["search"].as_string(), "dfs");
}

TEST(Cli, ViolationsCarryEachStepsEventAndTheLifelines) {
  CliRun run =
      crosscheck("check twophase --variant tm-majority-commit --format json --no-progress");
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

TEST(CliOutputs, MscWithoutAViolationSaysSoAndWritesNothing) {
  const std::string path = temp_path("none.svg");
  CliRun run = crosscheck("check twophase --rms 1 --no-progress --msc " + path);
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.err.find("no violation, so no chart written to " + path), std::string::npos)
      << run.err;
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
  for (size_t at = dot.find("[label=\"rmState"); at != std::string::npos;
       at = dot.find("[label=\"rmState", at + 1)) {
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
  CliRun run = crosscheck(
      "check balancing-failover --variant rr-skip-down-late --format json --no-progress");
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
  CliRun run =
      crosscheck("check lockservice --variant redlock-majority --format json --no-progress");
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
  CliRun two = crosscheck(
      "check lockservice --variant herd --clients 2 --max-pause 0 --format json --no-progress");
  EXPECT_EQ(two.status, 0) << two.err;
  EXPECT_EQ(parse(two.out)["parameters"]["clients"].as_int(), 2);
}

TEST(Cli, MultiPaxosWithOneClientIsOkAndStatesItsBounds) {
  CliRun run = crosscheck(
      "check multipaxos --clients 1 --slots 1 --max-drops 0 --format json --no-progress");
  ASSERT_EQ(run.status, 0) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["result"].as_string(), "ok");
  // As tests/multipaxos/impl_model_test.cc pins it.
  EXPECT_EQ(json["distinct_states"].as_int(), 9781);
  EXPECT_EQ(json["parameters"]["max-messages"].as_int(), 4);
  EXPECT_EQ(json["parameters"]["retries"].as_int(), 0);
}

TEST(Cli, MultiPaxosLeaderLocalReadIsAStaleReadFromTheOldLeader) {
  CliRun run =
      crosscheck("check multipaxos --variant leader-local-read --format json --no-progress");
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
  CliRun run =
      crosscheck("check failover --variant ack-before-replicate --format json --no-progress");
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
  CliRun run = crosscheck(
      "check failover --variant promote-on-missed-heartbeat --format json --no-progress");
  EXPECT_EQ(run.status, 1) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["property"].as_string(), "AtMostOneValidPrimary");
  const auto& last = json["trace"].as_array().back()["state"]["nodes"];
  EXPECT_TRUE(last["r1"]["lease_valid"].as_bool());
  EXPECT_TRUE(last["r2"]["lease_valid"].as_bool());
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

  CliRun walks = crosscheck(
      "check twophase --search simulate --seed 1 --walks 100 --depth 10 --max-states 55 "
      "--no-progress");
  EXPECT_EQ(walks.status, 3) << walks.err;
  EXPECT_NE(walks.out.find("Result: bound exhausted. --max-states stopped the walks after"),
            std::string::npos)
      << walks.out;
  EXPECT_NE(walks.out.find("Stopped in the simulation phase."), std::string::npos) << walks.out;

  CliRun run =
      crosscheck("check twophase --variant tm-majority-commit --format json --no-progress");
  ASSERT_EQ(run.status, 1) << run.err;
  write_file(temp_path("tm-majority-commit.json"), run.out);
  CliRun whole = crosscheck("replay " + temp_path("tm-majority-commit.json"));
  EXPECT_EQ(whole.status, 0) << whole.out << whole.err;
  CliRun cut = crosscheck("replay " + temp_path("tm-majority-commit.json") + " --max-states 2");
  EXPECT_EQ(cut.status, 3) << cut.out << cut.err;
  EXPECT_NE(cut.out.find("more than --max-states 2; the first 2 replayed"), std::string::npos)
      << cut.out;
  CliRun tiny = crosscheck("replay " + temp_path("tm-majority-commit.json") + " --memory-limit 1M");
  EXPECT_EQ(tiny.status, 3) << tiny.out << tiny.err;
  EXPECT_NE(tiny.out.find("Result: memory exhausted."), std::string::npos) << tiny.out;
}

}  // namespace
}  // namespace crosscheck::cli::testing
