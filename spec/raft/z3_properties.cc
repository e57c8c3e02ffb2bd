#include "spec/raft/z3_properties.h"

#include <z3++.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "spec/common/z3_ground.h"

namespace crosscheck::spec::raft {
namespace {

constexpr int kFollower = static_cast<int>(Role::kFollower);
constexpr int kCandidate = static_cast<int>(Role::kCandidate);
constexpr int kLeader = static_cast<int>(Role::kLeader);
constexpr int kHistoryTerms = kMaxTerm + 2;  // History::leaders' size
constexpr int kElectionConjuncts = 4;

std::string server_name(int i) { return "s" + std::to_string(i + 1); }


z3::expr count_of(const std::vector<z3::expr>& conditions, const z3::expr& zero, const z3::expr& one) {
  z3::expr e = zero;
  for (const auto& condition : conditions) e = e + z3::ite(condition, one, zero);
  return e;
}

z3::expr count_of(z3::context& c, const std::vector<z3::expr>& conditions) {
  return count_of(conditions, c.int_val(0), c.int_val(1));
}

void check_servers(int servers) {
  if (servers < 1 || servers > kMaxServers) {
    throw std::invalid_argument("Raft takes 1.." + std::to_string(kMaxServers) + " servers");
  }
}

// ---------------------------------------------------------------------------
// The properties.

// A State's variables as Z3 terms: symbolic constants, or a state's values.
// One builder makes both, so the two orders cannot drift apart.
struct PropVars {
  int n = 0;
  std::vector<z3::expr> term, role, voted, len, commit;
  std::vector<std::vector<z3::expr>> log_term, log_value;  // [i][index - 1]
  std::vector<std::vector<z3::expr>> leader;               // [t][i]
  std::vector<z3::expr> committed;  // committed_length, then per slot: term, value, committed-in term
  std::vector<z3::expr> all;        // every term above, in a fixed order

