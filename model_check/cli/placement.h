// `crosscheck placement FILE... [--format text|json]`: the multi-datacenter
// placement analysis of deployment files (docs/placement.md).
#pragma once

#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

namespace crosscheck::cli {

// A bad argument or a bad file; the message names the file and the place
// in it. The driver prints it as its one error line and exits 2.
struct PlacementInputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads every file before analysing any, so a bad file prints nothing but
// its error. Returns 0 when every deployment's quorums intersect and every
// scenario it asks about is survived, 1 otherwise.
int run_placement(const std::vector<std::string>& args, std::ostream& out);

// The arguments' checks of run_placement, without reading the files.
void validate_placement_arguments(const std::vector<std::string>& args);

}  // namespace crosscheck::cli
