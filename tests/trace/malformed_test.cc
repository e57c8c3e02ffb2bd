// Every kind of malformed trace the reader refuses, each with the line it
// names and its one-line problem, pinned: a message that changes is a
// change a user sees. Each bad line comes after valid ones, so that the
// line number is that of the bad line and not simply the first.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "trace/raft/trace.h"

namespace crosscheck::trace::raft {
namespace {

// Node `nid`'s InitState, as a follower of the configuration 1, 2, 3.
std::string init(const std::string& nid) {
  return R"({"tag":"trace","event":{"name":"InitState","nid":")" + nid +
         R"(","state":{"term":1,"vote":"0","commit":3},"role":"StateFollower","log":3,)"
         R"("conf":[["1","2","3"],[]]}})"
         "\n";
}

// Lines 1 to 3: nodes 1, 2 and 3 start. The lines below are valid after them.
const std::string kStart = init("1") + init("2") + init("3");

// Node 2, leader, sends entries to node 3.
const std::string kSend =
    R"({"tag":"trace","event":{"name":"SendAppendEntriesRequest","nid":"2",)"
    R"("state":{"term":2,"vote":"2","commit":11},"role":"StateLeader","log":36,)"
    R"("conf":[["1","2","3"],[]],"msg":{"type":"MsgApp","term":2,"from":"2","to":"3",)"
    R"("entries":1,"logTerm":2,"index":35,"commit":11,"vote":"0","reject":false,)"
    R"("rejectHint":0}}})"
    "\n";

// Node 3 receives them.
const std::string kReceive =
    R"({"tag":"trace","event":{"name":"ReceiveAppendEntriesRequest","nid":"3",)"
    R"("state":{"term":2,"vote":"2","commit":11},"role":"StateFollower","log":35,)"
    R"("conf":[["1","2","3"],[]],"msg":{"type":"MsgApp","term":2,"from":"2","to":"3",)"
    R"("entries":1,"logTerm":2,"index":35,"commit":11,"reject":false}}})"
    "\n";

// Node 2 proposes to add node 4, then applies the change.
const std::string kChange =
    R"({"tag":"trace","event":{"name":"ChangeConf","nid":"2",)"
    R"("state":{"term":2,"vote":"2","commit":11},"role":"StateLeader","log":36,)"
    R"("conf":[["1","2","3"],[]],"prop":{"cc":{"changes":[{"nid":"4","action":"AddNewServer"}]}}}})"
    "\n";
const std::string kApply =
    R"({"tag":"trace","event":{"name":"ApplyConfChange","nid":"2",)"
    R"("state":{"term":2,"vote":"2","commit":12},"role":"StateLeader","log":37,)"
    R"("conf":[["1","2","3"],[]],"prop":{"cc":{"newconf":["1","2","3","4"]}}}})"
    "\n";

// `line` with its first `from` replaced by `to`. A `from` not in the line
// gives a line no case expects, so a mistyped case fails instead of
// testing nothing.
std::string with(const std::string& line, const std::string& from, const std::string& to) {
  const size_t at = line.find(from);
  if (at == std::string::npos) return "(the line has no " + from + ")\n";
  return line.substr(0, at) + to + line.substr(at + from.size());
}

struct Case {
  std::string name;
  std::string text;
  int line;
  std::string problem;
};

void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

class Malformed : public ::testing::TestWithParam<Case> {};

TEST_P(Malformed, IsRefusedWithItsLineAndProblem) {
  const Case& c = GetParam();
  std::istringstream in(c.text);
  try {
    read_trace(in);
    ADD_FAILURE() << "read without an error:\n" << c.text;
  } catch (const TraceError& error) {
    EXPECT_EQ(error.line(), c.line);
    EXPECT_EQ(error.problem(), c.problem);
    EXPECT_EQ(std::string(error.what()), "line " + std::to_string(c.line) + ": " + c.problem);
  }
}

std::string name_of(const ::testing::TestParamInfo<Case>& info) { return info.param.name; }

TEST(Malformed, TheLinesTheCasesChangeAreValidAsTheyAre) {
  std::istringstream in(kStart + kSend + kReceive + kChange + kApply);
  EXPECT_EQ(read_trace(in).events.size(), 7u);
}

TEST(Malformed, EightLevelsOfNestingAreNotTooDeep) {
  std::istringstream in(kStart + R"({"a":[[[[[[["[[\"[["]]]]]]],"b":"{{{{"})" + "\n");
  EXPECT_EQ(read_trace(in).lines, 4);
}

