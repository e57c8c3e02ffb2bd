// What every search strategy takes: its limits, its threads, its progress
// line and a way to stop it. Each strategy's options (breadth_first_options.h,
// depth_first.h, simulation.h) add their own to these.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace crosscheck::mc {

struct CommonOptions {
  // Stop with bound_exhausted past this many distinct states (simulation:
  // states walked); 0: no limit.
  uint64_t max_states = 0;
  // Stop with memory_exhausted rather than pass this many bytes: the
  // resident memory when the search starts plus the search's own data
  // structures, estimated before they grow; 0: no limit.
  uint64_t memory_limit_bytes = 0;
  int threads = 1;        // worker threads; the result does not depend on it
  bool progress = false;  // a progress line on stderr about every progress_seconds
  double progress_seconds = 2.0;
  // Set, e.g. by a signal handler, to stop at the next point where the
  // search can stop cleanly (and save itself, with a checkpoint path):
  // outcome interrupted.
  const std::atomic<bool>* stop = nullptr;

  bool stop_requested() const { return stop != nullptr && stop->load(std::memory_order_relaxed); }
};

// When a search's next progress line is due: every `progress_seconds`,
// the clock read once in `calls_per_read` calls.
class ProgressClock {
 public:
  explicit ProgressClock(uint64_t calls_per_read) : calls_per_read_(calls_per_read) {}

  void start() { start_ = last_ = Clock::now(); }

  // The seconds since start() when a line is due, else a negative number.
  double due(const CommonOptions& options) {
    if (!options.progress || ++calls_ < calls_per_read_) return -1;
    calls_ = 0;
    const auto now = Clock::now();
    if (std::chrono::duration<double>(now - last_).count() < options.progress_seconds) return -1;
    last_ = now;
    return std::chrono::duration<double>(now - start_).count();
  }

 private:
  using Clock = std::chrono::steady_clock;
  uint64_t calls_per_read_;
  uint64_t calls_ = 0;
  Clock::time_point start_;
  Clock::time_point last_;
};

}  // namespace crosscheck::mc
