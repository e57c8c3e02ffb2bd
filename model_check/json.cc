#include "model_check/json.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include <nlohmann/json.hpp>

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

// Printing. nlohmann's dump() would print other bytes than these: doubles
// to round-trip ("3.0", "0.3333333333333333") where these have six
// significant digits ("3", "0.333333"); -0.0 as "-0.0", not "-0"; "\b" and
// "\f" for \u0008 and \u000c; DEL as it is; bytes that are not UTF-8 not at
// all (it throws); and no spaces after the compact form's ',' and ':'.
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

// Parsing. nlohmann's SAX parser reads the document; a DocumentBuilder
// (below) builds the Json from its events and adds the limits nlohmann does
// not have: depth, duplicate members on request, integers beyond int64_t,
// doubles out of range, no byte order mark, no NUL byte after the value.
// Its errors keep their own words and name the place by line, column and
// offset. nlohmann's events carry no positions, so the builder follows the
// text with a cursor of its own: each event's token starts after the
// whitespace and the one separator that the grammar allowed since the
// previous token ended.
namespace {

constexpr size_t kMaxDepth = 512;
constexpr std::string_view kUtf8ByteOrderMark = "\xef\xbb\xbf";

struct ParseFailure {
  std::string what;
  size_t offset;
};

// Names the place as an editor shows it (line and column from 1, the column
// in bytes) as well as by offset.
std::string located(std::string_view text, const ParseFailure& failure) {
  const std::string_view before = text.substr(0, std::min(failure.offset, text.size()));
  const size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
  const size_t last_newline = before.rfind('\n');
  const size_t column =
      last_newline == std::string_view::npos ? before.size() + 1 : before.size() - last_newline;
  return failure.what + " at line " + std::to_string(line) + ", column " + std::to_string(column) +
         " (offset " + std::to_string(failure.offset) + ")";
}

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

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// The whitespace of RFC 8259, which is what nlohmann skips.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The characters a malformed number's message quotes: the run of them from
// its first character is what the error calls the number.
bool is_number_character(char c) {
  return is_digit(c) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
}

// Where the number token that nlohmann read at `start` ends. Only for a
// token it accepted, so the grammar's optional parts are whole when present.
size_t number_end(std::string_view text, size_t start) {
  size_t i = start;
  auto skip = [&](auto belongs) {
    while (i < text.size() && belongs(text[i])) ++i;
  };
  if (i < text.size() && text[i] == '-') ++i;
  if (i < text.size() && text[i] == '0') {
    ++i;  // a leading zero is a whole integer part
  } else {
    skip(is_digit);
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    skip(is_digit);
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    skip(is_digit);
  }
  return i;
}

// Just past the closing quote of the string token that nlohmann read at
// `start`; only for a token it accepted.
size_t string_end(std::string_view text, size_t start) {
  for (size_t i = start + 1; i < text.size(); ++i) {
    if (text[i] == '"') return i + 1;
    if (text[i] == '\\') ++i;  // an escape: its second character cannot end the string
  }
  return text.size();
}

// Whether strtod finds the number `token`, which it read as `d`, too small
// for a double (ERANGE). Only a result below the normal range can be.
bool underflows(double d, const std::string& token) {
  if (std::fabs(d) >= std::numeric_limits<double>::min()) return false;
  errno = 0;
  std::strtod(token.c_str(), nullptr);
  return errno == ERANGE;
}

ParseFailure malformed_number(std::string_view text, size_t start) {
  size_t end = start;
  while (end < text.size() && is_number_character(text[end])) ++end;
  return {"malformed number '" + std::string(text.substr(start, end - start)) + "'", end};
}

// The length of the well-formed UTF-8 sequence (RFC 3629) that `bytes`
// starts with, or 0 if it starts with none.
size_t utf8_sequence_length(std::string_view bytes) {
  auto byte = [&](size_t k) {
    return k < bytes.size() ? static_cast<unsigned char>(bytes[k]) : 0u;
  };
  const unsigned lead = byte(0);
  size_t length = 0;
  unsigned second_min = 0x80;
  unsigned second_max = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) second_min = 0xa0;  // shorter forms are overlong
    if (lead == 0xed) second_max = 0x9f;  // U+D800..U+DFFF are surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) second_min = 0x90;  // shorter forms are overlong
    if (lead == 0xf4) second_max = 0x8f;  // nothing lies beyond U+10FFFF
  } else {
    return 0;
  }
  if (byte(1) < second_min || byte(1) > second_max) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(k) < 0x80 || byte(k) > 0xbf) return 0;
  }
  return length;
}

