#include "spec/failover/z3_lease.h"

#include <z3++.h>

#include <stdexcept>

namespace crosscheck::spec::failover {

std::string LeaseWitness::text() const {
  return "lease " + std::to_string(lease) + ", drift " + std::to_string(drift) +
         ": sent at global " + std::to_string(sent_global) + " (primary's clock " +
         std::to_string(sent_clock) + "), received at global " + std::to_string(received_global) +
         " (backup's clock " + std::to_string(received_clock) + "), lease valid at global " +
         std::to_string(valid_global) + " (primary's clock " + std::to_string(valid_clock) +
         "), promoted at global " + std::to_string(promoted_global) + " (backup's clock " +
         std::to_string(promoted_clock) + ")";
}

namespace {

// A reading `clock` of a clock at global time `global`, within the drift window.
template <class E>
auto in_window(const E& clock, const E& global, const E& drift) {
  return global <= clock && clock <= global + drift;
}

}  // namespace

LeaseVerdict check_lease_margin(int drifts, int extra, int min_drift) {
  z3::context c;
  z3::solver solver(c);
  const z3::expr lease = c.int_const("L");
  const z3::expr drift = c.int_const("d");
  const z3::expr t = c.int_const("T"), s = c.int_const("s");
  const z3::expr r_global = c.int_const("R"), r = c.int_const("r");
  const z3::expr g = c.int_const("G"), g_clock = c.int_const("g");
  const z3::expr p = c.int_const("P"), p_clock = c.int_const("p");
  const z3::expr margin = drifts * drift + extra;
  solver.add(drift >= min_drift && t >= 0);
  solver.add(lease - margin >= 1);
  solver.add(in_window(s, t, drift));
  solver.add(r_global >= t && in_window(r, r_global, drift));
  // The old primary's lease holds at G, after it sent; its clock never went back.
  solver.add(g >= t && in_window(g_clock, g, drift) && g_clock >= s &&
             g_clock < s + lease - margin);
  // The backup promotes at P, after it received, once its promise is over.
  solver.add(p >= r_global && in_window(p_clock, p, drift) && p_clock >= r && p_clock >= r + lease);
  // The negation of the claim: the lease still holds at or after the promotion.
  solver.add(g >= p);
  LeaseVerdict verdict;
  const z3::check_result result = solver.check();
  if (result == z3::unknown)
    throw std::runtime_error("z3 returned unknown on the lease arithmetic");
  verdict.holds = result == z3::unsat;
  if (verdict.holds) return verdict;
  const z3::model model = solver.get_model();
  auto value = [&](const z3::expr& e) { return model.eval(e, true).get_numeral_int64(); };
  LeaseWitness& w = verdict.witness;
  w.lease = value(lease);
  w.drift = value(drift);
  w.sent_global = value(t);
  w.sent_clock = value(s);
  w.received_global = value(r_global);
  w.received_clock = value(r);
  w.valid_global = value(g);
  w.valid_clock = value(g_clock);
  w.promoted_global = value(p);
  w.promoted_clock = value(p_clock);
  return verdict;
}

bool is_counterexample(const LeaseWitness& w, int drifts, int extra) {
  const int64_t d = w.drift;
  const int64_t margin = drifts * d + extra;
  auto in = [d](int64_t clock, int64_t global) { return global <= clock && clock <= global + d; };
  return d >= 0 && w.sent_global >= 0 && w.lease - margin >= 1 && in(w.sent_clock, w.sent_global) &&
         w.received_global >= w.sent_global && in(w.received_clock, w.received_global) &&
         w.valid_global >= w.sent_global && in(w.valid_clock, w.valid_global) &&
         w.valid_clock >= w.sent_clock && w.valid_clock < w.sent_clock + w.lease - margin &&
         w.promoted_global >= w.received_global && in(w.promoted_clock, w.promoted_global) &&
         w.promoted_clock >= w.received_clock + w.lease && w.valid_global >= w.promoted_global;
}

}  // namespace crosscheck::spec::failover
