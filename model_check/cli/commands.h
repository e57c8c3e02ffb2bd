// crosscheck: the command line.
//
//   crosscheck list
//   crosscheck check PROTOCOL [--model M] [--variant V] [bounds] [--format text|json]
//   crosscheck prove PROTOCOL
//   crosscheck replay TRACE.json [--msc FILE] [--max-states N] [--memory-limit BYTES]
//   crosscheck placement FILE... [--format text|json]
//   crosscheck audit HISTORY --model M [--format text|json] [limits] [--chart FILE]
//
// Exit status: 0 ok (replay: confirmed), 1 violation / unreached goal /
// failed proof / replay not confirmed / a placement check that fails, 2 bad
// usage or input, 3 search (or replay) stopped by a bound, the memory limit
// or an interrupt before it was complete.
//
// A library rather than main.cc's own, so that the fuzz targets can call
// the commands in-process.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "model_check/cli/flags.h"
#include "model_check/replay.h"

namespace crosscheck::cli {

// The exit status for a UsageError.
constexpr int kUsageError = 2;

// The commands and what each is for: `crosscheck --help`.
std::string usage();

// Runs one command, `args` being the command line without the program's
// name; writes its report to `out` and returns the exit status. Bad usage
// or bad input throws UsageError, whose message is the one line to show.
int run_command(const std::vector<std::string>& args, std::ostream& out);

// Parses and checks a command line as run_command does, and stops before
// the command would read or write a file or start a search or a proof:
// throws the UsageError run_command would throw for the arguments
// themselves (not for a file's content), or returns. check builds the
// model that its bounds ask for.
void validate_command(const std::vector<std::string>& args);

// `crosscheck replay PATH [--msc MSC_FILE]` once PATH has been read into
// `text`: the saved result's checks, its replay and its report (PATH only
// names the file in messages). No chart is drawn when `msc_file` is empty.
int replay_saved_result(const std::string& text, const std::string& path,
                        const std::string& msc_file, std::ostream& out,
                        const mc::ReplayLimits& limits = {});

}  // namespace crosscheck::cli
