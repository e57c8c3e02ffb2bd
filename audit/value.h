// The values a recorded history carries: EDN's (nil, booleans, integers,
// floats, strings, keywords, symbols, vectors, sets, maps) and JSON's,
// which are a subset. Lists read as vectors, as Clojure compares them
// equal; a set's items and a map's entries are kept sorted, so equal
// values are equal trees.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace crosscheck::audit {

struct Value {
  enum class Kind : uint8_t {
    kNil,
    kBool,
    kInt,
    kFloat,
    kString,
    kKeyword,
    kSymbol,
    kVector,
    kSet,
    kMap
  };

  Kind kind = Kind::kNil;
  bool boolean = false;
  int64_t integer = 0;
  double number = 0;
  std::string text;  // string, keyword (without its ':'), symbol
  std::vector<Value>
      items;  // vector; set (sorted, no repeats); map (key, value, key, value, ... by key)

  static Value nil() { return {}; }
  static Value of_bool(bool b);
  static Value of_int(int64_t i);
  static Value of_float(double d);
  static Value of_string(std::string s);
  static Value of_keyword(std::string k);
  static Value of_symbol(std::string s);
  static Value of_vector(std::vector<Value> items);
  static Value of_set(std::vector<Value> items);  // sorts, drops repeats
  // Entries as key, value pairs; a repeated key is the caller's error.
  static Value of_map(std::vector<std::pair<Value, Value>> entries);

  bool is_nil() const { return kind == Kind::kNil; }
  bool is_int() const { return kind == Kind::kInt; }
  bool is_string() const { return kind == Kind::kString; }
  bool is_vector() const { return kind == Kind::kVector; }
  bool is_collection() const { return kind == Kind::kVector || kind == Kind::kSet; }
  bool is_pair() const { return kind == Kind::kVector && items.size() == 2; }
  // A map's value for a keyword key (EDN) or a string key (JSON); null when absent.
  const Value* find(const std::string& name) const;
  // A keyword's or a string's text; empty for anything else.
  std::string name() const;

  bool operator==(const Value& other) const;
  bool operator<(const Value& other) const;  // a total order: kinds first, then contents

  // Written as EDN, e.g. nil, 3, "a", :ok, [1 2], #{1 2}, {:a 1}.
  std::string edn() const;
  uint64_t hash() const;
  // Bytes on the heap and inline, for memory accounting.
  size_t bytes() const;
};

}  // namespace crosscheck::audit