// Lines that are not a JSON object, or that are too deep to parse.
const std::vector<Case> kSyntax = {
    {"NotJson", kStart + "{\"tag\":\"trace\",\"event\":\n", 4,
     "not JSON: column 24: syntax error while parsing value - unexpected end of input; expected "
     "'[', '{', or a literal"},
    {"NotJsonAfterBlankAndOtherLines", kStart + "\n{\"level\":\"info\"}\n \n" + "tag: trace\n", 7,
     "not JSON: column 2: syntax error while parsing value - invalid literal; last read: 'ta'"},
    {"CutShort", kStart + kSend.substr(0, kSend.size() - 3) + "\n", 4,
     "not JSON: column 307: syntax error while parsing object - unexpected end of input; "
     "expected '}'"},
    {"NestedNineLevels", kStart + R"({"a":[[[[[[[[1]]]]]]]]})" + "\n", 4,
     "nested deeper than 8 levels"},
    {"NestedNineLevelsAndNotJson", kStart + "[[[[[[[[[\n", 4, "nested deeper than 8 levels"},
    {"AList", kStart + "[\"tag\",\"trace\"]\n", 4, "not a JSON object"},
    {"AString", kStart + "\"trace\"\n", 4, "not a JSON object"},
    {"TraceWithoutEvent", kStart + "{\"tag\":\"trace\",\"msg\":{}}\n", 4,
     "a trace line has no \"event\""},
    {"EventNotAnObject", kStart + "{\"tag\":\"trace\",\"event\":\"InitState\"}\n", 4,
     "\"event\" is not an object"},
};
INSTANTIATE_TEST_SUITE_P(Syntax, Malformed, ::testing::ValuesIn(kSyntax), name_of);

// An event's own fields: its name, node, state, role, log and configuration.
const std::vector<Case> kEventFields = {
    {"UnknownEvent", kStart + with(kSend, "SendAppendEntriesRequest", "SendHeartbeat"), 4,
     "unknown event \"SendHeartbeat\" (known: InitState, Bootstrap, BecomeFollower, "
     "BecomePreCandidate, BecomeCandidate, BecomeLeader, SendRequestVoteRequest, "
     "ReceiveRequestVoteRequest, SendRequestVoteResponse, ReceiveRequestVoteResponse, "
     "SendAppendEntriesRequest, ReceiveAppendEntriesRequest, SendAppendEntriesResponse, "
     "ReceiveAppendEntriesResponse, SendSnapshot, ReceiveSnapshot, SendTimeoutNow, "
     "ReceiveTimeoutNow, Replicate, Commit, "
     "ChangeConf, ApplyConfChange, Ready, ReduceNextIndex)"},
    {"NameNotAString", kStart + with(kSend, "\"SendAppendEntriesRequest\"", "12"), 4,
     "the event's \"name\" is not a string"},
    {"NoName", kStart + with(kSend, "\"name\":", "\"event\":"), 4, "the event has no \"name\""},
    {"NoNid", kStart + with(kSend, "\"nid\":\"2\",", ""), 4, "the event has no \"nid\""},
    {"NoState", kStart + with(kSend, "\"state\"", "\"status\""), 4, "the event has no \"state\""},
    {"StateNotAnObject",
     kStart + with(kSend, "{\"term\":2,\"vote\":\"2\",\"commit\":11}", "[2,\"2\",11]"), 4,
     "\"state\" is not an object"},
    {"StateWithoutCommit", kStart + with(kSend, ",\"commit\":11}", "}"), 4,
     "the state has no \"commit\""},
    {"TermNegative", kStart + with(kSend, "\"term\":2", "\"term\":-2"), 4,
     "the state's \"term\" is not a number of 0 or more"},
    {"TermAFraction", kStart + with(kSend, "\"term\":2", "\"term\":2.5"), 4,
     "the state's \"term\" is not a whole number that fits in 64 bits"},
    {"TermAString", kStart + with(kSend, "\"term\":2", "\"term\":\"2\""), 4,
     "the state's \"term\" is not a number of 0 or more"},
    {"TermPast64Bits", kStart + with(kSend, "\"term\":2", "\"term\":18446744073709551616"), 4,
     "the state's \"term\" is not a whole number that fits in 64 bits"},
    {"UnknownRole", kStart + with(kSend, "StateLeader", "StateLearner"), 4,
     "unknown role \"StateLearner\" (known: StateFollower, StatePreCandidate, StateCandidate, "
     "StateLeader)"},
    {"RoleNotAString", kStart + with(kSend, "\"StateLeader\"", "3"), 4,
     "the event's \"role\" is not a string"},
    {"NoLog", kStart + with(kSend, "\"log\":36,", ""), 4, "the event has no \"log\""},
    {"LogNull", kStart + with(kSend, "\"log\":36", "\"log\":null"), 4,
     "the event's \"log\" is not a number of 0 or more"},
    {"NoConf", kStart + with(kSend, "\"conf\"", "\"config\""), 4, "the event has no \"conf\""},
    {"ConfOneList", kStart + with(kSend, "[[\"1\",\"2\",\"3\"],[]]", "[[\"1\",\"2\",\"3\"]]"), 4,
     "\"conf\" is not a pair of voter lists"},
    {"ConfThreeLists", kStart + with(kSend, "[[\"1\",\"2\",\"3\"],[]]", "[[\"1\"],[],[]]"), 4,
     "\"conf\" is not a pair of voter lists"},
    {"ConfAnObject", kStart + with(kSend, "[[\"1\",\"2\",\"3\"],[]]", "{\"voters\":[\"1\"]}"), 4,
     "\"conf\" is not a pair of voter lists"},
    {"VotersNotAList", kStart + with(kSend, "[[\"1\",\"2\",\"3\"],[]]", "[\"1\",[]]"), 4,
     "\"conf\"'s voters are not a list"},
    {"OutgoingNotAList", kStart + with(kSend, "[[\"1\",\"2\",\"3\"],[]]", "[[\"1\"],{}]"), 4,
     "\"conf\"'s outgoing voters are not a list"},
    {"VotersNumbers", kStart + with(kSend, "[[\"1\",\"2\",\"3\"],[]]", "[[1,2,3],[]]"), 4,
     "\"conf\"'s voters hold something other than node ids"},
};
INSTANTIATE_TEST_SUITE_P(EventFields, Malformed, ::testing::ValuesIn(kEventFields), name_of);

