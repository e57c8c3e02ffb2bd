#include "audit/audit.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "audit/models.h"
#include "model_check/linearizability.h"

namespace crosscheck::audit {

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kLinearizable: return "linearizable";
    case Verdict::kNotLinearizable: return "not_linearizable";
    case Verdict::kUnknown: return "unknown";
  }
  return "?";
}

std::string describe(const History& history, int index) {
  const Operation& op = history.operations[index];
  std::string text =
      "process " + std::to_string(op.process) + " :" + op.f + " " + op.invocation.edn();
  switch (op.outcome) {
    case Operation::Outcome::kOk:
      text += op.completion == op.invocation ? " -> :ok" : " -> " + op.completion.edn();
      break;
    case Operation::Outcome::kFail: text += " -> :fail"; break;
    case Operation::Outcome::kIndeterminate:
      text += !op.completed ? " -> ? (never completed)"
              : op.error    ? " -> ? (:info, :error " + op.error->edn() + ")"
                            : " -> ? (:info)";
      break;
  }
  if (op.completed)
    return "lines " + std::to_string(op.invoke_line) + "-" + std::to_string(op.complete_line) +
           ": " + text;
  return "line " + std::to_string(op.invoke_line) + ": " + text;
}

namespace {

// The linearizability checker's view of a model: a call is the input, and
// the output is whether the object answers the recorded result.
template <class Model>
struct SpecOf {
  using State = typename Model::State;
  using Input = Call;
  using Output = bool;
  static State initial() { return Model::initial(); }
  static std::pair<State, Output> step(const State& state, const Input& call) {
    State next = state;
    const bool fits = Model::step(next, call);
    return {std::move(next), fits};
  }
  static uint64_t hash(const State& state) { return Model::hash(state); }
  static size_t bytes(const State& state) { return Model::bytes(state); }
  static std::string input_text(const Input& call) {
    return std::string(Model::kOperations[call.f]) + " " + call.argument->edn();
  }
  static std::string output_text(const Input&, const Output& fits) {
    return fits ? "fits" : "does not fit";
  }
  static std::string state_text(const State& state) { return Model::state_text(state); }
};

// An operation made ready for the model: its key, and its values with the
// key taken out.
struct Prepared {
  int f = 0;
  Value key;
  Value argument;
  Value result;
  bool known = false;  // an :ok result
};

template <class Model>
int operation_code(const History& history, const Operation& op) {
  for (size_t f = 0; f < Model::kOperations.size(); ++f)
    if (Model::kOperations[f] == op.f) return static_cast<int>(f);
  std::string known;
  for (std::string_view f : Model::kOperations)
    known += (known.empty() ? ":" : " :") + std::string(f);
  throw InputError(history.file, op.invoke_line,
                   "the model " + std::string(Model::kName) + " has no operation :" + op.f +
                       " (it knows " + known + ")");
}

template <class Model>
bool tuple_fits(int f, const Value& invocation) {
  return invocation.is_pair() && Model::shape(f, invocation.items[1], nullptr).empty();
}

template <class Model>
std::string key_source(const History& history, const std::vector<int>& codes) {
  for (const Operation& op : history.operations)
    if (op.key) return ":key";
  if (Model::kKeys == KeyForm::kRequired) return "tuples";
  for (size_t i = 0; i < history.operations.size(); ++i)
    if (!tuple_fits<Model>(codes[i], history.operations[i].invocation)) return "none";
  return "tuples";
}

template <class Model>
Prepared prepare(const History& history, size_t i, int f, const std::string& keys) {
  const Operation& op = history.operations[i];
  const int line = op.completed ? op.complete_line : op.invoke_line;
  Prepared p;
  p.f = f;
  p.known = op.outcome == Operation::Outcome::kOk;
  p.argument = op.invocation;
  p.result = op.completion;
  if (keys == ":key") {
    p.key = op.key.value_or(Value::nil());
  } else if (keys == "tuples") {
    if (!op.invocation.is_pair())
      throw InputError(history.file, op.invoke_line,
                       "the model " + std::string(Model::kName) +
                           " needs a key: :value [k v] or a :key, not " + op.invocation.edn());
    p.key = op.invocation.items[0];
    p.argument = op.invocation.items[1];
    if (p.known && (!op.completion.is_pair() || !(op.completion.items[0] == p.key)))
      throw InputError(history.file, line,
                       "a completion of key " + p.key.edn() + " is [" + p.key.edn() + " v], not " +
                           op.completion.edn());
    p.result = p.known ? op.completion.items[1] : p.argument;
  }
  if (op.outcome == Operation::Outcome::kFail) return p;
  const std::string problem = Model::shape(f, p.argument, p.known ? &p.result : nullptr);
  if (!problem.empty()) throw InputError(history.file, p.known ? line : op.invoke_line, problem);
  return p;
}

template <class Model>
using LinHistory = mc::lin::History<SpecOf<Model>>;

template <class Model>
class Auditor {
 public:
  Auditor(const History& history, const AuditOptions& options)
      : history_(history), options_(options) {}

