#include <algorithm>
#include <array>
#include <charconv>
#include <istream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "trace/raft/trace.h"

namespace crosscheck::trace::raft {

namespace {

using nlohmann::json;

// Names as etcd writes them, with the kinds they stand for.
constexpr std::array<std::pair<const char*, EventKind>, 24> kEventNames = {{
    {"InitState", EventKind::kInitState},
    {"Bootstrap", EventKind::kBootstrap},
    {"BecomeFollower", EventKind::kBecomeFollower},
    {"BecomePreCandidate", EventKind::kBecomePreCandidate},
    {"BecomeCandidate", EventKind::kBecomeCandidate},
    {"BecomeLeader", EventKind::kBecomeLeader},
    {"SendRequestVoteRequest", EventKind::kSendRequestVoteRequest},
    {"ReceiveRequestVoteRequest", EventKind::kReceiveRequestVoteRequest},
    {"SendRequestVoteResponse", EventKind::kSendRequestVoteResponse},
    {"ReceiveRequestVoteResponse", EventKind::kReceiveRequestVoteResponse},
    {"SendAppendEntriesRequest", EventKind::kSendAppendEntriesRequest},
    {"ReceiveAppendEntriesRequest", EventKind::kReceiveAppendEntriesRequest},
    {"SendAppendEntriesResponse", EventKind::kSendAppendEntriesResponse},
    {"ReceiveAppendEntriesResponse", EventKind::kReceiveAppendEntriesResponse},
    {"SendSnapshot", EventKind::kSendSnapshot},
    {"ReceiveSnapshot", EventKind::kReceiveSnapshot},
    {"SendTimeoutNow", EventKind::kSendTimeoutNow},
    {"ReceiveTimeoutNow", EventKind::kReceiveTimeoutNow},
    {"Replicate", EventKind::kReplicate},
    {"Commit", EventKind::kCommit},
    {"ChangeConf", EventKind::kChangeConf},
    {"ApplyConfChange", EventKind::kApplyConfChange},
    {"Ready", EventKind::kReady},
    {"ReduceNextIndex", EventKind::kReduceNextIndex},
}};

constexpr std::array<std::pair<const char*, MessageType>, 10> kMessageTypes = {{
    {"MsgApp", MessageType::kApp},
    {"MsgAppResp", MessageType::kAppResp},
    {"MsgHeartbeat", MessageType::kHeartbeat},
    {"MsgHeartbeatResp", MessageType::kHeartbeatResp},
    {"MsgSnap", MessageType::kSnap},
    {"MsgVote", MessageType::kVote},
    {"MsgVoteResp", MessageType::kVoteResp},
    {"MsgPreVote", MessageType::kPreVote},
    {"MsgPreVoteResp", MessageType::kPreVoteResp},
    {"MsgTimeoutNow", MessageType::kTimeoutNow},
}};

constexpr std::array<std::pair<const char*, Role>, 4> kRoles = {{
    {"StateFollower", Role::kFollower},
    {"StatePreCandidate", Role::kPreCandidate},
    {"StateCandidate", Role::kCandidate},
    {"StateLeader", Role::kLeader},
}};

constexpr std::array<std::pair<const char*, ConfAction>, 3> kConfActions = {{
    {"AddNewServer", ConfAction::kAddNewServer},
    {"RemoveServer", ConfAction::kRemoveServer},
    {"AddLearner", ConfAction::kAddLearner},
}};

template <class Table>
std::string names_of(const Table& table) {
  std::string names;
  for (const auto& [name, value] : table) names += (names.empty() ? "" : ", ") + std::string(name);
  return names;
}

template <class Table, class Value>
std::string name_of(const Table& table, Value value) {
  for (const auto& [name, v] : table)
    if (v == value) return name;
  return "?";
}

// Text from the input as a message shows it: on one line, with control
// and non-ASCII bytes escaped, cut short past `limit` bytes.
std::string printable(const std::string& text, size_t limit) {
  std::string out;
  for (size_t k = 0; k < text.size() && k < limit; ++k) {
    const unsigned char c = static_cast<unsigned char>(text[k]);
    if (c < 0x20 || c >= 0x7f) {
      const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + (text.size() > limit ? "..." : "");
}

std::string quoted(const std::string& text) { return "\"" + printable(text, 40) + "\""; }

std::string with_article(const std::string& noun) {
  const bool vowel = !noun.empty() && std::string("AEIOUaeiou").find(noun[0]) != std::string::npos;
  return (vowel ? "an " : "a ") + noun;
}

// How deep the brackets of a line go, outside its strings: a bound on the
// parser's recursion, checked before parsing.
int nesting_depth(const std::string& line) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : line) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

class LineReader {
 public:
  explicit LineReader(int line) : line_(line) {}

  [[noreturn]] void fail(const std::string& problem) const { throw TraceError(line_, problem); }

  const json& field(const json& object, const char* name, const std::string& where) const {
    auto at = object.find(name);
    if (at == object.end()) fail(where + " has no \"" + name + "\"");
    return *at;
  }

  uint64_t number(const json& object, const char* name, const std::string& where) const {
    const json& value = field(object, name, where);
    if (value.is_number_float())
      fail(where + "'s \"" + name + "\" is not a whole number that fits in 64 bits");
    if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<int64_t>() >= 0))
      fail(where + "'s \"" + name + "\" is not a number of 0 or more");
    return value.get<uint64_t>();
  }

