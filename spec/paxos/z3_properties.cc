#include "spec/paxos/z3_properties.h"

#include <z3++.h>

#include <optional>
#include <stdexcept>

#include "spec/common/z3_ground.h"

namespace crosscheck::spec::paxos {
namespace {

using Terms = std::vector<z3::expr>;

std::string acceptor_name(int a) { return "a" + std::to_string(a + 1); }
std::string value_name(int v) { return v == kNone ? "None" : "v" + std::to_string(v); }

// Where each variable of a state stands in a Terms vector: maxBal, maxVBal
// and maxVal of every acceptor, then one Bool per record of the universe.
class Layout {
 public:
  explicit Layout(const Universe& u) : u_(u) {}
  const Universe& universe() const { return u_; }
  int n() const { return u_.acceptors(); }
  int max_bal(int a) const { return a; }
  int max_vbal(int a) const { return n() + a; }
  int max_val(int a) const { return 2 * n() + a; }
  int msg(int record) const { return 3 * n() + record; }
  int size() const { return 3 * n() + u_.size(); }
  bool is_bool(int x) const { return x >= 3 * n(); }

 private:
  Universe u_;
};

// Each record's name, as TLA+ would print its fields.
std::vector<std::string> record_names(const Universe& u) {
  std::vector<std::string> names(u.size());
  for (int b = 0; b <= u.max_ballot(); ++b) {
    const std::string bal = std::to_string(b);
    names[u.one_a(b)] = "1a(" + bal + ")";
    for (int v = 1; v <= u.values(); ++v) names[u.two_a(b, v)] = "2a(" + bal + "," + value_name(v) + ")";
    for (int a = 0; a < u.acceptors(); ++a) {
      for (int v = 1; v <= u.values(); ++v) {
        names[u.two_b(a, b, v)] = "2b(" + acceptor_name(a) + "," + bal + "," + value_name(v) + ")";
      }
      for (int mbal = kNoBallot; mbal <= u.max_ballot(); ++mbal) {
        for (int mval = kNone; mval <= u.values(); ++mval) {
          names[u.one_b(a, b, mbal, mval)] = "1b(" + acceptor_name(a) + "," + bal + "," + std::to_string(mbal) + "," +
                                             value_name(mval) + ")";
        }
      }
    }
  }
  return names;
}

Terms symbolic(z3::context& c, const Layout& l, const std::string& prime) {
  Terms t;
  for (const char* variable : {"maxBal", "maxVBal", "maxVal"}) {
    for (int a = 0; a < l.n(); ++a) {
      t.push_back(c.int_const((std::string(variable) + "[" + acceptor_name(a) + "]" + prime).c_str()));
    }
  }
  for (const std::string& name : record_names(l.universe())) t.push_back(c.bool_const(("msgs:" + name + prime).c_str()));
  return t;
}

// A state encodes when every msgs bit it has is a record of the universe
// and the acceptors beyond the configuration's hold their initial values
// (neither has a variable).
void check_encodable(const Layout& l, const State& s) {
  for (int index = l.universe().size(); index < 512; ++index) {
    if (s.msgs.contains(index)) throw std::invalid_argument("the state has a message outside the configuration");
  }
  const State initial;
  for (int a = l.n(); a < kMaxAcceptors; ++a) {
    if (s.max_bal[a] != initial.max_bal[a] || s.max_vbal[a] != initial.max_vbal[a] ||
        s.max_val[a] != initial.max_val[a]) {
      throw std::invalid_argument("the state has an acceptor outside the configuration");
    }
  }
}

std::vector<int> encode(const Layout& l, const State& s) {
  check_encodable(l, s);
  std::vector<int> values(l.size());
  for (int a = 0; a < l.n(); ++a) {
    values[l.max_bal(a)] = s.max_bal[a];
    values[l.max_vbal(a)] = s.max_vbal[a];
    values[l.max_val(a)] = s.max_val[a];
  }
  for (int record = 0; record < l.universe().size(); ++record) values[l.msg(record)] = s.msgs.contains(record);
  return values;
}

State decode(const Layout& l, const std::vector<int>& values) {
  State s;
  auto small = [](int value) {
    if (value < -128 || value > 127) throw std::runtime_error("a value does not fit the C++ state");
    return static_cast<int8_t>(value);
  };
  for (int a = 0; a < l.n(); ++a) {
    s.max_bal[a] = small(values[l.max_bal(a)]);
    s.max_vbal[a] = small(values[l.max_vbal(a)]);
    s.max_val[a] = small(values[l.max_val(a)]);
  }
  for (int record = 0; record < l.universe().size(); ++record) {
    if (values[l.msg(record)]) s.msgs.insert(record);
  }
  return s;
}

// Paxos.tla's and Voting.tla's definitions over one state's terms.
class Formulas {
 public:
  Formulas(z3::context& c, const PaxosModel& model, const Layout& l, const Terms& v)
      : c_(c), model_(model), l_(l), u_(l.universe()), v_(v) {}

