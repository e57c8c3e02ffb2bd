// Paxos.tla in Z3 (z3_properties.h): a state's variables, the definitions
// of Paxos.tla and Voting.tla as formulas over them, and Next as action
// instances. z3_encoding.cc builds them; z3_properties.cc asks Z3 about
// them. Private to the //spec/paxos:z3 library.
#pragma once

#include <z3++.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "spec/common/z3_ground.h"
#include "spec/paxos/paxos.h"
#include "spec/paxos/z3_properties.h"

namespace crosscheck::spec::paxos::detail {

using Terms = std::vector<z3::expr>;

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

Terms symbolic(z3::context& c, const Layout& l, const std::string& prime);

// std::invalid_argument unless every msgs bit of the state is a record of
// the universe and the acceptors beyond the configuration's hold their
// initial values (neither has a variable).
std::vector<int> encode(const Layout& l, const State& s);
// std::runtime_error for a value that does not fit the C++ state.
State decode(const Layout& l, const std::vector<int>& values);

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
  z3::expr in_votes(int a, int b, int v) const {
    return v == kNone ? c_.bool_val(false) : voted_for(a, b, v);
  }

  z3::expr did_not_vote_at(int a, int b) const;

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
  z3::expr shows_safe_at(uint32_t q, int b, int v) const;
  // Voting's SafeAt(b, v): \A c \in 0..(b-1) : NoneOtherChoosableAt(c, v).
  z3::expr safe_at(int b, int v) const;
  // Voting's chosen: some quorum voted for v in one ballot.
  z3::expr chosen(int v) const;

  z3::expr agreement() const;
  z3::expr validity() const;
  z3::expr property(Property p) const;

  // TypeOK. msgs \subseteq Message holds by construction: there is a
  // variable for each record of Message and for nothing else.
  z3::expr type_ok() const;
  // IF maxVBal[a] = -1 THEN maxVal[a] = None ELSE <<maxVBal[a], maxVal[a]>> \in votes[a]
  z3::expr last_vote_cast() const;
  // m.type = "1b" => maxBal[m.acc] >= m.bal /\ (m.mbal >= 0 => <<m.mbal, m.mval>> \in votes[m.acc])
  z3::expr one_b_messages() const;
  // m.type = "2a" => (\E Q : ShowsSafeAt(Q, m.bal, m.val)) /\ no other 2a of m.bal
  z3::expr two_a_messages() const;
  // Voting's Inv without its TypeOK (conjunct 1 covers it): VotesSafe /\ OneValuePerBallot.
  z3::expr voting_inv() const;
  // S6..S9 (z3_properties.h).
  z3::expr strengthening(int conjunct) const;

  // Conjunct i, 1..9, as z3_properties.h numbers them.
  z3::expr conjunct(int i) const;
  z3::expr invariant(uint32_t conjuncts) const;

  // Init: maxBal = maxVBal = -1, maxVal = None, msgs = {}.
  z3::expr init() const;

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
std::vector<Instance> instances(z3::context& c, const PaxosModel& model, const Layout& l,
                                const Terms& v);

// guard /\ x' = update for the assigned x /\ UNCHANGED the rest.
z3::expr step_formula(z3::context& c, const Layout& l, const Terms& v, const Terms& p,
                      const Instance& instance);

z3::expr next_formula(z3::context& c, const Layout& l, const Terms& v, const Terms& p,
                      const std::vector<Instance>& all);

}  // namespace crosscheck::spec::paxos::detail
