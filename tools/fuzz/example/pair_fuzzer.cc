// Fuzzes ParsePairs: no input may crash it or trip ASan/UBSan, and whatever
// it accepts must read back the same after FormatPairs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tools/fuzz/example/parse_pair.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using crosscheck::fuzz_example::FormatPairs;
  using crosscheck::fuzz_example::ParsePairs;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto pairs = ParsePairs(text);
  if (!pairs) return 0;
  const auto again = ParsePairs(FormatPairs(*pairs));
  if (!again || *again != *pairs) std::abort();  // a round-trip failure is a crash
  return 0;
}
