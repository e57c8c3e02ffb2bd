#include "tools/fuzz/example/parse_pair.h"

namespace crosscheck::fuzz_example {
namespace {

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

}  // namespace

std::optional<Pair> ParsePair(std::string_view line) {
  const std::size_t eq = line.find('=');
  if (eq == std::string_view::npos || eq == 0) return std::nullopt;
  for (std::size_t i = 0; i < eq; ++i) {
    if (!IsKeyChar(line[i])) return std::nullopt;
  }
  return Pair{std::string(line.substr(0, eq)), std::string(line.substr(eq + 1))};
}

std::optional<std::vector<Pair>> ParsePairs(std::string_view text) {
  std::vector<Pair> pairs;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty() || line.front() == '#') continue;
    std::optional<Pair> pair = ParsePair(line);
    if (!pair) return std::nullopt;
    pairs.push_back(std::move(*pair));
  }
  return pairs;
}

std::string FormatPairs(const std::vector<Pair>& pairs) {
  std::string text;
  for (const Pair& pair : pairs) {
    text += pair.key;
    text += '=';
    text += pair.value;
    text += '\n';
  }
  return text;
}

}  // namespace crosscheck::fuzz_example
