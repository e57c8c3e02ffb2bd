#include "audit/bench/generate.h"

#include <algorithm>
#include <optional>
#include <random>
#include <stdexcept>
#include <vector>

namespace crosscheck::audit::bench {

namespace {

enum class Type : uint8_t { kInvoke, kOk, kFail, kInfo };
enum class Fn : uint8_t { kRead, kWrite, kCas };

constexpr int kNil = -1;  // a read's answer when the register holds nil

struct Event {
  Type type = Type::kInvoke;
  Fn f = Fn::kRead;
  int key = 0;
  int64_t process = 0;
  int a = kNil;  // read: the answer (kNil: nil); write: the value; cas: the old value
  int b = 0;     // cas: the new value
  int64_t time = 0;
};

// An invoked operation and what the simulation has decided about it.
struct Open {
  Fn f = Fn::kRead;
  int key = 0;
  int a = 0, b = 0;    // write: a; cas: [a b]
  bool info = false;   // ends :info
  bool effect = true;  // takes effect (always, unless an :info one that never does)
  bool late = false;   // an :info one that takes effect after its completion
  bool took_effect = false;
  int answer = kNil;  // a read's answer
  bool set = false;   // a cas that set
};

struct Slot {
  int64_t process = 0;
  std::optional<Open> op;
};

const char* type_name(Type type) {
  switch (type) {
    case Type::kInvoke: return "invoke";
    case Type::kOk: return "ok";
    case Type::kFail: return "fail";
    case Type::kInfo: return "info";
  }
  return "?";
}

const char* fn_name(Fn f) {
  switch (f) {
    case Fn::kRead: return "read";
    case Fn::kWrite: return "write";
    case Fn::kCas: return "cas";
  }
  return "?";
}

void append_int(std::string& out, int64_t value) { out += std::to_string(value); }

void append_value(std::string& out, int value) {
  if (value == kNil) {
    out += "nil";
  } else {
    append_int(out, value);
  }
}

// {:type :ok, :f :cas, :value [3 [1 2]], :process 7, :time 1234, :index 9}
void render(const Event& event, int index, std::string& out) {
  out += "{:type :";
  out += type_name(event.type);
  out += ", :f :";
  out += fn_name(event.f);
  out += ", :value [";
  append_int(out, event.key);
  out += ' ';
  switch (event.f) {
    case Fn::kRead:
      // Only an :ok read knows its answer.
      append_value(out, event.type == Type::kOk ? event.a : kNil);
      break;
    case Fn::kWrite: append_int(out, event.a); break;
    case Fn::kCas:
      out += '[';
      append_int(out, event.a);
      out += ' ';
      append_int(out, event.b);
      out += ']';
      break;
  }
  out += "], :process ";
  append_int(out, event.process);
  out += ", :time ";
  append_int(out, event.time);
  if (event.type == Type::kFail) out += ", :error :compare-failed";
  if (event.type == Type::kInfo) out += ", :error :timeout";
  out += ", :index ";
  append_int(out, index);
  out += "}\n";
}

class Simulation {
 public:
  explicit Simulation(const GenerateOptions& options)
      : options_(options),
        random_(options.seed),
        registers_(static_cast<size_t>(options.keys), kNil),
        slots_(static_cast<size_t>(options.processes)) {
    for (int p = 0; p < options.processes; ++p) slots_[p].process = p;
    events_.reserve(static_cast<size_t>(options.operations) * 2);
  }

  GeneratedHistory run() {
    GeneratedHistory out;
    int busy = 0;  // slots with an open operation
    while (invoked_ < options_.operations || busy > 0 || !lingering_.empty()) {
      const size_t actors = slots_.size() + lingering_.size();
      const size_t pick = uniform(actors);
      if (pick >= slots_.size()) {
        // A lingering :info operation takes effect now.
        const size_t i = pick - slots_.size();
        apply(lingering_[i]);
        lingering_[i] = lingering_.back();
        lingering_.pop_back();
        continue;
      }
      Slot& slot = slots_[pick];
      if (!slot.op) {
        if (invoked_ == options_.operations) continue;
        invoke(slot, out);
        ++busy;
        continue;
      }
      Open& op = *slot.op;
      if (!op.took_effect && op.effect && !op.late) {
        apply(op);
        continue;
      }
      // It completes: it took effect, or it never will (an :info one), or
      // it will only later (an :info one that lingers).
      complete(slot, out);
      --busy;
    }
    out.events = static_cast<int>(events_.size());
    out.operations = invoked_;
    out.max_process = max_process_;
    if (options_.corrupt) corrupt(out);
    out.edn.reserve(events_.size() * 80);
    for (size_t i = 0; i < events_.size(); ++i) render(events_[i], static_cast<int>(i), out.edn);
    return out;
  }

