// Small pieces the protocols' Z3 encodings share: conjunctions and
// disjunctions of many parts, and reading a ground formula's value.
#pragma once

#include <z3++.h>

#include <stdexcept>
#include <vector>

namespace crosscheck::spec {

inline z3::expr all_of(z3::context& c, const std::vector<z3::expr>& parts) {
  z3::expr e = c.bool_val(true);
  for (const auto& part : parts) e = e && part;
  return e;
}

inline z3::expr any_of(z3::context& c, const std::vector<z3::expr>& parts) {
  z3::expr e = c.bool_val(false);
  for (const auto& part : parts) e = e || part;
  return e;
}

// A ground formula (every variable substituted) simplifies to a constant;
// that is cheaper than a solver call by a wide margin, and a formula that
// does not reduce is a bug in the encoding, not an answer.
inline bool ground_truth(const z3::expr& e) {
  const z3::expr simplified = e.simplify();
  if (simplified.is_true()) return true;
  if (simplified.is_false()) return false;
  throw std::logic_error("a ground formula did not simplify to a constant: " +
                         simplified.to_string());
}

// A ground term's value; a Bool reads as 0 or 1.
inline int ground_int(const z3::expr& e) {
  const z3::expr simplified = e.simplify();
  if (simplified.is_true()) return 1;
  if (simplified.is_false()) return 0;
  if (!simplified.is_numeral())
    throw std::logic_error("a ground term did not simplify to a numeral");
  return simplified.get_numeral_int();
}

}  // namespace crosscheck::spec
