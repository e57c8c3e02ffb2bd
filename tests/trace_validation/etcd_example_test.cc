// etcd-io/raft's published example trace (data/README.md) validates, and
// each corruption of it is rejected at the line it corrupts, for the
// reason it breaks.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "trace/raft/trace.h"
#include "trace/raft/validator.h"

namespace crosscheck::trace::raft {
namespace {

using nlohmann::json;

std::vector<json> example_lines() {
  std::ifstream in("tests/trace_validation/data/etcd_example.ndjson");
  std::vector<json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

Trace trace_of(const std::vector<json>& lines) {
  std::stringstream text;
  for (const json& line : lines) text << line.dump() << "\n";
  return read_trace(text);
}

json& event_at(std::vector<json>& lines, int line) { return lines.at(line - 1)["event"]; }

// The first line at or after `from` whose event satisfies `pick`.
int find_line(const std::vector<json>& lines, int from,
              const std::function<bool(const json&)>& pick) {
  for (int line = from; line <= static_cast<int>(lines.size()); ++line)
    if (pick(lines[line - 1]["event"])) return line;
  ADD_FAILURE() << "no such line after " << from;
  return 0;
}

struct Rejection {
  int line = 0;
  std::string reason;
};

Rejection rejection(const std::vector<json>& lines) {
  const Trace trace = trace_of(lines);
  const ValidationResult result = validate(trace);
  EXPECT_EQ(result.verdict, Verdict::kInvalid);
  if (result.verdict != Verdict::kInvalid) return {};
  EXPECT_FALSE(result.candidates.empty());
  return {trace.events[result.failed_event].line, result.candidates.front().reason};
}

TEST(EtcdExample, Validates) {
  const Trace trace = trace_of(example_lines());
  ASSERT_EQ(trace.events.size(), 4888u);
  ASSERT_EQ(trace.nodes.size(), 10u);
  const ValidationResult result = validate(trace);
  EXPECT_EQ(result.verdict, Verdict::kValid);
  EXPECT_EQ(result.events, 4888u);
  // The band widens only where a node has received a vote request of a
  // newer term and its next event has yet to show whether it answered or,
  // within a leader's lease, ignored it: in the election at lines 84-90,
  // two such nodes at once, four states. 5,014 states over 4,888 events.
  EXPECT_EQ(result.widest, 4u);
  EXPECT_EQ(result.states, 5014u);
}

// Reading on several threads gives the same trace, and the same first
// error, as reading on one.
TEST(EtcdExample, ReadsAlikeOnAnyNumberOfThreads) {
  std::stringstream text;
  for (const json& line : example_lines()) text << line.dump() << "\n";
  const std::string whole = text.str();
  std::stringstream one(whole), four(whole);
  const Trace alone = read_trace(one, 1), shared = read_trace(four, 4);
  ASSERT_EQ(shared.events.size(), alone.events.size());
  for (size_t e = 0; e < alone.events.size(); ++e) {
    EXPECT_EQ(shared.events[e].line, alone.events[e].line);
    EXPECT_EQ(shared.events[e].message, alone.events[e].message);
  }
  auto lines = example_lines();
  for (int line : {4000, 1200}) event_at(lines, line)["name"] = "Elect";
  std::stringstream broken;
  for (const json& line : lines) broken << line.dump() << "\n";
  try {
    read_trace(broken, 4);
    ADD_FAILURE() << "read a trace with an unknown event";
  } catch (const TraceError& error) {
    EXPECT_EQ(error.line(), 1200);
  }
}

TEST(EtcdExampleCorrupted, NodesTermDecreases) {
  auto lines = example_lines();
  const int line =
      find_line(lines, 2000, [](const json& e) { return e["name"] == "Ready" && e["nid"] == "3"; });
  ASSERT_EQ(line, 2020);
  event_at(lines, line)["state"]["term"] = 1;
  const Rejection r = rejection(lines);
  EXPECT_EQ(r.line, 2020);
  EXPECT_EQ(r.reason, "term is 1 in the trace, 2 in the spec");
}

TEST(EtcdExampleCorrupted, VoteChangesWithinTerm) {
  auto lines = example_lines();
  event_at(lines, 2020)["state"]["vote"] = "4";  // node 3 voted for 2 in term 2
  const Rejection r = rejection(lines);
  EXPECT_EQ(r.line, 2020);
  EXPECT_EQ(r.reason, "vote is 4 in the trace, 2 in the spec");
}

TEST(EtcdExampleCorrupted, CommitIndexGoesBackwards) {
  auto lines = example_lines();
  ASSERT_EQ(event_at(lines, 2503)["name"], "Ready");
  ASSERT_EQ(event_at(lines, 2503)["state"]["commit"], 44);
  event_at(lines, 2503)["state"]["commit"] = 43;
  const Rejection r = rejection(lines);
  EXPECT_EQ(r.line, 2503);
  EXPECT_EQ(r.reason, "commit is 43 in the trace, 44 in the spec");
}

TEST(EtcdExampleCorrupted, CommittedEntrysTermChanges) {
  auto lines = example_lines();
  // An AppendEntries whose previous entry the leader has committed: the
  // trace says that entry's term is 1, where the leader's log has 2.
  const int line = find_line(lines, 3000, [](const json& e) {
    return e["name"] == "SendAppendEntriesRequest" && e["msg"]["type"] == "MsgApp" &&
           e["msg"]["index"] > 5 && e["msg"]["index"] <= e["state"]["commit"];
  });
  ASSERT_EQ(event_at(lines, line)["msg"]["logTerm"], 2);
  event_at(lines, line)["msg"]["logTerm"] = 1;
  const Rejection r = rejection(lines);
  EXPECT_EQ(r.line, line);
  EXPECT_EQ(line, 3000);
  EXPECT_EQ(r.reason,
            "it would send MsgApp 2->3 term 2 prev 51/2 entries 28 commit 51 (last term 2)");
}

TEST(EtcdExampleCorrupted, MessageReceivedThatWasNeverSent) {
  auto lines = example_lines();
  // A copy of a heartbeat's delivery, claiming a term no leader had.
  json forged = lines.at(3330 - 1);
  ASSERT_EQ(forged["event"]["name"], "ReceiveAppendEntriesRequest");
  forged["event"]["msg"]["term"] = 3;
  lines.insert(lines.begin() + 3330, forged);
  const Rejection r = rejection(lines);
  EXPECT_EQ(r.line, 3331);
  EXPECT_EQ(r.reason, "no message in flight to it matches the one received");
}

TEST(EtcdExampleCorrupted, SecondLeaderInTerm) {
  auto lines = example_lines();
  // Node 3, a follower of node 2 in term 2, claims leadership of term 2.
  json claim = lines.at(2020 - 1);
  claim["event"]["name"] = "BecomeLeader";
  claim["event"]["role"] = "StateLeader";
  lines.insert(lines.begin() + 2020, claim);
  const Rejection r = rejection(lines);
  EXPECT_EQ(r.line, 2021);
  EXPECT_EQ(r.reason, "it is a Follower, not a candidate");
}

TEST(EtcdExampleCorrupted, LeaderWithoutQuorumOfVotes) {
  auto lines = example_lines();
  // Node 2 wins term 2 with the votes of 2, 5 and 4 of five voters; without
  // node 4's vote (line 98) it has two.
  ASSERT_EQ(event_at(lines, 98)["name"], "ReceiveRequestVoteResponse");
  ASSERT_EQ(event_at(lines, 98)["msg"]["from"], "4");
  lines.erase(lines.begin() + 97);
  ASSERT_EQ(event_at(lines, 101)["name"], "BecomeLeader");
  const Rejection r = rejection(lines);
  EXPECT_EQ(r.line, 101);
  EXPECT_EQ(r.reason, "its votes are no quorum of its configuration");
}

}  // namespace
}  // namespace crosscheck::trace::raft
