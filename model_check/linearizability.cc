#include "model_check/linearizability.h"

#include <algorithm>
#include <map>
#include <sstream>

namespace crosscheck::mc::lin {

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kLinearizable: return "linearizable";
    case Verdict::kNotLinearizable: return "not linearizable";
    case Verdict::kUnknown: return "unknown (a budget ran out)";
  }
  return "?";
}

const char* stop_name(Stop stop) {
  switch (stop) {
    case Stop::kNone: return "none";
    case Stop::kConfigurations: return "configurations";
    case Stop::kTime: return "time";
    case Stop::kMemory: return "memory";
  }
  return "?";
}

namespace detail {

namespace {

// Column of each event slot: two apart at least, so that bars meeting end
// to start stay apart, and each completed bar wide enough for
// "[label]", so a slot lies at least that far right of the invocation of
// every bar ending there; a forward pass settles it since bars end after
// they start.
std::vector<int> slot_columns(const std::vector<Bar>& bars, int slots) {
  std::vector<std::vector<const Bar*>> ending(slots);
  for (const Bar& bar : bars)
    if (bar.ret_slot >= 0) ending[bar.ret_slot].push_back(&bar);
  std::vector<int> column(slots, 0);
  for (int k = 0; k < slots; ++k) {
    column[k] = k == 0 ? 0 : column[k - 1] + 2;
    for (const Bar* bar : ending[k])
      column[k] =
          std::max(column[k], column[bar->call_slot] + static_cast<int>(bar->label.size()) + 1);
  }
  return column;
}

void draw_bar(std::string& line, const Bar& bar, int from, int to, char fill) {
  line[from] = '[';
  for (int x = from + 1; x < to; ++x) line[x] = fill;
  line.replace(from + 1, bar.label.size(), bar.label);
  line[to] = bar.ret_slot >= 0 ? ']' : '>';
}

}  // namespace

std::string draw_timeline(std::vector<Bar> bars, int slots, int culprit) {
  const std::vector<int> column = slot_columns(bars, slots);
  int width = slots == 0 ? 0 : column[slots - 1] + 1;
  for (const Bar& bar : bars)
    if (bar.ret_slot < 0)
      width = std::max(width, column[bar.call_slot] + static_cast<int>(bar.label.size()) + 5);

  // A client normally has one operation at a time; should its operations
  // overlap, they go on extra lanes rather than over each other.
  std::stable_sort(bars.begin(), bars.end(), [](const Bar& a, const Bar& b) {
    return std::pair(a.lane_client, a.call_slot) < std::pair(b.lane_client, b.call_slot);
  });
  struct Lane {
    int client;
    int free_from;  // first slot a new bar may start at; INT_MAX once a pending bar is drawn
    std::string line;
  };
  std::vector<Lane> lanes;
  bool any_pending = false;
  for (const Bar& bar : bars) {
    Lane* lane = nullptr;
    for (Lane& l : lanes)
      if (l.client == bar.lane_client && l.free_from <= bar.call_slot) lane = &l;
    if (lane == nullptr) {
      lanes.push_back({bar.lane_client, 0, std::string(width, ' ')});
      lane = &lanes.back();
    }
    const int from = column[bar.call_slot];
    const int to = bar.ret_slot >= 0 ? column[bar.ret_slot] : width - 1;
    any_pending = any_pending || bar.ret_slot < 0;
    draw_bar(lane->line, bar, from, to, bar.op == culprit ? '!' : bar.ret_slot >= 0 ? '-' : '.');
    lane->free_from = bar.ret_slot >= 0 ? bar.ret_slot + 1 : slots + 1;
  }

  std::ostringstream out;
  size_t name_width = 0;
  for (const Lane& lane : lanes)
    name_width = std::max(name_width, std::to_string(lane.client).size());
  for (const Lane& lane : lanes) {
    std::string name = std::to_string(lane.client);
    std::string line = lane.line;
    line.erase(line.find_last_not_of(' ') + 1);
    out << "client " << std::string(name_width - name.size(), ' ') << name << " |" << line << "\n";
  }
  if (culprit >= 0 || any_pending) {
    out << "(";
    if (culprit >= 0) out << "!!! cannot be linearized";
    if (culprit >= 0 && any_pending) out << "; ";
    if (any_pending) out << "...> pending";
    out << ")\n";
  }
  return out.str();
}

}  // namespace detail

std::pair<RegisterSpec::State, RegisterSpec::Output> RegisterSpec::step(const State& state,
                                                                        const Input& input) {
  switch (input.kind) {
    case Kind::kRead: return {state, read_returns(state)};
    case Kind::kWrite: return {input.value, ok()};
    case Kind::kCas:
      if (state == input.expected) return {input.value, ok()};
      return {state, failed()};
  }
  return {state, ok()};
}

std::string RegisterSpec::input_text(const Input& input) {
  switch (input.kind) {
    case Kind::kRead: return "read";
    case Kind::kWrite: return "write " + std::to_string(input.value);
    case Kind::kCas:
      return "cas " + std::to_string(input.expected) + "->" + std::to_string(input.value);
  }
  return "?";
}

std::string RegisterSpec::output_text(const Input& input, const Output& output) {
  switch (input.kind) {
    case Kind::kRead: return std::to_string(output.value);
    case Kind::kWrite: return "ok";
    case Kind::kCas: return output.ok ? "ok" : "fail";
  }
  return "?";
}

std::pair<KvSpec::State, KvSpec::Output> KvSpec::step(const State& state, const Input& input) {
  auto at = std::lower_bound(state.begin(), state.end(), std::pair(input.key, 0),
                             [](const auto& a, const auto& b) { return a.first < b.first; });
  const bool present = at != state.end() && at->first == input.key;
  if (input.kind == Kind::kGet) return {state, present ? found(at->second) : absent()};
  State next = state;
  const auto offset = at - state.begin();
  if (present) {
    next[offset].second = input.value;
  } else {
    next.insert(next.begin() + offset, {input.key, input.value});
  }
  return {std::move(next), ok()};
}

uint64_t KvSpec::hash(const State& state) {
  StableHasher hasher;
  hasher.add(static_cast<uint64_t>(state.size()));
  for (const auto& [key, value] : state) hasher.add(key).add(value);
  return hasher.digest();
}

std::string KvSpec::input_text(const Input& input) {
  if (input.kind == Kind::kGet) return "get " + std::to_string(input.key);
  return "put " + std::to_string(input.key) + "=" + std::to_string(input.value);
}

std::string KvSpec::output_text(const Input& input, const Output& output) {
  if (input.kind == Kind::kPut) return "ok";
  return output.value ? std::to_string(*output.value) : "absent";
}

std::string KvSpec::state_text(const State& state) {
  std::string text = "{";
  for (size_t i = 0; i < state.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(state[i].first) + "=" + std::to_string(state[i].second);
  }
  return text + "}";
}

}  // namespace crosscheck::mc::lin