  const std::string& string(const json& object, const char* name, const std::string& where) const {
    const json& value = field(object, name, where);
    if (!value.is_string()) fail(where + "'s \"" + name + "\" is not a string");
    return value.get_ref<const std::string&>();
  }

  NodeId node_id(const std::string& text, const std::string& what) const {
    NodeId id = 0;
    const char* end = text.data() + text.size();
    auto [stop, error] = std::from_chars(text.data(), end, id);
    if (text.empty() || error != std::errc() || stop != end)
      fail(what + " " + quoted(text) + " is not a node id (a decimal number below 2^64)");
    return id;
  }

  NodeId node(const json& object, const char* name, const std::string& where) const {
    return node_id(string(object, name, where), where + "'s \"" + name + "\"");
  }

  std::vector<NodeId> nodes(const json& list, const std::string& what) const {
    if (!list.is_array()) fail(what + " are not a list");
    std::vector<NodeId> ids;
    for (const json& item : list) {
      if (!item.is_string()) fail(what + " hold something other than node ids");
      const std::string& text = item.get_ref<const std::string&>();
      NodeId id = 0;
      auto [stop, error] = std::from_chars(text.data(), text.data() + text.size(), id);
      if (text.empty() || error != std::errc() || stop != text.data() + text.size())
        fail(what + " hold " + quoted(text) + ", not a node id (a decimal number below 2^64)");
      ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    if (std::adjacent_find(ids.begin(), ids.end()) != ids.end()) fail(what + " name a node twice");
    return ids;
  }

  template <class Table>
  auto lookup(const Table& table, const std::string& name, const std::string& what) const {
    for (const auto& [known, value] : table)
      if (name == known) return value;
    fail("unknown " + what + " " + quoted(name) + " (known: " + names_of(table) + ")");
  }

  Message message(const json& msg) const {
    if (!msg.is_object()) fail("\"msg\" is not an object");
    Message m;
    m.type = lookup(kMessageTypes, string(msg, "type", "the message"), "message type");
    m.term = number(msg, "term", "the message");
    m.from = node(msg, "from", "the message");
    m.to = node(msg, "to", "the message");
    m.entries = number(msg, "entries", "the message");
    m.log_term = number(msg, "logTerm", "the message");
    m.index = number(msg, "index", "the message");
    m.commit = number(msg, "commit", "the message");
    if (msg.contains("vote")) m.vote = node(msg, "vote", "the message");
    const json& reject = field(msg, "reject", "the message");
    if (!reject.is_boolean()) fail("the message's \"reject\" is not true or false");
    m.reject = reject.get<bool>();
    if (msg.contains("rejectHint")) m.reject_hint = number(msg, "rejectHint", "the message");
    return m;
  }

  void conf_change(const json& event, Event& out) const {
    const json& prop = field(event, "prop", with_article(to_string(out.kind)) + " event");
    if (!prop.is_object()) fail("\"prop\" is not an object");
    const json& cc = field(prop, "cc", "the event's \"prop\"");
    if (!cc.is_object()) fail("\"prop\"'s \"cc\" is not an object");
    if (out.kind == EventKind::kApplyConfChange) {
      // etcd's bootstrap applies an empty change: no "newconf" at all.
      if (cc.contains("newconf")) out.new_conf = nodes(cc["newconf"], "\"newconf\"'s voters");
      return;
    }
    const json& changes = field(cc, "changes", "a ChangeConf's \"cc\"");
    if (!changes.is_array()) fail("\"changes\" is not a list of changes");
    if (changes.empty()) fail("\"changes\" is empty");
    for (const json& change : changes) {
      if (!change.is_object()) fail("a change is not an object");
      out.changes.push_back(
          {node(change, "nid", "a change"),
           lookup(kConfActions, string(change, "action", "a change"), "configuration change")});
    }
  }

  Event event(const json& event) const {
    if (!event.is_object()) fail("\"event\" is not an object");
    Event out;
    out.line = line_;
    out.kind = lookup(kEventNames, string(event, "name", "the event"), "event");
    out.node = node(event, "nid", "the event");
    const json& state = field(event, "state", "the event");
    if (!state.is_object()) fail("\"state\" is not an object");
    out.term = number(state, "term", "the state");
    out.vote = node(state, "vote", "the state");
    out.commit = number(state, "commit", "the state");
    out.role = lookup(kRoles, string(event, "role", "the event"), "role");
    out.log = number(event, "log", "the event");
    const json& conf = field(event, "conf", "the event");
    if (!conf.is_array() || conf.size() != 2) fail("\"conf\" is not a pair of voter lists");
    out.voters = nodes(conf[0], "\"conf\"'s voters");
    out.outgoing = nodes(conf[1], "\"conf\"'s outgoing voters");
    if (is_send(out.kind) || is_receive(out.kind)) {
      out.message = message(field(event, "msg", with_article(to_string(out.kind)) + " event"));
    }
    if (out.kind == EventKind::kChangeConf || out.kind == EventKind::kApplyConfChange)
      conf_change(event, out);
    return out;
  }

 private:
  int line_;
};

bool blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

// nlohmann's message without its "[json.exception...] " tag, and with the
// input bytes it quotes made printable.
std::string parse_problem(const std::string& what) {
  const size_t column = what.find("column ");
  const size_t tag_end = what.find("] ");
  std::string problem = what;
  if (column != std::string::npos) {
    problem = what.substr(column);
  } else if (tag_end != std::string::npos) {
    problem = what.substr(tag_end + 2);
  }
  return "not JSON: " + printable(problem, 200);
}

// The checks that need the whole trace: every node starts with InitState,
// and every message goes between the event's node and a node of the trace.
void check_nodes(Trace& trace) {
  std::set<NodeId> started;
  for (const Event& event : trace.events) {
    if (event.kind == EventKind::kInitState) started.insert(event.node);
  }
  std::set<NodeId> seen;
  for (const Event& event : trace.events) {
    const LineReader reader(event.line);
    if (event.kind != EventKind::kInitState && !seen.count(event.node)) {
      const std::string node = "node " + std::to_string(event.node);
      reader.fail(started.count(event.node)
                      ? node + "'s " + to_string(event.kind) + " comes before its InitState"
                      : node + " has no InitState, yet here is its " + to_string(event.kind));
    }
    seen.insert(event.node);
    if (!event.message) continue;
    const Message& m = *event.message;
    const bool sends = is_send(event.kind);
    const NodeId own = sends ? m.from : m.to;
    const NodeId other = sends ? m.to : m.from;
    if (own != event.node) {
      reader.fail("node " + std::to_string(event.node) + "'s " + to_string(event.kind) +
                  (sends ? " sends a message from node " : " receives a message to node ") +
                  std::to_string(own));
    }
    if (!started.count(other)) {
      reader.fail(std::string("a message ") + (sends ? "to" : "from") + " node " +
                  std::to_string(other) + ", which has no InitState in the trace");
    }
  }
  trace.nodes.assign(started.begin(), started.end());
}

}  // namespace

TraceError::TraceError(int line, const std::string& problem)
    : std::runtime_error("line " + std::to_string(line) + ": " + problem),
      line_(line),
      problem_(problem) {}

namespace {

// The event on line `number`, if the line is one: blank lines and JSON
// objects without "tag":"trace" are none.
std::optional<Event> read_line(const std::string& text, int number) {
  constexpr int kMaxDepth = 8;
  const LineReader reader(number);
  if (blank(text)) return std::nullopt;
  if (nesting_depth(text) > kMaxDepth)
    reader.fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
  json line;
  try {
    line = json::parse(text);
  } catch (const json::exception& error) {
    reader.fail(parse_problem(error.what()));
  }
  if (!line.is_object()) reader.fail("not a JSON object");
  auto tag = line.find("tag");
  if (tag == line.end() || *tag != "trace") return std::nullopt;
  return reader.event(reader.field(line, "event", "a trace line"));
}

// Lines [begin, end) read into `events`, stopping at the first malformed
// one, whose error goes to `error`.
void read_lines(const std::vector<std::string>& lines, size_t begin, size_t end,
                std::vector<Event>& events, std::optional<TraceError>& error) {
  for (size_t k = begin; k < end; ++k) {
    try {
      if (auto event = read_line(lines[k], static_cast<int>(k + 1)))
        events.push_back(std::move(*event));
    } catch (const TraceError& malformed) {
      error = malformed;
      return;
    }
  }
}

}  // namespace

Trace read_trace(std::istream& in, int threads) {
  std::vector<std::string> lines;
  for (std::string text; std::getline(in, text);) lines.push_back(std::move(text));
  // Each thread reads a contiguous share; the first error is the one of
  // the earliest share that has one, as a single reader would find it.
  const size_t shares = std::clamp<size_t>(static_cast<size_t>(std::max(threads, 1)), 1,
                                           std::max<size_t>(lines.size() / 1024, 1));
  std::vector<std::vector<Event>> events(shares);
  std::vector<std::optional<TraceError>> errors(shares);
  std::vector<std::thread> workers;
  for (size_t share = 0; share < shares; ++share) {
    const size_t begin = lines.size() * share / shares;
    const size_t end = lines.size() * (share + 1) / shares;
    workers.emplace_back(
        [&, share, begin, end] { read_lines(lines, begin, end, events[share], errors[share]); });
  }
  for (std::thread& worker : workers) worker.join();
  Trace trace;
  trace.lines = static_cast<int>(lines.size());
  for (size_t share = 0; share < shares; ++share) {
    if (errors[share]) throw *errors[share];
    for (Event& event : events[share]) trace.events.push_back(std::move(event));
  }
  check_nodes(trace);
  return trace;
}

std::string to_string(EventKind kind) { return name_of(kEventNames, kind); }
std::string to_string(MessageType type) { return name_of(kMessageTypes, type); }
std::string to_string(Role role) { return name_of(kRoles, role); }
std::string to_string(ConfAction action) { return name_of(kConfActions, action); }

bool is_send(EventKind kind) {
  return kind == EventKind::kSendRequestVoteRequest ||
         kind == EventKind::kSendRequestVoteResponse ||
         kind == EventKind::kSendAppendEntriesRequest ||
         kind == EventKind::kSendAppendEntriesResponse || kind == EventKind::kSendSnapshot ||
         kind == EventKind::kSendTimeoutNow;
}

bool is_receive(EventKind kind) {
  return kind == EventKind::kReceiveRequestVoteRequest ||
         kind == EventKind::kReceiveRequestVoteResponse ||
         kind == EventKind::kReceiveAppendEntriesRequest ||
         kind == EventKind::kReceiveAppendEntriesResponse || kind == EventKind::kReceiveSnapshot ||
         kind == EventKind::kReceiveTimeoutNow;
}

}  // namespace crosscheck::trace::raft
