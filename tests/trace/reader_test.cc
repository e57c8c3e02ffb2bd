// Reading a trace in etcd-io/raft's format: every field of every kind of
// event, the lines the reader passes over, and the names of the enums.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "trace/raft/trace.h"

namespace crosscheck::trace::raft {
namespace {

Trace read(const std::string& text) {
  std::istringstream in(text);
  return read_trace(in);
}

// Three nodes, 10, 3 and 2 (out of order, and 10 before 2 as text), among
// lines the reader passes over: other loggers' JSON (2, 5, 14) and blank
// lines (3, 10). Each event's line number is on the right.
const char* const kTrace =
    R"({"tag":"trace","event":{"name":"InitState","nid":"10",)"  // 1
    R"("state":{"term":1,"vote":"0","commit":3},"role":"StateFollower","log":3,)"
    R"("conf":[["10","2","3"],[]]}})"
    "\n"
    R"({"tag":"debug","msg":"not a trace line"})"  // 2
    "\n"
    "\n"                                                        // 3
    R"({"tag":"trace","event":{"name":"InitState","nid":"3",)"  // 4
    R"("state":{"term":1,"vote":"0","commit":3},"role":"StateFollower","log":3,)"
    R"("conf":[["10","2","3"],[]]}})"
    "\n"
    R"({"level":"info","ts":1})"  // 5
    "\n"
    R"({"tag":"trace","event":{"name":"InitState","nid":"2",)"  // 6
    R"("state":{"term":1,"vote":"0","commit":3},"role":"StateFollower","log":3,)"
    R"("conf":[["10","2","3"],[]]}})"
    "\n"
    R"({"tag":"trace","event":{"name":"BecomeCandidate","nid":"2",)"  // 7
    R"("state":{"term":2,"vote":"2","commit":3},"role":"StateCandidate","log":3,)"
    R"("conf":[["10","2","3"],[]]}})"
    "\n"
    R"({"tag":"trace","event":{"name":"SendRequestVoteRequest","nid":"2",)"  // 8
    R"("state":{"term":2,"vote":"2","commit":3},"role":"StateCandidate","log":3,)"
    R"("conf":[["10","2","3"],[]],"msg":{"type":"MsgVote","term":2,"from":"2","to":"10",)"
    R"("entries":0,"logTerm":1,"index":3,"commit":3,"vote":"2","reject":false}}})"
    "\n"
    R"({"tag":"trace","event":{"name":"ReceiveAppendEntriesRequest","nid":"3",)"  // 9
    R"("state":{"term":4,"vote":"2","commit":11},"role":"StateFollower","log":36,)"
    R"("conf":[["10","2","3"],[]],"msg":{"type":"MsgApp","term":4,"from":"2","to":"3",)"
    R"("entries":5,"logTerm":3,"index":35,"commit":12,"vote":"10","reject":true,)"
    R"("rejectHint":34}}})"
    "\n"
    " \t\r\n"                                                    // 10
    R"({"tag":"trace","event":{"name":"ChangeConf","nid":"2",)"  // 11
    R"("state":{"term":4,"vote":"2","commit":12},"role":"StateLeader","log":40,)"
    R"("conf":[["2","3","10"],["3","2"]],"prop":{"cc":{"changes":[)"
    R"({"nid":"4","action":"AddNewServer"},{"nid":"3","action":"RemoveServer"},)"
    R"({"nid":"5","action":"AddLearner"}]}}}})"
    "\n"
    R"({"tag":"trace","event":{"name":"ApplyConfChange","nid":"2",)"  // 12
    R"("state":{"term":4,"vote":"2","commit":13},"role":"StateLeader","log":41,)"
    R"("conf":[["2","3","10"],["3","2"]],"prop":{"cc":{"newconf":["10","4","2"]}}}})"
    "\n"
    R"({"tag":"trace","event":{"name":"ApplyConfChange","nid":"10",)"  // 13
    R"("state":{"term":1,"vote":"0","commit":3},"role":"StateFollower","log":3,)"
    R"("conf":[["10","2","3"],[]],"prop":{"cc":{}}}})"
    "\n"
    R"({"tag":"info","event":"not a trace event either"})"  // 14
    "\n";

TEST(ReadTrace, CountsEveryLineAndNumbersEventsByTheirLine) {
  const Trace trace = read(kTrace);
  EXPECT_EQ(trace.lines, 14);
  std::vector<int> lines;
  std::vector<EventKind> kinds;
  for (const Event& event : trace.events) {
    lines.push_back(event.line);
    kinds.push_back(event.kind);
  }
  EXPECT_EQ(lines, (std::vector<int>{1, 4, 6, 7, 8, 9, 11, 12, 13}));
  EXPECT_EQ(kinds, (std::vector<EventKind>{
                       EventKind::kInitState, EventKind::kInitState, EventKind::kInitState,
                       EventKind::kBecomeCandidate, EventKind::kSendRequestVoteRequest,
                       EventKind::kReceiveAppendEntriesRequest, EventKind::kChangeConf,
                       EventKind::kApplyConfChange, EventKind::kApplyConfChange}));
}

TEST(ReadTrace, ListsTheNodesWithAnInitStateAscendingAsNumbers) {
  EXPECT_EQ(read(kTrace).nodes, (std::vector<NodeId>{2, 3, 10}));
}

TEST(ReadTrace, ReadsTheStateOfAnInitState) {
  const Event event = read(kTrace).events.at(0);
  EXPECT_EQ(event.line, 1);
  EXPECT_EQ(event.kind, EventKind::kInitState);
  EXPECT_EQ(event.node, 10u);
  EXPECT_EQ(event.term, 1u);
  EXPECT_EQ(event.vote, 0u);
  EXPECT_EQ(event.commit, 3u);
  EXPECT_EQ(event.role, Role::kFollower);
  EXPECT_EQ(event.log, 3u);
  EXPECT_EQ(event.voters, (std::vector<NodeId>{2, 3, 10}));
  EXPECT_TRUE(event.outgoing.empty());
  EXPECT_FALSE(event.message.has_value());
  EXPECT_TRUE(event.changes.empty());
  EXPECT_FALSE(event.new_conf.has_value());
}

TEST(ReadTrace, ReadsARoleChangeWithItsNewTermAndVote) {
  const Event event = read(kTrace).events.at(3);
  EXPECT_EQ(event.kind, EventKind::kBecomeCandidate);
  EXPECT_EQ(event.node, 2u);
  EXPECT_EQ(event.term, 2u);
  EXPECT_EQ(event.vote, 2u);
  EXPECT_EQ(event.commit, 3u);
  EXPECT_EQ(event.role, Role::kCandidate);
  EXPECT_FALSE(event.message.has_value());
}

TEST(ReadTrace, ReadsEveryFieldOfAReceivedMessage) {
  const Event event = read(kTrace).events.at(5);
  EXPECT_EQ(event.kind, EventKind::kReceiveAppendEntriesRequest);
  EXPECT_EQ(event.node, 3u);
  EXPECT_EQ(event.term, 4u);
  EXPECT_EQ(event.vote, 2u);
  EXPECT_EQ(event.commit, 11u);
  EXPECT_EQ(event.log, 36u);
  ASSERT_TRUE(event.message.has_value());
  const Message& m = *event.message;
  EXPECT_EQ(m.type, MessageType::kApp);
  EXPECT_EQ(m.term, 4u);
  EXPECT_EQ(m.from, 2u);
  EXPECT_EQ(m.to, 3u);
  EXPECT_EQ(m.entries, 5u);
  EXPECT_EQ(m.log_term, 3u);
  EXPECT_EQ(m.index, 35u);
  EXPECT_EQ(m.commit, 12u);
  EXPECT_EQ(m.vote, 10u);
  EXPECT_TRUE(m.reject);
  EXPECT_EQ(m.reject_hint, 34u);
}

TEST(ReadTrace, ReadsASentMessageWithoutItsRejectHint) {
  const Event event = read(kTrace).events.at(4);
  EXPECT_EQ(event.kind, EventKind::kSendRequestVoteRequest);
  EXPECT_EQ(event.node, 2u);
  ASSERT_TRUE(event.message.has_value());
  EXPECT_EQ(*event.message, (Message{.type = MessageType::kVote,
                                     .term = 2,
                                     .from = 2,
                                     .to = 10,
                                     .entries = 0,
                                     .log_term = 1,
                                     .index = 3,
                                     .commit = 3,
                                     .vote = 2,
                                     .reject = false,
                                     .reject_hint = 0}));
}

TEST(ReadTrace, ReadsAJointConfigurationAndTheChangesProposed) {
  const Event event = read(kTrace).events.at(6);
  EXPECT_EQ(event.kind, EventKind::kChangeConf);
  EXPECT_EQ(event.node, 2u);
  EXPECT_EQ(event.role, Role::kLeader);
  EXPECT_EQ(event.log, 40u);
  EXPECT_EQ(event.voters, (std::vector<NodeId>{2, 3, 10}));
  EXPECT_EQ(event.outgoing, (std::vector<NodeId>{2, 3}));
  EXPECT_EQ(event.changes, (std::vector<ConfChange>{{4, ConfAction::kAddNewServer},
                                                    {3, ConfAction::kRemoveServer},
                                                    {5, ConfAction::kAddLearner}}));
  EXPECT_FALSE(event.new_conf.has_value());
  EXPECT_FALSE(event.message.has_value());
}

TEST(ReadTrace, ReadsTheNewConfigurationAppliedOrNoneForAnEmptyChange) {
  const Trace trace = read(kTrace);
  const Event& applied = trace.events.at(7);
  EXPECT_EQ(applied.kind, EventKind::kApplyConfChange);
  EXPECT_EQ(applied.commit, 13u);
  EXPECT_EQ(applied.new_conf, (std::vector<NodeId>{2, 4, 10}));
  EXPECT_TRUE(applied.changes.empty());
  const Event& bootstrap = trace.events.at(8);
  EXPECT_EQ(bootstrap.kind, EventKind::kApplyConfChange);
  EXPECT_EQ(bootstrap.node, 10u);
  EXPECT_FALSE(bootstrap.new_conf.has_value());
  EXPECT_TRUE(bootstrap.changes.empty());
}

TEST(ReadTrace, CountsTheLinesOfATraceWithoutEvents) {
  const Trace empty = read("");
  EXPECT_EQ(empty.lines, 0);
  EXPECT_TRUE(empty.events.empty());
  EXPECT_TRUE(empty.nodes.empty());
  const Trace other = read("\n{\"level\":\"info\"}\n\n{\"tag\":\"raft\"}");
  EXPECT_EQ(other.lines, 4);
  EXPECT_TRUE(other.events.empty());
  EXPECT_TRUE(other.nodes.empty());
}

TEST(ReadTrace, ReadsLinesEndingInCarriageReturnAndNewline) {
  const Trace trace = read(
      "{\"level\":\"info\"}\r\n"
      R"({"tag":"trace","event":{"name":"InitState","nid":"7","state":{"term":3,"vote":"7",)"
      R"("commit":1},"role":"StateLeader","log":2,"conf":[["7"],[]]}})"
      "\r\n");
  EXPECT_EQ(trace.lines, 2);
  ASSERT_EQ(trace.events.size(), 1u);
  EXPECT_EQ(trace.events[0].line, 2);
  EXPECT_EQ(trace.events[0].role, Role::kLeader);
  EXPECT_EQ(trace.events[0].voters, (std::vector<NodeId>{7}));
  EXPECT_EQ(trace.nodes, (std::vector<NodeId>{7}));
}

// Node 1's InitState, then an event of node 1 named `name` in `role`, with
// a message of `type` from 1 to 1 and a proposed change of `action`.
Event read_event(const std::string& name, const std::string& role, const std::string& type,
                 const std::string& action) {
  const std::string state = R"("state":{"term":1,"vote":"0","commit":0},"role":")" + role +
                            R"(","log":0,"conf":[["1"],[]])";
  const Trace trace =
      read(R"({"tag":"trace","event":{"name":"InitState","nid":"1",)" + state + "}}\n" +
           R"({"tag":"trace","event":{"name":")" + name + R"(","nid":"1",)" + state +
           R"(,"msg":{"type":")" + type +
           R"(","term":1,"from":"1","to":"1","entries":0,"logTerm":0,"index":0,"commit":0,)"
           R"("reject":false},"prop":{"cc":{"changes":[{"nid":"1","action":")" +
           action + R"("}]}}}})");
  return trace.events.at(1);
}

