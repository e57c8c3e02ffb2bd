// The trace reader's contract, for any input: read_trace either returns a
// Trace that keeps the promises of trace.h, or throws a TraceError naming a
// line of the input, whose what() is "line N: problem" on a single line.
// Anything else is a finding: another exception, a crash, a sanitizer
// report, a hang. std::abort() makes libFuzzer keep the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <set>
#include <sstream>
#include <string>
#include <typeinfo>
#include <vector>

#include "trace/raft/trace.h"

namespace crosscheck::trace::raft {
namespace {

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "fuzz: %s\n", what.c_str());
  std::abort();
}

// The lines std::getline reads from text, as read_trace counts them.
int lines_in(const std::string& text) {
  const auto newlines = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  return newlines + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

bool ascending_without_repeats(const std::vector<NodeId>& ids) {
  return std::adjacent_find(ids.begin(), ids.end(), [](NodeId a, NodeId b) { return a >= b; }) ==
         ids.end();
}

// A line break would split the message a user reads, and a NUL would cut
// what() short. (Other control bytes, which a parse error may echo from the
// input, do not break the line and are not checked.)
bool single_line(const std::string& message) {
  return !message.empty() && message.find_first_of(std::string("\n\r\0", 3)) == std::string::npos;
}

void check_error(const TraceError& error, int lines) {
  if (error.line() < 1 || error.line() > lines)
    finding("an error on line " + std::to_string(error.line()) + " of " + std::to_string(lines));
  if (!single_line(error.problem()))
    finding("a problem that is not a single line: \"" + error.problem() + "\"");
  if (error.what() != "line " + std::to_string(error.line()) + ": " + error.problem())
    finding("what() is not \"line N: problem\": " + std::string(error.what()));
}

void check_message(const Event& event, const std::set<NodeId>& nodes) {
  if (event.message.has_value() != (is_send(event.kind) || is_receive(event.kind)))
    finding("a " + to_string(event.kind) + " with a message, or the other way round");
  if (!event.message) return;
  const Message& m = *event.message;
  const NodeId own = is_send(event.kind) ? m.from : m.to;
  const NodeId other = is_send(event.kind) ? m.to : m.from;
  if (own != event.node || !nodes.count(other))
    finding("a message between nodes " + std::to_string(m.from) + " and " + std::to_string(m.to) +
            " in node " + std::to_string(event.node) + "'s " + to_string(event.kind));
}

void check_event(const Event& event, const std::set<NodeId>& nodes) {
  if (!ascending_without_repeats(event.voters) || !ascending_without_repeats(event.outgoing))
    finding("voters out of order or repeated on line " + std::to_string(event.line));
  if (event.new_conf && !ascending_without_repeats(*event.new_conf))
    finding("a new configuration out of order or repeated on line " + std::to_string(event.line));
  if ((event.kind == EventKind::kChangeConf) == event.changes.empty())
    finding("changes in a " + to_string(event.kind) + " on line " + std::to_string(event.line));
  if (event.new_conf && event.kind != EventKind::kApplyConfChange)
    finding("a new configuration in a " + to_string(event.kind));
  check_message(event, nodes);
}

void check_trace(const Trace& trace, int lines) {
  if (trace.lines != lines)
    finding(std::to_string(trace.lines) + " lines read of " + std::to_string(lines));
  if (!ascending_without_repeats(trace.nodes)) finding("nodes out of order or repeated");
  const std::set<NodeId> nodes(trace.nodes.begin(), trace.nodes.end());
  std::set<NodeId> started;
  int previous_line = 0;
  for (const Event& event : trace.events) {
    if (event.line <= previous_line || event.line > lines)
      finding("an event on line " + std::to_string(event.line) + " after line " +
              std::to_string(previous_line) + " of " + std::to_string(lines));
    previous_line = event.line;
    if (event.kind == EventKind::kInitState) started.insert(event.node);
    if (!started.count(event.node))
      finding("node " + std::to_string(event.node) + "'s event before its InitState");
    check_event(event, nodes);
  }
  if (started != nodes) finding("the nodes listed are not those with an InitState");
}

}  // namespace
}  // namespace crosscheck::trace::raft

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace crosscheck::trace::raft;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const int lines = lines_in(text);
  std::istringstream in(text);
  try {
    check_trace(read_trace(in), lines);
  } catch (const TraceError& error) {
    check_error(error, lines);
  } catch (const std::exception& error) {
    finding(std::string(typeid(error).name()) + " instead of a TraceError: " + error.what());
  }
  return 0;
}