  z3::expr max_bal(int a) const { return v_[l_.max_bal(a)]; }
  z3::expr max_vbal(int a) const { return v_[l_.max_vbal(a)]; }
  z3::expr max_val(int a) const { return v_[l_.max_val(a)]; }
  z3::expr sent(int record) const { return v_[l_.msg(record)]; }

  // VotedFor(a, b, v): [type |-> "2b", acc |-> a, bal |-> b, val |-> v] \in msgs.
  z3::expr voted_for(int a, int b, int v) const { return sent(u_.two_b(a, b, v)); }
  // <<b, v>> \in votes[a] for a pair of constants: votes hold Values only.
  z3::expr in_votes(int a, int b, int v) const { return v == kNone ? c_.bool_val(false) : voted_for(a, b, v); }

  z3::expr did_not_vote_at(int a, int b) const {
    std::vector<z3::expr> none;
    for (int v = 1; v <= u_.values(); ++v) none.push_back(!voted_for(a, b, v));
    return all_of(c_, none);
  }

  // f(a) for each member a of the quorum.
  template <class F>
  std::vector<z3::expr> members(uint32_t quorum, F&& f) const {
    std::vector<z3::expr> parts;
    for (int a = 0; a < l_.n(); ++a) {
      if (quorum & (1u << a)) parts.push_back(f(a));
    }
    return parts;
  }

  template <class F>
  z3::expr every_member(uint32_t quorum, F&& f) const {
    return all_of(c_, members(quorum, f));
  }

  template <class F>
  z3::expr some_member(uint32_t quorum, F&& f) const {
    return any_of(c_, members(quorum, f));
  }

  template <class F>
  z3::expr some_quorum(F&& f) const {
    std::vector<z3::expr> parts;
    for (uint32_t q : model_.quorums()) parts.push_back(f(q));
    return any_of(c_, parts);
  }

  // Voting's ShowsSafeAt(Q, b, v).
  z3::expr shows_safe_at(uint32_t q, int b, int v) const {
    std::vector<z3::expr> witnesses;
    for (int c = kNoBallot; c <= b - 1; ++c) {
      const z3::expr voted_v =
          c == kNoBallot ? c_.bool_val(true) : some_member(q, [&](int a) { return voted_for(a, c, v); });
      std::vector<z3::expr> silent;
      for (int d = c + 1; d <= b - 1; ++d) silent.push_back(every_member(q, [&](int a) { return did_not_vote_at(a, d); }));
      witnesses.push_back(voted_v && all_of(c_, silent));
    }
    return every_member(q, [&](int a) { return max_bal(a) >= b; }) && any_of(c_, witnesses);
  }

  // Voting's SafeAt(b, v): \A c \in 0..(b-1) : NoneOtherChoosableAt(c, v).
  z3::expr safe_at(int b, int v) const {
    std::vector<z3::expr> parts;
    for (int c = 0; c <= b - 1; ++c) {
      parts.push_back(some_quorum([&](uint32_t q) {
        return every_member(q, [&](int a) { return voted_for(a, c, v) || (max_bal(a) > c && did_not_vote_at(a, c)); });
      }));
    }
    return all_of(c_, parts);
  }