TEST(ToString, NamesEveryEventKindAsEtcdDoesAndReadsTheNameBack) {
  const std::vector<std::string> names = {
      "InitState",
      "Bootstrap",
      "BecomeFollower",
      "BecomePreCandidate",
      "BecomeCandidate",
      "BecomeLeader",
      "SendRequestVoteRequest",
      "ReceiveRequestVoteRequest",
      "SendRequestVoteResponse",
      "ReceiveRequestVoteResponse",
      "SendAppendEntriesRequest",
      "ReceiveAppendEntriesRequest",
      "SendAppendEntriesResponse",
      "ReceiveAppendEntriesResponse",
      "SendSnapshot",
      "ReceiveSnapshot",
      "SendTimeoutNow",
      "ReceiveTimeoutNow",
      "Replicate",
      "Commit",
      "ChangeConf",
      "ApplyConfChange",
      "Ready",
      "ReduceNextIndex",
  };
  ASSERT_EQ(static_cast<size_t>(EventKind::kReduceNextIndex) + 1, names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    const auto kind = static_cast<EventKind>(i);
    EXPECT_EQ(to_string(kind), names[i]);
    EXPECT_EQ(read_event(to_string(kind), "StateFollower", "MsgApp", "AddNewServer").kind, kind)
        << names[i];
  }
}

