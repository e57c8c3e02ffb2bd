#include "spec/paxos/z3_properties.h"

#include <z3++.h>

#include <optional>
#include <stdexcept>

#include "spec/common/z3_ground.h"
#include "spec/paxos/z3_encoding.h"

namespace crosscheck::spec::paxos {
namespace {

using detail::decode;
using detail::encode;
using detail::Formulas;
using detail::Instance;
using detail::instances;
using detail::Layout;
using detail::next_formula;
using detail::step_formula;
using detail::symbolic;
using detail::Terms;

// Gives each variable of `terms` its value from `values`: evaluating a
// formula in such a model is a substitution, and cheaper than one.
void interpret(z3::context& c, z3::model& model, const Layout& l, const Terms& terms,
               const std::vector<int>& values) {
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

std::vector<std::string> violated_conjuncts(const z3::model& m, const Formulas& f,
                                            uint32_t conjuncts) {
  std::vector<std::string> names;
  for (int i = 1; i <= kAllConjuncts; ++i) {
    if ((conjuncts >> (i - 1) & 1u) && m.eval(f.conjunct(i), true).is_false())
      names.push_back(conjunct_name(i));
  }
  return names;
}

// Z3 may pick any Ints where TypeOK does not bound them; asks for a model
// whose Ints are small enough for a State, if there is one.
z3::model small_model(z3::context& c, z3::solver& solver, const Layout& l,
                      const std::vector<const Terms*>& states) {
  std::vector<z3::expr> small;
  for (const Terms* terms : states) {
    for (int x = 0; x < l.size(); ++x) {
      if (!l.is_bool(x)) small.push_back((*terms)[x] >= -8 && (*terms)[x] <= 8);
    }
  }
  solver.push();
  solver.add(all_of(c, small));
  if (solver.check() != z3::sat)
    throw std::runtime_error("no counterexample with values that fit a State");
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
      R"(\A a : IF maxVBal[a] = -1 THEN maxVal[a] = None ELSE <<maxVBal[a], maxVal[a]>> \in )"
      R"(votes[a])",
      R"(\A m \in msgs : m.type = "1b" => maxBal[m.acc] >= m.bal /\ (m.mbal >= 0 => <<m.mbal, )"
      R"(m.mval>> \in votes[m.acc]))",
      R"(\A m \in msgs : m.type = "2a" => (\E Q \in Quorum : V!ShowsSafeAt(Q, m.bal, m.val)) /\ )"
      R"(no )"
      R"(other 2a of m.bal)",
      R"(V!Inv: VotesSafe /\ OneValuePerBallot)",
      R"(\A a : maxBal[a] >= maxVBal[a])",
      R"(\A m \in msgs : m.type = "2b" => maxVBal[m.acc] >= m.bal)",
      R"(\A m \in msgs : m.type = "2b" => [type |-> "2a", bal |-> m.bal, val |-> m.val] \in msgs)",
      R"(\A m \in msgs : m.type = "1b" => \A c \in (m.mbal+1)..(m.bal-1) : V!DidNotVoteAt(m.acc, )"
      R"(c))",
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
  return conjunct <= kInvConjuncts ? model.inv_conjunct(s, conjunct)
                                   : model.strengthening_conjunct(s, conjunct);
}

bool cpp_invariant(const PaxosModel& model, const State& s, uint32_t conjuncts) {
  for (int i = 1; i <= kAllConjuncts; ++i) {
    if ((conjuncts >> (i - 1) & 1u) && !cpp_conjunct(model, s, i)) return false;
  }
  return true;
}

std::string to_string(Property property) {
  return property == Property::kAgreement ? "Agreement" : "Validity";
}

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
  return ground_truth(
      impl_->valuation(s).eval(impl_->properties[static_cast<int>(property)], true));
}

bool Z3Paxos::holds_conjunct(int conjunct, const State& s) {
  check_conjunct(conjunct);
  return ground_truth(impl_->valuation(s).eval(impl_->conjuncts[conjunct - 1], true));
}

bool Z3Paxos::holds_invariant(uint32_t conjuncts, const State& s) {
  const z3::model model = impl_->valuation(s);
  for (int i = 1; i <= kAllConjuncts; ++i) {
    if ((conjuncts >> (i - 1) & 1u) && !ground_truth(model.eval(impl_->conjuncts[i - 1], true)))
      return false;
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
      result.description = "the initial state " + model.state_json(result.before).dump() +
                           " violates " + join(result.violated);
      return result;
    }
  }
  const std::vector<Instance> all = instances(c, model, l, v);
  z3::solver solver(c);
  solver.add(now.invariant(conjuncts));
  solver.add(next_formula(c, l, v, p, all));
  solver.add(!then.invariant(conjuncts));
  const z3::check_result verdict = solver.check();
  if (verdict == z3::unknown)
    throw std::runtime_error("Z3 returned unknown on Inv /\\ Next => Inv'");
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
  result.description =
      "counterexample to induction:\n  state:  " + model.state_json(result.before).dump() +
      "\n  action: " + result.action + "\n  next:   " + model.state_json(result.after).dump() +
      "\n  violates " + join(result.violated);
  return result;
}

namespace {

// Inv => the formula `conclusion` builds, named `name` in reports.
template <class Conclusion>
ImplicationResult check_implication(const Config& config, uint32_t conjuncts,
                                    const std::string& name, Conclusion conclusion) {
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
  result.description = "a state satisfying Inv that violates " + name + ": " +
                       model.state_json(result.counterexample).dump();
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