  z3::expr committed_length() const { return committed[0]; }
  z3::expr committed_term(int index) const { return committed[1 + 3 * (index - 1)]; }
  z3::expr committed_value(int index) const { return committed[2 + 3 * (index - 1)]; }
  z3::expr committed_in(int index) const { return committed[3 + 3 * (index - 1)]; }
};

PropVars prop_vars(z3::context& c, int n, const std::string& prime, const State* s) {
  PropVars v;
  v.n = n;
  auto int_term = [&](const std::string& name, int value) {
    z3::expr e = s ? c.int_val(value) : c.int_const((name + prime).c_str());
    v.all.push_back(e);
    return e;
  };
  auto bool_term = [&](const std::string& name, bool value) {
    z3::expr e = s ? c.bool_val(value) : c.bool_const((name + prime).c_str());
    v.all.push_back(e);
    return e;
  };
  const State zero;
  const State& st = s ? *s : zero;
  for (int i = 0; i < n; ++i) {
    const Server& server = st.servers[i];
    const std::string at = "[" + server_name(i) + "]";
    v.term.push_back(int_term("currentTerm" + at, server.current_term));
    v.role.push_back(int_term("state" + at, static_cast<int>(server.role)));
    v.voted.push_back(int_term("votedFor" + at, server.voted_for));
    v.len.push_back(int_term("Len(log" + at + ")", server.log.length()));
    v.commit.push_back(int_term("commitIndex" + at, server.commit_index));
    v.log_term.emplace_back();
    v.log_value.emplace_back();
    for (int index = 1; index <= kMaxLog; ++index) {
      const Entry entry = index <= server.log.length() ? server.log.at(index) : Entry{};
      const std::string slot = "log" + at + "[" + std::to_string(index) + "]";
      v.log_term[i].push_back(int_term(slot + ".term", entry.term));
      v.log_value[i].push_back(int_term(slot + ".value", entry.value));
    }
  }
  for (int t = 0; t < kHistoryTerms; ++t) {
    v.leader.emplace_back();
    for (int i = 0; i < n; ++i) {
      v.leader[t].push_back(bool_term("leaders[" + std::to_string(t) + "][" + server_name(i) + "]",
                                      (st.history.leaders[t] >> i) & 1u));
    }
  }
  v.committed.push_back(int_term("Len(committed)", st.history.committed_length));
  for (int index = 1; index <= kMaxLog; ++index) {
    const Commitment& commitment = st.history.committed[index - 1];
    const std::string slot = "committed[" + std::to_string(index) + "]";
    v.committed.push_back(int_term(slot + ".term", commitment.entry.term));
    v.committed.push_back(int_term(slot + ".value", commitment.entry.value));
    v.committed.push_back(int_term(slot + ".in", commitment.term));
  }
  return v;
}

z3::expr_vector as_vector(z3::context& c, const std::vector<z3::expr>& terms) {
  z3::expr_vector out(c);
  for (const auto& term : terms) out.push_back(term);
  return out;
}

// \A t : \A i, k \in leaders[t] : i = k
z3::expr election_safety_formula(z3::context& c, const std::vector<std::vector<z3::expr>>& leader) {
  std::vector<z3::expr> parts;
  for (const auto& servers : leader) {
    for (size_t i = 0; i < servers.size(); ++i) {
      for (size_t k = i + 1; k < servers.size(); ++k) parts.push_back(!(servers[i] && servers[k]));
    }
  }
  return all_of(c, parts);
}

z3::expr same_entry(const PropVars& a, int i, const PropVars& b, int j, int index) {
  return a.log_term[i][index - 1] == b.log_term[j][index - 1] && a.log_value[i][index - 1] == b.log_value[j][index - 1];
}

// \A i, j : \A n \in 1..Min(Len(log[i]), Len(log[j])) :
//     log[i][n].term = log[j][n].term => SubSeq(log[i], 1, n) = SubSeq(log[j], 1, n)
z3::expr log_matching_formula(z3::context& c, const PropVars& v) {
  std::vector<z3::expr> parts;
  for (int i = 0; i < v.n; ++i) {
    for (int j = i + 1; j < v.n; ++j) {
      for (int index = 1; index <= kMaxLog; ++index) {
        std::vector<z3::expr> prefix;
        for (int k = 1; k <= index; ++k) prefix.push_back(same_entry(v, i, v, j, k));
        parts.push_back(z3::implies(index <= v.len[i] && index <= v.len[j] &&
                                        v.log_term[i][index - 1] == v.log_term[j][index - 1],
                                    all_of(c, prefix)));
      }
    }
  }
  return all_of(c, parts);
}

// \A l : state[l] = Leader => \A n \in 1..Len(committed) :
//     committed[n].in < currentTerm[l] => n <= Len(log[l]) /\ log[l][n] = committed[n].entry
z3::expr leader_completeness_formula(z3::context& c, const PropVars& v) {
  std::vector<z3::expr> parts;
  for (int l = 0; l < v.n; ++l) {
    for (int index = 1; index <= kMaxLog; ++index) {
      parts.push_back(z3::implies(v.role[l] == kLeader && index <= v.committed_length() &&
                                      v.committed_in(index) < v.term[l],
                                  index <= v.len[l] && v.log_term[l][index - 1] == v.committed_term(index) &&
                                      v.log_value[l][index - 1] == v.committed_value(index)));
    }
  }
  return all_of(c, parts);
}

// \A i, j : \A n : n <= commitIndex[i] /\ n <= commitIndex[j] /\ n <= Len(log[i]) /\ n <= Len(log[j])
//     => log[i][n] = log[j][n]
z3::expr state_machine_safety_formula(z3::context& c, const PropVars& v) {
  std::vector<z3::expr> parts;
  for (int i = 0; i < v.n; ++i) {
    for (int j = i + 1; j < v.n; ++j) {
      for (int index = 1; index <= kMaxLog; ++index) {
        parts.push_back(z3::implies(index <= v.commit[i] && index <= v.commit[j] && index <= v.len[i] &&
                                        index <= v.len[j],
                                    same_entry(v, i, v, j, index)));
      }
    }
  }
  return all_of(c, parts);
}

// \A n \in 1..Len(committed) : {i : n <= Len(log[i]) /\ log[i][n] = committed[n].entry} \in Quorum
z3::expr committed_entries_kept_formula(z3::context& c, const PropVars& v) {
  std::vector<z3::expr> parts;
  for (int index = 1; index <= kMaxLog; ++index) {
    std::vector<z3::expr> holders;
    for (int i = 0; i < v.n; ++i) {
      holders.push_back(index <= v.len[i] && v.log_term[i][index - 1] == v.committed_term(index) &&
                        v.log_value[i][index - 1] == v.committed_value(index));
    }
    parts.push_back(z3::implies(index <= v.committed_length(), count_of(c, holders) >= quorum_size(v.n)));
  }
  return all_of(c, parts);
}

// \A i : state[i] = Leader /\ state'[i] = Leader /\ currentTerm'[i] = currentTerm[i]
//     => Len(log'[i]) >= Len(log[i]) /\ SubSeq(log'[i], 1, Len(log[i])) = log[i]
z3::expr leader_append_only_formula(z3::context& c, const PropVars& v, const PropVars& p) {
  std::vector<z3::expr> parts;
  for (int i = 0; i < v.n; ++i) {
    std::vector<z3::expr> kept{p.len[i] >= v.len[i]};
    for (int index = 1; index <= kMaxLog; ++index) {
      kept.push_back(z3::implies(index <= v.len[i], same_entry(v, i, p, i, index)));
    }
    parts.push_back(z3::implies(v.role[i] == kLeader && p.role[i] == kLeader && v.term[i] == p.term[i],
                                all_of(c, kept)));
  }
  return all_of(c, parts);
}

void check_leader_bits(const State& s, int servers) {
  for (uint8_t leaders : s.history.leaders) {
    if (leaders >> servers) {
      throw std::invalid_argument("the state has a leader beyond its " + std::to_string(servers) + " servers");
    }
  }
}

}  // namespace

std::string_view to_string(Property property) {
  switch (property) {
    case Property::kElectionSafety: return "ElectionSafety";
    case Property::kLogMatching: return "LogMatching";
    case Property::kLeaderCompleteness: return "LeaderCompleteness";
    case Property::kStateMachineSafety: return "StateMachineSafety";
    case Property::kCommittedEntriesKept: return "CommittedEntriesKept";
    case Property::kLeaderAppendOnly: return "LeaderAppendOnly";
  }
  return "?";
}

const std::vector<Property>& all_properties() {
  static const std::vector<Property> properties = {
      Property::kElectionSafety,     Property::kLogMatching,          Property::kLeaderCompleteness,
      Property::kStateMachineSafety, Property::kCommittedEntriesKept, Property::kLeaderAppendOnly,
  };
  return properties;
}

bool cpp_holds(Property property, const State& s, int servers) {
  switch (property) {
    case Property::kElectionSafety: return election_safety(s, servers);
    case Property::kLogMatching: return log_matching(s, servers);
    case Property::kLeaderCompleteness: return leader_completeness(s, servers);
    case Property::kStateMachineSafety: return state_machine_safety(s, servers);
    case Property::kCommittedEntriesKept: return committed_entries_kept(s, servers);
    case Property::kLeaderAppendOnly: break;
  }
  throw std::invalid_argument("LeaderAppendOnly is a property of steps");
}

bool cpp_holds_step(const State& from, const State& to, int servers) { return leader_append_only(from, to, servers); }

struct Z3Raft::Impl {
  explicit Impl(int n) : v(prop_vars(c, n, "", nullptr)), p(prop_vars(c, n, "'", nullptr)) {
    formulas.push_back(election_safety_formula(c, v.leader));
    formulas.push_back(log_matching_formula(c, v));
    formulas.push_back(leader_completeness_formula(c, v));
    formulas.push_back(state_machine_safety_formula(c, v));
    formulas.push_back(committed_entries_kept_formula(c, v));
    step_formula = leader_append_only_formula(c, v, p);
  }

