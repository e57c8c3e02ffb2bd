// A tiny reader of "key=value" lines, here to show libfuzzer_test at work
// (see ../README.md); nothing else uses it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crosscheck::fuzz_example {

struct Pair {
  std::string key;    // non-empty: letters, digits, '_', '-', '.'
  std::string value;  // the rest of the line, may be empty
  bool operator==(const Pair&) const = default;
};

// One line, without its '\n': "key=value". Nothing if malformed.
std::optional<Pair> ParsePair(std::string_view line);

// Lines separated by '\n'; blank lines and lines starting with '#' are
// skipped. Nothing if any other line is malformed.
std::optional<std::vector<Pair>> ParsePairs(std::string_view text);

// The lines ParsePairs reads back as `pairs`.
std::string FormatPairs(const std::vector<Pair>& pairs);

}  // namespace crosscheck::fuzz_example
