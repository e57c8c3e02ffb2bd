// JSON lines: one operation object a line, with the fields of Jepsen's
// maps ({"process":0,"type":"invoke","f":"read","value":null}); blank
// lines are passed over.
#include <nlohmann/json.hpp>

#include "audit/history.h"

namespace crosscheck::audit {

namespace {

constexpr int kMaxDepth = 64;

Value from_json(const std::string& file, int line, const nlohmann::json& json, int depth) {
  if (depth > kMaxDepth)
    throw InputError(file, line, "nested deeper than " + std::to_string(kMaxDepth) + " levels");
  switch (json.type()) {
    case nlohmann::json::value_t::null: return Value::nil();
    case nlohmann::json::value_t::boolean: return Value::of_bool(json.get<bool>());
    case nlohmann::json::value_t::number_integer: return Value::of_int(json.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      const uint64_t value = json.get<uint64_t>();
      if (value > static_cast<uint64_t>(INT64_MAX))
        throw InputError(file, line,
                         "the integer " + std::to_string(value) + " does not fit in 64 bits");
      return Value::of_int(static_cast<int64_t>(value));
    }
    case nlohmann::json::value_t::number_float: return Value::of_float(json.get<double>());
    case nlohmann::json::value_t::string: return Value::of_string(json.get<std::string>());
    case nlohmann::json::value_t::array: {
      std::vector<Value> items;
      for (const auto& item : json) items.push_back(from_json(file, line, item, depth + 1));
      return Value::of_vector(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      std::vector<std::pair<Value, Value>> entries;
      for (const auto& [key, item] : json.items())
        entries.emplace_back(Value::of_string(key), from_json(file, line, item, depth + 1));
      return Value::of_map(std::move(entries));
    }
    default: throw InputError(file, line, "a JSON value of a kind histories do not use");
  }
}

// nlohmann's messages start with "[json.exception.parse_error.101] parse
// error at line 1, column 5: "; the line is ours to say.
std::string parse_problem(const std::string& what) {
  const size_t column = what.find("column ");
  const size_t kind_end = what.find("] ");
  std::string problem = what;
  if (column != std::string::npos) {
    problem = what.substr(column);
  } else if (kind_end != std::string::npos) {
    problem = what.substr(kind_end + 2);
  }
  return "not JSON: " + problem;
}

bool blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

}  // namespace

Events read_jsonl_history(const std::string& file, const std::string& text) {
  Events events;
  size_t start = 0;
  int line = 0;
  while (start < text.size()) {
    ++line;
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string row = text.substr(start, end - start);
    start = end + 1;
    if (blank(row)) continue;
    nlohmann::json json;
    try {
      json = nlohmann::json::parse(row);
    } catch (const nlohmann::json::exception& error) {
      // parse_error, and out_of_range for a number past a double's range.
      throw InputError(file, line, parse_problem(error.what()));
    }
    if (!json.is_object())
      throw InputError(file, line, "an operation is a JSON object, one a line");
    Event event;
    if (detail::event_from_map(file, line, from_json(file, line, json, 0), event)) {
      events.events.push_back(std::move(event));
    } else {
      ++events.other_processes;
    }
  }
  return events;
}

}  // namespace crosscheck::audit