  z3::context c;
  PropVars v;
  PropVars p;
  std::vector<z3::expr> formulas;  // indexed by Property
  z3::expr step_formula{c};
};

Z3Raft::Z3Raft(int servers) : servers_(servers) {
  check_servers(servers);
  impl_ = std::make_unique<Impl>(servers);
}

Z3Raft::~Z3Raft() = default;
Z3Raft::Z3Raft(Z3Raft&&) noexcept = default;
Z3Raft& Z3Raft::operator=(Z3Raft&&) noexcept = default;

bool Z3Raft::holds(Property property, const State& state) {
  if (property == Property::kLeaderAppendOnly) throw std::invalid_argument("LeaderAppendOnly is a property of steps");
  check_leader_bits(state, servers_);
  Impl& z = *impl_;
  const PropVars values = prop_vars(z.c, servers_, "", &state);
  z3::expr formula = z.formulas[static_cast<int>(property)];
  return ground_truth(formula.substitute(as_vector(z.c, z.v.all), as_vector(z.c, values.all)));
}

bool Z3Raft::holds_step(const State& from, const State& to) {
  Impl& z = *impl_;
  std::vector<z3::expr> symbols = z.v.all;
  symbols.insert(symbols.end(), z.p.all.begin(), z.p.all.end());
  std::vector<z3::expr> values = prop_vars(z.c, servers_, "", &from).all;
  const std::vector<z3::expr> after = prop_vars(z.c, servers_, "", &to).all;
  values.insert(values.end(), after.begin(), after.end());
  z3::expr formula = z.step_formula;
  return ground_truth(formula.substitute(as_vector(z.c, symbols), as_vector(z.c, values)));
}

// ---------------------------------------------------------------------------
// The election fragment.

namespace {

// Where each variable of the election fragment sits in a flat vector of
// terms (or of values).
class Layout {
 public:
  // width 0: Int variables; otherwise signed bit-vectors of that width.
  Layout(const ElectionBounds& b, unsigned width) : n_(b.servers), terms_(b.max_term), width_(width) {
    auto add = [&](MessageType type, int flag) {
      for (int t = 1; t <= terms_; ++t) {
        for (int source = 0; source < n_; ++source) {
          for (int dest = 0; dest < n_; ++dest) {
            Message m;
            m.type = type;
            m.term = static_cast<uint8_t>(t);
            m.source = static_cast<uint8_t>(source);
            m.dest = static_cast<uint8_t>(dest);
            m.vote_granted = type == MessageType::kRequestVoteResponse && flag;
            m.success = type == MessageType::kAppendEntriesResponse && flag;
            slot_of_[m] = static_cast<int>(messages_.size());
            messages_.push_back(m);
          }
        }
      }
    };
    add(MessageType::kRequestVoteRequest, 0);
    add(MessageType::kRequestVoteResponse, 0);
    add(MessageType::kRequestVoteResponse, 1);
    add(MessageType::kAppendEntriesRequest, 0);
    add(MessageType::kAppendEntriesResponse, 0);
    add(MessageType::kAppendEntriesResponse, 1);
  }

  int n() const { return n_; }
  int max_term() const { return terms_; }
  z3::expr num(z3::context& c, int value) const { return width_ ? c.bv_val(value, width_) : c.int_val(value); }
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
  int leader(int t, int i) const { return restarts() + 1 + (t - 1) * n_ + i; }  // t in 1..max_term
  int slot(int s) const { return leader(terms_ + 1, 0) + s; }
  int size() const { return slot(slots()); }
  int slots() const { return static_cast<int>(messages_.size()); }
  bool is_bool(int x) const { return x >= responded(0, 0) && x < leader(terms_ + 1, 0) && x != restarts(); }
  const Message& message(int s) const { return messages_[s]; }
  // The slot of a message, or -1 when it has none.
  int slot_of(const Message& m) const {
    auto at = slot_of_.find(m);
    return at == slot_of_.end() ? -1 : at->second;
  }
  int slot_of(MessageType type, int t, int source, int dest, bool flag) const {
    Message m;
    m.type = type;
    m.term = static_cast<uint8_t>(t);
    m.source = static_cast<uint8_t>(source);
    m.dest = static_cast<uint8_t>(dest);
    m.vote_granted = type == MessageType::kRequestVoteResponse && flag;
    m.success = type == MessageType::kAppendEntriesResponse && flag;
    return slot_of(m);
  }

  std::string name(int x) const {
    for (int i = 0; i < n_; ++i) {
      const std::string at = "[" + server_name(i) + "]";
      if (x == term(i)) return "currentTerm" + at;
      if (x == role(i)) return "state" + at;
      if (x == voted(i)) return "votedFor" + at;
      for (int j = 0; j < n_; ++j) {
        if (x == responded(i, j)) return server_name(j) + " \\in votesResponded" + at;
        if (x == granted(i, j)) return server_name(j) + " \\in votesGranted" + at;
      }
    }
    if (x == restarts()) return "restarts";
    for (int t = 1; t <= terms_; ++t) {
      for (int i = 0; i < n_; ++i) {
        if (x == leader(t, i)) return server_name(i) + " \\in leaders[" + std::to_string(t) + "]";
      }
    }
    const Message& m = message(x - slot(0));
    return "messages[" + server_name(m.source) + "->" + server_name(m.dest) + " " + m.label() + "]";
  }

