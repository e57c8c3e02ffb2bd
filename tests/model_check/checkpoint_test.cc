// A breadth-first search saved at an interruption and resumed ends as the
// uninterrupted search does: the same counts, depth, goals and shortest
// trace, whatever the threads, and however often it is interrupted.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "model_check/checkpoint.h"
#include "model_check/search.h"
#include "tests/model_check/toy_models.h"

namespace crosscheck::mc {
namespace {

using testing::GridModel;

// A 201 x 201 grid where x + y reaches 300 only far from the start: the
// shortest trace is 300 steps long, found at the search's end.
GridModel grid() {
  GridModel model(200);
  model.properties_ = {
      always<GridModel::State>("SumBelow300",
                               [](const GridModel::State& s) { return s.x + s.y < 300; }),
      sometimes<GridModel::State>(
          "Diagonal", [](const GridModel::State& s) { return s.x == 150 && s.y == 150; })};
  return model;
}

std::string temp_file(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

SearchOptions small_batches(int threads) {
  SearchOptions options;
  options.threads = threads;
  options.states_per_thread_batch = 64;  // many batches a level: many points to stop at
  options.configuration = "grid 200";
  return options;
}

// Runs the search, asking it to stop once it has stored `stop_after`
// states, and saving it to `path`.
CheckResult interrupted(const GridModel& model, SearchOptions options, const std::string& path,
                        uint64_t stop_after) {
  std::atomic<bool> stop{false};
  uint64_t stored = 0;
  options.checkpoint_path = path;
  options.stop = &stop;
  return check(model, options, [&](const GridModel::State&) {
    if (++stored == stop_after) stop = true;
  });
}

void expect_same_run(const CheckResult& resumed, const CheckResult& plain) {
  EXPECT_EQ(resumed.outcome, plain.outcome);
  EXPECT_EQ(resumed.stats.distinct_states, plain.stats.distinct_states);
  EXPECT_EQ(resumed.stats.total_states, plain.stats.total_states);
  EXPECT_EQ(resumed.stats.depth, plain.stats.depth);
  EXPECT_EQ(resumed.property, plain.property);
  ASSERT_EQ(resumed.trace.size(), plain.trace.size());
  for (size_t i = 0; i < plain.trace.size(); ++i) {
    EXPECT_EQ(resumed.trace[i].action, plain.trace[i].action) << "step " << i;
    EXPECT_EQ(resumed.trace[i].state, plain.trace[i].state) << "step " << i;
  }
  ASSERT_EQ(resumed.goals.size(), plain.goals.size());
  for (size_t g = 0; g < plain.goals.size(); ++g) {
    EXPECT_EQ(resumed.goals[g].reached, plain.goals[g].reached);
    EXPECT_EQ(resumed.goals[g].depth, plain.goals[g].depth);
  }
}

class CheckpointTest : public ::testing::TestWithParam<int> {};

TEST_P(CheckpointTest, AResumedSearchEndsAsAnUninterruptedOne) {
  const GridModel model = grid();
  const CheckResult plain = check(model, small_batches(GetParam()));
  ASSERT_EQ(plain.outcome, Outcome::kViolation);
  ASSERT_EQ(plain.trace.size(), 301u);

  const std::string path = temp_file("grid-" + std::to_string(GetParam()) + ".checkpoint");
  const CheckResult stopped = interrupted(model, small_batches(GetParam()), path, 5000);
  ASSERT_EQ(stopped.outcome, Outcome::kInterrupted);
  EXPECT_GE(stopped.stats.distinct_states, 5000u);
  EXPECT_LT(stopped.stats.distinct_states, plain.stats.distinct_states);
  EXPECT_GT(stopped.stats.queue, 0u);

  SearchOptions resume = small_batches(GetParam());
  resume.resume_path = path;
  expect_same_run(check(model, resume), plain);
}

// Interrupted again after resuming, and resumed from the second checkpoint.
TEST_P(CheckpointTest, AResumedSearchCanBeInterruptedAndResumedAgain) {
  const GridModel model = grid();
  const CheckResult plain = check(model, small_batches(GetParam()));
  const std::string first = temp_file("first-" + std::to_string(GetParam()) + ".checkpoint");
  const std::string second = temp_file("second-" + std::to_string(GetParam()) + ".checkpoint");
  ASSERT_EQ(interrupted(model, small_batches(GetParam()), first, 3000).outcome,
            Outcome::kInterrupted);
  SearchOptions again = small_batches(GetParam());
  again.resume_path = first;
  const CheckResult stopped =
      interrupted(model, again, second, 9000);  // counts the resumed run's new states
  ASSERT_EQ(stopped.outcome, Outcome::kInterrupted);
  SearchOptions resume = small_batches(GetParam());
  resume.resume_path = second;
  expect_same_run(check(model, resume), plain);
}

INSTANTIATE_TEST_SUITE_P(Threads, CheckpointTest, ::testing::Values(1, 2));

TEST(Checkpoint, IsRefusedByAnotherConfigurationOrWhenDamaged) {
  const GridModel model = grid();
  const std::string path = temp_file("refused.checkpoint");
  ASSERT_EQ(interrupted(model, small_batches(1), path, 1000).outcome, Outcome::kInterrupted);

  SearchOptions other = small_batches(1);
  other.configuration = "grid 100";
  other.resume_path = path;
  EXPECT_THROW(check(model, other), CheckpointError);

  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::string damaged = temp_file("damaged.checkpoint");
  for (size_t at : {size_t{30}, bytes.size() / 2, bytes.size() - 1}) {
    std::string copy = bytes;
    copy[at] = static_cast<char>(copy[at] ^ 0x40);
    std::ofstream(damaged, std::ios::binary) << copy;
    SearchOptions resume = small_batches(1);
    resume.resume_path = damaged;
    EXPECT_THROW(check(model, resume), CheckpointError) << "byte " << at;
  }
  std::ofstream(damaged, std::ios::binary) << bytes.substr(0, bytes.size() / 3);
  SearchOptions resume = small_batches(1);
  resume.resume_path = damaged;
  EXPECT_THROW(check(model, resume), CheckpointError);
}

}  // namespace
}  // namespace crosscheck::mc
