// The focused runs a check goes on to after its default run
// (protocol.h's FocusedRun): which apply, the request of each, whether it
// passed, and how they are reported beside the run's own result.
#pragma once

#include <string>
#include <vector>

#include "model_check/cli/check_arguments.h"
#include "model_check/cli/protocol.h"
#include "model_check/json.h"
#include "model_check/result.h"

namespace crosscheck::cli {

// The focused runs to run, in order: all of them after an ok default run
// of the first model with nothing configured, the one --focus names alone,
// or none.
std::vector<const FocusedRun*> focused_runs_of(const ProtocolCli& protocol,
                                               const ParsedCheck& parsed);

// The default request with the focused run's bounds, symmetry and depth.
CheckRequest focused_request(const CheckRequest& base, const FocusedRun& run);

// Whether a focused run found nothing: its whole state space ok, or every
// state within its depth bound checked.
bool focused_run_passed(const FocusedRun& run, const CheckRequest& request,
                        const mc::CheckResult& result);

struct FocusedRunRecord {
  const FocusedRun* run;
  CheckRequest request;
  mc::CheckResult result;
};

// The "focused_runs" member of check's JSON: each run's name, what it
// exercises, its parameters and its result with counts.
mc::Json focused_runs_json(const ProtocolCli& protocol,
                           const std::vector<FocusedRunRecord>& records);

// The same for the text report, a section of its own.
std::string focused_runs_text(const std::vector<FocusedRunRecord>& records);

}  // namespace crosscheck::cli
