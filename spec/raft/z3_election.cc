// Z3's answers on the election fragment (z3_properties.h): the successors
// and steps it allows, Election Safety by bounded model checking, and the
// induction proof of its strengthening.
#include <z3++.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "spec/common/z3_ground.h"
#include "spec/raft/z3_encoding.h"
#include "spec/raft/z3_properties.h"

namespace crosscheck::spec::raft {
namespace {

using detail::as_vector;
using detail::check_servers;
using detail::compact_next;
using detail::constants;
using detail::constraint;
using detail::count_of;
using detail::decode;
using detail::election_instances;
using detail::election_safety_formula;
using detail::encode;
using detail::init_formula;
using detail::Instance;
using detail::instance_step;
using detail::kFollower;
using detail::kHistoryTerms;
using detail::kLeader;
using detail::Layout;
using detail::leaders_of;
using detail::read_values;
using detail::selector_const;
using detail::server_name;
using detail::symbolic;
using detail::Terms;

constexpr int kElectionConjuncts = 4;

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

// E(j, i, t): evidence that j voted for i in term t (see z3_properties.h).
z3::expr evidence(const Layout& l, const Terms& v, int j, int i, int t) {
  const int response = l.slot(l.slot_of(MessageType::kRequestVoteResponse, t, j, i, true));
  return (v[l.term(j)] == t && v[l.voted(j)] == i) || v[response] > 0 ||
         (v[l.role(i)] != kFollower && v[l.term(i)] == t && v[l.granted(i, j)]);
}

// P(j, i, t): j may still vote for i in term t.
z3::expr may_vote(const Layout& l, const Terms& v, int j, int i, int t) {
  return evidence(l, v, j, i, t) || v[l.term(j)] < t ||
         (v[l.term(j)] == t && v[l.voted(j)] == kNil);
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
        s4.push_back(z3::implies(v[l.leader(t, i)],
                                 count_of(voters, l.num(c, 0), l.num(c, 1)) < quorum_size(l.n())));
      }
    }
  }
  return {all_of(c, s1), all_of(c, s2), all_of(c, s3), all_of(c, s4)};
}

struct NamedFormula {
  std::string name;
  z3::expr formula;
};

std::vector<NamedFormula> invariant_parts(z3::context& c, const Layout& l, const Terms& v,
                                          uint32_t conjuncts) {
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
  if (b.max_restarts < -1 || b.max_copies < 0 || b.max_messages < 0) {
    throw std::invalid_argument("negative bound");
  }
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
      if (s.history.leaders[t] >> i & 1u) {
        text += (text.empty() ? "" : ", ") + server_name(i) + " led term " + std::to_string(t);
      }
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
        instances(election_instances(c, layout, v, b)),
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
static z3::model valuation(z3::context& c, const Layout& layout, const Terms& v,
                           const std::vector<int>& values) {
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
    for (const auto& [x, value] : instance.updates) {
      next[x] = z.layout.value_of(ground_int(current.eval(value, true)));
    }
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
  if (at == z.invariants.end()) {
    at = z.invariants.emplace(conjuncts, invariant(z.c, z.layout, z.v, conjuncts)).first;
  }
  return ground_truth(
      valuation(z.c, z.layout, z.v, encode(z.layout, state)).eval(at->second, true));
}

BmcResult bmc_election_safety(const ElectionBounds& bounds, int depth) {
  check_bounds(bounds);
  if (depth < 0) throw std::invalid_argument("BMC depth must be at least 0");
  if (bounds.max_copies < 1 || bounds.max_copies > 8 || bounds.max_messages < 1 ||
      bounds.max_messages > 16 || bounds.max_restarts < 0 || bounds.max_restarts > 8) {
    throw std::invalid_argument(
        "BMC needs max_copies 1..8, max_messages 1..16 and max_restarts 0..8");
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
  z3::solver solver =
      (z3::tactic(c, "simplify") & z3::tactic(c, "propagate-values") & z3::tactic(c, "solve-eqs") &
       z3::tactic(c, "bit-blast") & z3::tactic(c, "sat"))
          .mk_solver();
  solver.add(init_formula(c, layout, states[0]));
  z3::expr violated = !election_safety_formula(c, leaders_of(layout, states[0]));
  for (int k = 1; k <= depth; ++k) {
    states.push_back(symbolic(c, layout, "@" + std::to_string(k)));
    selectors.push_back(selector_const(c, "action@" + std::to_string(k)));
    instances.push_back(election_instances(c, layout, states[k - 1], bounds));
    solver.add(compact_next(c, layout, states[k - 1], states[k], instances.back(), selectors.back(),
                            bounds));
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
      const Instance& taken =
          instances[step - 1][ground_int(model.eval(selectors[step - 1], true))];
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
    const bool found =
        std::any_of(successors.begin(), successors.end(), [&](const auto& successor) {
          return successor.state == trace[step].state &&
                 model.action_label(successor.action) == trace[step].label;
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
      result.description =
          "the initial state " + describe(result.before) + " violates " + join(result.violated);
      return result;
    }
  }
  const std::vector<Instance> instances = election_instances(c, layout, v, bounds);
  const z3::expr selector = selector_const(c, "action");
  z3::solver solver(c);
  solver.add(invariant(c, layout, v, conjuncts));
  solver.add(compact_next(c, layout, v, p, instances, selector, bounds));
  solver.add(!invariant(c, layout, p, conjuncts));
  const z3::check_result verdict = solver.check();
  if (verdict == z3::unknown) {
    throw std::runtime_error("Z3 returned unknown on Inv /\\ Next => Inv'");
  }
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
                       "\n  action: " + result.action + "\n  next:   " + describe(result.after) +
                       "\n  violates " + join(result.violated);
  return result;
}

}  // namespace crosscheck::spec::raft