 private:
  size_t uniform(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(random_); }
  bool chance(double p) {
    return p > 0 && std::uniform_real_distribution<double>(0, 1)(random_) < p;
  }
  int value() { return static_cast<int>(uniform(static_cast<size_t>(options_.values))); }

  void record(Type type, const Open& op, int64_t process, int a, int b) {
    // Some real time passes between events, as in a recorded history.
    time_ += 1 + static_cast<int64_t>(uniform(1000));
    events_.push_back(Event{type, op.f, op.key, process, a, b, time_});
    max_process_ = std::max(max_process_, process);
  }

  void invoke(Slot& slot, GeneratedHistory& out) {
    Open op;
    op.key = static_cast<int>(uniform(static_cast<size_t>(options_.keys)));
    op.f = static_cast<Fn>(uniform(3));
    switch (op.f) {
      case Fn::kRead: ++out.reads; break;
      case Fn::kWrite:
        ++out.writes;
        op.a = value();
        break;
      case Fn::kCas:
        ++out.cases;
        op.a = value();
        op.b = value();
        break;
    }
    op.info = chance(options_.info_share);
    if (op.info) {
      op.effect = chance(options_.info_effect_share);
      op.late = op.effect && chance(0.5);
    }
    record(Type::kInvoke, op, slot.process, op.a, op.b);
    slot.op = op;
    ++invoked_;
  }

  // The linearization point: the operation acts on its key's register.
  void apply(Open& op) {
    int& reg = registers_[static_cast<size_t>(op.key)];
    switch (op.f) {
      case Fn::kRead: op.answer = reg; break;
      case Fn::kWrite: reg = op.a; break;
      case Fn::kCas:
        op.set = reg == op.a;
        if (op.set) reg = op.b;
        break;
    }
    op.took_effect = true;
  }

  void complete(Slot& slot, GeneratedHistory& out) {
    Open op = *slot.op;
    slot.op.reset();
    if (op.info) {
      ++out.info;
      if (op.effect) ++out.info_effects;
      record(Type::kInfo, op, slot.process, op.a, op.b);
      if (op.late) lingering_.push_back(op);
      // Jepsen's convention: the crashed client's successor.
      slot.process += options_.processes;
      return;
    }
    if (op.f == Fn::kCas && !op.set) {
      ++out.failed;
      record(Type::kFail, op, slot.process, op.a, op.b);
      return;
    }
    ++out.ok;
    record(Type::kOk, op, slot.process, op.f == Fn::kRead ? op.answer : op.a, op.b);
  }

  // One :ok read, chosen at random, answers a value nobody writes.
  void corrupt(GeneratedHistory& out) {
    std::vector<size_t> reads;
    for (size_t i = 0; i < events_.size(); ++i)
      if (events_[i].type == Type::kOk && events_[i].f == Fn::kRead) reads.push_back(i);
    if (reads.empty())
      throw std::invalid_argument("no :ok read to corrupt; generate more operations");
    const size_t i = reads[uniform(reads.size())];
    events_[i].a = options_.values;
    out.corrupted_line = static_cast<int>(i) + 1;
    out.corrupted_key = events_[i].key;
  }

  const GenerateOptions& options_;
  std::mt19937_64 random_;
  std::vector<int> registers_;
  std::vector<Slot> slots_;
  std::vector<Open> lingering_;
  std::vector<Event> events_;
  int invoked_ = 0;
  int64_t time_ = 0;
  int64_t max_process_ = 0;
};

}  // namespace

GeneratedHistory generate_cas_register_history(const GenerateOptions& options) {
  if (options.operations < 1) throw std::invalid_argument("operations must be at least 1");
  if (options.processes < 1) throw std::invalid_argument("processes must be at least 1");
  if (options.keys < 1) throw std::invalid_argument("keys must be at least 1");
  if (options.values < 2) throw std::invalid_argument("values must be at least 2");
  if (!(options.info_share >= 0 && options.info_share <= 1))
    throw std::invalid_argument("the info share is between 0 and 1");
  if (!(options.info_effect_share >= 0 && options.info_effect_share <= 1))
    throw std::invalid_argument("the info effect share is between 0 and 1");
  return Simulation(options).run();
}

}  // namespace crosscheck::audit::bench
