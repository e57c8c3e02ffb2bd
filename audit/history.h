// A client history as Jepsen, Knossos and Elle record it: events in
// real-time order (the order of the file's lines), each an invocation or a
// completion of one process's operation, paired here into operations.
//
// Semantics (Jepsen's and Knossos's): an :ok operation took effect exactly
// once, between its invocation and its completion; a :fail one did not
// take effect; an :info one, or an invocation that never completed, may
// have taken effect at any moment after its invocation, or never, and its
// result is unknown. A process has at most one open operation; after an
// :info it may invoke again (Jepsen moves on to a fresh process number, but
// a history that reuses one means the same thing).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "audit/value.h"

namespace crosscheck::audit {

// Bad input: which file, which line (0: the file as a whole), what is
// wrong. what() is the one line the command prints.
class InputError : public std::runtime_error {
 public:
  InputError(const std::string& file, int line, const std::string& problem);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  int line_;
  std::string problem_;
};

enum class EventType : uint8_t { kInvoke, kOk, kFail, kInfo };
const char* event_type_name(EventType type);

struct Event {
  int line = 0;  // 1-based line of the file where the event's map starts
  int64_t process = 0;
  EventType type = EventType::kInvoke;
  std::string f;
  Value value;
  std::optional<Value> key;    // :key, when the event has one
  std::optional<Value> error;  // :error, when the event has one
};

// What a reader returns: the client events, in order, and how many events
// of other processes (such as Jepsen's :nemesis) it passed over.
struct Events {
  std::vector<Event> events;
  int other_processes = 0;
};

// One operation: an invocation and what became of it. :fail operations
// are kept (counted, drawn) but never judged.
struct Operation {
  enum class Outcome : uint8_t { kOk, kFail, kIndeterminate };
  int64_t process = 0;
  std::string f;
  Value invocation;  // the invocation's :value
  Value completion;  // the completion's :value; the invocation's while indeterminate
  std::optional<Value> key;
  std::optional<Value> error;  // the completion's :error, when it has one
  Outcome outcome = Outcome::kIndeterminate;
  bool completed = false;  // false: never completed, not even with :info
  int invoke_line = 0;
  int complete_line = 0;       // 0: never completed
  int invoke_position = 0;     // index of the invocation among the events
  int complete_position = -1;  // -1: never completed
};

struct History {
  std::string file;
  std::vector<Operation> operations;  // in invocation order
  int events = 0;
  int other_processes = 0;
};

// Pairs each completion with its process's open invocation. Throws
// InputError for a completion with no invocation, a second invocation
// while one is open, a completion whose :f differs from its invocation's,
// or a history with no operation at all.
History pair_events(const std::string& file, Events events);

// The readers. Each throws InputError naming the line of the first
// problem; nothing half-read is returned.
Events read_edn_history(const std::string& file, const std::string& text);
Events read_jsonl_history(const std::string& file, const std::string& text);

// Reads a file by its extension (.edn, .jsonl, .json, .ndjson) or by
// `format` ("edn" or "jsonl") when given.
History read_history(const std::string& path, const std::string& format = "");

// One EDN value, for tests and tools; throws InputError.
Value parse_edn(const std::string& text);

namespace detail {

// An event from an operation map of either format (keyword keys in EDN,
// string keys in JSON). Returns false, leaving `event` alone, for an event
// of a process that is not a client (:process :nemesis).
bool event_from_map(const std::string& file, int line, const Value& map, Event& event);

}  // namespace detail

}  // namespace crosscheck::audit