 private:
  int n_;
  int terms_;
  unsigned width_;
  std::vector<Message> messages_;
  std::map<Message, int> slot_of_;
};

using Terms = std::vector<z3::expr>;

Terms symbolic(z3::context& c, const Layout& layout, const std::string& suffix) {
  Terms v;
  for (int x = 0; x < layout.size(); ++x) {
    const std::string name = layout.name(x) + suffix;
    v.push_back(layout.is_bool(x) ? c.bool_const(name.c_str()) : layout.constant(c, name));
  }
  return v;
}

// The state's values in the layout's order; std::invalid_argument if the
// state has anything the fragment has no variable for.
std::vector<int> encode(const Layout& layout, const State& s) {
  const int n = layout.n();
  auto reject = [](const std::string& what) { throw std::invalid_argument("outside the election encoding: " + what); };
  std::vector<int> values(layout.size(), 0);
  for (int i = 0; i < kMaxServers; ++i) {
    const Server& server = s.servers[i];
    if (i >= n) {
      if (server != Server{}) reject("server " + server_name(i) + " is beyond the cluster");
      continue;
    }
    if (server.current_term < 1 || server.current_term > layout.max_term()) reject("a term past max_term");
    if (!server.log.empty() || server.commit_index != 0) reject("a log entry");
    if (server.voted_for < kNil || server.voted_for >= n) reject("votedFor");
    if ((server.votes_responded | server.votes_granted) >> n) reject("a vote from beyond the cluster");
    for (int j = 0; j < kMaxServers; ++j) {
      if (server.next_index[j] != 1 || server.match_index[j] != 0) reject("nextIndex or matchIndex");
    }
    values[layout.term(i)] = server.current_term;
    values[layout.role(i)] = static_cast<int>(server.role);
    values[layout.voted(i)] = server.voted_for;
    for (int j = 0; j < n; ++j) {
      values[layout.responded(i, j)] = (server.votes_responded >> j) & 1;
      values[layout.granted(i, j)] = (server.votes_granted >> j) & 1;
    }
  }
  values[layout.restarts()] = s.restarts;
  for (int t = 0; t < kHistoryTerms; ++t) {
    const uint8_t leaders = s.history.leaders[t];
    if (leaders == 0) continue;
    if (t < 1 || t > layout.max_term() || leaders >> n) reject("a leader outside the terms or servers");
    for (int i = 0; i < n; ++i) values[layout.leader(t, i)] = (leaders >> i) & 1;
  }
  if (s.history.committed_length != 0) reject("a committed entry");
  for (const Bag::Item& item : s.messages) {
    const int slot = layout.slot_of(item.message);
    if (slot < 0) reject("the message " + item.message.label());
    values[layout.slot(slot)] = item.count;
  }
  return values;
}

State decode(const Layout& layout, const std::vector<int>& values) {
  State s;
  for (int i = 0; i < layout.n(); ++i) {
    Server& server = s.servers[i];
    server.current_term = static_cast<uint8_t>(values[layout.term(i)]);
    server.role = static_cast<Role>(values[layout.role(i)]);
    server.voted_for = static_cast<int8_t>(values[layout.voted(i)]);
    for (int j = 0; j < layout.n(); ++j) {
      server.votes_responded |= static_cast<uint8_t>(values[layout.responded(i, j)] << j);
      server.votes_granted |= static_cast<uint8_t>(values[layout.granted(i, j)] << j);
    }
  }
  s.restarts = static_cast<uint8_t>(values[layout.restarts()]);
  for (int t = 1; t <= layout.max_term(); ++t) {
    for (int i = 0; i < layout.n(); ++i) s.history.leaders[t] |= static_cast<uint8_t>(values[layout.leader(t, i)] << i);
  }
  for (int slot = 0; slot < layout.slots(); ++slot) {
    for (int copy = 0; copy < values[layout.slot(slot)]; ++copy) s.messages.add(layout.message(slot));
  }
  return s;
}

Terms constants(z3::context& c, const Layout& layout, const std::vector<int>& values) {
  Terms out;
  for (int x = 0; x < layout.size(); ++x) {
    out.push_back(layout.is_bool(x) ? c.bool_val(values[x] != 0) : layout.num(c, values[x]));
  }
  return out;
}

// Values read back from a model; a value outside what decode() can hold
// means the encoding let Z3 leave TypeOK.
std::vector<int> read_values(const z3::model& model, const Layout& layout, const Terms& v) {
  std::vector<int> values;
  for (int x = 0; x < layout.size(); ++x) values.push_back(layout.value_of(ground_int(model.eval(v[x], true))));
  for (int i = 0; i < layout.n(); ++i) {
    const int role = values[layout.role(i)];
    const int voted = values[layout.voted(i)];
    if (values[layout.term(i)] < 1 || values[layout.term(i)] > layout.max_term() || role < kFollower ||
        role > kLeader || voted < kNil || voted >= layout.n()) {
      throw std::logic_error("Z3 returned a server outside TypeOK");
    }
  }
  for (int slot = 0; slot < layout.slots(); ++slot) {
    const int count = values[layout.slot(slot)];
    if (count < 0 || count > 255) throw std::logic_error("Z3 returned a message count outside TypeOK");
  }
  if (values[layout.restarts()] < 0 || values[layout.restarts()] > 255) {
    throw std::logic_error("Z3 returned a restart count outside TypeOK");
  }
  return values;
}

// One action instance: enabled when `guard` holds, it assigns `updates`
// and leaves every other variable unchanged.
struct Instance {
  std::string label;
  Action action;
  z3::expr guard;
  std::vector<std::pair<int, z3::expr>> updates;
};

class InstanceBuilder {
 public:
  InstanceBuilder(z3::context& c, const Layout& layout, const Terms& v, const ElectionBounds& bounds)
      : c_(c), l_(layout), v_(v), bounds_(bounds), model_(election_config(bounds)) {}

  std::vector<Instance> build() {
    for (int i = 0; i < l_.n(); ++i) server_actions(i);
    for (int slot = 0; slot < l_.slots(); ++slot) message_actions(slot);
    return std::move(out_);
  }

 private:
  z3::expr var(int x) const { return v_[x]; }
  z3::expr term(int i) const { return var(l_.term(i)); }
  z3::expr role(int i) const { return var(l_.role(i)); }
  z3::expr voted(int i) const { return var(l_.voted(i)); }
  z3::expr num(int value) const { return l_.num(c_, value); }
  z3::expr one_if(const z3::expr& condition) const { return z3::ite(condition, num(1), num(0)); }

  void add(Action action, z3::expr guard, std::vector<std::pair<int, z3::expr>> updates) {
    out_.push_back({model_.action_label(action), action, guard, std::move(updates)});
  }

  // Sending a message of the sender's current term: one slot per term.
  void send(std::vector<std::pair<int, z3::expr>>& updates, MessageType type, int sender, int source, int dest,
            bool flag, int from_term) {
    for (int t = from_term; t <= l_.max_term(); ++t) {
      const int x = l_.slot(l_.slot_of(type, t, source, dest, flag));
      updates.emplace_back(x, var(x) + one_if(term(sender) == t));
    }
  }

  void clear_votes(std::vector<std::pair<int, z3::expr>>& updates, int i) {
    for (int j = 0; j < l_.n(); ++j) {
      updates.emplace_back(l_.responded(i, j), c_.bool_val(false));
      updates.emplace_back(l_.granted(i, j), c_.bool_val(false));
    }
  }

