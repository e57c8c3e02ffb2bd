// The crosscheck program (commands.h): a UsageError is one error line and
// exit status 2, any other exception an internal error, exit status 4.
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "model_check/cli/commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return crosscheck::cli::run_command(args, std::cout);
  } catch (const crosscheck::cli::UsageError& error) {
    std::fprintf(stderr, "crosscheck: %s\n", error.what());
    if (args.empty()) std::fputs(crosscheck::cli::usage().c_str(), stderr);
    return crosscheck::cli::kUsageError;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "crosscheck: internal error: %s\n", error.what());
    return 4;
  }
}
