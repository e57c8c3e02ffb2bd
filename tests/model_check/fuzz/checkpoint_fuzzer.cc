// The checkpoint reader (check --resume) under libFuzzer. The input is a
// checkpoint's body, from its configuration line on; the fuzzer frames it
// with the magic line and version and appends the checksum, so that the
// bytes reach the parser instead of stopping at the checksum. Resuming
// TwoPhase.tla with 4 RMs from it must end in a CheckpointError (one
// line, exit 2 in the command line) or in a finished search that never
// stores more states than there are (1,568); anything else (a crash, a
// sanitizer report, another exception, a hang) is a finding.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "model_check/checkpoint.h"
#include "model_check/search.h"
#include "spec/twophase/two_phase.h"
#include "tests/common/one_line.h"

namespace {

constexpr uint64_t kReachable = 1568;

std::string checkpoint_path() {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/checkpoint-fuzz-" +
         std::to_string(getpid());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace crosscheck;
  static const std::string path = checkpoint_path();
  std::string file(mc::kCheckpointMagic);
  const uint64_t version = mc::kCheckpointVersion;
  file.append(reinterpret_cast<const char*>(&version), sizeof version);
  file.append(reinterpret_cast<const char*>(data), size);
  const uint64_t checksum = mc::checkpoint_checksum(file.data(), file.size());
  file.append(reinterpret_cast<const char*>(&checksum), sizeof checksum);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << file;

  mc::SearchOptions options;
  options.resume_path = path;
  options.configuration = "twophase --model spec --variant correct {\"rms\": 4}";
  options.max_states = 4 * kReachable;  // a wrong visited set may not make the search run away
  try {
    const mc::CheckResult result = mc::check(spec::twophase::TwoPhaseModel(4), options);
    if (result.outcome == mc::Outcome::kOk && result.stats.distinct_states > kReachable)
      std::abort();
  } catch (const mc::CheckpointError& error) {
    if (!testing::one_printable_line(error.what())) std::abort();
  }
  return 0;
}
