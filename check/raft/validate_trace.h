// `crosscheck validate raft TRACE`: a trace of a Raft implementation, in
// etcd-io/raft's format, checked against the spec (docs/validate.md).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace crosscheck::cli {

// Returns 0 valid, 1 invalid, 3 unknown (--max-states ran out). Throws
// UsageError for bad arguments and a malformed trace (the message names
// the file and the line).
int run_validate_raft(const std::vector<std::string>& args, std::ostream& out);

void check_validate_raft_arguments(const std::vector<std::string>& args);

}  // namespace crosscheck::cli