  // Voting's chosen: some quorum voted for v in one ballot.
  z3::expr chosen(int v) const {
    std::vector<z3::expr> ballots;
    for (int b = 0; b <= u_.max_ballot(); ++b) {
      ballots.push_back(some_quorum([&](uint32_t q) { return every_member(q, [&](int a) { return voted_for(a, b, v); }); }));
    }
    return any_of(c_, ballots);
  }

  z3::expr agreement() const {
    std::vector<z3::expr> parts;
    for (int v = 1; v <= u_.values(); ++v) {
      for (int w = v + 1; w <= u_.values(); ++w) parts.push_back(!(chosen(v) && chosen(w)));
    }
    return all_of(c_, parts);
  }

  z3::expr validity() const {
    std::vector<z3::expr> parts;
    for (int v = 1; v <= u_.values(); ++v) {
      std::vector<z3::expr> proposed;
      for (int b = 0; b <= u_.max_ballot(); ++b) proposed.push_back(sent(u_.two_a(b, v)));
      parts.push_back(z3::implies(chosen(v), any_of(c_, proposed)));
    }
    return all_of(c_, parts);
  }

  // TypeOK. msgs \subseteq Message holds by construction: there is a
  // variable for each record of Message and for nothing else.
  z3::expr type_ok() const {
    std::vector<z3::expr> parts;
    for (int a = 0; a < l_.n(); ++a) {
      parts.push_back(max_bal(a) >= kNoBallot && max_bal(a) <= u_.max_ballot());
      parts.push_back(max_vbal(a) >= kNoBallot && max_vbal(a) <= u_.max_ballot());
      parts.push_back(max_val(a) >= kNone && max_val(a) <= u_.values());
    }
    return all_of(c_, parts);
  }

  // IF maxVBal[a] = -1 THEN maxVal[a] = None ELSE <<maxVBal[a], maxVal[a]>> \in votes[a]
  z3::expr last_vote_cast() const {
    std::vector<z3::expr> parts;
    for (int a = 0; a < l_.n(); ++a) {
      std::vector<z3::expr> votes;
      for (int b = 0; b <= u_.max_ballot(); ++b) {
        for (int v = 1; v <= u_.values(); ++v) votes.push_back(max_vbal(a) == b && max_val(a) == v && voted_for(a, b, v));
      }
      parts.push_back(z3::ite(max_vbal(a) == kNoBallot, max_val(a) == kNone, any_of(c_, votes)));
    }
    return all_of(c_, parts);
  }

  // m.type = "1b" => maxBal[m.acc] >= m.bal /\ (m.mbal >= 0 => <<m.mbal, m.mval>> \in votes[m.acc])
  z3::expr one_b_messages() const {
    std::vector<z3::expr> parts;
    for (int a = 0; a < l_.n(); ++a) {
      for (int b = 0; b <= u_.max_ballot(); ++b) {
        for (int mbal = kNoBallot; mbal <= u_.max_ballot(); ++mbal) {
          for (int mval = kNone; mval <= u_.values(); ++mval) {
            const z3::expr reported = mbal >= 0 ? in_votes(a, mbal, mval) : c_.bool_val(true);
            parts.push_back(z3::implies(sent(u_.one_b(a, b, mbal, mval)), max_bal(a) >= b && reported));
          }
        }
      }
    }
    return all_of(c_, parts);
  }

  // m.type = "2a" => (\E Q : ShowsSafeAt(Q, m.bal, m.val)) /\ no other 2a of m.bal
  z3::expr two_a_messages() const {
    std::vector<z3::expr> parts;
    for (int b = 0; b <= u_.max_ballot(); ++b) {
      for (int v = 1; v <= u_.values(); ++v) {
        std::vector<z3::expr> unique;
        for (int w = 1; w <= u_.values(); ++w) {
          if (w != v) unique.push_back(!sent(u_.two_a(b, w)));
        }
        parts.push_back(z3::implies(sent(u_.two_a(b, v)),
                                    some_quorum([&](uint32_t q) { return shows_safe_at(q, b, v); }) && all_of(c_, unique)));
      }
    }
    return all_of(c_, parts);
  }

