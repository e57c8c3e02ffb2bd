#include "spec/placement/intersection.h"

#include <z3++.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "impl/common/assert.h"

namespace crosscheck::spec::placement {
namespace {

using impl::placement::NodeIndex;
using impl::placement::QuorumSystemKind;

// Membership is a 0-1 Int, so disjointness is the linear x1 + x2 <= 1 and
// the simplex of Z3's SMT core refutes two quorums whose thresholds add up
// to more than all the votes from the LP relaxation alone. The solver for
// the QF_LIA logic instead rewrites such bounded problems into SAT, where
// this is a pigeonhole instance: 32 nodes did not finish in two minutes.
z3::expr_vector membership(z3::context& c, const Deployment& deployment, const std::string& phase) {
  z3::expr_vector member(c);
  for (const auto& node : deployment.nodes)
    member.push_back(c.int_const((phase + "[" + node.name + "]").c_str()));
  return member;
}

z3::expr votes_of(z3::context& c, const Deployment& deployment, const z3::expr_vector& member) {
  z3::expr_vector terms(c);
  for (NodeIndex node = 0; node < deployment.node_count(); ++node) {
    terms.push_back(c.int_val(deployment.nodes[node].votes) * member[node]);
  }
  return z3::sum(terms);
}

// member is a quorum of `threshold` votes from which no member can be dropped.
z3::expr minimal_quorum(z3::context& c, const Deployment& deployment, const z3::expr_vector& member,
                        int threshold) {
  const z3::expr sum = votes_of(c, deployment, member);
  z3::expr_vector constraints(c);
  constraints.push_back(sum >= threshold);
  for (NodeIndex node = 0; node < deployment.node_count(); ++node) {
    constraints.push_back(member[node] >= 0 && member[node] <= 1);
    constraints.push_back(
        z3::implies(member[node] == 1, sum - deployment.nodes[node].votes < threshold));
  }
  return z3::mk_and(constraints);
}

NodeSet members(const z3::model& model, const z3::expr_vector& member) {
  NodeSet set;
  for (unsigned node = 0; node < member.size(); ++node) {
    if (model.eval(member[node], true).get_numeral_int() == 1)
      set.push_back(static_cast<NodeIndex>(node));
  }
  return set;
}

IntersectionResult check_thresholds(const Deployment& deployment, int phase1_votes,
                                    int phase2_votes) {
  z3::context c;
  const z3::expr_vector in_phase1 = membership(c, deployment, "Q1");
  const z3::expr_vector in_phase2 = membership(c, deployment, "Q2");
  z3::solver solver = z3::tactic(c, "smt").mk_solver();  // see membership()
  for (NodeIndex node = 0; node < deployment.node_count(); ++node)
    solver.add(in_phase1[node] + in_phase2[node] <= 1);
  solver.add(minimal_quorum(c, deployment, in_phase1, phase1_votes));
  solver.add(minimal_quorum(c, deployment, in_phase2, phase2_votes));
  switch (solver.check()) {
    case z3::unsat: return {true, {}, {}};
    case z3::sat: break;
    case z3::unknown:
      throw std::runtime_error("Z3 could not decide quorum intersection: " +
                               solver.reason_unknown());
  }
  IntersectionResult result{false, members(solver.get_model(), in_phase1),
                            members(solver.get_model(), in_phase2)};
  // Z3's model is read back, so check it as plain arithmetic before anyone
  // is shown it.
  CC_ASSERT(deployment.votes(result.phase1_quorum) >= phase1_votes);
  CC_ASSERT(deployment.votes(result.phase2_quorum) >= phase2_votes);
  for (NodeIndex node : result.phase1_quorum) {
    CC_ASSERT(!std::binary_search(result.phase2_quorum.begin(), result.phase2_quorum.end(), node));
  }
  return result;
}

}  // namespace

IntersectionResult check_intersection(const Deployment& deployment) {
  CC_ASSERT(deployment.inconsistency().empty());
  return check_thresholds(deployment, deployment.phase1_votes(), deployment.phase2_votes());
}

int smallest_safe_phase1_size(const Deployment& deployment) {
  CC_ASSERT(deployment.inconsistency().empty());
  CC_ASSERT(deployment.quorum.kind == QuorumSystemKind::kFlexible);
  // Larger phase-1 quorums are fewer, so safety is monotone in the size:
  // binary search for the least safe one. All n nodes are always safe.
  int unsafe = 0;
  int safe = deployment.node_count();
  while (safe - unsafe > 1) {
    const int size = unsafe + (safe - unsafe) / 2;
    if (check_thresholds(deployment, size, deployment.phase2_votes()).holds) {
      safe = size;
    } else {
      unsafe = size;
    }
  }
  return safe;
}

}  // namespace crosscheck::spec::placement