unsigned hex_code(std::string_view four_digits) {
  return static_cast<unsigned>(std::stoul(std::string(four_digits), nullptr, 16));
}

bool is_high_surrogate(unsigned code) { return code >= 0xd800 && code <= 0xdbff; }
bool is_low_surrogate(unsigned code) { return code >= 0xdc00 && code <= 0xdfff; }

// What is wrong with the contents [begin, end) of a string whose escapes
// are all well-formed: a control character not escaped, bytes that are not
// UTF-8, or a \u escape of half a UTF-16 surrogate pair.
ParseFailure encoding_failure(std::string_view text, size_t begin, size_t end) {
  size_t i = begin;
  while (i < end) {
    const char c = text[i];
    if (c == '\\' && text[i + 1] == 'u') {
      const unsigned code = hex_code(text.substr(i + 2, 4));
      const bool paired = is_high_surrogate(code) && text.substr(i + 6, 2) == "\\u" &&
                          is_low_surrogate(hex_code(text.substr(i + 8, 4)));
      if (is_low_surrogate(code) || (is_high_surrogate(code) && !paired)) {
        return {"unpaired UTF-16 surrogate in a \\u escape", i + 2};
      }
      i += paired ? 12 : 6;
    } else if (c == '\\') {
      i += 2;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      return {"unescaped control character '" + printable(c) + "' in a string", i};
    } else if (static_cast<unsigned char>(c) < 0x80) {
      ++i;
    } else {
      const size_t length = utf8_sequence_length(text.substr(i, end - i));
      if (length == 0) return {"invalid UTF-8 in a string", i};
      i += length;
    }
  }
  return {"malformed string", begin - 1};  // nlohmann refused it for a reason not known here
}

// Why the string token at `start` is refused: the first malformed escape,
// else what encoding_failure finds.
ParseFailure string_failure(std::string_view text, size_t start) {
  size_t i = start + 1;
  while (true) {
    if (i >= text.size()) return {"unterminated string", i};
    const char c = text[i++];
    if (c == '"') return encoding_failure(text, start + 1, i - 1);
    if (c != '\\') continue;
    if (i >= text.size()) return {"unterminated escape", i};
    const char escaped = text[i++];
    if (std::string_view("\"\\/ntrbf").find(escaped) != std::string_view::npos) {
      continue;
    }
    if (escaped != 'u') return {"unknown escape '\\" + printable(escaped) + "'", i};
    if (i + 4 > text.size()) return {"short \\u escape", i};
    const std::string_view hex = text.substr(i, 4);
    if (!std::all_of(hex.begin(), hex.end(),
                     [](char h) { return std::isxdigit(static_cast<unsigned char>(h)); })) {
      return {"malformed \\u escape", i};
    }
    i += 4;
  }
}

// Builds the Json from nlohmann's SAX events (the member functions that
// nlohmann::json_sax lists), refuses what nlohmann lets through and this
// reader does not (see the parsing note above), and words each error.
class DocumentBuilder {
 public:
  using number_integer_t = nlohmann::json::number_integer_t;
  using number_unsigned_t = nlohmann::json::number_unsigned_t;
  using number_float_t = nlohmann::json::number_float_t;
  using string_t = nlohmann::json::string_t;
  using binary_t = nlohmann::json::binary_t;

  DocumentBuilder(std::string_view text, const Json::ParseOptions& options)
      : text_(text), options_(options) {}