  // Voting's Inv without its TypeOK (conjunct 1 covers it): VotesSafe /\ OneValuePerBallot.
  z3::expr voting_inv() const {
    std::vector<z3::expr> parts;
    for (int a = 0; a < l_.n(); ++a) {
      for (int b = 0; b <= u_.max_ballot(); ++b) {
        for (int v = 1; v <= u_.values(); ++v) {
          parts.push_back(z3::implies(voted_for(a, b, v), safe_at(b, v)));
          for (int a2 = 0; a2 < l_.n(); ++a2) {
            for (int w = v + 1; w <= u_.values(); ++w) parts.push_back(!(voted_for(a, b, v) && voted_for(a2, b, w)));
          }
        }
      }
    }
    return all_of(c_, parts);
  }

  // S6..S9 (the header).
  z3::expr strengthening(int conjunct) const {
    std::vector<z3::expr> parts;
    for (int a = 0; a < l_.n(); ++a) {
      if (conjunct == 6) parts.push_back(max_bal(a) >= max_vbal(a));
      for (int b = 0; b <= u_.max_ballot(); ++b) {
        for (int v = 1; v <= u_.values(); ++v) {
          if (conjunct == 7) parts.push_back(z3::implies(voted_for(a, b, v), max_vbal(a) >= b));
          if (conjunct == 8) parts.push_back(z3::implies(voted_for(a, b, v), sent(u_.two_a(b, v))));
        }
        if (conjunct != 9) continue;
        for (int mbal = kNoBallot; mbal <= u_.max_ballot(); ++mbal) {
          std::vector<z3::expr> silent;
          for (int c = mbal + 1; c <= b - 1; ++c) silent.push_back(did_not_vote_at(a, c));
          for (int mval = kNone; mval <= u_.values(); ++mval) {
            parts.push_back(z3::implies(sent(u_.one_b(a, b, mbal, mval)), all_of(c_, silent)));
          }
        }
      }
    }
    return all_of(c_, parts);
  }

  z3::expr conjunct(int i) const {
    switch (i) {
      case 1: return type_ok();
      case 2: return last_vote_cast();
      case 3: return one_b_messages();
      case 4: return two_a_messages();
      case 5: return voting_inv();
      default: return strengthening(i);
    }
  }

  z3::expr invariant(uint32_t conjuncts) const {
    std::vector<z3::expr> parts;
    for (int i = 1; i <= kAllConjuncts; ++i) {
      if (conjuncts >> (i - 1) & 1u) parts.push_back(conjunct(i));
    }
    return all_of(c_, parts);
  }

  z3::expr property(Property p) const { return p == Property::kAgreement ? agreement() : validity(); }

  // Init: maxBal = maxVBal = -1, maxVal = None, msgs = {}.
  z3::expr init() const {
    std::vector<z3::expr> parts;
    for (int a = 0; a < l_.n(); ++a) {
      parts.push_back(max_bal(a) == kNoBallot && max_vbal(a) == kNoBallot && max_val(a) == kNone);
    }
    for (int record = 0; record < u_.size(); ++record) parts.push_back(!sent(record));
    return all_of(c_, parts);
  }