  AuditResult run();

 private:
  void prepare_all();
  void partition();
  void search_all();
  void summarize(AuditResult& result);
  Failure failure_of(size_t part) const;

  const History& history_;
  const AuditOptions& options_;
  std::string keys_;
  std::vector<Prepared> prepared_;
  std::vector<Value> part_keys_;
  std::vector<std::vector<int>> parts_;  // operation indices, by key
  std::vector<LinHistory<Model>> lin_histories_;
  std::vector<mc::lin::Result> results_;
  int dropped_reads_ = 0;
  std::atomic<uint64_t> bytes_used_{0};
  std::atomic<uint64_t> peak_bytes_{0};
};

template <class Model>
void Auditor<Model>::prepare_all() {
  std::vector<int> codes;
  for (const Operation& op : history_.operations)
    codes.push_back(operation_code<Model>(history_, op));
  keys_ = key_source<Model>(history_, codes);
  prepared_.reserve(history_.operations.size());
  for (size_t i = 0; i < history_.operations.size(); ++i)
    prepared_.push_back(prepare<Model>(history_, i, codes[i], keys_));
}

template <class Model>
void Auditor<Model>::partition() {
  std::map<Value, std::vector<int>> by_key;
  for (size_t i = 0; i < prepared_.size(); ++i) {
    const Operation& op = history_.operations[i];
    if (op.outcome == Operation::Outcome::kFail) continue;
    if (op.outcome == Operation::Outcome::kIndeterminate && Model::read_only(prepared_[i].f)) {
      ++dropped_reads_;
      continue;
    }
    by_key[prepared_[i].key].push_back(static_cast<int>(i));
  }
  for (auto& [key, ids] : by_key) {
    part_keys_.push_back(key);
    parts_.push_back(std::move(ids));
  }
  uint64_t bytes = 0;
  for (size_t p = 0; p < parts_.size(); ++p) {
    LinHistory<Model> lin;
    lin.reserve(parts_[p].size());
    for (int i : parts_[p]) {
      const Operation& op = history_.operations[i];
      const Prepared& prep = prepared_[i];
      Call call{prep.f, op.process, &prep.argument, prep.known ? &prep.result : nullptr};
      if (prep.known) {
        lin.push_back(mc::lin::completed<SpecOf<Model>>(
            static_cast<int>(op.process), op.invoke_position, op.complete_position, call, true));
      } else {
        lin.push_back(mc::lin::pending<SpecOf<Model>>(static_cast<int>(op.process),
                                                      op.invoke_position, call));
      }
      bytes += sizeof(Call) + sizeof(mc::lin::Operation<SpecOf<Model>>) + prep.argument.bytes() +
               prep.result.bytes();
    }
    lin_histories_.push_back(std::move(lin));
  }
  bytes_used_ = bytes;
  peak_bytes_ = bytes;
}

template <class Model>
void Auditor<Model>::search_all() {
  mc::lin::Options lin_options;
  lin_options.partition = false;
  lin_options.max_configurations = UINT64_MAX;
  if (options_.timeout_seconds > 0)
    lin_options.deadline = std::chrono::steady_clock::now() +
                           std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                               std::chrono::duration<double>(options_.timeout_seconds));
  lin_options.bytes_used = &bytes_used_;
  lin_options.max_bytes = options_.memory_limit_bytes;
  results_.resize(parts_.size());
  // Largest first, so one long key does not start last.
  std::vector<size_t> order(parts_.size());
  for (size_t p = 0; p < order.size(); ++p) order[p] = p;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return parts_[a].size() > parts_[b].size(); });
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k; (k = next.fetch_add(1)) < order.size();) {
      const size_t p = order[k];
      results_[p] = mc::lin::check(lin_histories_[p], lin_options);
      const uint64_t now = bytes_used_.load();
      uint64_t peak = peak_bytes_.load();
      while (now > peak && !peak_bytes_.compare_exchange_weak(peak, now)) {
      }
      bytes_used_.fetch_sub(results_[p].bytes);
    }
  };
  const int threads = std::max(1, std::min<int>(options_.threads, static_cast<int>(parts_.size())));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
}

