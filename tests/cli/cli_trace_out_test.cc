// `crosscheck check raft --trace-out`: the project's own node written as
// an etcd trace, then judged by `crosscheck validate raft` (docs/validate.md).
// Random walks of the correct node validate; each known-buggy variant's
// counterexample fails at the event where the node departs from the spec.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "model_check/json.h"
#include "tests/cli/cli_runner.h"

namespace crosscheck::cli::testing {
namespace {

mc::Json validated(const std::string& trace) {
  const CliRun run = crosscheck("validate raft --no-progress --format json " + trace);
  EXPECT_TRUE(run.status == 0 || run.status == 1) << run.err;
  return parse(run.out);
}

// Deep walks with faults and the production features the writer can show.
TEST(CliTraceOut, WalksOfTheCorrectNodeValidate) {
  const std::string bounds =
      "--search simulate --walks 1 --depth 3000 --max-term 6 --max-log 5 --values 3 "
      "--max-messages 6 --max-restarts 3 --no-progress";
  const std::vector<std::string> features = {
      "",
      "--pre-vote 1 --check-quorum 1",
      "--transfer 1 --max-drops 3",
      "--pre-vote 1 --check-quorum 1 --transfer 1 --max-drops 2 --max-reads 2",
  };
  const std::string trace = temp_path("walk.ndjson");
  int64_t events = 0, widest = 0;
  for (int seed = 1; seed <= 8; ++seed) {
    for (const std::string& feature : features) {
      const std::string args = "check raft " + bounds + " --seed " + std::to_string(seed) + " " +
                               feature + " --trace-out " + trace;
      const CliRun run = crosscheck(args);
      ASSERT_EQ(run.status, 0) << args << "\n" << run.err;
      const mc::Json report = validated(trace);
      EXPECT_EQ(report["verdict"].as_string(), "valid") << args << "\n" << report.pretty();
      widest = std::max(widest, report["widest"].as_int());
      events += report["events"].as_int();
    }
  }
  // A seed alone decides its walk, so the 32 traces are the same on every
  // run: 130,821 events in all.
  EXPECT_EQ(events, 130821);
  // A state whose node may have ignored a vote request within a lease
  // waits beside the one that answered, until its next event: two.
  EXPECT_EQ(widest, 2);
}

struct Departure {
  std::string variant;
  std::string flags;
  int line;
  std::string event;   // the report's "event", up to its state
  std::string reason;  // the first candidate's
};

// The counterexamples `check` finds, written out and validated: with
// RefinesRaftSpec on, the first step raft.tla does not allow; with it
// off, a safety property's longer counterexample.
const std::vector<Departure> kDepartures = {
    {"commit-old-term", "", 63, "Commit of node 2", "commit is 1 in the trace, 0 in the spec"},
    {"forget-vote", "", 22, "Ready of node 2", "vote is 0 in the trace, 1 in the spec"},
    {"no-log-check", "", 30, "SendRequestVoteResponse of node 1",
     "the spec's answer to what it received is MsgVoteResp 1->2 term 3 rejected"},
    {"volatile-term", "", 10, "InitState of node 1", "term is 1 in the trace, 2 in the spec"},
    {"pre-vote-raises-term", "", 13, "Ready of node 2", "term is 2 in the trace, 1 in the spec"},
    {"forget-vote", "--check-refinement 0", 38, "Ready of node 2",
     "vote is 0 in the trace, 1 in the spec"},
    {"no-log-check", "--check-refinement 0", 48, "SendRequestVoteResponse of node 1",
     "the spec's answer to what it received is MsgVoteResp 1->3 term 3 rejected"},
    {"volatile-term", "--check-refinement 0", 23, "InitState of node 2",
     "term is 1 in the trace, 2 in the spec"},
    {"accept-stale-term", "--check-refinement 0", 64, "SendAppendEntriesResponse of node 3",
     "the spec's answer to what it received is MsgAppResp 3->1 term 3 index 0; MsgAppResp "
     "3->1 term 3 rejected"},
};

TEST(CliTraceOut, VariantsFailWhereTheyDepart) {
  const std::string trace = temp_path("variant.ndjson");
  for (const Departure& departure : kDepartures) {
    const std::string args = "check raft --focus none --no-progress --variant " +
                             departure.variant + " " + departure.flags + " --trace-out " + trace;
    const CliRun run = crosscheck(args);
    ASSERT_EQ(run.status, 1) << args << "\n" << run.err;
    const mc::Json report = validated(trace);
    ASSERT_EQ(report["verdict"].as_string(), "invalid") << args;
    EXPECT_EQ(report["line"].as_int(), departure.line) << args;
    EXPECT_EQ(report["event"].as_string().rfind(departure.event + " (", 0), 0u)
        << args << ": " << report["event"].as_string();
    EXPECT_EQ(report["candidates"].as_array().at(0)["reason"].as_string(), departure.reason)
        << args;
  }
}

// accept-stale-term's first departure from raft.tla is to answer a stale
// AppendEntries with success and index 0: what etcd answers too, so the
// trace of that counterexample is a valid etcd trace.
TEST(CliTraceOut, AStaleAnswerEtcdGivesToo) {
  const std::string trace = temp_path("stale.ndjson");
  ASSERT_EQ(crosscheck("check raft --focus none --no-progress --variant accept-stale-term "
                       "--trace-out " +
                       trace)
                .status,
            1);
  EXPECT_EQ(validated(trace)["verdict"].as_string(), "valid");
}

TEST(CliTraceOut, Refusals) {
  auto error = [](const std::string& args) {
    const CliRun run = crosscheck(args);
    EXPECT_EQ(run.status, 2) << args;
    return run.err;
  };
  EXPECT_EQ(error("check raft --membership 1 --trace-out t.ndjson"),
            "crosscheck: --trace-out: the node takes a configuration when it appends it "
            "(thesis \u00a74.1), etcd when it applies it, and the spec follows etcd\n");
  EXPECT_EQ(error("check raft --max-duplicates 1 --trace-out t.ndjson"),
            "crosscheck: --trace-out: a duplicated message cannot be logged as one\n");
  EXPECT_EQ(error("check raft --model spec --trace-out t.ndjson"),
            "crosscheck: --trace-out: model spec is a spec, not the node\n");
  EXPECT_EQ(error("check raft --lease-reads 1 --check-quorum 1 --trace-out t.ndjson"),
            "crosscheck: --trace-out: lease reads run on clocks, which a trace does not show\n");
  EXPECT_EQ(error("check paxos --trace-out t.ndjson"),
            "crosscheck: --trace-out: paxos writes no implementation traces\n");
  const std::string trace = temp_path("none.ndjson");
  const CliRun ok = crosscheck("check raft --max-messages 2 --no-progress --trace-out " + trace);
  EXPECT_EQ(ok.status, 0);
  EXPECT_EQ(ok.err, "crosscheck: no violation, so no trace written to " + trace + "\n");
}

}  // namespace
}  // namespace crosscheck::cli::testing