// The message of an event that sends or receives one.
const std::vector<Case> kMessages = {
    {"SendWithoutMsg", kStart + with(kSend, ",\"msg\":", ",\"message\":"), 4,
     "a SendAppendEntriesRequest event has no \"msg\""},
    {"ReceiveWithoutMsg", kStart + kSend + with(kReceive, ",\"msg\":", ",\"m\":"), 5,
     "a ReceiveAppendEntriesRequest event has no \"msg\""},
    {"MsgAList", kStart + with(kSend, "\"msg\":{", "\"msg\":[],\"m\":{"), 4,
     "\"msg\" is not an object"},
    {"MsgAString", kStart + kSend + with(kReceive, "\"msg\":{", "\"msg\":\"MsgApp\",\"m\":{"), 5,
     "\"msg\" is not an object"},
    {"UnknownMessageType", kStart + with(kSend, "\"MsgApp\"", "\"MsgProp\""), 4,
     "unknown message type \"MsgProp\" (known: MsgApp, MsgAppResp, MsgHeartbeat, "
     "MsgHeartbeatResp, MsgSnap, MsgVote, MsgVoteResp, MsgPreVote, MsgPreVoteResp, "
     "MsgTimeoutNow)"},
    {"MessageWithoutType", kStart + with(kSend, "\"type\":\"MsgApp\",", ""), 4,
     "the message has no \"type\""},
    {"MessageWithoutTo", kStart + with(kSend, "\"to\":\"3\",", ""), 4, "the message has no \"to\""},
    {"MessageTermNegative", kStart + with(kSend, "\"MsgApp\",\"term\":2", "\"MsgApp\",\"term\":-1"),
     4, "the message's \"term\" is not a number of 0 or more"},
    {"MessageWithoutLogTerm", kStart + with(kSend, "\"logTerm\":2,", ""), 4,
     "the message has no \"logTerm\""},
    {"EntriesAString", kStart + with(kSend, "\"entries\":1", "\"entries\":\"1\""), 4,
     "the message's \"entries\" is not a number of 0 or more"},
    {"MessageWithoutReject", kStart + with(kSend, "\"reject\":false,", ""), 4,
     "the message has no \"reject\""},
    {"RejectANumber", kStart + with(kSend, "\"reject\":false", "\"reject\":0"), 4,
     "the message's \"reject\" is not true or false"},
    {"RejectHintAString", kStart + with(kSend, "\"rejectHint\":0", "\"rejectHint\":\"0\""), 4,
     "the message's \"rejectHint\" is not a number of 0 or more"},
};
INSTANTIATE_TEST_SUITE_P(Messages, Malformed, ::testing::ValuesIn(kMessages), name_of);

