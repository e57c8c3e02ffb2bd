#include "spec/twophase/z3_invariants.h"

#include <z3++.h>

#include <memory>
#include <stdexcept>

namespace crosscheck::spec::twophase {
namespace {

constexpr int kWorking = static_cast<int>(RmState::kWorking);
constexpr int kPrepared = static_cast<int>(RmState::kPrepared);
constexpr int kCommitted = static_cast<int>(RmState::kCommitted);
constexpr int kAborted = static_cast<int>(RmState::kAborted);
constexpr int kTmInit = static_cast<int>(TmState::kInit);
constexpr int kTmCommitted = static_cast<int>(TmState::kCommitted);
constexpr int kTmAborted = static_cast<int>(TmState::kAborted);
constexpr int kConjuncts = 7;
constexpr uint32_t kAllConjuncts = (1u << kConjuncts) - 1;

// One TwoPhase state as Z3 terms: symbolic constants, or values.
struct Vars {
  std::vector<z3::expr> rm_state;      // Int
  std::vector<z3::expr> tm_prepared;   // Bool: r \in tmPrepared
  std::vector<z3::expr> prepared_msg;  // Bool: [type |-> "Prepared", rm |-> r] \in msgs
  z3::expr tm_state;                   // Int
  z3::expr commit_msg;                 // Bool: [type |-> "Commit"] \in msgs
  z3::expr abort_msg;                  // Bool: [type |-> "Abort"] \in msgs

  int rms() const { return static_cast<int>(rm_state.size()); }

