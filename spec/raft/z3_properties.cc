#include "spec/raft/z3_properties.h"

#include <z3++.h>

#include <stdexcept>

#include "spec/common/z3_ground.h"
#include "spec/raft/z3_encoding.h"

namespace crosscheck::spec::raft {
namespace detail {

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

}  // namespace detail

namespace {

using detail::as_vector;
using detail::check_servers;
using detail::count_of;
using detail::election_safety_formula;
using detail::kHistoryTerms;
using detail::kLeader;
using detail::server_name;

// A State's variables as Z3 terms: symbolic constants, or a state's values.
// One builder makes both, so the two orders cannot drift apart.
struct PropVars {
  int n = 0;
  std::vector<z3::expr> term, role, voted, len, commit;
  std::vector<std::vector<z3::expr>> log_term, log_value;  // [i][index - 1]
  std::vector<std::vector<z3::expr>> leader;               // [t][i]
  std::vector<z3::expr>
      committed;              // committed_length, then per slot: term, value, committed-in term
  std::vector<z3::expr> all;  // every term above, in a fixed order

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

z3::expr same_entry(const PropVars& a, int i, const PropVars& b, int j, int index) {
  return a.log_term[i][index - 1] == b.log_term[j][index - 1] &&
         a.log_value[i][index - 1] == b.log_value[j][index - 1];
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
                                  index <= v.len[l] &&
                                      v.log_term[l][index - 1] == v.committed_term(index) &&
                                      v.log_value[l][index - 1] == v.committed_value(index)));
    }
  }
  return all_of(c, parts);
}

// \A i, j : \A n : n <= commitIndex[i] /\ n <= commitIndex[j] /\ n <= Len(log[i]) /\ n <=
// Len(log[j])
//     => log[i][n] = log[j][n]
z3::expr state_machine_safety_formula(z3::context& c, const PropVars& v) {
  std::vector<z3::expr> parts;
  for (int i = 0; i < v.n; ++i) {
    for (int j = i + 1; j < v.n; ++j) {
      for (int index = 1; index <= kMaxLog; ++index) {
        parts.push_back(z3::implies(
            index <= v.commit[i] && index <= v.commit[j] && index <= v.len[i] && index <= v.len[j],
            same_entry(v, i, v, j, index)));
      }
    }
  }
  return all_of(c, parts);
}

// \A n \in 1..Len(committed) : {i : ~(n <= Len(log[i]) /\ log[i][n] = committed[n].entry)}
// \notin Quorum: no quorum lacks a committed entry (with every server a
// voter; the encoding has no configuration entries)
z3::expr committed_entries_kept_formula(z3::context& c, const PropVars& v) {
  std::vector<z3::expr> parts;
  for (int index = 1; index <= kMaxLog; ++index) {
    std::vector<z3::expr> holders;
    for (int i = 0; i < v.n; ++i) {
      holders.push_back(index <= v.len[i] && v.log_term[i][index - 1] == v.committed_term(index) &&
                        v.log_value[i][index - 1] == v.committed_value(index));
    }
    parts.push_back(
        z3::implies(index <= v.committed_length(), v.n - count_of(c, holders) < quorum_size(v.n)));
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
    parts.push_back(z3::implies(
        v.role[i] == kLeader && p.role[i] == kLeader && v.term[i] == p.term[i], all_of(c, kept)));
  }
  return all_of(c, parts);
}

void check_leader_bits(const State& s, int servers) {
  for (uint8_t leaders : s.history.leaders) {
    if (leaders >> servers) {
      throw std::invalid_argument("the state has a leader beyond its " + std::to_string(servers) +
                                  " servers");
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

bool cpp_holds_step(const State& from, const State& to, int servers) {
  return leader_append_only(from, to, servers);
}

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
  if (property == Property::kLeaderAppendOnly)
    throw std::invalid_argument("LeaderAppendOnly is a property of steps");
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

}  // namespace crosscheck::spec::raft