// Node ids: decimal strings of 64-bit numbers, each once in a list.
const std::vector<Case> kNodeIds = {
    {"NidALetter", kStart + with(kSend, "\"nid\":\"2\"", "\"nid\":\"b\""), 4,
     "the event's \"nid\" \"b\" is not a node id (a decimal number below 2^64)"},
    {"NidEmpty", kStart + with(kSend, "\"nid\":\"2\"", "\"nid\":\"\""), 4,
     "the event's \"nid\" \"\" is not a node id (a decimal number below 2^64)"},
    {"NidNegative", kStart + with(kSend, "\"nid\":\"2\"", "\"nid\":\"-2\""), 4,
     "the event's \"nid\" \"-2\" is not a node id (a decimal number below 2^64)"},
    {"NidWithASpace", kStart + with(kSend, "\"nid\":\"2\"", "\"nid\":\"2 \""), 4,
     "the event's \"nid\" \"2 \" is not a node id (a decimal number below 2^64)"},
    {"NidHex", kStart + with(kSend, "\"nid\":\"2\"", "\"nid\":\"0x2\""), 4,
     "the event's \"nid\" \"0x2\" is not a node id (a decimal number below 2^64)"},
    {"NidPast64Bits", kStart + with(kSend, "\"nid\":\"2\"", "\"nid\":\"18446744073709551616\""), 4,
     "the event's \"nid\" \"18446744073709551616\" is not a node id (a decimal number below 2^64)"},
    {"NidANumber", kStart + with(kSend, "\"nid\":\"2\"", "\"nid\":2"), 4,
     "the event's \"nid\" is not a string"},
    {"StateVoteNone", kStart + with(kSend, "\"vote\":\"2\"", "\"vote\":\"none\""), 4,
     "the state's \"vote\" \"none\" is not a node id (a decimal number below 2^64)"},
    {"MessageFromAName", kStart + with(kSend, "\"from\":\"2\"", "\"from\":\"n2\""), 4,
     "the message's \"from\" \"n2\" is not a node id (a decimal number below 2^64)"},
    {"MessageVoteANumber", kStart + with(kSend, "\"vote\":\"0\"", "\"vote\":0"), 4,
     "the message's \"vote\" is not a string"},
    {"VoterAName", kStart + with(kSend, "[[\"1\",\"2\",\"3\"]", "[[\"1\",\"2\",\"n3\"]"), 4,
     "\"conf\"'s voters hold \"n3\", not a node id (a decimal number below 2^64)"},
    {"VoterTwice", kStart + with(kSend, "[[\"1\",\"2\",\"3\"]", "[[\"1\",\"2\",\"1\"]"), 4,
     "\"conf\"'s voters name a node twice"},
    {"VoterTwiceWrittenTwoWays", kStart + with(kSend, "[[\"1\",\"2\",\"3\"]", "[[\"1\",\"01\"]"), 4,
     "\"conf\"'s voters name a node twice"},
    {"OutgoingVoterTwice", kStart + with(kSend, "],[]]", "],[\"3\",\"2\",\"3\"]]"), 4,
     "\"conf\"'s outgoing voters name a node twice"},
};
INSTANTIATE_TEST_SUITE_P(NodeIds, Malformed, ::testing::ValuesIn(kNodeIds), name_of);