TEST(ToString, NamesEveryMessageTypeAsEtcdDoesAndReadsTheNameBack) {
  const std::vector<std::string> names = {
      "MsgApp",  "MsgAppResp",  "MsgHeartbeat", "MsgHeartbeatResp", "MsgSnap",
      "MsgVote", "MsgVoteResp", "MsgPreVote",   "MsgPreVoteResp",
  };
  ASSERT_EQ(static_cast<size_t>(MessageType::kPreVoteResp) + 1, names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    const auto type = static_cast<MessageType>(i);
    EXPECT_EQ(to_string(type), names[i]);
    const Event event =
        read_event("SendAppendEntriesRequest", "StateLeader", to_string(type), "AddNewServer");
    ASSERT_TRUE(event.message.has_value()) << names[i];
    EXPECT_EQ(event.message->type, type) << names[i];
  }
}

TEST(ToString, NamesEveryRoleAsEtcdDoesAndReadsTheNameBack) {
  const std::vector<std::string> names = {"StateFollower", "StatePreCandidate", "StateCandidate",
                                          "StateLeader"};
  ASSERT_EQ(static_cast<size_t>(Role::kLeader) + 1, names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    const auto role = static_cast<Role>(i);
    EXPECT_EQ(to_string(role), names[i]);
    EXPECT_EQ(read_event("Ready", to_string(role), "MsgApp", "AddNewServer").role, role)
        << names[i];
  }
}

