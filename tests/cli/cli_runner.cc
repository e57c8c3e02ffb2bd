#include "tests/cli/cli_runner.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace crosscheck::cli::testing {

CliRun crosscheck(const std::string& args) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string err_path = std::string(tmp ? tmp : "/tmp") + "/stderr.txt";
  std::string command = runfile("crosscheck") + " " + args + " 2>" + err_path;
  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.out.append(buffer.data(), n);
  int status = pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  std::stringstream text;
  text << err.rdbuf();
  run.err = text.str();
  return run;
}

mc::Json parse(const std::string& text) {
  std::string error;
  auto json = mc::Json::parse(text, &error);
  EXPECT_TRUE(json) << error << "\n" << text;
  return json ? *json : mc::Json();
}

std::string temp_path(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return std::string(tmp ? tmp : "/tmp") + "/" + name;
}

std::string runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return std::string(srcdir ? srcdir : ".") + "/" + (workspace ? workspace : "crosscheck") + "/" +
         path;
}

std::string example(const std::string& name) { return runfile("docs/examples/" + name + ".json"); }

mc::Json& member(mc::Json& object, const std::string& name) {
  for (auto& [key, value] : object.as_object()) {
    if (key == name) return value;
  }
  throw std::out_of_range("no member " + name);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace crosscheck::cli::testing
