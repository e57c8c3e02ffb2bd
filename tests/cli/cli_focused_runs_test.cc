// A protocol's focused runs (protocol.h's FocusedRun): `crosscheck check P`
// with no bound given goes on from its default run to bounds that exercise
// rules the defaults do not reach, each named with its bounds in the text
// and the JSON; a violation there is reported as that run's result, with
// the bounds it needs to replay.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "model_check/json.h"
#include "tests/cli/cli_runner.h"

namespace crosscheck::cli::testing {
namespace {

// Raft's two-entries run alone: logs of two entries, no restarts, with
// symmetry over the servers.
TEST(CliFocusedRuns, OneRunAloneReportsItsOwnBounds) {
  CliRun run = crosscheck("check raft --focus two-entries --format json --no-progress");
  ASSERT_EQ(run.status, 0) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["result"].as_string(), "ok");
  EXPECT_EQ(json["focused_run"].as_string(), "two-entries");
  EXPECT_EQ(json["parameters"]["max-log"].as_int(), 2);
  EXPECT_EQ(json["parameters"]["max-restarts"].as_int(), 0);
  EXPECT_TRUE(json["parameters"]["symmetry"].as_bool());
  EXPECT_EQ(json["distinct_states"].as_int(), 340924);
  EXPECT_EQ(json["depth"].as_int(), 75);
  ASSERT_EQ(json["focused_runs"].as_array().size(), 1u);
  const mc::Json& record = json["focused_runs"].as_array()[0];
  EXPECT_EQ(record["name"].as_string(), "two-entries");
  EXPECT_TRUE(record["passed"].as_bool());
  EXPECT_EQ(record["distinct_states"].as_int(), 340924);
}

// PreVote with CheckQuorum, to depth 26: every step refines raft.tla with
// the spec's two additions, and the coverage shows the pre-vote messages.
TEST(CliFocusedRuns, PreVoteWithCheckQuorumRefinesRaftTla) {
  CliRun run =
      crosscheck("check raft --focus pre-vote-check-quorum --coverage --format json --no-progress");
  ASSERT_EQ(run.status, 0) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["result"].as_string(), "ok");
  EXPECT_EQ(json["distinct_states"].as_int(), 120971);
  EXPECT_EQ(json["parameters"]["max-depth"].as_int(), 26);
  const mc::Json& record = json["focused_runs"].as_array()[0];
  std::vector<std::string> kinds;
  for (const mc::Json& entry : record["coverage"].as_array())
    kinds.push_back(entry["action"].as_string());
  for (const char* kind : {"Deliver PreVote", "Deliver PreVoteResponse", "Timeout election"})
    EXPECT_NE(std::find(kinds.begin(), kinds.end(), kind), kinds.end()) << kind;
}

// The read variant is caught where reads run: 19 steps, the last a read
// a deposed leader answers from its own commit index.
TEST(CliFocusedRuns, TheReadsRunCatchesAReadWithoutAHeartbeatRound) {
  CliRun run = crosscheck(
      "check raft --variant readindex-without-quorum-round --focus reads --format json "
      "--no-progress");
  ASSERT_EQ(run.status, 1) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["property"].as_string(), "ReadsAreLinearizable");
  EXPECT_EQ(json["focused_run"].as_string(), "reads");
  EXPECT_EQ(json["parameters"]["max-reads"].as_int(), 1);
  EXPECT_EQ(json["trace"].as_array().size(), 20u);  // 19 steps
}

// Snapshots, to depth 24: compaction and InstallSnapshot are taken, and
// the variant that drops an agreeing follower's suffix is caught there in
// 19 steps, at the delayed snapshot's delivery.
TEST(CliFocusedRuns, TheSnapshotsRunTakesInstallSnapshotAndCatchesALostSuffix) {
  CliRun correct =
      crosscheck("check raft --focus snapshots --coverage --format json --no-progress");
  ASSERT_EQ(correct.status, 0) << correct.err;
  mc::Json json = parse(correct.out);
  EXPECT_EQ(json["distinct_states"].as_int(), 587444);
  std::vector<std::string> kinds;
  for (const mc::Json& entry : json["focused_runs"].as_array()[0]["coverage"].as_array())
    kinds.push_back(entry["action"].as_string());
  for (const char* kind : {"Input Compact", "Deliver InstallSnapshot", "Crash"})
    EXPECT_NE(std::find(kinds.begin(), kinds.end(), kind), kinds.end()) << kind;

  CliRun variant = crosscheck(
      "check raft --variant snapshot-discards-suffix --focus snapshots --format json "
      "--no-progress");
  ASSERT_EQ(variant.status, 1) << variant.err;
  json = parse(variant.out);
  EXPECT_EQ(json["property"].as_string(), "LocalInvariants");
  EXPECT_EQ(json["focused_run"].as_string(), "snapshots");
  EXPECT_EQ(json["parameters"]["snapshots"].as_int(), 1);
  EXPECT_EQ(json["trace"].as_array().size(), 20u);  // 19 steps
}

// A Paxos proposer that proposes its own value over a reported vote is
// caught by the default run already; alone, the three-ballot run catches
// it too, and its counterexample replays with the bounds the JSON gives.
TEST(CliFocusedRuns, AViolationInAFocusedRunReplays) {
  CliRun run = crosscheck(
      "check paxos --variant ignore-promised-value --focus three-ballots --format json "
      "--no-progress");
  ASSERT_EQ(run.status, 1) << run.err;
  mc::Json json = parse(run.out);
  EXPECT_EQ(json["result"].as_string(), "violation");
  EXPECT_EQ(json["property"].as_string(), "Inv");
  EXPECT_EQ(json["focused_run"].as_string(), "three-ballots");
  EXPECT_EQ(json["parameters"]["max-ballot"].as_int(), 2);
  EXPECT_EQ(json["parameters"]["max-depth"].as_int(), 18);
  EXPECT_EQ(json["trace"].as_array().size(), 12u);  // 11 steps
  EXPECT_FALSE(json["focused_runs"].as_array()[0]["passed"].as_bool());
  const std::string saved = temp_path("three_ballots.json");
  write_file(saved, run.out);
  CliRun replayed = crosscheck("replay " + saved);
  EXPECT_EQ(replayed.status, 0) << replayed.out << replayed.err;
  EXPECT_NE(replayed.out.find("Confirmed: Inv"), std::string::npos) << replayed.out;
}

// A configuration the arguments chose runs alone; so does a variant that
// the default run catches.
TEST(CliFocusedRuns, FollowOnlyAnOkDefaultRun) {
  CliRun bounded = crosscheck("check raft --max-restarts 0 --format json --no-progress");
  ASSERT_EQ(bounded.status, 0) << bounded.err;
  EXPECT_EQ(parse(bounded.out).find("focused_runs"), nullptr);
  CliRun caught =
      crosscheck("check raft --variant forget-vote --format json --no-progress --focus all");
  ASSERT_EQ(caught.status, 1) << caught.err;
  EXPECT_EQ(parse(caught.out).find("focused_runs"), nullptr);
}

}  // namespace
}  // namespace crosscheck::cli::testing
