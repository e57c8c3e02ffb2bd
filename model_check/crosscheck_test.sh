#!/usr/bin/env bash
# The test that crosscheck_test (model_check/defs.bzl) runs: one
# `crosscheck check`, passing when its result is the one expected.
#
#   crosscheck_test.sh CROSSCHECK EXPECT CHART PROTOCOL [CHECK ARGS...]
#
# EXPECT is ok or violation; CHART is 1 to draw a violation's chart. The JSON
# result (result.json) and the chart (chart.svg) go to Bazel's undeclared
# test outputs, so a failing run in CI leaves its counterexample behind.
set -uo pipefail

if [ $# -lt 4 ]; then
  echo "usage: crosscheck_test.sh CROSSCHECK EXPECT CHART PROTOCOL [CHECK ARGS...]" >&2
  exit 2
fi
crosscheck=$1
expect=$2
chart=$3
shift 3
case "$expect" in
  ok | violation) ;;
  *)
    echo "crosscheck_test: expect is ok or violation, not '$expect'" >&2
    exit 2
    ;;
esac

out=${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR:-$(mktemp -d)}}
mkdir -p "$out"
msc=()
if [ "$chart" = 1 ]; then msc=(--msc "$out/chart.svg"); fi

echo "crosscheck check $* --format json"
"$crosscheck" check "$@" --format json --no-progress "${msc[@]}" >"$out/result.json"
status=$?
# A member of the result's top level: `crosscheck check` prints it indented
# by two spaces, one member a line.
top_level() { sed -n "s/^  \"$1\": \"\\(.*\\)\",\\{0,1\\}\$/\\1/p" "$out/result.json"; }
result=$(top_level result)
if [ -z "$result" ]; then
  echo "FAIL: crosscheck exited with status $status and no result (see the error above)"
  exit 1
fi

echo "result: $result$( [ "$result" = violation ] && echo " of $(top_level property) ($(top_level property_kind))")"
written="result.json"
if [ -f "$out/chart.svg" ]; then written+=", chart.svg"; fi
if [ -n "${TEST_UNDECLARED_OUTPUTS_DIR:-}" ]; then
  echo "written to the test's outputs (test.outputs/ under bazel-testlogs): $written"
else
  echo "written to $out: $written"
fi
if [ "$result" != "$expect" ]; then
  echo "FAIL: expected $expect, got $result"
  # The counterexample, step by step, re-executed from the saved result.
  if [ "$result" = violation ]; then "$crosscheck" replay "$out/result.json"; fi
  exit 1
fi
echo "PASS: $result, as expected"