template <class Model>
Failure Auditor<Model>::failure_of(size_t part) const {
  const std::vector<int>& ids = parts_[part];
  const mc::lin::Result& r = results_[part];
  Failure failure;
  failure.key = part_keys_[part];
  failure.partition = ids;
  for (int local : r.prefix) failure.prefix.push_back(ids[local]);
  failure.culprit = ids[r.culprit];
  for (int local : r.also_blocked) failure.also_blocked.push_back(ids[local]);
  failure.states = r.states_after_prefix;
  typename Model::State state = Model::initial();
  for (int local : r.prefix) Model::step(state, lin_histories_[part][local].input);
  failure.expected = Model::expected(state, lin_histories_[part][r.culprit].input);
  return failure;
}

template <class Model>
void Auditor<Model>::summarize(AuditResult& result) {
  int failing_part = -1;
  size_t largest = 0;
  for (size_t p = 0; p < parts_.size(); ++p) {
    const mc::lin::Result& r = results_[p];
    result.configurations += r.configurations;
    if (r.verdict == mc::lin::Verdict::kNotLinearizable) {
      result.failing_keys.push_back(part_keys_[p]);
      const auto at = [&](int part) {
        return *lin_histories_[part][results_[part].culprit].returned;
      };
      if (failing_part < 0 || at(static_cast<int>(p)) < at(failing_part))
        failing_part = static_cast<int>(p);
    } else if (r.verdict == mc::lin::Verdict::kUnknown) {
      result.unknown_keys.push_back(part_keys_[p]);
      if (result.stopped.empty()) result.stopped = mc::lin::stop_name(r.stopped);
    } else if (parts_[p].size() > parts_[largest].size() || result.witness.empty()) {
      largest = p;
      result.witness.clear();
      for (int local : r.order) result.witness.push_back(parts_[p][local]);
    }
  }
  if (failing_part >= 0) {
    result.verdict = Verdict::kNotLinearizable;
    result.failure = failure_of(static_cast<size_t>(failing_part));
  } else {
    result.verdict = result.unknown_keys.empty() ? Verdict::kLinearizable : Verdict::kUnknown;
  }
  if (result.verdict != Verdict::kUnknown) result.stopped.clear();
  result.peak_bytes = peak_bytes_.load();
}

template <class Model>
AuditResult Auditor<Model>::run() {
  const auto start = std::chrono::steady_clock::now();
  prepare_all();
  partition();
  search_all();
  AuditResult result;
  result.model = std::string(Model::kName);
  result.key_source = keys_;
  std::vector<int64_t> processes;
  for (const Operation& op : history_.operations) {
    processes.push_back(op.process);
    ++result.operations;
    result.ok += op.outcome == Operation::Outcome::kOk;
    result.failed += op.outcome == Operation::Outcome::kFail;
    result.indeterminate += op.outcome == Operation::Outcome::kIndeterminate;
  }
  std::sort(processes.begin(), processes.end());
  result.processes =
      static_cast<int>(std::unique(processes.begin(), processes.end()) - processes.begin());
  result.dropped_reads = dropped_reads_;
  result.judged = result.operations - result.failed - dropped_reads_;
  result.keys = static_cast<int>(parts_.size());
  summarize(result);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

template <class Model>
AuditResult run_model(const History& history, const AuditOptions& options) {
  return Auditor<Model>(history, options).run();
}

}  // namespace

uint64_t default_memory_limit_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_size <= 0) return uint64_t{4} << 30;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size) / 2;
}

AuditResult audit(const History& history, const AuditOptions& options) {
  using Runner = AuditResult (*)(const History&, const AuditOptions&);
  static const std::map<std::string, Runner> runners = {
      {std::string(RegisterModel::kName), &run_model<RegisterModel>},
      {std::string(CasRegisterModel::kName), &run_model<CasRegisterModel>},
      {std::string(KvModel::kName), &run_model<KvModel>},
      {std::string(SetModel::kName), &run_model<SetModel>},
      {std::string(FifoQueueModel::kName), &run_model<FifoQueueModel>},
      {std::string(MutexModel::kName), &run_model<MutexModel>},
      {std::string(LockServiceModel::kName), &run_model<LockServiceModel>},
  };
  auto at = runners.find(options.model);
  if (at == runners.end()) {
    std::string known;
    for (const ModelInfo& model : models()) known += (known.empty() ? "" : ", ") + model.name;
    throw std::invalid_argument("unknown model '" + options.model + "' (known: " + known + ")");
  }
  return at->second(history, options);
}

}  // namespace crosscheck::audit
