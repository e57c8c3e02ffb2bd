// What a Z3 induction check of a protocol's invariant returns.
#pragma once

#include <string>
#include <vector>

namespace crosscheck::spec {

template <class State>
struct InductionResult {
  bool proved = false;
  // When not proved: the obligation that failed ("Init => Inv" or
  // "Inv /\ Next => Inv'"). For the step obligation, a counterexample to
  // induction: a state satisfying Inv, the action taken, and its successor,
  // which violates Inv. For the initial one, `before` is the initial state.
  std::string obligation;
  std::string action;
  State before;
  State after;
  // The names of the parts of Inv the offending state breaks.
  std::vector<std::string> violated;
  std::string description;  // all of the above, for people
};

}  // namespace crosscheck::spec
