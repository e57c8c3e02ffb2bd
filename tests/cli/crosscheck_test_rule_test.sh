#!/usr/bin/env bash
# crosscheck_test passes when the result is the one expected and fails
# otherwise: the script the rule runs, run here on cases of both kinds (a
# failing case cannot be a test target of its own without failing the suite).
set -uo pipefail

runner=$1
crosscheck=$2
failures=0

# run NAME WANT_STATUS EXPECT CHART ARGS...: runs the rule's script in a
# fresh outputs directory and checks its exit status.
run() {
  local name=$1 want=$2
  shift 2
  dir="$TEST_TMPDIR/$name"
  mkdir -p "$dir"
  TEST_UNDECLARED_OUTPUTS_DIR="$dir" "$runner" "$crosscheck" "$@" >"$dir/log" 2>&1
  local status=$?
  if [ "$status" -ne "$want" ]; then
    echo "FAIL $name: exit status $status, wanted $want"
    cat "$dir/log"
    failures=$((failures + 1))
  fi
}

expect_in_log() {
  if ! grep -qF -- "$2" "$TEST_TMPDIR/$1/log"; then
    echo "FAIL $1: the log lacks: $2"
    cat "$TEST_TMPDIR/$1/log"
    failures=$((failures + 1))
  fi
}

expect_file() {
  if [ ! -s "$TEST_TMPDIR/$1/$2" ]; then
    echo "FAIL $1: no $2 written"
    failures=$((failures + 1))
  fi
}

expect_no_file() {
  if [ -e "$TEST_TMPDIR/$1/$2" ]; then
    echo "FAIL $1: $2 written"
    failures=$((failures + 1))
  fi
}

run violation_expected 0 violation 1 twophase --variant tm-majority-commit
expect_in_log violation_expected "PASS: violation, as expected"
expect_file violation_expected result.json
expect_file violation_expected chart.svg

run ok_expected_of_a_buggy_variant 1 ok 1 twophase --variant tm-majority-commit
expect_in_log ok_expected_of_a_buggy_variant "FAIL: expected ok, got violation"
# The counterexample is in the log, re-executed step by step.
expect_in_log ok_expected_of_a_buggy_variant "4. Deliver VoteYes rm2->tm: ok"
expect_in_log ok_expected_of_a_buggy_variant "Confirmed: Validity (always) is violated at step 4"
expect_file ok_expected_of_a_buggy_variant chart.svg

run ok_expected 0 ok 0 twophase --model tcommit --rms 2
expect_in_log ok_expected "PASS: ok, as expected"
expect_file ok_expected result.json
expect_no_file ok_expected chart.svg

run violation_expected_of_a_correct_spec 1 violation 0 twophase --model tcommit --rms 2
expect_in_log violation_expected_of_a_correct_spec "FAIL: expected violation, got ok"

# A chart of a spec is refused by crosscheck itself; the test fails with
# its error rather than passing on no result.
run chart_of_a_spec 1 ok 1 twophase --model tcommit --rms 2
expect_in_log chart_of_a_spec "is an abstract spec without nodes or messages"
expect_in_log chart_of_a_spec "FAIL: crosscheck exited with status 2 and no result"

run unknown_expectation 2 maybe 1 twophase
expect_in_log unknown_expectation "expect is ok or violation, not 'maybe'"

# A bound that stops the search is neither ok nor a violation.
run bound_exhausted 1 ok 0 twophase --max-states 10
expect_in_log bound_exhausted "FAIL: expected ok, got bound_exhausted"

echo "$failures failed"
[ "$failures" -eq 0 ]
