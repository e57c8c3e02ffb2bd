#include "spec/paxos/z3_encoding.h"

#include <algorithm>
#include <stdexcept>

namespace crosscheck::spec::paxos::detail {
namespace {

std::string acceptor_name(int a) { return "a" + std::to_string(a + 1); }
std::string value_name(int v) { return v == kNone ? "None" : "v" + std::to_string(v); }

// Each record's name, as TLA+ would print its fields.
std::vector<std::string> record_names(const Universe& u) {
  std::vector<std::string> names(u.size());
  for (int b = 0; b <= u.max_ballot(); ++b) {
    const std::string bal = std::to_string(b);
    names[u.one_a(b)] = "1a(" + bal + ")";
    for (int v = 1; v <= u.values(); ++v) {
      names[u.two_a(b, v)] = "2a(" + bal + "," + value_name(v) + ")";
    }
    for (int a = 0; a < u.acceptors(); ++a) {
      for (int v = 1; v <= u.values(); ++v) {
        names[u.two_b(a, b, v)] = "2b(" + acceptor_name(a) + "," + bal + "," + value_name(v) + ")";
      }
      for (int mbal = kNoBallot; mbal <= u.max_ballot(); ++mbal) {
        for (int mval = kNone; mval <= u.values(); ++mval) {
          names[u.one_b(a, b, mbal, mval)] = "1b(" + acceptor_name(a) + "," + bal + "," +
                                             std::to_string(mbal) + "," + value_name(mval) + ")";
        }
      }
    }
  }
  return names;
}

// A state encodes when every msgs bit it has is a record of the universe
// and the acceptors beyond the configuration's hold their initial values
// (neither has a variable).
void check_encodable(const Layout& l, const State& s) {
  for (int index = l.universe().size(); index < 512; ++index) {
    if (s.msgs.contains(index)) {
      throw std::invalid_argument("the state has a message outside the configuration");
    }
  }
  const State initial;
  for (int a = l.n(); a < kMaxAcceptors; ++a) {
    if (s.max_bal[a] != initial.max_bal[a] || s.max_vbal[a] != initial.max_vbal[a] ||
        s.max_val[a] != initial.max_val[a]) {
      throw std::invalid_argument("the state has an acceptor outside the configuration");
    }
  }
}

}  // namespace

Terms symbolic(z3::context& c, const Layout& l, const std::string& prime) {
  Terms t;
  for (const char* variable : {"maxBal", "maxVBal", "maxVal"}) {
    for (int a = 0; a < l.n(); ++a) {
      t.push_back(
          c.int_const((std::string(variable) + "[" + acceptor_name(a) + "]" + prime).c_str()));
    }
  }
  for (const std::string& name : record_names(l.universe())) {
    t.push_back(c.bool_const(("msgs:" + name + prime).c_str()));
  }
  return t;
}

std::vector<int> encode(const Layout& l, const State& s) {
  check_encodable(l, s);
  std::vector<int> values(l.size());
  for (int a = 0; a < l.n(); ++a) {
    values[l.max_bal(a)] = s.max_bal[a];
    values[l.max_vbal(a)] = s.max_vbal[a];
    values[l.max_val(a)] = s.max_val[a];
  }
  for (int record = 0; record < l.universe().size(); ++record) {
    values[l.msg(record)] = s.msgs.contains(record);
  }
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

z3::expr Formulas::did_not_vote_at(int a, int b) const {
  std::vector<z3::expr> none;
  for (int v = 1; v <= u_.values(); ++v) none.push_back(!voted_for(a, b, v));
  return all_of(c_, none);
}

z3::expr Formulas::shows_safe_at(uint32_t q, int b, int v) const {
  std::vector<z3::expr> witnesses;
  for (int c = kNoBallot; c <= b - 1; ++c) {
    const z3::expr voted_v = c == kNoBallot
                                 ? c_.bool_val(true)
                                 : some_member(q, [&](int a) { return voted_for(a, c, v); });
    std::vector<z3::expr> silent;
    for (int d = c + 1; d <= b - 1; ++d) {
      silent.push_back(every_member(q, [&](int a) { return did_not_vote_at(a, d); }));
    }
    witnesses.push_back(voted_v && all_of(c_, silent));
  }
  return every_member(q, [&](int a) { return max_bal(a) >= b; }) && any_of(c_, witnesses);
}

z3::expr Formulas::safe_at(int b, int v) const {
  std::vector<z3::expr> parts;
  for (int c = 0; c <= b - 1; ++c) {
    parts.push_back(some_quorum([&](uint32_t q) {
      return every_member(q, [&](int a) {
        return voted_for(a, c, v) || (max_bal(a) > c && did_not_vote_at(a, c));
      });
    }));
  }
  return all_of(c_, parts);
}

z3::expr Formulas::chosen(int v) const {
  std::vector<z3::expr> ballots;
  for (int b = 0; b <= u_.max_ballot(); ++b) {
    ballots.push_back(some_quorum(
        [&](uint32_t q) { return every_member(q, [&](int a) { return voted_for(a, b, v); }); }));
  }
  return any_of(c_, ballots);
}

z3::expr Formulas::agreement() const {
  std::vector<z3::expr> parts;
  for (int v = 1; v <= u_.values(); ++v) {
    for (int w = v + 1; w <= u_.values(); ++w) parts.push_back(!(chosen(v) && chosen(w)));
  }
  return all_of(c_, parts);
}

z3::expr Formulas::validity() const {
  std::vector<z3::expr> parts;
  for (int v = 1; v <= u_.values(); ++v) {
    std::vector<z3::expr> proposed;
    for (int b = 0; b <= u_.max_ballot(); ++b) proposed.push_back(sent(u_.two_a(b, v)));
    parts.push_back(z3::implies(chosen(v), any_of(c_, proposed)));
  }
  return all_of(c_, parts);
}

z3::expr Formulas::type_ok() const {
  std::vector<z3::expr> parts;
  for (int a = 0; a < l_.n(); ++a) {
    parts.push_back(max_bal(a) >= kNoBallot && max_bal(a) <= u_.max_ballot());
    parts.push_back(max_vbal(a) >= kNoBallot && max_vbal(a) <= u_.max_ballot());
    parts.push_back(max_val(a) >= kNone && max_val(a) <= u_.values());
  }
  return all_of(c_, parts);
}

z3::expr Formulas::last_vote_cast() const {
  std::vector<z3::expr> parts;
  for (int a = 0; a < l_.n(); ++a) {
    std::vector<z3::expr> votes;
    for (int b = 0; b <= u_.max_ballot(); ++b) {
      for (int v = 1; v <= u_.values(); ++v) {
        votes.push_back(max_vbal(a) == b && max_val(a) == v && voted_for(a, b, v));
      }
    }
    parts.push_back(z3::ite(max_vbal(a) == kNoBallot, max_val(a) == kNone, any_of(c_, votes)));
  }
  return all_of(c_, parts);
}

z3::expr Formulas::one_b_messages() const {
  std::vector<z3::expr> parts;
  for (int a = 0; a < l_.n(); ++a) {
    for (int b = 0; b <= u_.max_ballot(); ++b) {
      for (int mbal = kNoBallot; mbal <= u_.max_ballot(); ++mbal) {
        for (int mval = kNone; mval <= u_.values(); ++mval) {
          const z3::expr reported = mbal >= 0 ? in_votes(a, mbal, mval) : c_.bool_val(true);
          parts.push_back(
              z3::implies(sent(u_.one_b(a, b, mbal, mval)), max_bal(a) >= b && reported));
        }
      }
    }
  }
  return all_of(c_, parts);
}

z3::expr Formulas::two_a_messages() const {
  std::vector<z3::expr> parts;
  for (int b = 0; b <= u_.max_ballot(); ++b) {
    for (int v = 1; v <= u_.values(); ++v) {
      std::vector<z3::expr> unique;
      for (int w = 1; w <= u_.values(); ++w) {
        if (w != v) unique.push_back(!sent(u_.two_a(b, w)));
      }
      parts.push_back(z3::implies(
          sent(u_.two_a(b, v)),
          some_quorum([&](uint32_t q) { return shows_safe_at(q, b, v); }) && all_of(c_, unique)));
    }
  }
  return all_of(c_, parts);
}

z3::expr Formulas::voting_inv() const {
  std::vector<z3::expr> parts;
  for (int a = 0; a < l_.n(); ++a) {
    for (int b = 0; b <= u_.max_ballot(); ++b) {
      for (int v = 1; v <= u_.values(); ++v) {
        parts.push_back(z3::implies(voted_for(a, b, v), safe_at(b, v)));
        for (int a2 = 0; a2 < l_.n(); ++a2) {
          for (int w = v + 1; w <= u_.values(); ++w) {
            parts.push_back(!(voted_for(a, b, v) && voted_for(a2, b, w)));
          }
        }
      }
    }
  }
  return all_of(c_, parts);
}

z3::expr Formulas::strengthening(int conjunct) const {
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

z3::expr Formulas::conjunct(int i) const {
  switch (i) {
    case 1: return type_ok();
    case 2: return last_vote_cast();
    case 3: return one_b_messages();
    case 4: return two_a_messages();
    case 5: return voting_inv();
    default: return strengthening(i);
  }
}

z3::expr Formulas::invariant(uint32_t conjuncts) const {
  std::vector<z3::expr> parts;
  for (int i = 1; i <= kAllConjuncts; ++i) {
    if (conjuncts >> (i - 1) & 1u) parts.push_back(conjunct(i));
  }
  return all_of(c_, parts);
}

z3::expr Formulas::property(Property p) const {
  return p == Property::kAgreement ? agreement() : validity();
}

z3::expr Formulas::init() const {
  std::vector<z3::expr> parts;
  for (int a = 0; a < l_.n(); ++a) {
    parts.push_back(max_bal(a) == kNoBallot && max_vbal(a) == kNoBallot && max_val(a) == kNone);
  }
  for (int record = 0; record < u_.size(); ++record) parts.push_back(!sent(record));
  return all_of(c_, parts);
}

namespace {

// Phase2a(b, value)'s condition on the quorums. Q1b: the 1b messages of
// ballot b from Q; Q1bv: those that report a vote. Every member of Q sent
// one, and Q1bv is empty or its highest-ballot message reports `value`.
z3::expr quorum_ready(z3::context& c, const Formulas& f, const Layout& l, int b, int value) {
  const Universe& u = l.universe();
  return f.some_quorum([&](uint32_t q) {
    const z3::expr answered = f.every_member(q, [&](int a) {
      std::vector<z3::expr> any;
      for (int mbal = kNoBallot; mbal <= u.max_ballot(); ++mbal) {
        for (int mval = kNone; mval <= u.values(); ++mval) {
          any.push_back(f.sent(u.one_b(a, b, mbal, mval)));
        }
      }
      return any_of(c, any);
    });
    auto reported_at_or_above = [&](int lowest) {
      std::vector<z3::expr> reports;
      for (int a = 0; a < l.n(); ++a) {
        if (!(q & (1u << a))) continue;
        for (int mbal = std::max(lowest, 0); mbal <= u.max_ballot(); ++mbal) {
          for (int mval = kNone; mval <= u.values(); ++mval) {
            reports.push_back(f.sent(u.one_b(a, b, mbal, mval)));
          }
        }
      }
      return any_of(c, reports);
    };
    std::vector<z3::expr> highest_is_value;
    for (int a = 0; a < l.n(); ++a) {
      if (!(q & (1u << a))) continue;
      for (int mbal = 0; mbal <= u.max_ballot(); ++mbal) {
        highest_is_value.push_back(f.sent(u.one_b(a, b, mbal, value)) &&
                                   !reported_at_or_above(mbal + 1));
      }
    }
    return answered && (!reported_at_or_above(0) || any_of(c, highest_is_value));
  });
}

}  // namespace

std::vector<Instance> instances(z3::context& c, const PaxosModel& model, const Layout& l,
                                const Terms& v) {
  using Kind = Action::Kind;
  const Formulas f(c, model, l, v);
  const Universe& u = l.universe();
  auto label = [&](Kind kind, int b, int a, int value) {
    return model.action_label(
        {kind, static_cast<int8_t>(b), static_cast<int8_t>(a), static_cast<int8_t>(value)});
  };
  std::vector<Instance> out;
  for (int b = 0; b <= u.max_ballot(); ++b) {
    out.push_back({label(Kind::kPhase1a, b, 0, 0),
                   c.bool_val(true),
                   {{l.msg(u.one_a(b)), c.bool_val(true)}}});
    std::vector<z3::expr> no_2a;
    for (int w = 1; w <= u.values(); ++w) no_2a.push_back(!f.sent(u.two_a(b, w)));
    for (int value = 1; value <= u.values(); ++value) {
      out.push_back({label(Kind::kPhase2a, b, 0, value),
                     all_of(c, no_2a) && quorum_ready(c, f, l, b, value),
                     {{l.msg(u.two_a(b, value)), c.bool_val(true)}}});
    }
  }
  for (int a = 0; a < l.n(); ++a) {
    for (int b = 0; b <= u.max_ballot(); ++b) {
      Instance phase1b{label(Kind::kPhase1b, b, a, 0),
                       f.sent(u.one_a(b)) && f.max_bal(a) < b,
                       {{l.max_bal(a), c.int_val(b)}}};
      for (int mbal = kNoBallot; mbal <= u.max_ballot(); ++mbal) {
        for (int mval = kNone; mval <= u.values(); ++mval) {
          const int record = u.one_b(a, b, mbal, mval);
          phase1b.updates.emplace_back(
              l.msg(record), f.sent(record) || (f.max_vbal(a) == mbal && f.max_val(a) == mval));
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

z3::expr step_formula(z3::context& c, const Layout& l, const Terms& v, const Terms& p,
                      const Instance& instance) {
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

}  // namespace crosscheck::spec::paxos::detail
