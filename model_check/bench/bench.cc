// The benchmark: TwoPhase.tla (--model spec) from --min-rms to --max-rms
// resource managers, at 1 and 2 threads (or only --threads T), each run
// --repeat times, printed as a Markdown table for docs/performance.md,
// then each size's median time at each thread count and the speed-up
// over one thread. The thread counts take turns, run by run, so that a
// change in the machine's load falls on all of them alike.
//
// Every run's counts are compared with the first run of the same size, so
// a figure is never printed for a search that went differently.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "model_check/report.h"
#include "model_check/search.h"
#include "spec/twophase/two_phase.h"

namespace {

struct Options {
  int min_rms = 3;
  int max_rms = 9;
  std::vector<int> threads = {1, 2};
  int repeat = 1;
};

constexpr const char* kUsage =
    "usage: bench [--min-rms N] [--max-rms N] [--threads T] [--repeat R] [--help]\n"
    "  RMs from --min-rms (default 3) to --max-rms (default 9; 10 takes a minute or more),\n"
    "  at 1 and 2 threads unless --threads is given, each run --repeat times (default 1).\n";

[[noreturn]] void usage(const std::string& problem) {
  std::fprintf(stderr, "bench: %s\n%s", problem.c_str(), kUsage);
  std::exit(2);
}

int parse_int(const std::string& flag, const char* text, int min, int max) {
  int value = 0;
  const char* end = text + std::char_traits<char>::length(text);
  auto [at, error] = std::from_chars(text, end, value);
  if (error != std::errc() || at != end || value < min || value > max) {
    usage(flag + " takes an integer in " + std::to_string(min) + ".." + std::to_string(max) +
          ", not '" + text + "'");
  }
  return value;
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (flag == "--min-rms") {
      options.min_rms = parse_int(flag, value(), 1, crosscheck::spec::twophase::kMaxRms);
    } else if (flag == "--max-rms") {
      options.max_rms = parse_int(flag, value(), 1, crosscheck::spec::twophase::kMaxRms);
    } else if (flag == "--threads") {
      options.threads = {parse_int(flag, value(), 1, 256)};
    } else if (flag == "--repeat") {
      options.repeat = parse_int(flag, value(), 1, 100);
    } else {
      usage("unknown flag " + flag);
    }
  }
  if (options.min_rms > options.max_rms) usage("--min-rms is above --max-rms");
  return options;
}

}  // namespace

struct Median {
  int rms;
  int threads;
  double seconds;
};

// The median of each configuration's runs, and its speed-up over one thread.
void print_medians(const std::vector<Median>& medians, int repeat) {
  std::printf(
      "\n| RMs | threads | runs | median seconds | speed-up over 1 thread "
      "|\n|---|---|---|---|---|\n");
  for (const Median& median : medians) {
    std::string speed_up = "-";  // without a one-thread run
    for (const Median& one : medians) {
      if (one.rms == median.rms && one.threads == 1 && median.seconds > 0) {
        char text[32];
        std::snprintf(text, sizeof text, "%.2f", one.seconds / median.seconds);
        speed_up = text;
      }
    }
    std::printf("| %d | %d | %d | %.3f | %s |\n", median.rms, median.threads, repeat,
                median.seconds, speed_up.c_str());
  }
}

int main(int argc, char** argv) {
  using namespace crosscheck;
  const Options options = parse(argc, argv);
  std::printf("TwoPhase.tla (--model spec), %u hardware threads\n\n",
              std::thread::hardware_concurrency());
  std::printf(
      "| RMs | distinct states | generated | depth | threads | seconds | distinct states/s | "
      "bytes/state |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  std::vector<Median> medians;
  for (int rms = options.min_rms; rms <= options.max_rms; ++rms) {
    mc::SearchStats first;
    bool have_first = false;
    std::vector<std::vector<double>> seconds(options.threads.size());
    for (int run = 0; run < options.repeat; ++run) {
      for (size_t t = 0; t < options.threads.size(); ++t) {
        const int threads = options.threads[t];
        mc::SearchOptions search;
        search.threads = threads;
        mc::CheckResult result = mc::check(spec::twophase::TwoPhaseModel(rms), search);
        const mc::SearchStats& stats = result.stats;
        if (result.outcome != mc::Outcome::kOk) {
          std::fprintf(stderr, "bench: %d RMs, %d threads: result %s\n", rms, threads,
                       mc::outcome_name(result.outcome));
          return 1;
        }
        if (!have_first) {
          first = stats;
          have_first = true;
        } else if (stats.distinct_states != first.distinct_states ||
                   stats.total_states != first.total_states || stats.depth != first.depth) {
          std::fprintf(stderr, "bench: %d RMs, %d threads: counts differ from the first run\n", rms,
                       threads);
          return 1;
        }
        std::printf("| %d | %s | %s | %d | %d | %.2f | %s | %.1f |\n", rms,
                    mc::with_separators(stats.distinct_states).c_str(),
                    mc::with_separators(stats.total_states).c_str(), stats.depth, threads,
                    stats.seconds,
                    mc::with_separators(static_cast<uint64_t>(stats.states_per_second)).c_str(),
                    stats.bytes_per_state);
        std::fflush(stdout);
        seconds[t].push_back(stats.seconds);
      }
    }
    for (size_t t = 0; t < options.threads.size(); ++t) {
      std::vector<double>& times = seconds[t];
      std::sort(times.begin(), times.end());
      const size_t n = times.size();
      medians.push_back({rms, options.threads[t],
                         n % 2 == 1 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2});
    }
  }
  print_medians(medians, options.repeat);
  return 0;
}
