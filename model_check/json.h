// A small JSON value: enough to render states and results, and to read them
// back. Objects keep insertion order, so output is stable and reads in the
// order the model declares its variables.
//
// nlohmann/json reads the text: its SAX parser, with this reader's limits
// and error messages on top (json.cc). The value is this class's own. An
// nlohmann::ordered_json held inside could not hand out the std::vector of
// Json and the members of Json that as_array() and as_object() return, and
// deriving from nlohmann::basic_json would bring its header, and with it
// <iomanip>'s std::quoted for argument-dependent lookup, into every file
// that includes this one. The printing is this class's own as well: its
// bytes are an interface, which nlohmann's dump() does not reproduce.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace crosscheck::mc {

class Json {
 public:
  using Array = std::vector<Json>;
  using Member = std::pair<std::string, Json>;
  using Object = std::vector<Member>;

  Json() : value_(nullptr) {}
  Json(std::nullptr_t) : value_(nullptr) {}
  Json(bool b) : value_(b) {}
  Json(int i) : value_(static_cast<int64_t>(i)) {}
  Json(int64_t i) : value_(i) {}
  Json(uint64_t i) : value_(static_cast<int64_t>(i)) {}
  Json(double d) : value_(d) {}
  Json(const char* s) : value_(std::string(s)) {}
  Json(std::string s) : value_(std::move(s)) {}
  Json(std::string_view s) : value_(std::string(s)) {}
  Json(Array a) : value_(std::move(a)) {}
  Json(Object o) : value_(std::move(o)) {}

  static Json array() { return Json(Array{}); }
  static Json object() { return Json(Object{}); }

  bool is_null() const { return std::holds_alternative<std::nullptr_t>(value_); }
  bool is_bool() const { return std::holds_alternative<bool>(value_); }
  bool is_int() const { return std::holds_alternative<int64_t>(value_); }
  bool is_double() const { return std::holds_alternative<double>(value_); }
  bool is_number() const { return is_int() || is_double(); }
  bool is_string() const { return std::holds_alternative<std::string>(value_); }
  bool is_array() const { return std::holds_alternative<Array>(value_); }
  bool is_object() const { return std::holds_alternative<Object>(value_); }

  bool as_bool() const { return std::get<bool>(value_); }
  int64_t as_int() const { return std::get<int64_t>(value_); }
  double as_double() const {
    return is_int() ? static_cast<double>(as_int()) : std::get<double>(value_);
  }
  const std::string& as_string() const { return std::get<std::string>(value_); }
  const Array& as_array() const { return std::get<Array>(value_); }
  Array& as_array() { return std::get<Array>(value_); }
  const Object& as_object() const { return std::get<Object>(value_); }
  Object& as_object() { return std::get<Object>(value_); }

  // Appends to an array.
  Json& push(Json value);
  // Sets a member of an object, replacing an existing one of that name.
  Json& set(std::string_view key, Json value);
  // The member of that name, or nullptr.
  const Json* find(std::string_view key) const;
  const Json& operator[](std::string_view key) const;

  bool operator==(const Json& other) const = default;

  // Compact single-line JSON.
  std::string dump() const;
  // Indented JSON, two spaces a level.
  std::string pretty() const;

  // Parses a whole document; on failure returns nullopt and sets *error,
  // which names the place: "... at line L, column C (offset N)".
  static std::optional<Json> parse(std::string_view text, std::string* error);

  struct ParseOptions {
    // RFC 8259 leaves a repeated member name's meaning open; a file that a
    // person wrote is better refused than read as its last occurrence.
    bool reject_duplicate_members = false;
  };
  static std::optional<Json> parse(std::string_view text, std::string* error,
                                   const ParseOptions& options);

 private:
  void write(std::string& out, int indent, int level) const;

  std::variant<std::nullptr_t, bool, int64_t, double, std::string, Array, Object> value_;
};

// Quotes and escapes a string for JSON.
std::string json_quote(std::string_view text);

}  // namespace crosscheck::mc