  bool null() {
    const size_t start = token_start();
    return value(Json(nullptr), start, start + 4);
  }
  bool boolean(bool b) {
    const size_t start = token_start();
    return value(Json(b), start, start + (b ? 4 : 5));
  }
  bool number_integer(number_integer_t i) { return number(Json(i), true); }
  bool number_unsigned(number_unsigned_t u) {
    return number(Json(static_cast<int64_t>(u)), u <= std::numeric_limits<int64_t>::max());
  }
  bool number_float(number_float_t d, const string_t& token) {
    // An integer beyond int64_t reaches here as a double. It is refused,
    // and so is a double that strtod finds out of range (underflow too).
    const bool integer = token.find_first_of(".eE") == std::string::npos;
    return number(Json(d), !integer && !underflows(d, token));
  }
  bool string(string_t& s) {
    const size_t start = token_start();
    return value(Json(std::move(s)), start, string_end(text_, start));
  }
  // Only the binary formats (CBOR and the like) have binary values.
  bool binary(binary_t&) { return fail({"binary value in JSON text", token_start()}); }
  bool start_object(size_t) { return open(Json::object()); }
  bool start_array(size_t) { return open(Json::array()); }
  bool key(string_t& name);
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool parse_error(size_t, const std::string&, const nlohmann::json::exception&) {
    return fail(failure_at(token_start()));
  }

  // Whether nothing but whitespace follows the document. nlohmann's lexer
  // takes a NUL byte between tokens for the end of the input.
  bool at_end() {
    const size_t start = token_start();
    return start == text_.size() || fail(failure_at(start));
  }

  Json& document() { return document_; }
  const ParseFailure& failure() const { return failure_.value(); }

 private:
  // What the grammar allows next, as far as the errors tell it apart.
  enum class Expect { kValue, kMemberName, kColon, kCommaOrClose, kEndOfInput };

  size_t token_start();
  Json* place(Json value);
  bool value(Json value, size_t start, size_t end);
  bool number(Json value, bool in_range);
  bool open(Json container);
  bool close();
  ParseFailure failure_at(size_t start) const;
  ParseFailure value_failure(size_t start) const;
  ParseFailure too_deep(size_t start) const;
  bool fail(ParseFailure failure) {
    failure_ = std::move(failure);
    return false;
  }

  std::string_view text_;
  Json::ParseOptions options_;
  Json document_;
  // The containers being filled, the innermost last. Only the innermost
  // one grows, so the pointers into the others stay valid.
  std::vector<Json*> open_;
  // The value of the member named last, in the innermost object.
  Json* member_ = nullptr;
  Expect expect_ = Expect::kValue;
  // Where the last token ended, and where it started if it was a number.
  size_t end_ = 0;
  std::optional<size_t> number_start_;
  // Just past the ',' or ':' before the current token, if there was one.
  std::optional<size_t> separator_end_;
  std::optional<ParseFailure> failure_;
};

// Moves past the whitespace and the one separator that the grammar allowed
// since the last token, to where the next token starts.
size_t DocumentBuilder::token_start() {
  auto skip_space = [&](size_t i) {
    while (i < text_.size() && is_space(text_[i])) ++i;
    return i;
  };
  size_t i = skip_space(end_);
  separator_end_.reset();
  if (i < text_.size() && expect_ == Expect::kCommaOrClose && text_[i] == ',') {
    expect_ = open_.back()->is_array() ? Expect::kValue : Expect::kMemberName;
    separator_end_ = ++i;
  } else if (i < text_.size() && expect_ == Expect::kColon && text_[i] == ':') {
    expect_ = Expect::kValue;
    separator_end_ = ++i;
  }
  return skip_space(i);
}

// Puts a value where the grammar has it go: the document, the innermost
// array, or the member just named.
Json* DocumentBuilder::place(Json value) {
  if (open_.empty()) {
    document_ = std::move(value);
    return &document_;
  }
  if (open_.back()->is_array()) return &open_.back()->push(std::move(value));
  *member_ = std::move(value);
  return member_;
}

bool DocumentBuilder::value(Json value, size_t start, size_t end) {
  if (open_.size() >= kMaxDepth) return fail(too_deep(start));
  place(std::move(value));
  end_ = end;
  number_start_.reset();
  expect_ = open_.empty() ? Expect::kEndOfInput : Expect::kCommaOrClose;
  return true;
}