  void server_actions(int i) {
    using Kind = Action::Kind;
    const auto id = static_cast<uint8_t>(i);
    {
      std::vector<std::pair<int, z3::expr>> updates{{l_.role(i), num(kFollower)},
                                                    {l_.restarts(), var(l_.restarts()) + 1}};
      clear_votes(updates, i);
      add({Kind::kRestart, id}, c_.bool_val(true), std::move(updates));
    }
    {
      std::vector<std::pair<int, z3::expr>> updates{{l_.role(i), num(kCandidate)},
                                                    {l_.term(i), term(i) + 1},
                                                    {l_.voted(i), num(kNil)}};
      clear_votes(updates, i);
      add({Kind::kTimeout, id}, role(i) == kFollower || role(i) == kCandidate, std::move(updates));
    }
    for (int j = 0; j < l_.n(); ++j) {
      std::vector<std::pair<int, z3::expr>> updates;
      send(updates, MessageType::kRequestVoteRequest, i, i, j, false, 1);
      add({Kind::kRequestVote, id, static_cast<uint8_t>(j)}, role(i) == kCandidate && !var(l_.responded(i, j)),
          std::move(updates));
    }
    {
      std::vector<z3::expr> granted;
      for (int j = 0; j < l_.n(); ++j) granted.push_back(var(l_.granted(i, j)));
      std::vector<std::pair<int, z3::expr>> updates{{l_.role(i), num(kLeader)}};
      for (int t = 1; t <= l_.max_term(); ++t) {
        updates.emplace_back(l_.leader(t, i), var(l_.leader(t, i)) || term(i) == t);
      }
      add({Kind::kBecomeLeader, id}, role(i) == kCandidate && count_of(granted, num(0), num(1)) >= quorum_size(l_.n()),
          std::move(updates));
    }
    // With every log empty no index has a quorum, so AdvanceCommitIndex
    // changes nothing; raft.tla still counts it as a step.
    add({Kind::kAdvanceCommitIndex, id}, role(i) == kLeader, {});
    for (int j = 0; j < l_.n(); ++j) {
      if (j == i) continue;
      std::vector<std::pair<int, z3::expr>> updates;
      send(updates, MessageType::kAppendEntriesRequest, i, i, j, false, 1);
      add({Kind::kAppendEntries, id, static_cast<uint8_t>(j)}, role(i) == kLeader, std::move(updates));
    }
  }

  void message_actions(int slot) {
    using Kind = Action::Kind;
    const Message& m = l_.message(slot);
    const int i = m.dest;
    const int j = m.source;
    const int t = m.term;
    const int x = l_.slot(slot);
    const z3::expr present = var(x) > 0;
    const z3::expr consumed = var(x) - 1;
    auto action = [&](Kind kind) {
      Action a{kind, m.dest};
      a.message = m;
      return a;
    };
    add(action(Kind::kUpdateTerm), present && term(i) < t,
        {{l_.term(i), num(t)}, {l_.role(i), num(kFollower)}, {l_.voted(i), num(kNil)}});
    switch (m.type) {
      case MessageType::kRequestVoteRequest: {
        // Every log is empty, so logOk holds.
        const z3::expr unvoted = bounds_.buggy ? c_.bool_val(true) : voted(i) == kNil || voted(i) == j;
        const z3::expr grant = term(i) == t && unvoted;
        std::vector<std::pair<int, z3::expr>> updates{{l_.voted(i), z3::ite(grant, num(j), voted(i))},
                                                      {x, consumed}};
        const int granted_slot = l_.slot(l_.slot_of(MessageType::kRequestVoteResponse, t, i, j, true));
        updates.emplace_back(granted_slot, var(granted_slot) + one_if(grant));
        for (int reply_term = t; reply_term <= l_.max_term(); ++reply_term) {
          const int denied_slot = l_.slot(l_.slot_of(MessageType::kRequestVoteResponse, reply_term, i, j, false));
          updates.emplace_back(denied_slot, var(denied_slot) + one_if(!grant && term(i) == reply_term));
        }
        add(action(Kind::kHandleRequestVoteRequest), present && term(i) >= t, std::move(updates));
        break;
      }
      case MessageType::kRequestVoteResponse:
      case MessageType::kAppendEntriesResponse: {
        add(action(Kind::kDropStaleResponse), present && term(i) > t, {{x, consumed}});
        std::vector<std::pair<int, z3::expr>> updates{{x, consumed}};
        if (m.type == MessageType::kRequestVoteResponse) {
          updates.emplace_back(l_.responded(i, j), c_.bool_val(true));
          if (m.vote_granted) updates.emplace_back(l_.granted(i, j), c_.bool_val(true));
        }
        // A successful response sets nextIndex[j] to 1 and matchIndex[j]
        // to 0, and a failed one lowers nextIndex[j] to at least 1: with
        // empty logs both leave them as they are.
        add(action(m.type == MessageType::kRequestVoteResponse ? Kind::kHandleRequestVoteResponse
                                                               : Kind::kHandleAppendEntriesResponse),
            present && term(i) == t, std::move(updates));
        break;
      }
      case MessageType::kAppendEntriesRequest: {
        std::vector<std::pair<int, z3::expr>> reject{{x, consumed}};
        send(reject, MessageType::kAppendEntriesResponse, i, i, j, false, t + 1);
        add(action(Kind::kHandleAppendEntriesRequest), present && term(i) > t, std::move(reject));
        add(action(Kind::kHandleAppendEntriesRequest), present && term(i) == t && role(i) == kCandidate,
            {{l_.role(i), num(kFollower)}});
        // An empty request with prevLogIndex 0 is always "already done".
        const int ok_slot = l_.slot(l_.slot_of(MessageType::kAppendEntriesResponse, t, i, j, true));
        add(action(Kind::kHandleAppendEntriesRequest), present && term(i) == t && role(i) == kFollower,
            {{x, consumed}, {ok_slot, var(ok_slot) + 1}});
        break;
      }
    }
    add(action(Kind::kDuplicateMessage), present, {{x, var(x) + 1}});
    add(action(Kind::kDropMessage), present, {{x, consumed}});
  }

