// The checker core's errors in the command line's terms: its flags, not
// the core's option fields.
#pragma once

#include <string>

#include "model_check/checkpoint.h"
#include "model_check/option_error.h"

namespace crosscheck::cli {

// An option the search refused, e.g. "--symmetry: this model defines no
// symmetry".
std::string word_for_command_line(const mc::OptionError& error);

// A checkpoint that cannot be written (--checkpoint) or resumed (--resume).
std::string word_for_command_line(const mc::CheckpointError& error);

}  // namespace crosscheck::cli