bool DocumentBuilder::number(Json number, bool in_range) {
  const size_t start = token_start();
  if (!in_range) return fail(malformed_number(text_, start));
  if (!value(std::move(number), start, number_end(text_, start))) return false;
  number_start_ = start;
  return true;
}

bool DocumentBuilder::open(Json container) {
  const size_t start = token_start();
  if (open_.size() >= kMaxDepth) return fail(too_deep(start));
  const bool array = container.is_array();
  open_.push_back(place(std::move(container)));
  end_ = start + 1;
  number_start_.reset();
  expect_ = array ? Expect::kValue : Expect::kMemberName;
  return true;
}

bool DocumentBuilder::close() {
  end_ = token_start() + 1;
  open_.pop_back();
  number_start_.reset();
  expect_ = open_.empty() ? Expect::kEndOfInput : Expect::kCommaOrClose;
  return true;
}

bool DocumentBuilder::key(string_t& name) {
  const size_t start = token_start();
  Json::Object& members = open_.back()->as_object();
  auto named = [&](const Json::Member& member) { return member.first == name; };
  const auto repeated = std::find_if(members.begin(), members.end(), named);
  if (repeated == members.end()) {
    member_ = &members.emplace_back(std::move(name), nullptr).second;
  } else if (options_.reject_duplicate_members) {
    return fail({"duplicate member " + json_quote(name), start});
  } else {
    member_ = &repeated->second;  // keeps its first place, takes its last value
  }
  end_ = string_end(text_, start);
  number_start_.reset();
  expect_ = Expect::kColon;
  return true;
}

ParseFailure DocumentBuilder::failure_at(size_t start) const {
  // Where a number runs on past the end nlohmann's grammar gives it ("01",
  // "1.5.3"), the whole run is one malformed number.
  const bool at_end = start >= text_.size();
  if (number_start_ && start == end_ && !at_end && is_number_character(text_[start])) {
    return malformed_number(text_, *number_start_);
  }
  switch (expect_) {
    case Expect::kValue: return value_failure(start);
    case Expect::kMemberName:
      if (!at_end && text_[start] == '"') return string_failure(text_, start);
      return {"expected a member name", start};
    case Expect::kColon: return {"expected ':'", start};
    case Expect::kCommaOrClose:
      return {open_.back()->is_array() ? "expected ',' or ']'" : "expected ',' or '}'", start};
    case Expect::kEndOfInput: break;
  }
  return {"trailing characters after the JSON value", start};
}

ParseFailure DocumentBuilder::value_failure(size_t start) const {
  if (open_.size() >= kMaxDepth) return too_deep(start);
  if (start >= text_.size()) return {"unexpected end of input", start};
  const char c = text_[start];
  if (c == '"') return string_failure(text_, start);
  if (c == '-' || is_digit(c)) return malformed_number(text_, start);
  return {"unexpected character '" + printable(c) + "'", start};
}

// Named just past the separator before the value that would be too deep,
// or at that value if no separator came before it.
ParseFailure DocumentBuilder::too_deep(size_t start) const {
  return {"JSON nested too deeply", separator_end_.value_or(start)};
}

}  // namespace

std::optional<Json> Json::parse(std::string_view text, std::string* error) {
  return parse(text, error, ParseOptions{});
}

std::optional<Json> Json::parse(std::string_view text, std::string* error,
                                const ParseOptions& options) {
  DocumentBuilder builder(text, options);
  ParseFailure failure;
  if (text.starts_with(kUtf8ByteOrderMark)) {
    // nlohmann skips a byte order mark; a document here starts with its value.
    failure = {"unexpected character '" + printable(text[0]) + "'", 0};
  } else if (nlohmann::json::sax_parse(text.data(), text.data() + text.size(), &builder) &&
             builder.at_end()) {
    return std::move(builder.document());
  } else {
    failure = builder.failure();
  }
  if (error) *error = located(text, failure);
  return std::nullopt;
}

}  // namespace crosscheck::mc