  z3::context& c_;
  const Layout& l_;
  const Terms& v_;
  const ElectionBounds& bounds_;
  RaftModel model_;
  std::vector<Instance> out_;
};

// The state constraint, on a successor: what RaftModel::within_bounds
// checks of an empty-log state.
z3::expr constraint(z3::context& c, const Layout& l, const Terms& p, const ElectionBounds& b) {
  std::vector<z3::expr> parts;
  for (int i = 0; i < l.n(); ++i) parts.push_back(p[l.term(i)] <= l.max_term());
  if (b.max_restarts >= 0) parts.push_back(p[l.restarts()] <= b.max_restarts);
  z3::expr in_flight = l.num(c, 0);
  for (int slot = 0; slot < l.slots(); ++slot) {
    if (b.max_copies > 0) parts.push_back(p[l.slot(slot)] <= b.max_copies);
    in_flight = in_flight + p[l.slot(slot)];
  }
  if (b.max_messages > 0) parts.push_back(in_flight <= b.max_messages);
  return all_of(c, parts);
}

// One instance as a step: its guard, its assignments, UNCHANGED for the
// rest, and the constraint on the successor.
z3::expr instance_step(z3::context& c, const Layout& l, const Terms& v, const Terms& p, const Instance& instance,
                       const ElectionBounds& b) {
  std::vector<z3::expr> parts{instance.guard, constraint(c, l, p, b)};
  std::vector<bool> assigned(l.size(), false);
  for (const auto& [x, value] : instance.updates) {
    parts.push_back(p[x] == value);
    assigned[x] = true;
  }
  for (int x = 0; x < l.size(); ++x) {
    if (!assigned[x]) parts.push_back(p[x] == v[x]);
  }
  return all_of(c, parts);
}

// The selector of a compact step is a bit-vector: "the instance taken is
// a" is then a conjunction of literals, and exactly one instance is taken
// by construction. An Int selector leaves that to the arithmetic solver,
// which made BMC many times slower.
constexpr unsigned kSelectorBits = 16;

z3::expr selector_const(z3::context& c, const std::string& name) { return c.bv_const(name.c_str(), kSelectorBits); }

// Next in compact form: `selector` names the instance taken.
z3::expr compact_next(z3::context& c, const Layout& l, const Terms& v, const Terms& p,
                      const std::vector<Instance>& instances, const z3::expr& selector, const ElectionBounds& b) {
  std::vector<z3::expr> parts{z3::ult(selector, c.bv_val(static_cast<unsigned>(instances.size()), kSelectorBits)),
                              constraint(c, l, p, b)};
  Terms next = v;
  for (int a = static_cast<int>(instances.size()) - 1; a >= 0; --a) {
    const z3::expr taken = selector == c.bv_val(a, kSelectorBits);
    parts.push_back(z3::implies(taken, instances[a].guard));
    for (const auto& [x, value] : instances[a].updates) next[x] = z3::ite(taken, value, next[x]);
  }
  for (int x = 0; x < l.size(); ++x) parts.push_back(p[x] == next[x]);
  return all_of(c, parts);
}

z3::expr init_formula(z3::context& c, const Layout& l, const Terms& v) {
  std::vector<z3::expr> parts;
  for (int x = 0; x < l.size(); ++x) {
    if (l.is_bool(x)) {
      parts.push_back(!v[x]);
    } else if (x < l.responded(0, 0) && x % 3 == 0) {
      parts.push_back(v[x] == 1);  // currentTerm
    } else if (x < l.responded(0, 0) && x % 3 == 1) {
      parts.push_back(v[x] == kFollower);
    } else if (x < l.responded(0, 0)) {
      parts.push_back(v[x] == kNil);
    } else {
      parts.push_back(v[x] == 0);  // restarts, message counts
    }
  }
  return all_of(c, parts);
}

std::vector<std::vector<z3::expr>> leaders_of(const Layout& l, const Terms& v) {
  std::vector<std::vector<z3::expr>> leader;
  for (int t = 1; t <= l.max_term(); ++t) {
    leader.emplace_back();
    for (int i = 0; i < l.n(); ++i) leader.back().push_back(v[l.leader(t, i)]);
  }
  return leader;
}

z3::expr type_ok(z3::context& c, const Layout& l, const Terms& v) {
  std::vector<z3::expr> parts{v[l.restarts()] >= 0};
  for (int i = 0; i < l.n(); ++i) {
    parts.push_back(v[l.term(i)] >= 1 && v[l.term(i)] <= l.max_term());
    parts.push_back(v[l.role(i)] >= kFollower && v[l.role(i)] <= kLeader);
    parts.push_back(v[l.voted(i)] >= kNil && v[l.voted(i)] < l.n());
  }
  for (int slot = 0; slot < l.slots(); ++slot) parts.push_back(v[l.slot(slot)] >= 0);
  return all_of(c, parts);
}

// E(j, i, t): evidence that j voted for i in term t (see the header).
z3::expr evidence(const Layout& l, const Terms& v, int j, int i, int t) {
  const int response = l.slot(l.slot_of(MessageType::kRequestVoteResponse, t, j, i, true));
  return (v[l.term(j)] == t && v[l.voted(j)] == i) || v[response] > 0 ||
         (v[l.role(i)] != kFollower && v[l.term(i)] == t && v[l.granted(i, j)]);
}

// P(j, i, t): j may still vote for i in term t.
z3::expr may_vote(const Layout& l, const Terms& v, int j, int i, int t) {
  return evidence(l, v, j, i, t) || v[l.term(j)] < t || (v[l.term(j)] == t && v[l.voted(j)] == kNil);
}

std::vector<z3::expr> strengthening(z3::context& c, const Layout& l, const Terms& v) {
  std::vector<z3::expr> s1, s2, s3, s4;
  for (int t = 1; t <= l.max_term(); ++t) {
    for (int j = 0; j < l.n(); ++j) {
      for (int i = 0; i < l.n(); ++i) {
        const z3::expr e = evidence(l, v, j, i, t);
        s1.push_back(z3::implies(e, v[l.term(j)] >= t));
        s2.push_back(z3::implies(e && v[l.term(j)] == t, v[l.voted(j)] == i));
        for (int k = i + 1; k < l.n(); ++k) s3.push_back(!(e && evidence(l, v, j, k, t)));
      }
    }
    for (int i = 0; i < l.n(); ++i) {
      for (int k = 0; k < l.n(); ++k) {
        if (k == i) continue;
        std::vector<z3::expr> voters;
        for (int j = 0; j < l.n(); ++j) voters.push_back(may_vote(l, v, j, k, t));
        s4.push_back(z3::implies(v[l.leader(t, i)], count_of(voters, l.num(c, 0), l.num(c, 1)) < quorum_size(l.n())));
      }
    }
  }
  return {all_of(c, s1), all_of(c, s2), all_of(c, s3), all_of(c, s4)};
}

struct NamedFormula {
  std::string name;
  z3::expr formula;
};

std::vector<NamedFormula> invariant_parts(z3::context& c, const Layout& l, const Terms& v, uint32_t conjuncts) {
  std::vector<NamedFormula> parts{{"TypeOK", type_ok(c, l, v)},
                                  {"ElectionSafety", election_safety_formula(c, leaders_of(l, v))}};
  const std::vector<z3::expr> s = strengthening(c, l, v);
  for (int i = 0; i < kElectionConjuncts; ++i) {
    if (conjuncts >> i & 1u) parts.push_back({"S" + std::to_string(i + 1), s[i]});
  }
  return parts;
}

z3::expr invariant(z3::context& c, const Layout& l, const Terms& v, uint32_t conjuncts) {
  z3::expr inv = c.bool_val(true);
  for (const auto& part : invariant_parts(c, l, v, conjuncts)) inv = inv && part.formula;
  return inv;
}

void check_bounds(const ElectionBounds& b) {
  check_servers(b.servers);
  if (b.max_term < 1 || b.max_term >= kMaxTerm) {
    throw std::invalid_argument("max term is 1.." + std::to_string(kMaxTerm - 1));
  }
  if (b.max_restarts < -1 || b.max_copies < 0 || b.max_messages < 0) throw std::invalid_argument("negative bound");
}

std::string join(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// The history's leaders, which state_json leaves out.
std::string leaders_text(const State& s, int servers) {
  std::string text;
  for (int t = 0; t < kHistoryTerms; ++t) {
    for (int i = 0; i < servers; ++i) {
      if (s.history.leaders[t] >> i & 1u) text += (text.empty() ? "" : ", ") + server_name(i) + " led term " + std::to_string(t);
    }
  }
  return text.empty() ? "no leaders yet" : text;
}

}  // namespace

Config election_config(const ElectionBounds& b) {
  Config config;
  config.servers = b.servers;
  config.values = 1;
  config.max_term = b.max_term;
  config.max_log = 0;
  config.max_restarts = b.max_restarts < 0 ? 8 : b.max_restarts;
  config.max_copies = b.max_copies == 0 ? 8 : b.max_copies;
  config.max_messages = b.max_messages == 0 ? 16 : b.max_messages;
  return config;
}

const std::vector<std::string>& election_strengthening() {
  static const std::vector<std::string> conjuncts = {
      "S1: E(j, i, t) => currentTerm[j] >= t",
      "S2: E(j, i, t) /\\ currentTerm[j] = t => votedFor[j] = i",
      "S3: E(j, i, t) /\\ E(j, k, t) => i = k",
      "S4: i \\in leaders[t] /\\ k # i => {j : P(j, k, t)} \\notin Quorum",
  };
  return conjuncts;
}

struct Z3RaftElection::Impl {
  explicit Impl(const ElectionBounds& b)
      : layout(b, 0),
        v(symbolic(c, layout, "")),
        p(symbolic(c, layout, "'")),
        instances(InstanceBuilder(c, layout, v, b).build()),
        bounds_formula(constraint(c, layout, p, b)) {}

