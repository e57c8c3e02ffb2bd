// Running the crosscheck binary as a user does, from a test whose data
// includes //:crosscheck: its exit status and both outputs, and the files
// a run reads and writes under the test's temporary directory.
#pragma once

#include <string>

#include "model_check/json.h"

namespace crosscheck::cli::testing {

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

// `crosscheck ARGS`, ARGS as a shell would split them.
CliRun crosscheck(const std::string& args);

// The JSON of a run's output; a test failure, and null, if it is not JSON.
mc::Json parse(const std::string& text);

std::string temp_path(const std::string& name);
// A file of the test's runfiles, by its workspace path.
std::string runfile(const std::string& path);
// The path of docs/examples/NAME.json.
std::string example(const std::string& name);

// An object's member, to change it in place; std::out_of_range if none.
mc::Json& member(mc::Json& object, const std::string& name);

void write_file(const std::string& path, const std::string& text);
std::string read_file(const std::string& path);

}  // namespace crosscheck::cli::testing
