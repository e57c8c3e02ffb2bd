// The pieces of Raft's Z3 encoding (z3_properties.h) that its three files
// share: z3_properties.cc (the six properties), z3_election_encoding.cc
// (the election fragment's variables and action instances) and
// z3_election.cc (the queries on the fragment: successors, BMC, induction).
// Private to the //spec/raft:z3 library.
#pragma once

#include <z3++.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "spec/raft/raft.h"
#include "spec/raft/z3_properties.h"

namespace crosscheck::spec::raft::detail {

constexpr int kFollower = static_cast<int>(Role::kFollower);
constexpr int kCandidate = static_cast<int>(Role::kCandidate);
constexpr int kLeader = static_cast<int>(Role::kLeader);
constexpr int kHistoryTerms = kMaxTerm + 2;  // History::leaders' size

inline std::string server_name(int i) { return "s" + std::to_string(i + 1); }

inline z3::expr count_of(const std::vector<z3::expr>& conditions, const z3::expr& zero,
                         const z3::expr& one) {
  z3::expr e = zero;
  for (const auto& condition : conditions) e = e + z3::ite(condition, one, zero);
  return e;
}

inline z3::expr count_of(z3::context& c, const std::vector<z3::expr>& conditions) {
  return count_of(conditions, c.int_val(0), c.int_val(1));
}

inline void check_servers(int servers) {
  if (servers < 1 || servers > kMaxServers) {
    throw std::invalid_argument("Raft takes 1.." + std::to_string(kMaxServers) + " servers");
  }
}

inline z3::expr_vector as_vector(z3::context& c, const std::vector<z3::expr>& terms) {
  z3::expr_vector out(c);
  for (const auto& term : terms) out.push_back(term);
  return out;
}

// \A t : \A i, k \in leaders[t] : i = k
z3::expr election_safety_formula(z3::context& c, const std::vector<std::vector<z3::expr>>& leader);

// ---------------------------------------------------------------------------
// The election fragment.

// Where each variable of the election fragment sits in a flat vector of
// terms (or of values).
class Layout {
 public:
  // width 0: Int variables; otherwise signed bit-vectors of that width.
  Layout(const ElectionBounds& b, unsigned width);

  int n() const { return n_; }
  int max_term() const { return terms_; }
  z3::expr num(z3::context& c, int value) const {
    return width_ ? c.bv_val(value, width_) : c.int_val(value);
  }
  z3::expr constant(z3::context& c, const std::string& name) const {
    return width_ ? c.bv_const(name.c_str(), width_) : c.int_const(name.c_str());
  }
  // A numeral read back from Z3, as the signed value it encodes.
  int value_of(int numeral) const {
    return width_ && numeral >= (1 << (width_ - 1)) ? numeral - (1 << width_) : numeral;
  }
  int term(int i) const { return 3 * i; }
  int role(int i) const { return 3 * i + 1; }
  int voted(int i) const { return 3 * i + 2; }
  int responded(int i, int j) const { return 3 * n_ + i * n_ + j; }
  int granted(int i, int j) const { return 3 * n_ + n_ * n_ + i * n_ + j; }
  int restarts() const { return 3 * n_ + 2 * n_ * n_; }
  // t in 1..max_term
  int leader(int t, int i) const { return restarts() + 1 + (t - 1) * n_ + i; }
  int slot(int s) const { return leader(terms_ + 1, 0) + s; }
  int size() const { return slot(slots()); }
  int slots() const { return static_cast<int>(messages_.size()); }
  bool is_bool(int x) const {
    return x >= responded(0, 0) && x < leader(terms_ + 1, 0) && x != restarts();
  }
  const Message& message(int s) const { return messages_[s]; }
  // The slot of a message, or -1 when it has none.
  int slot_of(const Message& m) const {
    auto at = slot_of_.find(m);
    return at == slot_of_.end() ? -1 : at->second;
  }
  int slot_of(MessageType type, int t, int source, int dest, bool flag) const {
    return slot_of(election_message(type, t, source, dest, flag));
  }
  // The election's messages carry no log: a term, the two servers, and
  // for a response whether it grants or succeeds (`flag`).
  static Message election_message(MessageType type, int t, int source, int dest, bool flag) {
    Message m;
    m.type = type;
    m.term = static_cast<uint8_t>(t);
    m.source = static_cast<uint8_t>(source);
    m.dest = static_cast<uint8_t>(dest);
    m.vote_granted = type == MessageType::kRequestVoteResponse && flag;
    m.success = type == MessageType::kAppendEntriesResponse && flag;
    return m;
  }

  std::string name(int x) const;

 private:
  int n_;
  int terms_;
  unsigned width_;
  std::vector<Message> messages_;
  std::map<Message, int> slot_of_;
};

using Terms = std::vector<z3::expr>;

Terms symbolic(z3::context& c, const Layout& layout, const std::string& suffix);

// The state's values in the layout's order; std::invalid_argument if the
// state has anything the fragment has no variable for.
std::vector<int> encode(const Layout& layout, const State& s);
State decode(const Layout& layout, const std::vector<int>& values);
Terms constants(z3::context& c, const Layout& layout, const std::vector<int>& values);

// Values read back from a model; a value outside what decode() can hold
// means the encoding let Z3 leave TypeOK.
std::vector<int> read_values(const z3::model& model, const Layout& layout, const Terms& v);

// One action instance: enabled when `guard` holds, it assigns `updates`
// and leaves every other variable unchanged.
struct Instance {
  std::string label;
  Action action;
  z3::expr guard;
  std::vector<std::pair<int, z3::expr>> updates;
};

// Every action instance over the current-state terms `v`: each server's
// actions, then the actions on each message slot.
std::vector<Instance> election_instances(z3::context& c, const Layout& layout, const Terms& v,
                                         const ElectionBounds& bounds);

// The state constraint, on a successor: what RaftModel::within_bounds
// checks of an empty-log state.
z3::expr constraint(z3::context& c, const Layout& l, const Terms& p, const ElectionBounds& b);

// One instance as a step: its guard, its assignments, UNCHANGED for the
// rest, and the constraint on the successor.
z3::expr instance_step(z3::context& c, const Layout& l, const Terms& v, const Terms& p,
                       const Instance& instance, const ElectionBounds& b);

// The selector of a compact step is a bit-vector: "the instance taken is
// a" is then a conjunction of literals, and exactly one instance is taken
// by construction. An Int selector leaves that to the arithmetic solver,
// which made BMC many times slower.
constexpr unsigned kSelectorBits = 16;

z3::expr selector_const(z3::context& c, const std::string& name);

// Next in compact form: `selector` names the instance taken.
z3::expr compact_next(z3::context& c, const Layout& l, const Terms& v, const Terms& p,
                      const std::vector<Instance>& instances, const z3::expr& selector,
                      const ElectionBounds& b);

z3::expr init_formula(z3::context& c, const Layout& l, const Terms& v);

// The leaders' Bools by term, 1..max_term, for election_safety_formula.
std::vector<std::vector<z3::expr>> leaders_of(const Layout& l, const Terms& v);

}  // namespace crosscheck::spec::raft::detail