  z3::context c;
  Layout layout;
  Terms v;
  Terms p;
  std::vector<Instance> instances;
  z3::expr bounds_formula;
  std::map<uint32_t, z3::expr> invariants;  // by conjuncts, built on first use
};

Z3RaftElection::Z3RaftElection(ElectionBounds bounds) : bounds_(bounds) {
  check_bounds(bounds);
  impl_ = std::make_unique<Impl>(bounds);
}

Z3RaftElection::~Z3RaftElection() = default;
Z3RaftElection::Z3RaftElection(Z3RaftElection&&) noexcept = default;
Z3RaftElection& Z3RaftElection::operator=(Z3RaftElection&&) noexcept = default;

// A model interpreting every variable of `v` as the given values: a
// model.eval per formula took half the time of a substitution.
static z3::model valuation(z3::context& c, const Layout& layout, const Terms& v, const std::vector<int>& values) {
  z3::model model(c);
  Terms constants_of = constants(c, layout, values);
  for (int x = 0; x < layout.size(); ++x) {
    z3::func_decl declaration = v[x].decl();
    model.add_const_interp(declaration, constants_of[x]);
  }
  return model;
}

std::vector<std::pair<std::string, State>> Z3RaftElection::successors(const State& state) {
  Impl& z = *impl_;
  const std::vector<int> values = encode(z.layout, state);
  const z3::model current = valuation(z.c, z.layout, z.v, values);
  std::vector<std::pair<std::string, State>> out;
  for (const Instance& instance : z.instances) {
    if (!ground_truth(current.eval(instance.guard, true))) continue;
    std::vector<int> next = values;
    for (const auto& [x, value] : instance.updates) next[x] = z.layout.value_of(ground_int(current.eval(value, true)));
    if (!ground_truth(valuation(z.c, z.layout, z.p, next).eval(z.bounds_formula, true))) continue;
    out.emplace_back(instance.label, decode(z.layout, next));
  }
  return out;
}

bool Z3RaftElection::holds_step(const State& from, const std::string& label, const State& to) {
  Impl& z = *impl_;
  Terms symbols = z.v;
  symbols.insert(symbols.end(), z.p.begin(), z.p.end());
  Terms values = constants(z.c, z.layout, encode(z.layout, from));
  const Terms after = constants(z.c, z.layout, encode(z.layout, to));
  values.insert(values.end(), after.begin(), after.end());
  for (const Instance& instance : z.instances) {
    if (instance.label != label) continue;
    z3::expr step = instance_step(z.c, z.layout, z.v, z.p, instance, bounds_);
    if (ground_truth(step.substitute(as_vector(z.c, symbols), as_vector(z.c, values)))) return true;
  }
  return false;
}

bool Z3RaftElection::holds_invariant(const State& state, uint32_t conjuncts) {
  Impl& z = *impl_;
  conjuncts &= kAllElectionConjuncts;
  auto at = z.invariants.find(conjuncts);
  if (at == z.invariants.end()) at = z.invariants.emplace(conjuncts, invariant(z.c, z.layout, z.v, conjuncts)).first;
  return ground_truth(valuation(z.c, z.layout, z.v, encode(z.layout, state)).eval(at->second, true));
}

BmcResult bmc_election_safety(const ElectionBounds& bounds, int depth) {
  check_bounds(bounds);
  if (depth < 0) throw std::invalid_argument("BMC depth must be at least 0");
  if (bounds.max_copies < 1 || bounds.max_copies > 8 || bounds.max_messages < 1 || bounds.max_messages > 16 ||
      bounds.max_restarts < 0 || bounds.max_restarts > 8) {
    throw std::invalid_argument("BMC needs max_copies 1..8, max_messages 1..16 and max_restarts 0..8");
  }
  z3::context c;
  // Every value in a bounded behaviour is small (terms up to max_term + 1,
  // message counts and their sum up to max_messages + 1, restarts up to
  // max_restarts + 1, votedFor down to -1), so 8-bit signed bit-vectors
  // hold them exactly; bit-blasted, the unrolling solves many times faster
  // than in integer arithmetic.
  const Layout layout(bounds, 8);
  std::vector<Terms> states{symbolic(c, layout, "@0")};
  std::vector<z3::expr> selectors;
  std::vector<std::vector<Instance>> instances;
  // One query for all depths: asking depth by depth, each a query of its
  // own, cost several times more than this one. Z3's default solver did not
  // bit-blast the unrolling and was five times slower than this tactic.
  z3::solver solver = (z3::tactic(c, "simplify") & z3::tactic(c, "propagate-values") & z3::tactic(c, "solve-eqs") &
                        z3::tactic(c, "bit-blast") & z3::tactic(c, "sat"))
                           .mk_solver();
  solver.add(init_formula(c, layout, states[0]));
  z3::expr violated = !election_safety_formula(c, leaders_of(layout, states[0]));
  for (int k = 1; k <= depth; ++k) {
    states.push_back(symbolic(c, layout, "@" + std::to_string(k)));
    selectors.push_back(selector_const(c, "action@" + std::to_string(k)));
    instances.push_back(InstanceBuilder(c, layout, states[k - 1], bounds).build());
    solver.add(compact_next(c, layout, states[k - 1], states[k], instances.back(), selectors.back(), bounds));
    violated = violated || !election_safety_formula(c, leaders_of(layout, states[k]));
  }
  solver.add(violated);
  const z3::check_result verdict = solver.check();
  if (verdict == z3::unknown) throw std::runtime_error("Z3 returned unknown on the BMC query");
  BmcResult result;
  result.depth = depth;
  if (verdict == z3::unsat) return result;
  const z3::model model = solver.get_model();
  result.violated = true;
  // The behaviour may go on past its first violation; it ends there.
  for (int step = 0; step <= depth; ++step) {
    TraceStep trace_step;
    trace_step.state = decode(layout, read_values(model, layout, states[step]));
    if (step > 0) {
      const Instance& taken = instances[step - 1][ground_int(model.eval(selectors[step - 1], true))];
      trace_step.action = taken.action;
      trace_step.label = taken.label;
    }
    const bool broken = !election_safety(trace_step.state, bounds.servers);
    result.trace.push_back(std::move(trace_step));
    if (broken) break;
  }
  result.depth = static_cast<int>(result.trace.size()) - 1;
  return result;
}

int first_unreplayable_step(const RaftModel& model, const std::vector<TraceStep>& trace) {
  if (trace.empty()) return -1;
  const std::vector<State> initial = model.initial_states();
  if (std::find(initial.begin(), initial.end(), trace[0].state) == initial.end() ||
      !model.within_bounds(trace[0].state)) {
    return 0;
  }
  std::vector<mc::Successor<Action, State>> successors;
  for (size_t step = 1; step < trace.size(); ++step) {
    successors.clear();
    model.successors(trace[step - 1].state, successors);
    const bool found = std::any_of(successors.begin(), successors.end(), [&](const auto& successor) {
      return successor.state == trace[step].state && model.action_label(successor.action) == trace[step].label;
    });
    if (!found || !model.within_bounds(trace[step].state)) return static_cast<int>(step);
  }
  return -1;
}

ElectionInductionResult check_election_inductive(const ElectionBounds& bounds, uint32_t conjuncts) {
  check_bounds(bounds);
  conjuncts &= kAllElectionConjuncts;
  z3::context c;
  // Integers here: a proof over any number of messages must not wrap.
  const Layout layout(bounds, 0);
  const Terms v = symbolic(c, layout, "");
  const Terms p = symbolic(c, layout, "'");
  const RaftModel model(election_config(bounds));
  auto describe = [&](const State& s) {
    return model.state_json(s).dump() + " (" + leaders_text(s, bounds.servers) + ")";
  };
  auto violated_parts = [&](const z3::model& m, const Terms& state) {
    std::vector<std::string> names;
    for (const auto& part : invariant_parts(c, layout, state, conjuncts)) {
      if (m.eval(part.formula, true).is_false()) names.push_back(part.name);
    }
    return names;
  };
  ElectionInductionResult result;
  {
    z3::solver solver(c);
    solver.add(init_formula(c, layout, v) && !invariant(c, layout, v, conjuncts));
    if (solver.check() != z3::unsat) {
      result.obligation = "Init => Inv";
      result.before = decode(layout, read_values(solver.get_model(), layout, v));
      result.violated = violated_parts(solver.get_model(), v);
      result.description = "the initial state " + describe(result.before) + " violates " + join(result.violated);
      return result;
    }
  }
  const std::vector<Instance> instances = InstanceBuilder(c, layout, v, bounds).build();
  const z3::expr selector = selector_const(c, "action");
  z3::solver solver(c);
  solver.add(invariant(c, layout, v, conjuncts));
  solver.add(compact_next(c, layout, v, p, instances, selector, bounds));
  solver.add(!invariant(c, layout, p, conjuncts));
  const z3::check_result verdict = solver.check();
  if (verdict == z3::unknown) throw std::runtime_error("Z3 returned unknown on Inv /\\ Next => Inv'");
  if (verdict == z3::unsat) {
    result.proved = true;
    return result;
  }
  // Z3 may pick any message counts; a counterexample with a few copies of
  // each is the same counterexample, readable, and fits a State.
  std::vector<z3::expr> small;
  for (int x = layout.restarts(); x < layout.size(); ++x) {
    if (!layout.is_bool(x)) small.push_back(v[x] <= 2 && p[x] <= 3);
  }
  solver.push();
  solver.add(all_of(c, small));
  if (solver.check() != z3::sat) {
    solver.pop();
    solver.check();
  }
  const z3::model m = solver.get_model();
  result.obligation = "Inv /\\ Next => Inv'";
  result.action = instances[ground_int(m.eval(selector, true))].label;
  result.before = decode(layout, read_values(m, layout, v));
  result.after = decode(layout, read_values(m, layout, p));
  result.violated = violated_parts(m, p);
  result.description = "counterexample to induction:\n  state:  " + describe(result.before) +
                       "\n  action: " + result.action + "\n  next:   " + describe(result.after) + "\n  violates " +
                       join(result.violated);
  return result;
}

}  // namespace crosscheck::spec::raft