// The proposal of a ChangeConf and the new configuration of an ApplyConfChange.
const std::vector<Case> kConfChanges = {
    {"ChangeConfWithoutProp", kStart + with(kChange, "\"prop\"", "\"proposal\""), 4,
     "a ChangeConf event has no \"prop\""},
    {"PropNotAnObject", kStart + with(kChange, "\"prop\":{", "\"prop\":4,\"p\":{"), 4,
     "\"prop\" is not an object"},
    {"PropWithoutCc", kStart + with(kChange, "\"cc\"", "\"confChange\""), 4,
     "the event's \"prop\" has no \"cc\""},
    {"CcNotAnObject", kStart + with(kChange, "\"cc\":{", "\"cc\":true,\"c\":{"), 4,
     "\"prop\"'s \"cc\" is not an object"},
    {"ChangeConfWithoutChanges", kStart + with(kChange, "\"changes\"", "\"newconf\""), 4,
     "a ChangeConf's \"cc\" has no \"changes\""},
    {"ChangesEmpty", kStart + with(kChange, "[{\"nid\":\"4\",\"action\":\"AddNewServer\"}]", "[]"),
     4, "\"changes\" is empty"},
    {"ChangesAnObject",
     kStart + with(kChange, "[{\"nid\":\"4\",\"action\":\"AddNewServer\"}]",
                   "{\"nid\":\"4\",\"action\":\"AddNewServer\"}"),
     4, "\"changes\" is not a list of changes"},
    {"ChangeNotAnObject", kStart + with(kChange, "{\"nid\":\"4\",", "\"4\",{\"nid\":\"4\","), 4,
     "a change is not an object"},
    {"ChangeWithoutAction", kStart + with(kChange, ",\"action\":\"AddNewServer\"", ""), 4,
     "a change has no \"action\""},
    {"UnknownAction", kStart + with(kChange, "AddNewServer", "PromoteLearner"), 4,
     "unknown configuration change \"PromoteLearner\" (known: AddNewServer, RemoveServer, "
     "AddLearner)"},
    {"ChangeNidANumber", kStart + with(kChange, "{\"nid\":\"4\"", "{\"nid\":4"), 4,
     "a change's \"nid\" is not a string"},
    {"ApplyWithoutProp", kStart + kChange + with(kApply, "\"prop\"", "\"p\""), 5,
     "an ApplyConfChange event has no \"prop\""},
    {"NewConfAString", kStart + kChange + with(kApply, "[\"1\",\"2\",\"3\",\"4\"]", "\"1,2,3,4\""),
     5, "\"newconf\"'s voters are not a list"},
    {"NewConfTwice", kStart + kChange + with(kApply, "\"3\",\"4\"]", "\"4\",\"4\"]"), 5,
     "\"newconf\"'s voters name a node twice"},
};
INSTANTIATE_TEST_SUITE_P(ConfChanges, Malformed, ::testing::ValuesIn(kConfChanges), name_of);

// What the whole trace decides: which nodes started, and when.
const std::vector<Case> kNodes = {
    {"EventOfANodeNeverStarted", kStart + with(kSend, "\"nid\":\"2\"", "\"nid\":\"4\""), 4,
     "node 4 has no InitState, yet here is its SendAppendEntriesRequest"},
    {"EventBeforeItsInitState", init("1") + init("3") + kSend + init("2"), 3,
     "node 2's SendAppendEntriesRequest comes before its InitState"},
    {"SendFromAnotherNode", kStart + with(kSend, "\"from\":\"2\"", "\"from\":\"1\""), 4,
     "node 2's SendAppendEntriesRequest sends a message from node 1"},
    {"ReceiveToAnotherNode", kStart + kSend + with(kReceive, "\"to\":\"3\"", "\"to\":\"1\""), 5,
     "node 3's ReceiveAppendEntriesRequest receives a message to node 1"},
    {"SendToANodeNeverStarted", kStart + with(kSend, "\"to\":\"3\"", "\"to\":\"9\""), 4,
     "a message to node 9, which has no InitState in the trace"},
    {"ReceiveFromANodeNeverStarted", kStart + with(kReceive, "\"from\":\"2\"", "\"from\":\"9\""), 4,
     "a message from node 9, which has no InitState in the trace"},
    {"NodeProblemAmongOtherLines",
     kStart + "\n" + with(kSend, "\"nid\":\"2\"", "\"nid\":\"5\"") + "{\"level\":\"info\"}\n\n", 5,
     "node 5 has no InitState, yet here is its SendAppendEntriesRequest"},
    // Each line is read before the checks of the whole trace, so a later
    // line's syntax is reported before an earlier line's node.
    {"NotJsonFoundBeforeAnEarlierNodeProblem",
     kStart + with(kSend, "\"nid\":\"2\"", "\"nid\":\"5\"") + "{\"tag\"\n", 5,
     "not JSON: column 7: syntax error while parsing object separator - unexpected end of input; "
     "expected ':'"},
};
INSTANTIATE_TEST_SUITE_P(Nodes, Malformed, ::testing::ValuesIn(kNodes), name_of);

}  // namespace
}  // namespace crosscheck::trace::raft
