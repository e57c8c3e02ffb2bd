// The two-phase commit implementation model as the reduction tests build
// it: RMs, a variant, and the fault budgets each test names.
#pragma once

#include "check/twophase/model.h"

namespace crosscheck::check::twophase {

inline ImplModel impl_model_with_faults(int rms, impl2pc::Variant variant, int drops,
                                        int duplicates, int crashes) {
  mc::FaultBudgets budgets;
  budgets.max_drops = drops;
  budgets.max_duplicates = duplicates;
  budgets.max_crashes = crashes;
  return make_impl_model({rms, variant}, budgets);
}

// The protocol and each of its known-buggy variants.
inline constexpr impl2pc::Variant kEveryVariant[] = {
    impl2pc::Variant::kCorrect, impl2pc::Variant::kRmTimeoutAbort,
    impl2pc::Variant::kTmMajorityCommit, impl2pc::Variant::kTmUnloggedDecision};

}  // namespace crosscheck::check::twophase
