// The audit's benchmark: generates cas-register histories of growing size
// (audit/bench/generate.h) into a temporary directory and runs the audit
// library on each, as `crosscheck audit HISTORY --model cas-register`
// would, timing the reading (audit::read_history) and the check
// (audit::audit) apart. Every generated history is linearizable by
// construction, except the one corrupted on purpose; a verdict other than
// the expected one (or unknown where no budget can run out), or a witness
// that does not replay on a cas register, makes the bench exit 1.
//
//   bazel run //audit/bench -- [--seed S] [--repeat N] [--threads T]
//                              [--max-ops N] [--case NAME,...] [--custom SPEC]... [--timeout S]
//                              [--keep] [--strict]
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit.h"
#include "audit/bench/generate.h"
#include "audit/history.h"

namespace crosscheck::audit::bench {
namespace {

const char* const kUsage =
    "usage: bench [--seed S] [--repeat N] [--threads T] [--max-ops N] [--case NAME,...]\n"
    "             [--custom SPEC]... [--timeout S] [--keep] [--strict]\n"
    "Generates Jepsen-style cas-register histories (independent keys [k v], reads, writes and\n"
    "cas of small integers, a share of :info operations) by simulating an atomic register, and\n"
    "audits each with the audit library (--model cas-register), timing the parse and the check\n"
    "apart: the table shows medians of --repeat runs.\n"
    "  --seed S          the generator's seed (default 1); each case derives its own from it\n"
    "  --repeat N        runs per case, of which the median is shown (default 3)\n"
    "  --threads T       the audit's threads (default: the cores)\n"
    "  --max-ops N       only the cases of at most N operations (default: all)\n"
    "  --case NAME,...   only the cases named (see the table's first column)\n"
    "  --custom SPEC     (repeatable) instead of the standard cases (unless --case names some),\n"
    "                    a case of one's own: comma-separated ops=N procs=N keys=N info=F\n"
    "                    effect=F (of the :info ones, the share that takes effect; 0.5)\n"
    "                    values=N (5) corrupt=0|1 timeout=S (10; unknown is then an answer)\n"
    "  --timeout S       the time budget of the single-key case 1key-2k (default 10)\n"
    "  --keep            keep the generated histories (the directory is printed)\n"
    "  --strict          exit 1 also when the 100k-info case takes 5 s or more, or a case\n"
    "                    with a budget (1key-2k, --custom) overruns its timeout by more than 10%\n"
    "Exit status: 0 every verdict as expected, 1 a wrong verdict (or, with --strict, a missed\n"
    "time target), 2 bad flags.\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Flags {
  uint64_t seed = 1;
  int repeat = 3;
  int threads = 0;
  long long max_ops = -1;
  double timeout = 10;
  bool keep = false;
  bool strict = false;
  std::vector<std::string> only;  // case names; empty: all
  std::vector<std::string> custom;
  bool help = false;
};

long long parse_integer(const std::string& flag, const std::string& text, long long low,
                        long long high) {
  long long value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < low || value > high)
    throw UsageError("--" + flag + " needs an integer from " + std::to_string(low) + " to " +
                     std::to_string(high) + ", not '" + text + "'");
  return value;
}

double parse_seconds(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(value > 0) || value > 1e6)
    throw UsageError("--" + flag + " needs a positive number of seconds, not '" + text + "'");
  return value;
}

Flags parse_flags(const std::vector<std::string>& args) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      flags.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) throw UsageError("unexpected argument '" + arg + "' (see --help)");
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (name == "keep" || name == "strict") {
      if (value) throw UsageError("--" + name + " takes no value");
      (name == "keep" ? flags.keep : flags.strict) = true;
      continue;
    }
    if (name != "seed" && name != "repeat" && name != "threads" && name != "max-ops" &&
        name != "timeout" && name != "case" && name != "custom")
      throw UsageError("unknown flag --" + name + " (see --help)");
    if (!value) {
      if (i + 1 >= args.size()) throw UsageError("--" + name + " needs a value");
      value = args[++i];
    }
    if (name == "seed") {
      uint64_t seed = 0;
      auto [end, error] = std::from_chars(value->data(), value->data() + value->size(), seed);
      if (error != std::errc() || end != value->data() + value->size())
        throw UsageError("--seed needs a non-negative integer, not '" + *value + "'");
      flags.seed = seed;
    } else if (name == "repeat") {
      flags.repeat = static_cast<int>(parse_integer(name, *value, 1, 1000));
    } else if (name == "threads") {
      flags.threads = static_cast<int>(parse_integer(name, *value, 1, 256));
    } else if (name == "custom") {
      flags.custom.push_back(*value);
    } else if (name == "case") {
      for (size_t start = 0; start <= value->size();) {
        size_t comma = value->find(',', start);
        if (comma == std::string::npos) comma = value->size();
        if (comma > start) flags.only.push_back(value->substr(start, comma - start));
        start = comma + 1;
      }
      if (flags.only.empty()) throw UsageError("--case needs case names");
    } else if (name == "max-ops") {
      flags.max_ops = parse_integer(name, *value, 1, 100'000'000);
    } else {
      flags.timeout = parse_seconds(name, *value);
    }
  }
  return flags;
}

