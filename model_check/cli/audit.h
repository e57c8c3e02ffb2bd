// `crosscheck audit HISTORY --model M`: whether a client history recorded
// from a real system is linearizable (docs/linearizability.md).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace crosscheck::cli {

// Returns 0 linearizable, 1 not, 3 unknown (a budget ran out). Throws
// UsageError for bad arguments and for a malformed history (the message
// names the file and the line), before anything is judged.
int run_audit(const std::vector<std::string>& args, std::ostream& out);

// The arguments' checks of run_audit, without reading the history.
void validate_audit_arguments(const std::vector<std::string>& args);

}  // namespace crosscheck::cli
