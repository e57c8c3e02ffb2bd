// Jepsen's history.edn: operation maps, one a line as Jepsen writes them,
// or any sequence of EDN forms (a whole-file vector of maps too). The
// reader takes the EDN that histories use: nil, booleans, integers (with
// Clojure's N), floats (and M decimals), strings, characters, keywords,
// symbols, lists, vectors, sets, maps, comments, #_ discards and tagged
// literals such as #jepsen.history.Op{...} or #inst "...", which read as
// the form they tag.
#include <charconv>
#include <cstring>

#include "audit/history.h"

namespace crosscheck::audit {

namespace {

constexpr int kMaxDepth = 64;

bool is_symbol_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::strchr(".*+!-_?$%&=<>/:#'", c) != nullptr || static_cast<unsigned char>(c) >= 0x80;
}

class EdnReader {
 public:
  EdnReader(const std::string& file, const std::string& text) : file_(file), text_(text) {}

  // Skips whitespace, commas and comments; false at the end of the text.
  bool skip_space() {
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (c == '\n') {
        ++line_;
        ++at_;
      } else if (c == ' ' || c == '\t' || c == '\r' || c == ',' || c == '\f') {
        ++at_;
      } else if (c == ';') {
        while (at_ < text_.size() && text_[at_] != '\n') ++at_;
      } else {
        return true;
      }
    }
    return false;
  }

  int line() const { return line_; }
  bool at_end() { return !skip_space(); }
  char peek() const { return text_[at_]; }

  Value form(int depth = 0) {
    if (depth > kMaxDepth) fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    if (!skip_space()) fail("the text ends where a value should be");
    const char c = text_[at_];
    switch (c) {
      case '[': ++at_; return Value::of_vector(sequence(']', depth));
      case '(': ++at_; return Value::of_vector(sequence(')', depth));
      case '{': ++at_; return map(depth);
      case '"': return Value::of_string(string());
      case '\\': return Value::of_string(character());
      case ':': return keyword();
      case '#': return dispatch(depth);
      case ']':
      case ')':
      case '}': fail(std::string("unexpected '") + c + "'");
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        ((c == '-' || c == '+') && at_ + 1 < text_.size() &&
         std::isdigit(static_cast<unsigned char>(text_[at_ + 1]))))
      return number();
    if (is_symbol_char(c)) return symbol();
    fail("unexpected character '" + printable(c) + "'");
  }

  [[noreturn]] void fail(const std::string& problem) const {
    throw InputError(file_, line_, problem);
  }

