#include "model_check/json.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace crosscheck::mc {

Json& Json::push(Json value) {
  auto& items = as_array();
  items.push_back(std::move(value));
  return items.back();
}

Json& Json::set(std::string_view key, Json value) {
  auto& members = as_object();
  for (auto& [name, existing] : members) {
    if (name == key) {
      existing = std::move(value);
      return existing;
    }
  }
  members.emplace_back(std::string(key), std::move(value));
  return members.back().second;
}

const Json* Json::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& [name, value] : as_object()) {
    if (name == key) return &value;
  }
  return nullptr;
}

const Json& Json::operator[](std::string_view key) const {
  static const Json kNull;
  const Json* found = find(key);
  return found ? *found : kNull;
}

std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        // DEL too: JSON leaves it as it is, but in a message it is an
        // invisible control character.
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

namespace {
void newline(std::string& out, int indent, int level) {
  if (indent <= 0) return;
  out += '\n';
  out.append(static_cast<size_t>(indent * level), ' ');
}

std::string format_double(double d) {
  if (!std::isfinite(d)) return "null";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", d);
  return buffer;
}
}  // namespace

void Json::write(std::string& out, int indent, int level) const {
  if (is_null()) {
    out += "null";
  } else if (is_bool()) {
    out += as_bool() ? "true" : "false";
  } else if (is_int()) {
    out += std::to_string(as_int());
  } else if (is_double()) {
    out += format_double(std::get<double>(value_));
  } else if (is_string()) {
    out += json_quote(as_string());
  } else if (is_array()) {
    const auto& items = as_array();
    out += '[';
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += indent > 0 ? "," : ", ";
      newline(out, indent, level + 1);
      items[i].write(out, indent, level + 1);
    }
    if (!items.empty()) newline(out, indent, level);
    out += ']';
  } else {
    const auto& members = as_object();
    out += '{';
    for (size_t i = 0; i < members.size(); ++i) {
      if (i > 0) out += indent > 0 ? "," : ", ";
      newline(out, indent, level + 1);
      out += json_quote(members[i].first);
      out += ": ";
      members[i].second.write(out, indent, level + 1);
    }
    if (!members.empty()) newline(out, indent, level);
    out += '}';
  }
}

std::string Json::dump() const {
  std::string out;
  write(out, 0, 0);
  return out;
}

std::string Json::pretty() const {
  std::string out;
  write(out, 2, 0);
  return out;
}

namespace {

// A byte of the input as a parse error quotes it: a control character
// would break the message's line, and a byte of UTF-8 is no character
// on its own.
std::string printable(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7f) return std::string(1, c);
  char escaped[8];
  std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
  return escaped;
}

class Parser {
 public:
  Parser(std::string_view text, const Json::ParseOptions& options) : text_(text), options_(options) {}

  Json document() {
    Json value = parse_value();
    skip_space();
    if (pos_ != text_.size()) fail("trailing characters after the JSON value");
    return value;
  }

 private:
  // Names the place as an editor shows it (line and column from 1, the
  // column in bytes) as well as by offset.
  [[noreturn]] void fail(const std::string& what) {
    const std::string_view before = text_.substr(0, std::min(pos_, text_.size()));
    const size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
    const size_t last_newline = before.rfind('\n');
    const size_t column = last_newline == std::string_view::npos ? before.size() + 1 : before.size() - last_newline;
    throw std::runtime_error(what + " at line " + std::to_string(line) + ", column " + std::to_string(column) +
                             " (offset " + std::to_string(pos_) + ")");
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  bool consume(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void expect(char c) {
    if (!consume(c)) fail(std::string("expected '") + c + "'");
  }

  bool consume_word(std::string_view word) {
    if (text_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return true;
    }
    return false;
  }

  Json parse_value() {
    if (++depth_ > kMaxDepth) fail("JSON nested too deeply");
    skip_space();
    if (pos_ >= text_.size()) fail("unexpected end of input");
    Json result;
    char c = text_[pos_];
    if (c == '{') {
      result = parse_object();
    } else if (c == '[') {
      result = parse_array();
    } else if (c == '"') {
      result = Json(parse_string());
    } else if (consume_word("true")) {
      result = Json(true);
    } else if (consume_word("false")) {
      result = Json(false);
    } else if (consume_word("null")) {
      result = Json(nullptr);
    } else if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      result = parse_number();
    } else {
      fail("unexpected character '" + printable(c) + "'");
    }
    --depth_;
    return result;
  }

  Json parse_object() {
    expect('{');
    Json object = Json::object();
    if (consume('}')) return object;
    do {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') fail("expected a member name");
      const size_t key_pos = pos_;
      std::string key = parse_string();
      if (options_.reject_duplicate_members && object.find(key)) {
        pos_ = key_pos;
        fail("duplicate member " + json_quote(key));
      }
      expect(':');
      object.set(key, parse_value());
    } while (consume(','));
    // The loop ends on anything but a comma, so a missing comma lands here.
    if (!consume('}')) fail("expected ',' or '}'");
    return object;
  }

  Json parse_array() {
    expect('[');
    Json array = Json::array();
    if (consume(']')) return array;
    do {
      array.push(parse_value());
    } while (consume(','));
    if (!consume(']')) fail("expected ',' or ']'");
    return array;
  }

  std::string parse_string() {
    ++pos_;  // opening quote
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) fail("unterminated string");
      char c = text_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) fail("unterminated escape");
      char e = text_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (pos_ + 4 > text_.size()) fail("short \\u escape");
          const std::string_view hex = text_.substr(pos_, 4);
          if (!std::all_of(hex.begin(), hex.end(),
                           [](char h) { return std::isxdigit(static_cast<unsigned char>(h)); })) {
            fail("malformed \\u escape");
          }
          unsigned code = std::stoul(std::string(hex), nullptr, 16);
          pos_ += 4;
          if (code < 0x80) {
            out += static_cast<char>(code);
          } else if (code < 0x800) {
            out += static_cast<char>(0xc0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3f));
          } else {
            out += static_cast<char>(0xe0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (code & 0x3f));
          }
          break;
        }
        default: fail("unknown escape '\\" + printable(e) + "'");
      }
    }
  }

  Json parse_number() {
    size_t start = pos_;
    bool is_double = false;
    if (text_[pos_] == '-') ++pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (std::isdigit(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
        is_double = true;
        ++pos_;
      } else {
        break;
      }
    }
    std::string number(text_.substr(start, pos_ - start));
    try {
      if (is_double) return Json(std::stod(number));
      return Json(static_cast<int64_t>(std::stoll(number)));
    } catch (const std::exception&) {
      fail("malformed number '" + number + "'");
    }
  }

  static constexpr int kMaxDepth = 512;
  std::string_view text_;
  Json::ParseOptions options_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

std::optional<Json> Json::parse(std::string_view text, std::string* error) {
  return parse(text, error, ParseOptions{});
}

std::optional<Json> Json::parse(std::string_view text, std::string* error, const ParseOptions& options) {
  try {
    return Parser(text, options).document();
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return std::nullopt;
  }
}

}  // namespace crosscheck::mc
