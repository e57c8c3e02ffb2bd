// `crosscheck validate raft TRACE` as a user runs it: the verdict and its
// exit status, the JSON report's fields, the chart, and one error line
// with exit 2 for every malformed trace and bad argument.
#include <gtest/gtest.h>

#include <string>

#include "model_check/json.h"
#include "tests/cli/cli_runner.h"

namespace crosscheck::cli::testing {
namespace {

const char* kExample = "tests/trace_validation/data/etcd_example.ndjson";

const char* kInit1 =
    R"({"tag":"trace","event":{"name":"InitState","nid":"1","state":{"term":1,"vote":"0",)"
    R"("commit":1},"role":"StateFollower","log":1,"conf":[["1"],[]]}})";

// The example with node 3's Ready at line 2020 claiming term 1 (it is in 2).
std::string corrupted_example() {
  std::string text = read_file(runfile(kExample));
  size_t at = 0;
  for (int line = 1; line < 2020; ++line) at = text.find('\n', at) + 1;
  const size_t term = text.find("\"term\":2", at);
  text.replace(term, 8, "\"term\":1");
  return text;
}

TEST(CliValidate, EtcdExampleIsValid) {
  const CliRun run = crosscheck(std::string("validate raft --no-progress ") + runfile(kExample));
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find(": valid\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("4888 events of 10 nodes in 4888 lines"), std::string::npos) << run.out;
}

TEST(CliValidate, JsonReport) {
  const CliRun run =
      crosscheck(std::string("validate raft --no-progress --format json ") + runfile(kExample));
  ASSERT_EQ(run.status, 0) << run.err;
  const mc::Json json = parse(run.out);
  EXPECT_EQ(json["verdict"].as_string(), "valid");
  EXPECT_EQ(json["events"].as_int(), 4888);
  EXPECT_EQ(json["events_explained"].as_int(), 4888);
  EXPECT_EQ(json["nodes"].as_int(), 10);
  EXPECT_GE(json["widest"].as_int(), 1);
  EXPECT_GE(json["states"].as_int(), 4888);
  EXPECT_TRUE(json["seconds"].is_number());
}

TEST(CliValidate, InvalidTraceNamesTheLineAndDrawsTheChart) {
  const std::string trace = temp_path("corrupted.ndjson"), chart = temp_path("corrupted.svg");
  write_file(trace, corrupted_example());
  const CliRun run = crosscheck("validate raft --no-progress " + trace + " --msc " + chart);
  EXPECT_EQ(run.status, 1) << run.err;
  EXPECT_NE(run.out.find(": invalid at line 2020\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("no spec behaviour explains line 2020: Ready of node 3 (term 1,"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("1 candidate state before it:"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("term is 1 in the trace, 2 in the spec"), std::string::npos) << run.out;
  const std::string svg = read_file(chart);
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("TraceMatched"), std::string::npos);
  EXPECT_NE(svg.find("line 2020"), std::string::npos);

  const CliRun json = crosscheck("validate raft --no-progress --format json " + trace);
  EXPECT_EQ(json.status, 1);
  const mc::Json report = parse(json.out);
  EXPECT_EQ(report["verdict"].as_string(), "invalid");
  EXPECT_EQ(report["line"].as_int(), 2020);
  EXPECT_EQ(report["events_explained"].as_int(), 2019);
  EXPECT_EQ(report["candidate_count"].as_int(), 1);
  EXPECT_EQ(report["distinct_candidates"].as_int(), 1);
  EXPECT_EQ(report["candidates"].as_array().at(0)["reason"].as_string(),
            "term is 1 in the trace, 2 in the spec");
}

// One error line naming the file and the line, and exit 2.
void expect_malformed(const std::string& text, const std::string& message) {
  const std::string trace = temp_path("malformed.ndjson");
  write_file(trace, text);
  const CliRun run = crosscheck("validate raft " + trace);
  EXPECT_EQ(run.status, 2) << run.out;
  EXPECT_EQ(run.err, "crosscheck: " + trace + ": " + message + "\n");
  EXPECT_EQ(run.out, "");
}

TEST(CliValidate, MalformedTraces) {
  const std::string init = std::string(kInit1) + "\n";
  expect_malformed(init + "{\"tag\":\"trace\",\n",
                   "line 2: not JSON: column 16: syntax error "
                   "while parsing object key - unexpected "
                   "end of input; expected string literal");
  std::string unknown = kInit1;
  unknown.replace(unknown.find("InitState"), 9, "Elect");
  expect_malformed(init + unknown + "\n",
                   "line 2: unknown event \"Elect\" (known: InitState, Bootstrap, BecomeFollower, "
                   "BecomePreCandidate, BecomeCandidate, BecomeLeader, SendRequestVoteRequest, "
                   "ReceiveRequestVoteRequest, SendRequestVoteResponse, "
                   "ReceiveRequestVoteResponse, SendAppendEntriesRequest, "
                   "ReceiveAppendEntriesRequest, SendAppendEntriesResponse, "
                   "ReceiveAppendEntriesResponse, SendSnapshot, ReceiveSnapshot, SendTimeoutNow, "
                   "ReceiveTimeoutNow, Replicate, "
                   "Commit, ChangeConf, ApplyConfChange, Ready, ReduceNextIndex)");
  std::string early = kInit1;
  early.replace(early.find("InitState"), 9, "Ready");
  early.replace(early.find("\"1\""), 3, "\"2\"");
  expect_malformed(init + early + "\n", "line 2: node 2 has no InitState, yet here is its Ready");
  const std::string to_nobody =
      R"({"tag":"trace","event":{"name":"SendAppendEntriesRequest","nid":"1","state":{"term":1,)"
      R"("vote":"0","commit":1},"role":"StateLeader","log":1,"conf":[["1"],[]],"msg":{"type":)"
      R"("MsgApp","term":1,"from":"1","to":"7","entries":0,"logTerm":1,"index":1,"commit":1,)"
      R"("vote":"0","reject":false,"rejectHint":0}}})";
  expect_malformed(init + to_nobody + "\n",
                   "line 2: a message to node 7, which has no InitState in the trace");
  expect_malformed("{\"level\":\"info\"}\n", "no trace events (lines tagged \"trace\")");
}

TEST(CliValidate, BadArguments) {
  auto error = [](const std::string& args) {
    const CliRun run = crosscheck(args);
    EXPECT_EQ(run.status, 2) << args;
    return run.err;
  };
  EXPECT_EQ(error("validate"),
            "crosscheck: validate needs a protocol and a TRACE (protocols with traces: raft)\n");
  EXPECT_EQ(error("validate paxos t.ndjson"),
            "crosscheck: no trace validation for 'paxos' (protocols with traces: raft)\n");
  EXPECT_EQ(error("validate raft"),
            "crosscheck: validate raft needs a TRACE file (see crosscheck validate raft "
            "--help)\n");
  EXPECT_EQ(error("validate raft --format xml t.ndjson"),
            "crosscheck: --format is text or json, not 'xml'\n");
  EXPECT_EQ(error("validate raft --threads 0 t.ndjson"),
            "crosscheck: --threads must be between 1 and 256, not 0\n");
  EXPECT_EQ(error("validate raft --max-states 0 t.ndjson"),
            "crosscheck: --max-states must be at least 1, not 0\n");
  EXPECT_EQ(error("validate raft /nonexistent/t.ndjson"),
            "crosscheck: cannot read the trace /nonexistent/t.ndjson\n");
}

TEST(CliValidate, Help) {
  const CliRun run = crosscheck("validate raft --help");
  EXPECT_EQ(run.status, 0);
  EXPECT_NE(run.out.find("Exit status: 0 valid, 1 invalid, 2 bad input, 3 unknown."),
            std::string::npos)
      << run.out;
}

}  // namespace
}  // namespace crosscheck::cli::testing
