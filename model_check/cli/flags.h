// Reading flags' values, shared by the subcommands: one error style, as
// UsageError, which the driver prints as its one error line and exits 2 on.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace crosscheck::cli {

// The message is printed as one line: the control characters that a file
// or an argument brought into it are escaped (a newline as \n).
struct UsageError : std::runtime_error {
  explicit UsageError(const std::string& message);
};

long long parse_integer(const std::string& flag, const std::string& text);

// A byte count: digits, optionally followed by K, M, G or T (powers of 1024).
uint64_t parse_bytes(const std::string& flag, const std::string& text);

// Seconds: a positive decimal number, such as 30 or 0.5.
double parse_seconds(const std::string& flag, const std::string& text);

// A path the user gave, relative to where they ran the command: under
// `bazel run` the process runs elsewhere, and Bazel says where they were.
std::string user_path(const std::string& path);

}  // namespace crosscheck::cli