TEST(ToString, NamesEveryConfChangeActionAsEtcdDoesAndReadsTheNameBack) {
  const std::vector<std::string> names = {"AddNewServer", "RemoveServer", "AddLearner"};
  ASSERT_EQ(static_cast<size_t>(ConfAction::kAddLearner) + 1, names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    const auto action = static_cast<ConfAction>(i);
    EXPECT_EQ(to_string(action), names[i]);
    EXPECT_EQ(read_event("ChangeConf", "StateLeader", "MsgApp", to_string(action)).changes,
              (std::vector<ConfChange>{{1, action}}))
        << names[i];
  }
}

TEST(EventKinds, SixSendAMessageAndSixReceiveOne) {
  std::vector<std::string> sends, receives;
  for (int i = 0; i <= static_cast<int>(EventKind::kReduceNextIndex); ++i) {
    const auto kind = static_cast<EventKind>(i);
    EXPECT_FALSE(is_send(kind) && is_receive(kind)) << to_string(kind);
    if (is_send(kind)) sends.push_back(to_string(kind));
    if (is_receive(kind)) receives.push_back(to_string(kind));
  }
  EXPECT_EQ(sends,
            (std::vector<std::string>{"SendRequestVoteRequest", "SendRequestVoteResponse",
                                      "SendAppendEntriesRequest", "SendAppendEntriesResponse",
                                      "SendSnapshot", "SendTimeoutNow"}));
  EXPECT_EQ(receives,
            (std::vector<std::string>{"ReceiveRequestVoteRequest", "ReceiveRequestVoteResponse",
                                      "ReceiveAppendEntriesRequest", "ReceiveAppendEntriesResponse",
                                      "ReceiveSnapshot", "ReceiveTimeoutNow"}));
}

}  // namespace
}  // namespace crosscheck::trace::raft