  // Every term, in one fixed order, for substitution.
  z3::expr_vector terms(z3::context& c) const {
    z3::expr_vector all(c);
    for (int rm = 0; rm < rms(); ++rm) {
      all.push_back(rm_state[rm]);
      all.push_back(tm_prepared[rm]);
      all.push_back(prepared_msg[rm]);
    }
    all.push_back(tm_state);
    all.push_back(commit_msg);
    all.push_back(abort_msg);
    return all;
  }
};

Vars symbolic(z3::context& c, int rms, const std::string& prime) {
  Vars v{{},
         {},
         {},
         c.int_const(("tmState" + prime).c_str()),
         c.bool_const(("Commit" + prime).c_str()),
         c.bool_const(("Abort" + prime).c_str())};
  for (int rm = 0; rm < rms; ++rm) {
    const std::string r = tcommit::rm_name(rm);
    v.rm_state.push_back(c.int_const(("rmState[" + r + "]" + prime).c_str()));
    v.tm_prepared.push_back(c.bool_const(("tmPrepared[" + r + "]" + prime).c_str()));
    v.prepared_msg.push_back(c.bool_const(("Prepared(" + r + ")" + prime).c_str()));
  }
  return v;
}

Vars values(z3::context& c, const State& s, int rms) {
  Vars v{{},
         {},
         {},
         c.int_val(static_cast<int>(s.tm_state())),
         c.bool_val(s.commit_msg()),
         c.bool_val(s.abort_msg())};
  for (int rm = 0; rm < rms; ++rm) {
    v.rm_state.push_back(c.int_val(static_cast<int>(s.rm_state(rm))));
    v.tm_prepared.push_back(c.bool_val(s.tm_prepared(rm)));
    v.prepared_msg.push_back(c.bool_val(s.prepared_msg(rm)));
  }
  return v;
}

z3::expr equal(z3::context& c, const Vars& a, const Vars& b) {
  z3::expr_vector x = a.terms(c);
  z3::expr_vector y = b.terms(c);
  z3::expr e = c.bool_val(true);
  for (unsigned i = 0; i < x.size(); ++i) e = e && x[i] == y[i];
  return e;
}

// Every formula here is quantifier-free linear integer arithmetic; a solver
// for that logic is several times cheaper to create than the default one,
// which matters when a test evaluates formulas state by state.
z3::solver make_solver(z3::context& c) { return z3::solver(c, "QF_LIA"); }

void check_rms(int rms) {
  if (rms < 1 || rms > kMaxRms)
    throw std::invalid_argument("TwoPhase takes 1.." + std::to_string(kMaxRms) + " RMs");
}

// The Z3 encoding has variables for the first `rms` RMs and the four flag
// bits only; a state using other bits cannot be substituted faithfully.
void check_encodable(const State& s, int rms) {
  check_rms(rms);
  const State reencoded = [&] {
    State copy;
    for (int rm = 0; rm < rms; ++rm) {
      copy.set_rm_state(rm, s.rm_state(rm));
      if (s.tm_prepared(rm)) copy.add_tm_prepared(rm);
      if (s.prepared_msg(rm)) copy.add_prepared_msg(rm);
    }
    return State::from_raw(copy.word(), s.flags() & 0x0fu);
  }();
  if (reencoded != s)
    throw std::invalid_argument("the state has bits set beyond its " + std::to_string(rms) +
                                " RMs");
}

State read_state(const z3::model& model, const Vars& v) {
  auto int_of = [&](const z3::expr& e) { return model.eval(e, true).get_numeral_int(); };
  auto bool_of = [&](const z3::expr& e) { return model.eval(e, true).is_true(); };
  State s;
  for (int rm = 0; rm < v.rms(); ++rm) {
    const int value = int_of(v.rm_state[rm]);
    if (value < kWorking || value > kAborted)
      throw std::logic_error("Z3 returned an rmState outside TPTypeOK");
    s.set_rm_state(rm, static_cast<RmState>(value));
    if (bool_of(v.tm_prepared[rm])) s.add_tm_prepared(rm);
    if (bool_of(v.prepared_msg[rm])) s.add_prepared_msg(rm);
  }
  const int tm = int_of(v.tm_state);
  if (tm < kTmInit || tm > kTmAborted)
    throw std::logic_error("Z3 returned a tmState outside TPTypeOK");
  s.set_tm_state(static_cast<TmState>(tm));
  if (bool_of(v.commit_msg)) s.add_commit_msg();
  if (bool_of(v.abort_msg)) s.add_abort_msg();
  return s;
}

z3::expr conjunction(z3::context& c, const std::vector<z3::expr>& parts) {
  z3::expr e = c.bool_val(true);
  for (const auto& part : parts) e = e && part;
  return e;
}

// TPTypeOK. The sets are one Bool per possible element, so tmPrepared \subseteq
// RM and msgs \subseteq Message hold by construction; the range constraints
// on the Ints are what remains.
z3::expr tp_type_ok(z3::context& c, const Vars& v) {
  z3::expr ok = v.tm_state >= kTmInit && v.tm_state <= kTmAborted;
  for (const auto& s : v.rm_state) ok = ok && s >= kWorking && s <= kAborted;
  (void)c;
  return ok;
}

// TCConsistent: \A r1, r2 \in RM : ~(rmState[r1] = "aborted" /\ rmState[r2] = "committed").
z3::expr tc_consistent(z3::context& c, const Vars& v) {
  z3::expr ok = c.bool_val(true);
  for (int i = 0; i < v.rms(); ++i) {
    for (int j = 0; j < v.rms(); ++j) {
      if (i != j) ok = ok && !(v.rm_state[i] == kAborted && v.rm_state[j] == kCommitted);
    }
  }
  return ok;
}

// S1..S7, as documented in the header.
std::vector<z3::expr> strengthening(z3::context& c, const Vars& v) {
  std::vector<z3::expr> s1_to_7;
  std::vector<z3::expr> per_rm[4];
  for (int rm = 0; rm < v.rms(); ++rm) {
    per_rm[0].push_back(z3::implies(v.tm_prepared[rm], v.prepared_msg[rm]));
    per_rm[1].push_back(z3::implies(v.prepared_msg[rm], v.rm_state[rm] != kWorking));
    per_rm[2].push_back(z3::implies(v.prepared_msg[rm] && v.rm_state[rm] == kAborted, v.abort_msg));
    per_rm[3].push_back(z3::implies(v.rm_state[rm] == kCommitted, v.commit_msg));
  }
  s1_to_7.push_back(z3::implies(v.commit_msg, v.tm_state == kTmCommitted));
  s1_to_7.push_back(z3::implies(v.abort_msg, v.tm_state == kTmAborted));
  s1_to_7.push_back(z3::implies(v.tm_state == kTmCommitted, conjunction(c, v.tm_prepared)));
  for (const auto& conjuncts : per_rm) s1_to_7.push_back(conjunction(c, conjuncts));
  return s1_to_7;
}

struct NamedFormula {
  std::string name;
  z3::expr formula;
};

// Inv's parts, named so that a counterexample can say which ones it breaks.
std::vector<NamedFormula> invariant_parts(z3::context& c, const Vars& v, uint32_t conjuncts) {
  std::vector<NamedFormula> parts{{"TPTypeOK", tp_type_ok(c, v)},
                                  {"TCConsistent", tc_consistent(c, v)}};
  std::vector<z3::expr> s = strengthening(c, v);
  for (int i = 0; i < kConjuncts; ++i) {
    if (conjuncts >> i & 1u) parts.push_back({"S" + std::to_string(i + 1), s[i]});
  }
  return parts;
}

z3::expr invariant(z3::context& c, const Vars& v, uint32_t conjuncts) {
  z3::expr inv = c.bool_val(true);
  for (const auto& part : invariant_parts(c, v, conjuncts)) inv = inv && part.formula;
  return inv;
}

// TPInit.
z3::expr init(z3::context& c, const Vars& v) {
  z3::expr e = v.tm_state == kTmInit && !v.commit_msg && !v.abort_msg;
  for (int rm = 0; rm < v.rms(); ++rm)
    e = e && v.rm_state[rm] == kWorking && !v.tm_prepared[rm] && !v.prepared_msg[rm];
  (void)c;
  return e;
}

// The variables an action may change; every other one is UNCHANGED.
struct Changes {
  int rm_state = -1;
  int tm_prepared = -1;
  int prepared_msg = -1;
  bool tm_state = false;
  bool commit_msg = false;
  bool abort_msg = false;
};

z3::expr unchanged_except(z3::context& c, const Vars& v, const Vars& p, const Changes& changes) {
  z3::expr e = c.bool_val(true);
  for (int rm = 0; rm < v.rms(); ++rm) {
    if (rm != changes.rm_state) e = e && p.rm_state[rm] == v.rm_state[rm];
    if (rm != changes.tm_prepared) e = e && p.tm_prepared[rm] == v.tm_prepared[rm];
    if (rm != changes.prepared_msg) e = e && p.prepared_msg[rm] == v.prepared_msg[rm];
  }
  if (!changes.tm_state) e = e && p.tm_state == v.tm_state;
  if (!changes.commit_msg) e = e && p.commit_msg == v.commit_msg;
  if (!changes.abort_msg) e = e && p.abort_msg == v.abort_msg;
  return e;
}

// TPNext, one disjunct per action instance, labelled as
// TwoPhaseModel::action_label labels it and in the order its successors()
// lists them. Set union with a singleton is the element's Bool becoming true.
std::vector<NamedFormula> next_steps(z3::context& c, const Vars& v, const Vars& p) {
  std::vector<NamedFormula> steps;
  for (int rm = 0; rm < v.rms(); ++rm) {
    steps.push_back({"TMRcvPrepared(" + tcommit::rm_name(rm) + ")",
                     v.tm_state == kTmInit && v.prepared_msg[rm] && p.tm_prepared[rm] &&
                         unchanged_except(c, v, p, {.tm_prepared = rm})});
  }
  steps.push_back(
      {"TMCommit", v.tm_state == kTmInit && conjunction(c, v.tm_prepared) &&
                       p.tm_state == kTmCommitted && p.commit_msg &&
                       unchanged_except(c, v, p, {.tm_state = true, .commit_msg = true})});
  steps.push_back(
      {"TMAbort", v.tm_state == kTmInit && p.tm_state == kTmAborted && p.abort_msg &&
                      unchanged_except(c, v, p, {.tm_state = true, .abort_msg = true})});
  for (int rm = 0; rm < v.rms(); ++rm) {
    const std::string r = "(" + tcommit::rm_name(rm) + ")";
    steps.push_back(
        {"RMPrepare" + r, v.rm_state[rm] == kWorking && p.rm_state[rm] == kPrepared &&
                              p.prepared_msg[rm] &&
                              unchanged_except(c, v, p, {.rm_state = rm, .prepared_msg = rm})});
    steps.push_back({"RMChooseToAbort" + r, v.rm_state[rm] == kWorking &&
                                                p.rm_state[rm] == kAborted &&
                                                unchanged_except(c, v, p, {.rm_state = rm})});
    steps.push_back({"RMRcvCommitMsg" + r, v.commit_msg && p.rm_state[rm] == kCommitted &&
                                               unchanged_except(c, v, p, {.rm_state = rm})});
    steps.push_back({"RMRcvAbortMsg" + r, v.abort_msg && p.rm_state[rm] == kAborted &&
                                              unchanged_except(c, v, p, {.rm_state = rm})});
  }
  return steps;
}

z3::expr next(z3::context& c, const std::vector<NamedFormula>& steps) {
  z3::expr e = c.bool_val(false);
  for (const auto& step : steps) e = e || step.formula;
  return e;
}

// The parts of Inv that `v` violates in `model`.
std::vector<std::string> violated_parts(const z3::model& model, z3::context& c, const Vars& v,
                                        uint32_t conjuncts) {
  std::vector<std::string> names;
  for (const auto& part : invariant_parts(c, v, conjuncts)) {
    if (model.eval(part.formula, true).is_false()) names.push_back(part.name);
  }
  return names;
}

std::string join(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

}  // namespace

std::string_view to_string(Invariant invariant) {
  switch (invariant) {
    case Invariant::kTPTypeOK: return "TPTypeOK";
    case Invariant::kTCConsistent: return "TCConsistent";
    case Invariant::kInductive: return "TPTypeOK /\\ TCConsistent /\\ S1..S7";
  }
  return "?";
}

const std::vector<std::string>& strengthening_conjuncts() {
  static const std::vector<std::string> conjuncts = {
      R"(S1: [type |-> "Commit"] \in msgs => tmState = "committed")",
      R"(S2: [type |-> "Abort"] \in msgs => tmState = "aborted")",
      R"(S3: tmState = "committed" => tmPrepared = RM)",
      R"(S4: \A r \in RM : r \in tmPrepared => [type |-> "Prepared", rm |-> r] \in msgs)",
      R"(S5: \A r \in RM : [type |-> "Prepared", rm |-> r] \in msgs => rmState[r] # "working")",
      R"(S6: \A r \in RM : [type |-> "Prepared", rm |-> r] \in msgs /\ rmState[r] = "aborted" => )"
      R"([type |-> "Abort"] \in msgs)",
      R"(S7: \A r \in RM : rmState[r] = "committed" => [type |-> "Commit"] \in msgs)",
  };
  return conjuncts;
}

// The symbolic formulas are built once; each query is a push, an assertion
// and a pop on one solver, a hundred times cheaper than a fresh context.
struct Z3TwoPhase::Impl {
  explicit Impl(int rms)
      : v(symbolic(c, rms, "")),
        p(symbolic(c, rms, "'")),
        tp_type_ok_formula(tp_type_ok(c, v)),
        tc_consistent_formula(tc_consistent(c, v)),
        inductive_formula(invariant(c, v, kAllConjuncts)),
        steps(next_steps(c, v, p)),
        solver(make_solver(c)) {}