 private:
  z3::context& c_;
  const PaxosModel& model_;
  const Layout& l_;
  const Universe& u_;
  const Terms& v_;
};

// One action instance: its enabling condition and the variables it
// assigns, each as a term over the current state; every other variable is
// UNCHANGED.
struct Instance {
  std::string label;
  z3::expr guard;
  std::vector<std::pair<int, z3::expr>> updates;
};

// Next, one instance per action and choice of its parameters (the message
// Phase1b and Phase2b receive), in the order PaxosModel::successors lists
// them. Send(m) is m's Bool becoming true.
std::vector<Instance> instances(z3::context& c, const PaxosModel& model, const Layout& l, const Terms& v) {
  using Kind = Action::Kind;
  const Formulas f(c, model, l, v);
  const Universe& u = l.universe();
  auto label = [&](Kind kind, int b, int a, int value) {
    return model.action_label({kind, static_cast<int8_t>(b), static_cast<int8_t>(a), static_cast<int8_t>(value)});
  };
  std::vector<Instance> out;
  for (int b = 0; b <= u.max_ballot(); ++b) {
    out.push_back({label(Kind::kPhase1a, b, 0, 0), c.bool_val(true), {{l.msg(u.one_a(b)), c.bool_val(true)}}});
    std::vector<z3::expr> no_2a;
    for (int w = 1; w <= u.values(); ++w) no_2a.push_back(!f.sent(u.two_a(b, w)));
    for (int value = 1; value <= u.values(); ++value) {
      // Q1b: the 1b messages of ballot b from Q; Q1bv: those that report a
      // vote. Every member of Q sent one, and Q1bv is empty or its
      // highest-ballot message reports `value`.
      const z3::expr quorum_ready = f.some_quorum([&](uint32_t q) {
        const z3::expr answered = f.every_member(q, [&](int a) {
          std::vector<z3::expr> any;
          for (int mbal = kNoBallot; mbal <= u.max_ballot(); ++mbal) {
            for (int mval = kNone; mval <= u.values(); ++mval) any.push_back(f.sent(u.one_b(a, b, mbal, mval)));
          }
          return any_of(c, any);
        });
        auto reported_at_or_above = [&](int lowest) {
          std::vector<z3::expr> reports;
          for (int a = 0; a < l.n(); ++a) {
            if (!(q & (1u << a))) continue;
            for (int mbal = std::max(lowest, 0); mbal <= u.max_ballot(); ++mbal) {
              for (int mval = kNone; mval <= u.values(); ++mval) reports.push_back(f.sent(u.one_b(a, b, mbal, mval)));
            }
          }
          return any_of(c, reports);
        };
        std::vector<z3::expr> highest_is_value;
        for (int a = 0; a < l.n(); ++a) {
          if (!(q & (1u << a))) continue;
          for (int mbal = 0; mbal <= u.max_ballot(); ++mbal) {
            highest_is_value.push_back(f.sent(u.one_b(a, b, mbal, value)) && !reported_at_or_above(mbal + 1));
          }
        }
        return answered && (!reported_at_or_above(0) || any_of(c, highest_is_value));
      });
      out.push_back({label(Kind::kPhase2a, b, 0, value), all_of(c, no_2a) && quorum_ready,
                     {{l.msg(u.two_a(b, value)), c.bool_val(true)}}});
    }
  }
  for (int a = 0; a < l.n(); ++a) {
    for (int b = 0; b <= u.max_ballot(); ++b) {
      Instance phase1b{label(Kind::kPhase1b, b, a, 0), f.sent(u.one_a(b)) && f.max_bal(a) < b,
                       {{l.max_bal(a), c.int_val(b)}}};
      for (int mbal = kNoBallot; mbal <= u.max_ballot(); ++mbal) {
        for (int mval = kNone; mval <= u.values(); ++mval) {
          const int record = u.one_b(a, b, mbal, mval);
          phase1b.updates.emplace_back(l.msg(record),
                                       f.sent(record) || (f.max_vbal(a) == mbal && f.max_val(a) == mval));
        }
      }
      out.push_back(std::move(phase1b));
    }
    for (int b = 0; b <= u.max_ballot(); ++b) {
      for (int value = 1; value <= u.values(); ++value) {
        out.push_back({label(Kind::kPhase2b, b, a, value),
                       f.sent(u.two_a(b, value)) && f.max_bal(a) <= b,
                       {{l.max_bal(a), c.int_val(b)},
                        {l.max_vbal(a), c.int_val(b)},
                        {l.max_val(a), c.int_val(value)},
                        {l.msg(u.two_b(a, b, value)), c.bool_val(true)}}});
      }
    }
  }
  return out;
}

// guard /\ x' = update for the assigned x /\ UNCHANGED the rest.
z3::expr step_formula(z3::context& c, const Layout& l, const Terms& v, const Terms& p, const Instance& instance) {
  std::vector<bool> assigned(l.size());
  std::vector<z3::expr> parts{instance.guard};
  for (const auto& [x, value] : instance.updates) {
    assigned[x] = true;
    parts.push_back(p[x] == value);
  }
  for (int x = 0; x < l.size(); ++x) {
    if (!assigned[x]) parts.push_back(p[x] == v[x]);
  }
  return all_of(c, parts);
}

z3::expr next_formula(z3::context& c, const Layout& l, const Terms& v, const Terms& p,
                      const std::vector<Instance>& all) {
  std::vector<z3::expr> steps;
  for (const Instance& instance : all) steps.push_back(step_formula(c, l, v, p, instance));
  return any_of(c, steps);
}

// Gives each variable of `terms` its value from `values`: evaluating a
// formula in such a model is a substitution, and cheaper than one.
void interpret(z3::context& c, z3::model& model, const Layout& l, const Terms& terms, const std::vector<int>& values) {
  for (int x = 0; x < l.size(); ++x) {
    z3::func_decl variable = terms[x].decl();
    z3::expr value = l.is_bool(x) ? c.bool_val(values[x] != 0) : c.int_val(values[x]);
    model.add_const_interp(variable, value);
  }
}

std::vector<int> read_values(const z3::model& model, const Layout& l, const Terms& terms) {
  std::vector<int> values(l.size());
  for (int x = 0; x < l.size(); ++x) values[x] = ground_int(model.eval(terms[x], true));
  return values;
}

std::string join(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

std::vector<std::string> violated_conjuncts(const z3::model& m, const Formulas& f, uint32_t conjuncts) {
  std::vector<std::string> names;
  for (int i = 1; i <= kAllConjuncts; ++i) {
    if ((conjuncts >> (i - 1) & 1u) && m.eval(f.conjunct(i), true).is_false()) names.push_back(conjunct_name(i));
  }
  return names;
}

// Z3 may pick any Ints where TypeOK does not bound them; asks for a model
// whose Ints are small enough for a State, if there is one.
z3::model small_model(z3::context& c, z3::solver& solver, const Layout& l, const std::vector<const Terms*>& states) {
  std::vector<z3::expr> small;
  for (const Terms* terms : states) {
    for (int x = 0; x < l.size(); ++x) {
      if (!l.is_bool(x)) small.push_back((*terms)[x] >= -8 && (*terms)[x] <= 8);
    }
  }
  solver.push();
  solver.add(all_of(c, small));
  if (solver.check() != z3::sat) throw std::runtime_error("no counterexample with values that fit a State");
  z3::model model = solver.get_model();
  solver.pop();
  return model;
}

void check_conjunct(int conjunct) {
  if (conjunct < 1 || conjunct > kAllConjuncts) {
    throw std::invalid_argument("conjuncts are numbered 1.." + std::to_string(kAllConjuncts));
  }
}

}  // namespace

const std::string& conjunct_text(int conjunct) {
  check_conjunct(conjunct);
  static const std::vector<std::string> texts = {
      "TypeOK",
      R"(\A a : IF maxVBal[a] = -1 THEN maxVal[a] = None ELSE <<maxVBal[a], maxVal[a]>> \in votes[a])",
      R"(\A m \in msgs : m.type = "1b" => maxBal[m.acc] >= m.bal /\ (m.mbal >= 0 => <<m.mbal, m.mval>> \in votes[m.acc]))",
      R"(\A m \in msgs : m.type = "2a" => (\E Q \in Quorum : V!ShowsSafeAt(Q, m.bal, m.val)) /\ no other 2a of m.bal)",
      R"(V!Inv: VotesSafe /\ OneValuePerBallot)",
      R"(\A a : maxBal[a] >= maxVBal[a])",
      R"(\A m \in msgs : m.type = "2b" => maxVBal[m.acc] >= m.bal)",
      R"(\A m \in msgs : m.type = "2b" => [type |-> "2a", bal |-> m.bal, val |-> m.val] \in msgs)",
      R"(\A m \in msgs : m.type = "1b" => \A c \in (m.mbal+1)..(m.bal-1) : V!DidNotVoteAt(m.acc, c))",
  };
  return texts[conjunct - 1];
}

std::string conjunct_name(int conjunct) {
  check_conjunct(conjunct);
  if (conjunct == 1) return "TypeOK";
  return (conjunct <= kInvConjuncts ? "Inv" : "S") + std::to_string(conjunct);
}

bool cpp_conjunct(const PaxosModel& model, const State& s, int conjunct) {
  check_conjunct(conjunct);
  return conjunct <= kInvConjuncts ? model.inv_conjunct(s, conjunct) : model.strengthening_conjunct(s, conjunct);
}

bool cpp_invariant(const PaxosModel& model, const State& s, uint32_t conjuncts) {
  for (int i = 1; i <= kAllConjuncts; ++i) {
    if ((conjuncts >> (i - 1) & 1u) && !cpp_conjunct(model, s, i)) return false;
  }
  return true;
}

std::string to_string(Property property) { return property == Property::kAgreement ? "Agreement" : "Validity"; }

bool cpp_holds(const PaxosModel& model, const State& s, Property property) {
  return property == Property::kAgreement ? model.agreement(s) : model.validity(s);
}

struct Z3Paxos::Impl {
  explicit Impl(const Config& config)
      : model(config),
        layout(model.universe()),
        v(symbolic(c, layout, "")),
        p(symbolic(c, layout, "'")),
        formulas(c, model, layout, v),
        all(instances(c, model, layout, v)),
        next(next_formula(c, layout, v, p, all)) {
    for (int i = 1; i <= kAllConjuncts; ++i) conjuncts.push_back(formulas.conjunct(i));
    properties = {formulas.agreement(), formulas.validity()};
  }