 private:
  static std::string printable(char c) {
    if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f)
      return std::string(1, c);
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned char>(c));
    return buffer;
  }

  // The items up to `close`; the opening bracket is just behind.
  std::vector<Value> sequence(char close, int depth) {
    const int open_line = line_;
    const char open = text_[at_ - 1];
    std::vector<Value> items;
    while (true) {
      if (!skip_space())
        throw InputError(file_, open_line,
                         std::string("the '") + open + "' here is never closed by '" + close + "'");
      if (text_[at_] == close) {
        ++at_;
        return items;
      }
      if (discard(depth)) continue;
      items.push_back(form(depth + 1));
    }
  }

  // #_ drops the next form; true when it did.
  bool discard(int depth) {
    if (text_.compare(at_, 2, "#_") != 0) return false;
    at_ += 2;
    form(depth + 1);
    return true;
  }

  Value map(int depth) {
    std::vector<Value> items = sequence('}', depth);
    if (items.size() % 2 != 0) fail("a map with an odd number of forms");
    std::vector<std::pair<Value, Value>> entries;
    for (size_t i = 0; i < items.size(); i += 2)
      entries.emplace_back(std::move(items[i]), std::move(items[i + 1]));
    Value result = Value::of_map(std::move(entries));
    for (size_t i = 2; i < result.items.size(); i += 2)
      if (result.items[i] == result.items[i - 2])
        fail("a map with the key " + result.items[i].edn() + " twice");
    return result;
  }

  Value dispatch(int depth) {
    if (at_ + 1 >= text_.size()) fail("the text ends after '#'");
    const char next = text_[at_ + 1];
    if (next == '{') {
      at_ += 2;
      return Value::of_set(sequence('}', depth));
    }
    if (next == '_') {
      discard(depth);
      return form(depth);
    }
    if (next == '#') fail("symbolic values such as ##Inf are not supported");
    // A tagged literal: the tag, then the form it tags.
    ++at_;
    const Value tag = symbol();
    if (tag.kind != Value::Kind::kSymbol) fail("a tag must be a symbol");
    return form(depth + 1);
  }

  std::string string() {
    const int start_line = line_;
    ++at_;
    std::string out;
    while (true) {
      if (at_ >= text_.size()) throw InputError(file_, start_line, "a string that never ends");
      const char c = text_[at_++];
      if (c == '"') return out;
      if (c == '\n') ++line_;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_ >= text_.size()) throw InputError(file_, start_line, "a string that never ends");
      escape(text_[at_++], out);
    }
  }

  void escape(char c, std::string& out) {
    switch (c) {
      case 'n': out += '\n'; return;
      case 't': out += '\t'; return;
      case 'r': out += '\r'; return;
      case 'b': out += '\b'; return;
      case 'f': out += '\f'; return;
      case '"':
      case '\\':
      case '/': out += c; return;
      case 'u': unicode(out); return;
    }
    fail("an unknown escape '\\" + printable(c) + "' in a string");
  }

  void unicode(std::string& out) {
    if (at_ + 4 > text_.size()) fail("a \\u escape needs four hex digits");
    unsigned code = 0;
    auto [end, error] = std::from_chars(text_.data() + at_, text_.data() + at_ + 4, code, 16);
    if (error != std::errc() || end != text_.data() + at_ + 4)
      fail("a \\u escape needs four hex digits");
    at_ += 4;
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xc0 | code >> 6);
      out += static_cast<char>(0x80 | (code & 0x3f));
    } else {
      out += static_cast<char>(0xe0 | code >> 12);
      out += static_cast<char>(0x80 | (code >> 6 & 0x3f));
      out += static_cast<char>(0x80 | (code & 0x3f));
    }
  }

  std::string character() {
    ++at_;
    const size_t start = at_;
    while (at_ < text_.size() && is_symbol_char(text_[at_])) ++at_;
    if (at_ == start && at_ < text_.size()) ++at_;  // \( \[ and the like
    const std::string name = text_.substr(start, at_ - start);
    if (name.size() == 1) return name;
    if (name == "newline") return "\n";
    if (name == "space") return " ";
    if (name == "tab") return "\t";
    if (name == "return") return "\r";
    fail("an unknown character literal '\\" + name + "'");
  }

  std::string token() {
    const size_t start = at_;
    while (at_ < text_.size() && is_symbol_char(text_[at_])) ++at_;
    return text_.substr(start, at_ - start);
  }

  Value keyword() {
    ++at_;
    std::string name = token();
    if (!name.empty() && name[0] == ':') name.erase(0, 1);  // ::auto-resolved reads as plain
    if (name.empty()) fail("a ':' with no keyword name");
    // ":::x" is no keyword, and would print back as "::x", another one.
    if (name[0] == ':') fail("a keyword starting with ':::'");
    return Value::of_keyword(std::move(name));
  }

  Value symbol() {
    std::string name = token();
    if (name.empty()) fail("a symbol was expected");
    if (name == "nil") return Value::nil();
    if (name == "true") return Value::of_bool(true);
    if (name == "false") return Value::of_bool(false);
    return Value::of_symbol(std::move(name));
  }

  Value number() {
    std::string text = token();
    const bool big = !text.empty() && text.back() == 'N';
    const bool decimal = !text.empty() && text.back() == 'M';
    if (big || decimal) text.pop_back();
    const char* first = text.data() + (text[0] == '+' ? 1 : 0);
    const char* last = text.data() + text.size();
    const bool floating = decimal || text.find_first_of(".eE") != std::string::npos;
    if (!floating) {
      int64_t value = 0;
      auto [end, error] = std::from_chars(first, last, value);
      if (error == std::errc::result_out_of_range)
        fail("the integer " + text + " does not fit in 64 bits");
      if (error != std::errc() || end != last) fail("a malformed number '" + text + "'");
      return Value::of_int(value);
    }
    double value = 0;
    auto [end, error] = std::from_chars(first, last, value);
    if (error != std::errc() || end != last) fail("a malformed number '" + text + "'");
    return Value::of_float(value);
  }

  const std::string& file_;
  const std::string& text_;
  size_t at_ = 0;
  int line_ = 1;
};

void add_event(const std::string& file, int line, const Value& form, Events& events) {
  Event event;
  if (detail::event_from_map(file, line, form, event)) {
    events.events.push_back(std::move(event));
  } else {
    ++events.other_processes;
  }
}

}  // namespace

Value parse_edn(const std::string& text) {
  EdnReader reader("<edn>", text);
  Value value = reader.form();
  if (!reader.at_end()) reader.fail("more than one value");
  return value;
}

Events read_edn_history(const std::string& file, const std::string& text) {
  EdnReader reader(file, text);
  Events events;
  while (!reader.at_end()) {
    // A whole-file vector: each of its maps is an event.
    if (reader.peek() == '[' && events.events.empty() && events.other_processes == 0) {
      const int line = reader.line();
      Value all = reader.form();
      if (all.items.empty() || all.items[0].kind != Value::Kind::kMap) {
        throw InputError(
            file, line,
            "a history is a sequence of operation maps, not " + all.edn().substr(0, 40));
      }
      for (const Value& item : all.items) add_event(file, line, item, events);
      continue;
    }
    const int line = (reader.skip_space(), reader.line());
    add_event(file, line, reader.form(), events);
  }
  return events;
}

}  // namespace crosscheck::audit
