// Deployment files (spec/placement/deployment_file.h): the reader returns
// a deployment or an error of one printable line, never anything else;
// a deployment it returns is analysed, and both reports rendered, the
// JSON one reading back as itself.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "model_check/json.h"
#include "spec/placement/deployment_file.h"
#include "spec/placement/report.h"
#include "tests/common/one_line.h"

namespace placement = crosscheck::spec::placement;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  const std::optional<placement::Deployment> deployment = placement::read_deployment(text, &error);
  if (!deployment) {
    if (!crosscheck::testing::one_printable_line(error)) {
      std::fprintf(stderr, "fuzz: the reader's error is not one printable line: \"%s\"\n",
                   error.c_str());
      std::abort();
    }
    return 0;
  }
  const placement::PlacementAnalysis analysis = placement::analyze(*deployment);
  placement::placement_text("fuzz.json", *deployment, analysis);
  const crosscheck::mc::Json json = placement::placement_json("fuzz.json", *deployment, analysis);
  const std::optional<crosscheck::mc::Json> reread =
      crosscheck::mc::Json::parse(json.pretty(), &error);
  if (!reread || !(*reread == json)) {
    std::fprintf(stderr, "fuzz: the JSON report does not read back: %s\n", error.c_str());
    std::abort();
  }
  return 0;
}
