// The lease arithmetic by Z3, for every lease and drift (spec/failover/
// z3_lease.h): a primary that trusts its lease for lease - 2 * drift ticks
// is never valid once its backup can promote; a margin of one drift, or of
// one tick less than two, is not enough, and Z3's counterexample satisfies
// the clock constraints when evaluated in plain C++.
#include "spec/failover/z3_lease.h"

#include <gtest/gtest.h>

#include <iostream>

#include "impl/failover/failover.h"

namespace crosscheck::spec::failover {
namespace {

TEST(FailoverLease, TrustingLeaseLessTwiceTheDriftEndsBeforeAnyPromotionForEveryLeaseAndDrift) {
  EXPECT_TRUE(check_lease_margin(2).holds);
  EXPECT_TRUE(check_lease_margin(2, 0, 1).holds);
  // And what impl/failover trusts is that margin.
  impl::failover::Config config;
  config.lease = 9;
  config.drift = 3;
  EXPECT_EQ(config.trusted_lease(), 3);
}

TEST(FailoverLease, AMarginOfOneDriftIsNotEnough) {
  const LeaseVerdict verdict = check_lease_margin(1);
  ASSERT_FALSE(verdict.holds);
  EXPECT_TRUE(is_counterexample(verdict.witness, 1)) << verdict.witness.text();
  EXPECT_GE(verdict.witness.drift, 1) << verdict.witness.text();
  std::cerr << "margin d: " << verdict.witness.text() << "\n";
}

TEST(FailoverLease, NoMarginIsNotEnough) {
  const LeaseVerdict verdict = check_lease_margin(0);
  ASSERT_FALSE(verdict.holds);
  EXPECT_TRUE(is_counterexample(verdict.witness, 0)) << verdict.witness.text();
}

TEST(FailoverLease, OneTickLessThanTwiceTheDriftIsNotEnough) {
  const LeaseVerdict verdict = check_lease_margin(2, -1, 1);
  ASSERT_FALSE(verdict.holds);
  EXPECT_TRUE(is_counterexample(verdict.witness, 2, -1)) << verdict.witness.text();
  EXPECT_GE(verdict.witness.drift, 1) << verdict.witness.text();
  std::cerr << "margin 2d - 1: " << verdict.witness.text() << "\n";
}

// is_counterexample has teeth: a run where the promotion comes after the
// lease is over is none.
TEST(FailoverLease, ALeaseThatEndsBeforeThePromotionIsNoCounterexample) {
  LeaseWitness w;
  w.lease = 5;
  w.drift = 1;
  w.sent_global = 0;
  w.sent_clock = 1;
  w.received_global = 0;
  w.received_clock = 0;
  w.valid_global = 2;
  w.valid_clock = 2;  // below 1 + 5 - 2
  w.promoted_global = 4;
  w.promoted_clock = 5;
  EXPECT_FALSE(is_counterexample(w, 2));
  w.promoted_global = 2;  // a promotion at 2 would need the backup's clock at 5, outside [2, 3]
  EXPECT_FALSE(is_counterexample(w, 2));
}

}  // namespace
}  // namespace crosscheck::spec::failover
