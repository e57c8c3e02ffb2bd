// The fuzz targets' test of an error message meant to be shown as one
// line: not empty, and no control character but tabs, which would break
// the line (a newline) or cut it short (a NUL, for fprintf).
#pragma once

#include <algorithm>
#include <string>

namespace crosscheck::testing {

inline bool one_printable_line(const std::string& message) {
  return !message.empty() && std::none_of(message.begin(), message.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && byte != '\t') || byte == 0x7f;
  });
}

}  // namespace crosscheck::testing
