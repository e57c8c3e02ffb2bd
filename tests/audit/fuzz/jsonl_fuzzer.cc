#include <cstddef>
#include <cstdint>

#include "tests/audit/fuzz/history_fuzzer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  crosscheck::audit::fuzz::fuzz_history(text, [](const std::string& t) {
    return crosscheck::audit::read_jsonl_history("fuzz.jsonl", t);
  });
  return 0;
}