  z3::context c;
  Vars v;
  Vars p;
  z3::expr tp_type_ok_formula;
  z3::expr tc_consistent_formula;
  z3::expr inductive_formula;
  std::vector<NamedFormula> steps;
  z3::solver solver;
};

Z3TwoPhase::Z3TwoPhase(int rms) : rms_(rms) {
  check_rms(rms);
  impl_ = std::make_unique<Impl>(rms);
}

Z3TwoPhase::~Z3TwoPhase() = default;
Z3TwoPhase::Z3TwoPhase(Z3TwoPhase&&) noexcept = default;
Z3TwoPhase& Z3TwoPhase::operator=(Z3TwoPhase&&) noexcept = default;

bool Z3TwoPhase::holds(Invariant which, const State& state) {
  check_encodable(state, rms_);
  Impl& z = *impl_;
  const z3::expr& formula = which == Invariant::kTPTypeOK       ? z.tp_type_ok_formula
                            : which == Invariant::kTCConsistent ? z.tc_consistent_formula
                                                                : z.inductive_formula;
  z3::expr_vector from = z.v.terms(z.c);
  z3::expr_vector to = values(z.c, state, rms_).terms(z.c);
  z.solver.push();
  z.solver.add(z3::expr(formula).substitute(from, to));
  const z3::check_result verdict = z.solver.check();
  z.solver.pop();
  if (verdict == z3::unknown) throw std::runtime_error("Z3 returned unknown on a ground formula");
  return verdict == z3::sat;
}

std::vector<std::pair<std::string, State>> Z3TwoPhase::successors(const State& state) {
  check_encodable(state, rms_);
  Impl& z = *impl_;
  std::vector<std::pair<std::string, State>> out;
  z.solver.push();
  z.solver.add(equal(z.c, z.v, values(z.c, state, rms_)));
  for (const NamedFormula& step : z.steps) {
    z.solver.push();
    z.solver.add(step.formula);
    if (z.solver.check() == z3::sat) {
      State after = read_state(z.solver.get_model(), z.p);
      z.solver.add(!equal(z.c, z.p, values(z.c, after, rms_)));
      if (z.solver.check() != z3::unsat) {
        z.solver.pop(2);
        throw std::logic_error(step.name + " does not determine its successor");
      }
      out.emplace_back(step.name, after);
    }
    z.solver.pop();
  }
  z.solver.pop();
  return out;
}

bool z3_holds(Invariant invariant, const State& state, int rms) {
  return Z3TwoPhase(rms).holds(invariant, state);
}

std::vector<std::pair<std::string, State>> z3_successors(const State& state, int rms) {
  return Z3TwoPhase(rms).successors(state);
}

InductionResult check_inductive(int rms, bool with_strengthening) {
  return check_inductive_with(rms, with_strengthening ? kAllConjuncts : 0);
}

InductionResult check_inductive_with(int rms, uint32_t conjuncts) {
  check_rms(rms);
  conjuncts &= kAllConjuncts;
  z3::context c;
  const Vars v = symbolic(c, rms, "");
  const Vars p = symbolic(c, rms, "'");
  const TwoPhaseModel model(rms);
  InductionResult result;
  {
    z3::solver solver = make_solver(c);
    solver.add(init(c, v) && !invariant(c, v, conjuncts));
    if (solver.check() != z3::unsat) {
      result.obligation = "Init => Inv";
      result.before = read_state(solver.get_model(), v);
      result.violated = violated_parts(solver.get_model(), c, v, conjuncts);
      result.description = "the initial state " + model.state_json(result.before).dump() +
                           " violates " + join(result.violated);
      return result;
    }
  }
  const std::vector<NamedFormula> steps = next_steps(c, v, p);
  z3::solver solver = make_solver(c);
  solver.add(invariant(c, v, conjuncts) && next(c, steps) && !invariant(c, p, conjuncts));
  const z3::check_result verdict = solver.check();
  if (verdict == z3::unknown)
    throw std::runtime_error("Z3 returned unknown on Inv /\\ Next => Inv'");
  if (verdict == z3::unsat) {
    result.proved = true;
    return result;
  }
  const z3::model m = solver.get_model();
  result.obligation = "Inv /\\ Next => Inv'";
  for (const NamedFormula& step : steps) {
    if (m.eval(step.formula, true).is_true()) {
      result.action = step.name;
      break;
    }
  }
  result.before = read_state(m, v);
  result.after = read_state(m, p);
  result.violated = violated_parts(m, c, p, conjuncts);
  result.description =
      "counterexample to induction:\n  state:  " + model.state_json(result.before).dump() +
      "\n  action: " + result.action + "\n  next:   " + model.state_json(result.after).dump() +
      "\n  violates " + join(result.violated);
  return result;
}

}  // namespace crosscheck::spec::twophase