enum class Expect { kLinearizable, kNotLinearizable };

struct Case {
  std::string name;
  GenerateOptions generate;
  Expect expect = Expect::kLinearizable;
  double timeout = 300;   // the audit's budget; unknown is wrong unless budgeted
  bool budgeted = false;  // unknown within the timeout is an honest answer
  double target = 0;      // seconds the total should stay under (0: none)
};

// ops=2000,procs=50,keys=1,info=0.05,effect=0.5,values=5,corrupt=0,timeout=10
Case custom_case(const std::string& spec) {
  Case c;
  c.budgeted = true;
  c.timeout = 10;
  for (size_t start = 0; start <= spec.size();) {
    size_t comma = spec.find(',', start);
    if (comma == std::string::npos) comma = spec.size();
    const std::string item = spec.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string::npos)
      throw UsageError("--custom takes name=value items, not '" + item + "'");
    const std::string name = item.substr(0, eq), value = item.substr(eq + 1);
    const std::string flag = "custom " + name;
    auto share = [&] {
      char* end = nullptr;
      const double f = std::strtod(value.c_str(), &end);
      if (value.empty() || end != value.c_str() + value.size() || !(f >= 0 && f <= 1))
        throw UsageError("--custom " + name + " is a share from 0 to 1, not '" + value + "'");
      return f;
    };
    if (name == "ops") {
      c.generate.operations = static_cast<int>(parse_integer(flag, value, 1, 100'000'000));
    } else if (name == "procs") {
      c.generate.processes = static_cast<int>(parse_integer(flag, value, 1, 100'000));
    } else if (name == "keys") {
      c.generate.keys = static_cast<int>(parse_integer(flag, value, 1, 100'000'000));
    } else if (name == "values") {
      c.generate.values = static_cast<int>(parse_integer(flag, value, 2, 1'000'000));
    } else if (name == "info") {
      c.generate.info_share = share();
    } else if (name == "effect") {
      c.generate.info_effect_share = share();
    } else if (name == "corrupt") {
      c.generate.corrupt = parse_integer(flag, value, 0, 1) == 1;
      c.expect = c.generate.corrupt ? Expect::kNotLinearizable : Expect::kLinearizable;
    } else if (name == "timeout") {
      c.timeout = parse_seconds(flag, value);
    } else {
      throw UsageError(
          "--custom knows ops, procs, keys, info, effect, values, corrupt and timeout, not '" +
          name + "'");
    }
  }
  return c;
}

std::vector<Case> cases(const Flags& flags) {
  auto make = [](std::string name, int operations, int processes, int keys, double info) {
    Case c;
    c.name = std::move(name);
    c.generate.operations = operations;
    c.generate.processes = processes;
    c.generate.keys = keys;
    c.generate.info_share = info;
    return c;
  };
  std::vector<Case> all;
  all.push_back(make("1k", 1'000, 10, 10, 0));
  all.push_back(make("1k-info", 1'000, 10, 10, 0.05));
  all.push_back(make("1k-corrupt", 1'000, 10, 10, 0.05));
  all.back().generate.corrupt = true;
  all.back().expect = Expect::kNotLinearizable;
  all.push_back(make("1key-200", 200, 10, 1, 0.05));
  all.push_back(make("10k", 10'000, 50, 100, 0));
  all.push_back(make("10k-info", 10'000, 50, 100, 0.05));
  all.push_back(make("1key-2k", 2'000, 50, 1, 0.05));
  all.back().timeout = flags.timeout;
  all.back().budgeted = true;
  all.push_back(make("100k", 100'000, 50, 1'000, 0));
  all.push_back(make("100k-info", 100'000, 50, 1'000, 0.05));
  all.back().target = 5;
  for (size_t i = 0; i < all.size(); ++i) all[i].generate.seed = flags.seed * 1'000'003 + i;
  for (const std::string& name : flags.only)
    if (std::none_of(all.begin(), all.end(), [&](const Case& c) { return c.name == name; })) {
      std::string names;
      for (const Case& c : all) names += (names.empty() ? "" : ", ") + c.name;
      throw UsageError("unknown case '" + name + "' (known: " + names + ")");
    }
  if (!flags.only.empty())
    std::erase_if(all, [&](const Case& c) {
      return std::find(flags.only.begin(), flags.only.end(), c.name) == flags.only.end();
    });
  if (!flags.custom.empty() && flags.only.empty()) all.clear();
  for (size_t i = 0; i < flags.custom.size(); ++i) {
    Case c = custom_case(flags.custom[i]);
    c.name = "custom-" + std::to_string(i + 1);
    c.generate.seed = flags.seed * 1'000'003 + 1000 + i;
    all.push_back(c);
  }
  if (flags.max_ops >= 0)
    std::erase_if(all, [&](const Case& c) { return c.generate.operations > flags.max_ops; });
  return all;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return in ? one + " " + five + " " + fifteen : "?";
}

uint64_t max_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;
}

std::string temporary_directory() {
  std::string base;
  if (const char* test = std::getenv("TEST_TMPDIR"); test != nullptr && *test != 0) {
    base = test;
  } else {
    base = std::filesystem::temp_directory_path().string();
  }
  std::string pattern = base + "/audit-bench-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("cannot make a directory under " + base);
  return pattern;
}

std::string mib(uint64_t bytes) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buffer;
}

struct Row {
  Case c;
  GeneratedHistory generated;
  double generate_seconds = 0;
  double parse = 0, check = 0, total = 0;
  AuditResult result;
  std::string status;  // "ok", "unknown (time)" (budgeted), or what is wrong
  bool wrong = false;
};

// An independent check of a linearizable verdict's witness (one key's
// order): every :ok operation of that key once, no operation before one
// that completed before it was invoked, and every :ok result what a
// cas register answers there. "" when it holds.
std::string check_witness(const History& history, const std::vector<int>& witness) {
  if (witness.empty()) return "an empty witness";
  const std::vector<Operation>& ops = history.operations;
  const Value key = ops[witness[0]].invocation.items[0];
  std::vector<int> seen(ops.size(), 0);
  for (int i : witness)
    if (i < 0 || i >= static_cast<int>(ops.size()) || ++seen[i] > 1)
      return "operation " + std::to_string(i) + " twice";
  for (size_t i = 0; i < ops.size(); ++i)
    if (ops[i].outcome == Operation::Outcome::kOk && ops[i].invocation.items[0] == key &&
        seen[i] == 0)
      return "the :ok operation on line " + std::to_string(ops[i].invoke_line) + " is missing";
  // Real time: no operation may be placed after one that was invoked after
  // it completed (an :info completion bounds nothing: it may take effect
  // later).
  int latest_invocation = -1;
  for (int i : witness) {
    const Operation& op = ops[i];
    if (op.outcome == Operation::Outcome::kOk && op.complete_position < latest_invocation)
      return "line " + std::to_string(op.invoke_line) +
             " is placed after an operation invoked after it completed";
    latest_invocation = std::max(latest_invocation, op.invoke_position);
  }
  Value state = Value::nil();
  for (int i : witness) {
    const Operation& op = ops[i];
    if (!(op.invocation.items[0] == key))
      return "line " + std::to_string(op.invoke_line) + " is of another key";
    const bool ok = op.outcome == Operation::Outcome::kOk;
    const Value& argument = op.invocation.items[1];
    if (op.f == "read") {
      if (ok && !(op.completion.items[1] == state))
        return "the read on line " + std::to_string(op.invoke_line) + " answers " +
               op.completion.items[1].edn() + " where the register holds " + state.edn();
    } else if (op.f == "write") {
      state = argument;
    } else if (op.f == "cas") {
      const bool sets = argument.items[0] == state;
      if (ok && !sets)
        return "the cas on line " + std::to_string(op.invoke_line) +
               " sets where the register holds " + state.edn();
      if (sets) state = argument.items[1];
    }
  }
  return "";
}

// What is wrong with one run's result, or "".
std::string judge(const Case& c, const GeneratedHistory& g, const History& h,
                  const AuditResult& r) {
  if (r.operations != g.operations || r.ok != g.ok || r.failed != g.failed ||
      r.indeterminate != g.info)
    return "counts differ: read " + std::to_string(r.operations) + " ops (" + std::to_string(r.ok) +
           " ok, " + std::to_string(r.failed) + " fail, " + std::to_string(r.indeterminate) +
           " info), generated " + std::to_string(g.operations) + " (" + std::to_string(g.ok) +
           ", " + std::to_string(g.failed) + ", " + std::to_string(g.info) + ")";
  if (r.verdict == Verdict::kUnknown) {
    if (c.budgeted) return "";
    return "unknown (" + r.stopped + ") where a verdict was expected";
  }
  if (c.expect == Expect::kLinearizable) {
    if (r.verdict != Verdict::kLinearizable)
      return "WRONG: a linearizable history judged " + std::string(verdict_name(r.verdict));
    if (const std::string problem = check_witness(h, r.witness); !problem.empty())
      return "WRONG witness: " + problem;
    return "";
  }
  if (r.verdict != Verdict::kNotLinearizable)
    return "WRONG: a corrupted history judged " + std::string(verdict_name(r.verdict));
  const Value key = Value::of_int(g.corrupted_key);
  if (r.failing_keys.size() != 1 || !(r.failing_keys[0] == key)) {
    std::string keys;
    for (const Value& k : r.failing_keys) keys += (keys.empty() ? "" : " ") + k.edn();
    return "WRONG: the failing keys are [" + keys + "], not the corrupted key " + key.edn();
  }
  return "";
}

Row run_case(const Case& c, const Flags& flags, const std::string& directory) {
  Row row;
  row.c = c;
  auto start = std::chrono::steady_clock::now();
  row.generated = generate_cas_register_history(c.generate);
  row.generate_seconds = seconds_since(start);
  const std::string path = directory + "/" + c.name + ".edn";
  {
    std::ofstream out(path, std::ios::binary);
    out << row.generated.edn;
    if (!out) throw std::runtime_error("cannot write " + path);
  }
  row.generated.edn.clear();
  row.generated.edn.shrink_to_fit();

  AuditOptions options;
  options.model = "cas-register";
  options.threads = flags.threads;
  options.timeout_seconds = c.timeout;
  options.memory_limit_bytes = audit::default_memory_limit_bytes();
  std::vector<double> parses, checks, totals;
  for (int k = 0; k < flags.repeat; ++k) {
    start = std::chrono::steady_clock::now();
    const History history = read_history(path);
    const double parse = seconds_since(start);
    start = std::chrono::steady_clock::now();
    AuditResult result = audit(history, options);
    const double check = seconds_since(start);
    parses.push_back(parse);
    checks.push_back(check);
    totals.push_back(parse + check);
    const std::string problem = judge(c, row.generated, history, result);
    if (!problem.empty() && !row.wrong) {
      row.wrong = true;
      row.status = problem;
    }
    if (k == 0 || result.verdict != row.result.verdict) {
      if (k > 0 && !row.wrong) {
        row.wrong = true;
        row.status = std::string("verdicts differ between runs: ") +
                     verdict_name(row.result.verdict) + ", " + verdict_name(result.verdict);
      }
      row.result = std::move(result);
    }
  }
  row.parse = median(parses);
  row.check = median(checks);
  row.total = median(totals);
  if (!row.wrong)
    row.status = row.result.verdict == Verdict::kUnknown
                     ? "ok: unknown (" + row.result.stopped + ") within budget"
                     : "ok";
  return row;
}

void print_header() {
  std::printf("%-11s %8s %6s %6s %5s %8s %8s %8s  %-16s %14s %12s %11s  %s\n", "case", "ops",
              "procs", "keys", "info", "parse s", "check s", "total s", "verdict", "configurations",
              "peak bytes", "max rss", "status");
}

void print_row(const Row& row) {
  char info[16];
  std::snprintf(info, sizeof info, "%.0f%%", row.c.generate.info_share * 100);
  std::printf("%-11s %8d %6d %6d %5s %8.3f %8.3f %8.3f  %-16s %14llu %12llu %11s  %s\n",
              row.c.name.c_str(), row.c.generate.operations, row.c.generate.processes,
              row.c.generate.keys, info, row.parse, row.check, row.total,
              verdict_name(row.result.verdict),
              static_cast<unsigned long long>(row.result.configurations),
              static_cast<unsigned long long>(row.result.peak_bytes), mib(max_rss_bytes()).c_str(),
              row.status.c_str());
  std::fflush(stdout);
}

// Each case's time target and budget, met or not; whether one was missed.
bool print_targets(const std::vector<Row>& rows) {
  bool missed = false;
  for (const Row& row : rows) {
    if (row.c.target > 0) {
      const bool met = row.total < row.c.target;
      missed = missed || !met;
      std::printf(
          "target: %s (%d ops, %d keys, %d procs, %.0f%% info) under %.0f s: %s, %.3f s "
          "(parse %.3f + check %.3f)\n",
          row.c.name.c_str(), row.c.generate.operations, row.c.generate.keys,
          row.c.generate.processes, row.c.generate.info_share * 100, row.c.target,
          met ? "met" : "MISSED", row.total, row.parse, row.check);
    }
    if (row.c.budgeted) {
      const bool answered = row.result.verdict != Verdict::kUnknown;
      const bool late = row.total > row.c.timeout * 1.1;
      std::printf(
          "budget: %s (%d ops, %d key%s, %d procs, %.0f%% info) with a %.0f s timeout: "
          "%s in %.3f s%s\n",
          row.c.name.c_str(), row.c.generate.operations, row.c.generate.keys,
          row.c.generate.keys == 1 ? "" : "s", row.c.generate.processes,
          row.c.generate.info_share * 100, row.c.timeout,
          answered ? ("answered " + std::string(verdict_name(row.result.verdict))).c_str()
                   : ("unknown (" + row.result.stopped + ")").c_str(),
          row.total, late ? " -- LATE: more than 10% over the timeout" : "");
      missed = missed || late;
    }
  }
  return missed;
}

int run(const Flags& flags, const std::vector<Case>& all) {
  const std::string directory = temporary_directory();
  std::printf(
      "audit bench: model cas-register, seed %llu, %d repeat%s (medians), %d thread%s, histories "
      "in %s\n",
      static_cast<unsigned long long>(flags.seed), flags.repeat, flags.repeat == 1 ? "" : "s",
      flags.threads, flags.threads == 1 ? "" : "s", directory.c_str());
  std::printf(
      "procs: concurrent clients (after an :info a client continues as process + procs); "
      "peak bytes: the search's estimate; max rss: the bench process so far\n\n");
  print_header();
  std::vector<Row> rows;
  std::string load_before;
  bool wrong = false;
  for (const Case& c : all) {
    if (load_before.empty()) load_before = load_average();
    rows.push_back(run_case(c, flags, directory));
    print_row(rows.back());
    wrong = wrong || rows.back().wrong;
  }
  std::printf("\n");
  for (const Row& row : rows) {
    const GeneratedHistory& g = row.generated;
    std::printf(
        "%-11s generated in %.3f s: %d events, %d ok, %d fail, %d info (%d took effect), %d reads, "
        "%d writes, "
        "%d cas, processes up to %lld; audited %d judged, %d dropped reads, %d keys%s\n",
        row.c.name.c_str(), row.generate_seconds, g.events, g.ok, g.failed, g.info, g.info_effects,
        g.reads, g.writes, g.cases, static_cast<long long>(g.max_process), row.result.judged,
        row.result.dropped_reads, row.result.keys,
        g.corrupted_line > 0 ? (", corrupted read on line " + std::to_string(g.corrupted_line) +
                                " (key " + std::to_string(g.corrupted_key) + ")")
                                   .c_str()
                             : "");
  }
  std::printf("\n");
  std::printf("threads %d; load average before and after: %s -> %s\n", flags.threads,
              load_before.c_str(), load_average().c_str());
  const bool missed = print_targets(rows);
  if (flags.keep) {
    std::printf("histories kept in %s\n", directory.c_str());
  } else {
    std::error_code ignored;
    std::filesystem::remove_all(directory, ignored);
  }
  if (wrong) {
    std::printf("FAILED: a verdict is not the expected one (see the status column)\n");
    return 1;
  }
  if (missed && flags.strict) {
    std::printf("FAILED: a time target was missed\n");
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace crosscheck::audit::bench

int main(int argc, char** argv) {
  using namespace crosscheck::audit::bench;
  Flags flags;
  try {
    flags = parse_flags(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const UsageError& error) {
    std::fprintf(stderr, "bench: %s\n", error.what());
    return 2;
  }
  if (flags.help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (flags.threads == 0)
    flags.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<Case> all;
  try {
    all = cases(flags);
  } catch (const UsageError& error) {
    std::fprintf(stderr, "bench: %s\n", error.what());
    return 2;
  }
  if (all.empty()) {
    std::fprintf(stderr, "bench: no case has at most %lld operations\n", flags.max_ops);
    return 2;
  }
  try {
    return run(flags, all);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench: %s\n", error.what());
    return 1;
  }
}
