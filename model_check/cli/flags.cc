#include "model_check/cli/flags.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace crosscheck::cli {
namespace {

std::string one_line(const std::string& text) {
  std::string line;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      line += "\\n";
    } else if (c == '\r') {
      line += "\\r";
    } else if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      line += escaped;
    } else {
      line += c;
    }
  }
  return line;
}

}  // namespace

UsageError::UsageError(const std::string& message) : std::runtime_error(one_line(message)) {}

long long parse_integer(const std::string& flag, const std::string& text) {
  long long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw UsageError("--" + flag + " takes an integer, not '" + text + "'");
  }
  return value;
}

// A byte count: digits, optionally followed by K, M, G or T (powers of 1024).
uint64_t parse_bytes(const std::string& flag, const std::string& text) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  const std::string suffix(end, text.data() + text.size());
  int shift = -1;
  if (suffix.empty() || suffix == "B") shift = 0;
  if (suffix == "K" || suffix == "k" || suffix == "KiB") shift = 10;
  if (suffix == "M" || suffix == "m" || suffix == "MiB") shift = 20;
  if (suffix == "G" || suffix == "g" || suffix == "GiB") shift = 30;
  if (suffix == "T" || suffix == "t" || suffix == "TiB") shift = 40;
  if (error != std::errc() || end == text.data() || shift < 0) {
    throw UsageError("--" + flag + " takes a byte count such as 512M or 4G, not '" + text + "'");
  }
  if (value == 0 || value > (std::numeric_limits<uint64_t>::max() >> shift)) {
    throw UsageError("--" + flag + " must be at least 1 byte and fit in 64 bits, not '" + text +
                     "'");
  }
  return value << shift;
}

double parse_seconds(const std::string& flag, const std::string& text) {
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value) ||
      value <= 0) {
    throw UsageError("--" + flag + " takes a positive number of seconds, not '" + text + "'");
  }
  return value;
}

std::string user_path(const std::string& path) {
  const char* directory = std::getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path.front() == '/' || directory == nullptr || *directory == 0) return path;
  return std::string(directory) + "/" + path;
}

}  // namespace crosscheck::cli
