// crosscheck's command lines: the fuzz input is an argument vector, the
// arguments separated by NUL bytes (which no real argument holds), parsed
// and checked by validate_command, which reads and writes no file and
// starts no search or proof. A bad command line must end in a usage error.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model_check/cli/commands.h"
#include "tests/cli/fuzz/command_fuzzer.h"

namespace {

std::vector<std::string> arguments(const char* data, size_t size) {
  std::vector<std::string> args;
  if (size == 0) return args;
  std::string arg;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == '\0') {
      args.push_back(std::move(arg));
      arg.clear();
    } else {
      arg += data[i];
    }
  }
  args.push_back(std::move(arg));
  return args;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<std::string> args = arguments(reinterpret_cast<const char*>(data), size);
  crosscheck::cli::fuzz::expect_status_or_usage_error({0}, [&] {
    crosscheck::cli::validate_command(args);
    return 0;
  });
  return 0;
}