  z3::model valuation(const State& s) {
    z3::model model(c);
    interpret(c, model, layout, v, encode(layout, s));
    return model;
  }

  PaxosModel model;
  z3::context c;
  Layout layout;
  Terms v;
  Terms p;
  Formulas formulas;
  std::vector<Instance> all;
  z3::expr next;
  std::vector<z3::expr> conjuncts;   // [i - 1]: conjunct i
  std::vector<z3::expr> properties;  // by Property
  std::optional<State> next_from;    // next_after is Next from this state
  z3::expr next_after{c};
};

Z3Paxos::Z3Paxos(const Config& config) : impl_(std::make_unique<Impl>(config)) {}
Z3Paxos::~Z3Paxos() = default;
Z3Paxos::Z3Paxos(Z3Paxos&&) noexcept = default;
Z3Paxos& Z3Paxos::operator=(Z3Paxos&&) noexcept = default;

const PaxosModel& Z3Paxos::model() const { return impl_->model; }

bool Z3Paxos::holds(Property property, const State& s) {
  return ground_truth(impl_->valuation(s).eval(impl_->properties[static_cast<int>(property)], true));
}

bool Z3Paxos::holds_conjunct(int conjunct, const State& s) {
  check_conjunct(conjunct);
  return ground_truth(impl_->valuation(s).eval(impl_->conjuncts[conjunct - 1], true));
}

bool Z3Paxos::holds_invariant(uint32_t conjuncts, const State& s) {
  const z3::model model = impl_->valuation(s);
  for (int i = 1; i <= kAllConjuncts; ++i) {
    if ((conjuncts >> (i - 1) & 1u) && !ground_truth(model.eval(impl_->conjuncts[i - 1], true))) return false;
  }
  return true;
}

std::vector<std::pair<std::string, State>> Z3Paxos::successors(const State& s) {
  Impl& z = *impl_;
  const std::vector<int> values = encode(z.layout, s);
  const z3::model current = z.valuation(s);
  std::vector<std::pair<std::string, State>> out;
  for (const Instance& instance : z.all) {
    if (!ground_truth(current.eval(instance.guard, true))) continue;
    std::vector<int> next = values;
    for (const auto& [x, value] : instance.updates) next[x] = ground_int(current.eval(value, true));
    out.emplace_back(instance.label, decode(z.layout, next));
  }
  return out;
}

bool Z3Paxos::next_holds(const State& from, const State& to) {
  Impl& z = *impl_;
  // Callers ask about many successors of one state: Next with that state's
  // values substituted simplifies to a formula over the primed variables a
  // fraction of its size, kept for the next call.
  if (!z.next_from || *z.next_from != from) {
    z.next_after = z.valuation(from).eval(z.next, false).simplify();
    z.next_from = from;
  }
  z3::model model(z.c);
  interpret(z.c, model, z.layout, z.p, encode(z.layout, to));
  return ground_truth(model.eval(z.next_after, true));
}

InductionResult check_inductive(const Config& config, uint32_t conjuncts) {
  const PaxosModel model(config);
  conjuncts &= kInductiveInv;
  z3::context c;
  const Layout l(model.universe());
  const Terms v = symbolic(c, l, "");
  const Terms p = symbolic(c, l, "'");
  const Formulas now(c, model, l, v);
  const Formulas then(c, model, l, p);
  InductionResult result;
  {
    z3::solver solver(c);
    solver.add(now.init() && !now.invariant(conjuncts));
    if (solver.check() != z3::unsat) {
      const z3::model m = solver.get_model();
      result.obligation = "Init => Inv";
      result.before = decode(l, read_values(m, l, v));
      result.violated = violated_conjuncts(m, now, conjuncts);
      result.description =
          "the initial state " + model.state_json(result.before).dump() + " violates " + join(result.violated);
      return result;
    }
  }
  const std::vector<Instance> all = instances(c, model, l, v);
  z3::solver solver(c);
  solver.add(now.invariant(conjuncts));
  solver.add(next_formula(c, l, v, p, all));
  solver.add(!then.invariant(conjuncts));
  const z3::check_result verdict = solver.check();
  if (verdict == z3::unknown) throw std::runtime_error("Z3 returned unknown on Inv /\\ Next => Inv'");
  if (verdict == z3::unsat) {
    result.proved = true;
    return result;
  }
  const z3::model m = small_model(c, solver, l, {&v, &p});
  result.obligation = "Inv /\\ Next => Inv'";
  for (const Instance& instance : all) {
    if (m.eval(step_formula(c, l, v, p, instance), true).is_true()) {
      result.action = instance.label;
      break;
    }
  }
  result.before = decode(l, read_values(m, l, v));
  result.after = decode(l, read_values(m, l, p));
  result.violated = violated_conjuncts(m, then, conjuncts);
  result.description = "counterexample to induction:\n  state:  " + model.state_json(result.before).dump() +
                       "\n  action: " + result.action + "\n  next:   " + model.state_json(result.after).dump() +
                       "\n  violates " + join(result.violated);
  return result;
}

namespace {

// Inv => the formula `conclusion` builds, named `name` in reports.
template <class Conclusion>
ImplicationResult check_implication(const Config& config, uint32_t conjuncts, const std::string& name,
                                    Conclusion conclusion) {
  const PaxosModel model(config);
  conjuncts &= kInductiveInv;
  z3::context c;
  const Layout l(model.universe());
  const Terms v = symbolic(c, l, "");
  const Formulas f(c, model, l, v);
  z3::solver solver(c);
  solver.add(f.invariant(conjuncts) && !conclusion(f));
  const z3::check_result verdict = solver.check();
  if (verdict == z3::unknown) throw std::runtime_error("Z3 returned unknown on Inv => " + name);
  ImplicationResult result;
  if (verdict == z3::unsat) {
    result.proved = true;
    return result;
  }
  const z3::model m = small_model(c, solver, l, {&v});
  result.counterexample = decode(l, read_values(m, l, v));
  result.description =
      "a state satisfying Inv that violates " + name + ": " + model.state_json(result.counterexample).dump();
  return result;
}

}  // namespace

ImplicationResult check_implies(const Config& config, uint32_t conjuncts, Property property) {
  return check_implication(config, conjuncts, to_string(property),
                           [&](const Formulas& f) { return f.property(property); });
}

ImplicationResult check_implies_conjunct(const Config& config, uint32_t conjuncts, int conjunct) {
  check_conjunct(conjunct);
  return check_implication(config, conjuncts, conjunct_name(conjunct),
                           [&](const Formulas& f) { return f.conjunct(conjunct); });
}

}  // namespace crosscheck::spec::paxos
