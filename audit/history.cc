#include "audit/history.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace crosscheck::audit {

namespace {

std::string where(const std::string& file, int line) {
  return line > 0 ? file + ":" + std::to_string(line) : file;
}

}  // namespace

InputError::InputError(const std::string& file, int line, const std::string& problem)
    : std::runtime_error(where(file, line) + ": " + problem),
      file_(file),
      line_(line),
      problem_(problem) {}

const char* event_type_name(EventType type) {
  switch (type) {
    case EventType::kInvoke: return "invoke";
    case EventType::kOk: return "ok";
    case EventType::kFail: return "fail";
    case EventType::kInfo: return "info";
  }
  return "?";
}

namespace {

void complete(const std::string& file, const Event& event, Operation& op) {
  if (event.f != op.f) {
    throw InputError(file, event.line,
                     "the :" + std::string(event_type_name(event.type)) + " of process " +
                         std::to_string(event.process) + " has :f :" + event.f +
                         ", but its invocation (line " + std::to_string(op.invoke_line) +
                         ") has :f :" + op.f);
  }
  op.completed = true;
  op.complete_line = event.line;
  switch (event.type) {
    case EventType::kOk:
      op.outcome = Operation::Outcome::kOk;
      op.completion = event.value;
      break;
    case EventType::kFail:
      op.outcome = Operation::Outcome::kFail;
      op.completion = event.value;
      break;
    default:
      // Its result is unknown: whatever the line says, only the
      // invocation's value is known.
      op.outcome = Operation::Outcome::kIndeterminate;
      op.completion = op.invocation;
      break;
  }
  if (!op.key && event.key) op.key = event.key;
  op.error = event.error;
}

}  // namespace

History pair_events(const std::string& file, Events events) {
  History history;
  history.file = file;
  history.events = static_cast<int>(events.events.size());
  history.other_processes = events.other_processes;
  std::unordered_map<int64_t, size_t> open;  // process -> its open operation
  for (size_t position = 0; position < events.events.size(); ++position) {
    Event& event = events.events[position];
    auto at = open.find(event.process);
    if (event.type == EventType::kInvoke) {
      if (at != open.end()) {
        throw InputError(file, event.line,
                         "process " + std::to_string(event.process) +
                             " invokes while its operation invoked on line " +
                             std::to_string(history.operations[at->second].invoke_line) +
                             " is still open");
      }
      Operation op;
      op.process = event.process;
      op.f = event.f;
      op.invocation = event.value;
      op.completion = event.value;
      op.key = event.key;
      op.invoke_line = event.line;
      op.invoke_position = static_cast<int>(position);
      open.emplace(event.process, history.operations.size());
      history.operations.push_back(std::move(op));
      continue;
    }
    if (at == open.end()) {
      throw InputError(file, event.line,
                       "a :" + std::string(event_type_name(event.type)) +
                           " completion of process " + std::to_string(event.process) +
                           " with no open invocation");
    }
    Operation& op = history.operations[at->second];
    complete(file, event, op);
    op.complete_position = static_cast<int>(position);
    open.erase(at);
  }
  if (history.operations.empty()) throw InputError(file, 0, "no client operations in the history");
  return history;
}

History read_history(const std::string& path, const std::string& format) {
  std::string chosen = format;
  if (chosen.empty()) {
    auto ends_with = [&](const std::string& suffix) {
      return path.size() >= suffix.size() &&
             path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends_with(".edn")) chosen = "edn";
    if (ends_with(".jsonl") || ends_with(".json") || ends_with(".ndjson")) chosen = "jsonl";
    if (chosen.empty()) {
      throw InputError(path, 0,
                       "cannot tell the format from the name: use --input edn or --input jsonl");
    }
  }
  if (chosen != "edn" && chosen != "jsonl")
    throw InputError(path, 0, "unknown input format '" + chosen + "'");
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    throw InputError(path, 0, "a directory, not a history file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError(path, 0, "cannot read the file");
  Events events =
      chosen == "edn" ? read_edn_history(path, text.str()) : read_jsonl_history(path, text.str());
  return pair_events(path, std::move(events));
}

}  // namespace crosscheck::audit

namespace crosscheck::audit::detail {

namespace {

EventType event_type(const std::string& file, int line, const Value& type) {
  const std::string name = type.name();
  if (name == "invoke") return EventType::kInvoke;
  if (name == "ok") return EventType::kOk;
  if (name == "fail") return EventType::kFail;
  if (name == "info") return EventType::kInfo;
  throw InputError(file, line, "unknown :type " + type.edn() + " (known: :invoke :ok :fail :info)");
}

}  // namespace

bool event_from_map(const std::string& file, int line, const Value& map, Event& event) {
  if (map.kind != Value::Kind::kMap) {
    throw InputError(file, line, "an operation is a map, not " + map.edn().substr(0, 40));
  }
  const Value* process = map.find("process");
  if (process == nullptr) throw InputError(file, line, "an operation with no :process");
  if (!process->is_int()) {
    if (process->kind == Value::Kind::kKeyword || process->is_string()) return false;
    throw InputError(file, line,
                     "a :process is an integer or a name such as :nemesis, not " + process->edn());
  }
  const Value* type = map.find("type");
  if (type == nullptr) throw InputError(file, line, "an operation with no :type");
  const Value* f = map.find("f");
  if (f == nullptr) throw InputError(file, line, "an operation with no :f");
  if (f->name().empty())
    throw InputError(file, line, "an :f is a keyword or a string, not " + f->edn());
  for (const char* number : {"time", "index"}) {
    const Value* field = map.find(number);
    if (field != nullptr && !field->is_int())
      throw InputError(file, line,
                       std::string("a :") + number + " is an integer, not " + field->edn());
  }
  event.line = line;
  event.process = process->integer;
  event.type = event_type(file, line, *type);
  event.f = f->name();
  const Value* value = map.find("value");
  event.value = value != nullptr ? *value : Value::nil();
  if (const Value* key = map.find("key")) event.key = *key;
  if (const Value* error = map.find("error")) event.error = *error;
  return true;
}

}  // namespace crosscheck::audit::detail
