// The checker core's errors in the command line's terms: its flags, not
// the core's option fields.
#pragma once

#include <cstddef>
#include <string>

#include "model_check/checkpoint.h"
#include "model_check/option_error.h"
#include "model_check/replay.h"

namespace crosscheck::cli {

// An option the search refused, e.g. "--symmetry: this model defines no
// symmetry".
std::string word_for_command_line(const mc::OptionError& error);

// A checkpoint that cannot be written (--checkpoint) or resumed (--resume).
std::string word_for_command_line(const mc::CheckpointError& error);

// Why a limit stopped a replay of a trace of `trace_states` states, in
// terms of --max-states and --memory-limit.
std::string word_for_command_line(const mc::ReplayResult& stopped, const mc::ReplayLimits& limits,
                                  size_t trace_states);

}  // namespace crosscheck::cli
