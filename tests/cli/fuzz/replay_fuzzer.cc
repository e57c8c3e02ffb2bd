// `crosscheck replay FILE` with the fuzz input as the file's content: a
// replay verdict (exit status 0 or 1) or a usage error, nothing else.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "model_check/cli/commands.h"
#include "tests/cli/fuzz/command_fuzzer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::ostringstream report;
  crosscheck::cli::fuzz::expect_status_or_usage_error(
      {0, 1}, [&] { return crosscheck::cli::replay_saved_result(text, "fuzz.json", "", report); });
  return 0;
}
