// validate_command: run_command's checks of the arguments, without the
// files they name and without the search or proof they ask for.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "model_check/cli/commands.h"

namespace crosscheck::cli {
namespace {

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> args;
  for (std::string word; in >> word;) args.push_back(word);
  return args;
}

// The usage error's message, or "" when the command line is valid.
std::string usage_error(const std::string& line) {
  try {
    validate_command(words(line));
    return "";
  } catch (const UsageError& error) {
    return error.what();
  }
}

TEST(ValidateCommand, AcceptsCommandLinesWithoutTheirFiles) {
  for (const char* line :
       {"list", "help", "check raft --variant commit-old-term --msc /nonexistent/fig8.svg",
        "check paxos --model spec --acceptors 3", "prove twophase --rms 2",
        "replay /nonexistent/fig8.json --msc /nonexistent/fig8.svg",
        "placement /nonexistent/a.json --format json",
        "audit /nonexistent/h.edn --model cas-register --chart /nonexistent/h.svg", "audit --help",
        "validate raft /nonexistent/t.ndjson --msc /nonexistent/t.svg",
        "check raft --search simulate --walks 1 --trace-out /nonexistent/walk.ndjson"}) {
    EXPECT_EQ(usage_error(line), "") << line;
  }
}

TEST(ValidateCommand, RefusesWhatRunCommandRefuses) {
  EXPECT_EQ(usage_error(""), "a command is needed");
  EXPECT_EQ(
      usage_error("lsit"),
      "unknown command 'lsit' (known: list, check, prove, replay, placement, audit, validate, "
      "help)");
  EXPECT_EQ(usage_error("list all"), "list takes no arguments");
  EXPECT_EQ(usage_error("check twophase --rms 0"), "--rms must be in 1..16, not 0");
  EXPECT_EQ(usage_error("check twophase --depth 3"), "--depth applies to --search simulate or dfs");
  EXPECT_EQ(usage_error("prove raft --depth 0"), "--depth must be in 1..30, not 0");
  EXPECT_EQ(usage_error("replay a.json b.json"),
            "replay needs one TRACE.json, the JSON result of check");
  EXPECT_EQ(usage_error("placement --format xml a.json"), "--format is text or json, not 'xml'");
  EXPECT_EQ(usage_error("audit h.edn"),
            "audit needs --model M (known: register, cas-register, kv, set, "
            "fifo-queue, mutex, lockservice)");
  EXPECT_EQ(usage_error("validate raft"),
            "validate raft needs a TRACE file (see crosscheck validate raft --help)");
  EXPECT_EQ(usage_error("validate twophase t.ndjson"),
            "no trace validation for 'twophase' (protocols with traces: raft)");
  EXPECT_EQ(usage_error("check raft --snapshots 1 --trace-out t.ndjson"),
            "--trace-out: InstallSnapshot is not etcd's MsgSnap");
}

// The model is built, so bounds it cannot take are refused as by check.
TEST(ValidateCommand, BuildsTheModel) {
  EXPECT_NE(usage_error("check multipaxos --max-ballot 4")
                .find("the refinement to Paxos.tla takes at most"),
            std::string::npos);
  EXPECT_NE(usage_error("check twophase --model spec --msc x.svg").find("no chart to draw"),
            std::string::npos);
}

}  // namespace
}  // namespace crosscheck::cli
