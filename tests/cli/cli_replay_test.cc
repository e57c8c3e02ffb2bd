// `crosscheck replay` as a user meets it: a saved result confirmed step by
// step, a tampered one refused at its first bad step, liveness lassos, and
// one clear error line with exit status 2 for every input that is no saved
// result of check.
#include <gtest/gtest.h>

#include <string>

#include "model_check/json.h"
#include "tests/cli/cli_runner.h"

namespace crosscheck::cli::testing {
namespace {

TEST(CliReplay, ConfirmsABehaviourOfASpecThatClaimsNoViolation) {
  // A behaviour recorded elsewhere: TCommit, one RM prepares and commits.
  const std::string trace =
      R"json({"protocol": "twophase", "model": "tcommit", "variant": "correct", )json"
      R"json("parameters": {"rms": 1}, "trace": [)json"
      R"json({"action": "Initial", "state": {"rmState": {"r1": "working"}}},)json"
      R"json({"action": "Prepare(r1)", "state": {"rmState": {"r1": "prepared"}}},)json"
      R"json({"action": "Decide(r1) commit", "state": {"rmState": {"r1": "committed"}}}]})json";
  write_file(temp_path("tcommit.json"), trace);
  CliRun run = crosscheck("replay " + temp_path("tcommit.json"));
  EXPECT_EQ(run.status, 0) << run.out << run.err;
  EXPECT_NE(
      run.out.find(
          "Confirmed: every step is a behaviour of the model (the trace claims no violation)."),
      std::string::npos)
      << run.out;
  // A chart needs nodes, which TCommit has not.
  run = crosscheck("replay " + temp_path("tcommit.json") + " --msc " + temp_path("tcommit.svg"));
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("--msc: model tcommit of twophase is an abstract spec"), std::string::npos)
      << run.err;
}

// Raft's no-log-check counterexample (six steps: s1 leads term 2 and takes
// an entry; s2, whose log is empty, asks s1 for its vote in term 3), saved,
// then changed. Figure 8's chart is checked by msc_svg_test.
class CliReplayRaft : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    CliRun check =
        crosscheck("check raft --variant no-log-check --format json --no-progress --msc " +
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
  EXPECT_NE(run.out.find("crosscheck replay raft: model impl, variant no-log-check, servers 3"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("  0. Initial state: ok\n  1. Timeout s1 election: ok\n"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("  6. Deliver RequestVote(term 3, last log 0/0) s2->s1: ok"),
            std::string::npos)
      << run.out;
  EXPECT_NE(
      run.out.find("Confirmed: RefinesRaftSpec (step) is violated at step 6, the trace's last."),
      std::string::npos)
      << run.out;
  // Why, as check says it: the vote needed logOk.
  EXPECT_NE(run.out.find("\nWhy:\n  No sequence of at most 14 raft.tla steps of s1"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("takes another branch: logOk is false"), std::string::npos) << run.out;
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
  EXPECT_NE(
      run.out.find(
          "Not a behaviour of the model: step 2 of 6: 'Deliver RequestVote(term 2, last log 0/0) "
          "s1->s2' leads to another state than the trace's (model -> trace: "
          "nodes.s2.voted_for: \"s1\" -> \"s3\")"),
      std::string::npos)
      << run.out;
}

TEST_F(CliReplayRaft, NamesAStepThatIsNotEnabled) {
  ASSERT_TRUE(saved_);
  mc::Json tampered = *saved_;
  // s2 leads nothing.
  member(tampered, "trace").as_array()[4].set("action", "Input s2 ClientRequest(1)");
  CliRun run = replay(tampered, "no-log-check-not-enabled.json");
  EXPECT_EQ(run.status, 1) << run.out << run.err;
  EXPECT_NE(run.out.find(
                "step 4 of 6: 'Input s2 ClientRequest(1)' is not enabled after step 3 (enabled: "),
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
  EXPECT_NE(
      run.out.find(
          "Not confirmed: every step is legal, but ElectionSafety holds in the state after step 6"),
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
  EXPECT_NE(
      run.out.find(
          "Not a behaviour of the model: step 5 of 6: 'Timeout s2 election' leads outside the "
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

// A liveness counterexample is a lasso: replay confirms that the goal never
// holds on it and that it closes, and refuses one that does not.
TEST(CliReplay, ConfirmsALivenessLassoAndRefusesOneThatDoesNotClose) {
  CliRun run = crosscheck(
      "check twophase --liveness --max-drops 0 --max-duplicates 0 --max-crashes 0 --max-stops 1 "
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
  EXPECT_NE(open.out.find("the lasso does not close: the last state is not the state after step 2"),
            std::string::npos)
      << open.out;
}

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
                 R"({"protocol": "zab", "model": "impl", "variant": "correct", "parameters": {}, )"
                 R"("trace": []})",
                 "unknown protocol 'zab'"},
        BadTrace{"ok_result",
                 R"({"protocol": "twophase", "model": "spec", "variant": "correct", )"
                 R"("parameters": {"rms": 1}, "result": "ok"})",
                 "no trace to replay (result \"ok\")"},
        BadTrace{"bad_bound",
                 R"({"protocol": "twophase", "model": "spec", "variant": "correct", )"
                 R"("parameters": {"rms": 99}, "trace": []})",
                 "--rms must be in 1..16, not 99"},
        BadTrace{"bad_step",
                 R"({"protocol": "twophase", "model": "spec", "variant": "correct", )"
                 R"("parameters": {"rms": 1}, "trace": [{"action": "Initial"}]})",
                 "trace step 0 needs a string 'action' and an object 'state'"},
        BadTrace{"empty_trace",
                 R"({"protocol": "twophase", "model": "spec", "variant": "correct", )"
                 R"("parameters": {"rms": 1}, "trace": []})",
                 "the trace is empty; it starts with the initial state"},
        BadTrace{"control_byte", "{\"protocol\": \x02}",
                 "not a JSON object: unexpected character '\\x02' at line 1, column 14"},
        BadTrace{"newline_in_name",
                 R"({"protocol": "two\nphase", "model": "impl", "variant": "correct", )"
                 R"("parameters": {}, "trace": []})",
                 R"(unknown protocol 'two\nphase' (known: )"},
        BadTrace{"impossible_bounds",
                 R"({"protocol": "multipaxos", "model": "impl", "variant": "correct", )"
                 R"("parameters": {"max-ballot": 4}, )"
                 R"("trace": [{"action": "Initial", "state": {}}]})",
                 "the refinement to Paxos.tla takes at most 5 replicas"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace crosscheck::cli::testing
