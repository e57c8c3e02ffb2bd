// The lease arithmetic of impl/failover, for every lease and drift at once:
// Z3 over unbounded integers, where the model checker covers small bounds.
//
// One Append, sent by the primary at global time T when its clock reads s,
// received by the backup at global time R >= T when its clock reads r. The
// primary trusts its lease while its clock reads below s + L - margin; the
// backup promotes itself no earlier than its clock reads r + L. Clocks
// follow model_check/clocks.h: a reading at global time t lies in
// [t, t + d], and a node's readings never decrease. The claim: whenever the
// old primary's lease holds at global time G (after it sent, G >= T) and
// the backup promotes at global time P (after it received, P >= R), G < P.
// Every later Append only moves s and r (and so the lease and the promise)
// forward together, so this one Append is the whole argument.
//
// With margin = 2d the claim holds for every L > 2d and d >= 0; with
// less, Z3 finds a counterexample.
#pragma once

#include <cstdint>
#include <string>

namespace crosscheck::spec::failover {

struct LeaseWitness {
  int64_t lease = 0;
  int64_t drift = 0;
  int64_t sent_global = 0, sent_clock = 0;          // T, s
  int64_t received_global = 0, received_clock = 0;  // R, r
  int64_t valid_global = 0, valid_clock = 0;        // G and the primary's reading then
  int64_t promoted_global = 0, promoted_clock = 0;  // P and the backup's reading then
  std::string text() const;
};

struct LeaseVerdict {
  bool holds = false;    // unsat: no lease overlaps a promotion
  LeaseWitness witness;  // when it does not hold: Z3's counterexample
};

// The claim for a primary that trusts its lease for L - (drifts * d + extra)
// ticks, over every L and every d >= min_drift, with at least one tick
// trusted and time from 0.
LeaseVerdict check_lease_margin(int drifts, int extra = 0, int min_drift = 0);

// The witness's constraints, evaluated in C++: a counterexample Z3 reports
// must satisfy them and have the lease valid at or after the promotion.
bool is_counterexample(const LeaseWitness& w, int drifts, int extra = 0);

}  // namespace crosscheck::spec::failover
