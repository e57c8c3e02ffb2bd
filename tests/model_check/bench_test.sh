#!/usr/bin/env bash
# The benchmark's command line: --help, bad flags, and a small run whose
# table carries TwoPhase's known counts at 1 and 2 threads.
set -uo pipefail

bench=$1
fail() {
  echo "FAIL: $*"
  exit 1
}

"$bench" --help >"$TEST_TMPDIR/help.txt" || fail "--help exited $?"
grep -q '^usage: bench' "$TEST_TMPDIR/help.txt" || fail "--help printed no usage"

"$bench" --bogus 1 2>"$TEST_TMPDIR/err.txt"
[ $? -eq 2 ] || fail "an unknown flag did not exit 2"
grep -q 'unknown flag --bogus' "$TEST_TMPDIR/err.txt" || fail "an unknown flag was not named"

"$bench" --repeat 2>"$TEST_TMPDIR/err.txt"
[ $? -eq 2 ] || fail "a flag without its value did not exit 2"
grep -q -- '--repeat needs a value' "$TEST_TMPDIR/err.txt" || fail "a flag without its value was not named"

"$bench" --min-rms 5 --max-rms 4 2>/dev/null
[ $? -eq 2 ] || fail "--min-rms above --max-rms did not exit 2"

"$bench" --min-rms 3 --max-rms 4 --repeat 2 >"$TEST_TMPDIR/table.txt" || fail "the run exited $?"
# TLC's distinct states for 3 and 4 RMs, 288 and 1,568 (agreement_test pins
# them too); the generated counts and depths are those of the table in
# docs/performance.md.
for threads in 1 2; do
  [ "$(grep -c "^| 3 | 288 | 1,146 | 11 | $threads |" "$TEST_TMPDIR/table.txt")" -eq 2 ] || fail "3 RMs, $threads threads"
  [ "$(grep -c "^| 4 | 1,568 | 8,258 | 14 | $threads |" "$TEST_TMPDIR/table.txt")" -eq 2 ] || fail "4 RMs, $threads threads"
  grep -q "^| 4 | $threads | 2 | " "$TEST_TMPDIR/table.txt" || fail "no median row for 4 RMs at $threads threads"
done
echo "PASS"
