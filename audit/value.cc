#include "audit/value.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "impl/common/hash.h"

namespace crosscheck::audit {

Value Value::of_bool(bool b) {
  Value v;
  v.kind = Kind::kBool;
  v.boolean = b;
  return v;
}

Value Value::of_int(int64_t i) {
  Value v;
  v.kind = Kind::kInt;
  v.integer = i;
  return v;
}

Value Value::of_float(double d) {
  Value v;
  v.kind = Kind::kFloat;
  v.number = d;
  return v;
}

namespace {

Value of_text(Value::Kind kind, std::string text) {
  Value v;
  v.kind = kind;
  v.text = std::move(text);
  return v;
}

}  // namespace

Value Value::of_string(std::string s) { return of_text(Kind::kString, std::move(s)); }
Value Value::of_keyword(std::string k) { return of_text(Kind::kKeyword, std::move(k)); }
Value Value::of_symbol(std::string s) { return of_text(Kind::kSymbol, std::move(s)); }

Value Value::of_vector(std::vector<Value> items) {
  Value v;
  v.kind = Kind::kVector;
  v.items = std::move(items);
  return v;
}

Value Value::of_set(std::vector<Value> items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  Value v;
  v.kind = Kind::kSet;
  v.items = std::move(items);
  return v;
}

Value Value::of_map(std::vector<std::pair<Value, Value>> entries) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  Value v;
  v.kind = Kind::kMap;
  v.items.reserve(entries.size() * 2);
  for (auto& [key, value] : entries) {
    v.items.push_back(std::move(key));
    v.items.push_back(std::move(value));
  }
  return v;
}

const Value* Value::find(const std::string& name) const {
  if (kind != Kind::kMap) return nullptr;
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    const Value& key = items[i];
    if ((key.kind == Kind::kKeyword || key.kind == Kind::kString) && key.text == name)
      return &items[i + 1];
  }
  return nullptr;
}

std::string Value::name() const {
  return kind == Kind::kKeyword || kind == Kind::kString ? text : std::string();
}

bool Value::operator==(const Value& other) const {
  if (kind != other.kind) return false;
  switch (kind) {
    case Kind::kNil: return true;
    case Kind::kBool: return boolean == other.boolean;
    case Kind::kInt: return integer == other.integer;
    case Kind::kFloat:
      return number == other.number || (std::isnan(number) && std::isnan(other.number));
    case Kind::kString:
    case Kind::kKeyword:
    case Kind::kSymbol: return text == other.text;
    case Kind::kVector:
    case Kind::kSet:
    case Kind::kMap: return items == other.items;
  }
  return false;
}

bool Value::operator<(const Value& other) const {
  if (kind != other.kind) return kind < other.kind;
  switch (kind) {
    case Kind::kNil: return false;
    case Kind::kBool: return boolean < other.boolean;
    case Kind::kInt: return integer < other.integer;
    case Kind::kFloat:
      // NaN sorts first, so the order stays total.
      if (std::isnan(number) || std::isnan(other.number))
        return std::isnan(number) && !std::isnan(other.number);
      return number < other.number;
    case Kind::kString:
    case Kind::kKeyword:
    case Kind::kSymbol: return text < other.text;
    case Kind::kVector:
    case Kind::kSet:
    case Kind::kMap:
      return std::lexicographical_compare(items.begin(), items.end(), other.items.begin(),
                                          other.items.end());
  }
  return false;
}

namespace {

void write_string(const std::string& text, std::string& out) {
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  out += '"';
}

void write_edn(const Value& v, std::string& out) {
  using Kind = Value::Kind;
  switch (v.kind) {
    case Kind::kNil: out += "nil"; return;
    case Kind::kBool: out += v.boolean ? "true" : "false"; return;
    case Kind::kInt: out += std::to_string(v.integer); return;
    case Kind::kFloat: {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.17g", v.number);
      out += buffer;
      // A float stays a float when read back.
      if (std::strpbrk(buffer, ".eEni") == nullptr) out += ".0";
      return;
    }
    case Kind::kString: write_string(v.text, out); return;
    case Kind::kKeyword: out += ':' + v.text; return;
    case Kind::kSymbol: out += v.text; return;
    case Kind::kVector:
    case Kind::kSet:
    case Kind::kMap: break;
  }
  out += v.kind == Kind::kVector ? "[" : v.kind == Kind::kSet ? "#{" : "{";
  for (size_t i = 0; i < v.items.size(); ++i) {
    if (i > 0) out += v.kind == Kind::kMap && i % 2 == 0 ? ", " : " ";
    write_edn(v.items[i], out);
  }
  out += v.kind == Kind::kVector ? "]" : "}";
}

// Equal floats hash alike: -0.0 as 0.0, and every NaN as one.
uint64_t float_bits(double number) {
  if (std::isnan(number)) return 1;
  const double normal = number == 0 ? 0.0 : number;
  uint64_t bits = 0;
  std::memcpy(&bits, &normal, sizeof bits);
  return bits;
}

}  // namespace

std::string Value::edn() const {
  std::string out;
  write_edn(*this, out);
  return out;
}

uint64_t Value::hash() const {
  StableHasher hasher;
  hasher.add(kind);
  switch (kind) {
    case Kind::kNil: break;
    case Kind::kBool: hasher.add(boolean); break;
    case Kind::kInt: hasher.add(static_cast<uint64_t>(integer)); break;
    case Kind::kFloat: hasher.add(float_bits(number)); break;
    case Kind::kString:
    case Kind::kKeyword:
    case Kind::kSymbol: hasher.add(std::string_view(text)); break;
    case Kind::kVector:
    case Kind::kSet:
    case Kind::kMap:
      for (const Value& item : items) hasher.add(item.hash());
      break;
  }
  return hasher.digest();
}

size_t Value::bytes() const {
  size_t total = sizeof(Value);
  if (text.size() > 15) total += text.capacity();
  for (const Value& item : items) total += item.bytes();
  return total;
}

}  // namespace crosscheck::audit
