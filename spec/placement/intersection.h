// Quorum intersection, decided by Z3.
//
// Flexible Paxos is safe when every phase-1 quorum meets every phase-2
// quorum (phase-2 quorums need not meet each other). Z3 is asked for the
// opposite: one 0-1 integer per node and phase for membership, the two sets
// disjoint, each reaching its phase's votes. Unsatisfiable means the
// quorums intersect; a model is two disjoint quorums, the counterexample.
// The query also asks each quorum to be minimal (dropping any member takes
// it below its threshold), which changes nothing about satisfiability (a
// subset of a disjoint pair is disjoint) but makes the printed
// counterexample as small as it can be.
//
// For the three systems here the answer has a closed form: majorities of
// nodes or of votes always intersect, and flexible quorums do exactly when
// |Q1| + |Q2| > n. Z3 is not told that rule; it decides from the vote
// arithmetic alone, so tests/placement comparing it with enumeration
// checks the rule too, and a system with other thresholds would need no
// new reasoning.
#pragma once

#include <optional>

#include "impl/placement/deployment.h"

namespace crosscheck::spec::placement {

using impl::placement::Deployment;
using impl::placement::NodeSet;

struct IntersectionResult {
  bool holds = false;
  // When !holds: a phase-1 and a phase-2 quorum with no node in common,
  // each minimal.
  NodeSet phase1_quorum;
  NodeSet phase2_quorum;
};

IntersectionResult check_intersection(const Deployment& deployment);

// Flexible quorums only: the least phase-1 size at which every phase-1
// quorum meets every phase-2 quorum of the deployment's phase-2 size (each
// size asked of Z3).
int smallest_safe_phase1_size(const Deployment& deployment);

}  // namespace crosscheck::spec::placement
