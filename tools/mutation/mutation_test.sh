#!/usr/bin/env bash
# Mutation testing: how many realistic bugs does a protocol's gate catch?
#
#   tools/mutation/mutation_test.sh PROTOCOL [MUTANT...]
#
# Each tests/PROTOCOL/mutants/NAME.patch is a small change to impl/ (its
# first line says what mistake it makes). In a scratch clone of this
# workspace's HEAD, each is applied in turn and judged:
#   1. `crosscheck check PROTOCOL` with the defaults: a violation, or a node
#      assertion, kills it;
#   2. if it survives, `bazel test //tests/PROTOCOL/...`: a failing target
#      kills it.
# The patch is reverted before the next one, so Bazel rebuilds only what a
# patch touches. The result is a Markdown table on stdout (mutant, killed
# by, property, trace length, seconds) and a last line
# `killed K of N by the check, K2 more by the tests`.
#
# Environment:
#   MUTATION_DIR            scratch clones (default /tmp/crosscheck-mutation)
#   MUTATION_CHECK_SECONDS  the check's time limit per mutant (default 300)
#   MUTATION_SKIP_TESTS=1   judge by the check alone
#
# Exit status: 0 when every mutant is killed, 1 when some survive, 2 on
# bad usage or a mutant that does not apply or compile.
set -euo pipefail

usage() {
  echo "usage: $0 PROTOCOL [MUTANT...]" >&2
  exit 2
}
[ $# -ge 1 ] || usage
protocol=$1
shift

root=$(cd "$(dirname "$0")/../.." && pwd)
mutants_dir=$root/tests/$protocol/mutants
if [ ! -d "$mutants_dir" ]; then
  echo "mutation_test: no mutants for '$protocol' (no $mutants_dir)" >&2
  exit 2
fi
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for patch in "$mutants_dir"/*.patch; do
    names+=("$(basename "$patch" .patch)")
  done
fi

scratch=${MUTATION_DIR:-/tmp/crosscheck-mutation}/$protocol
check_seconds=${MUTATION_CHECK_SECONDS:-300}
if [ ! -d "$scratch/.git" ]; then
  mkdir -p "$(dirname "$scratch")"
  git clone --quiet "$root" "$scratch"
fi
git -C "$scratch" fetch --quiet "$root" HEAD
git -C "$scratch" checkout --quiet --force FETCH_HEAD
git -C "$scratch" clean --quiet -fdx -e bazel-\*

# Reads a check's JSON result: property and trace steps, tab-separated.
read_result() {
  python3 -c '
import json, sys
try:
    result = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    print("\t"); sys.exit()
steps = len(result.get("trace", [])) - 1
print(result.get("property", "") + "\t" + (str(steps) if steps >= 0 else ""))
' "$1"
}

echo "| mutant | killed by | property | steps | seconds |"
echo "|---|---|---|---|---|"
total=0
by_check=0
by_tests=0
status=0
for name in "${names[@]}"; do
  patch=$mutants_dir/$name.patch
  [ -f "$patch" ] || { echo "mutation_test: no mutant '$name' ($patch)" >&2; exit 2; }
  total=$((total + 1))
  git -C "$scratch" checkout --quiet --force FETCH_HEAD -- .
  if ! git -C "$scratch" apply "$patch"; then
    echo "mutation_test: $name does not apply to HEAD" >&2
    exit 2
  fi
  if ! (cd "$scratch" && ./bazelw build //:crosscheck >"$scratch/build.log" 2>&1); then
    echo "mutation_test: $name does not compile (see $scratch/build.log)" >&2
    exit 2
  fi
  json=$scratch/result.json
  start=$(date +%s.%N)
  set +e
  timeout "$check_seconds" "$scratch/bazel-bin/crosscheck" check "$protocol" --format json \
    >"$json" 2>"$scratch/check.log"
  code=$?
  set -e
  seconds=$(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")
  IFS=$'\t' read -r property steps < <(read_result "$json")
  killer=""
  case $code in
    1) killer="check" ;;
    0) ;;
    124) property="(time limit ${check_seconds} s)" ;;
    3) property="(bound exhausted)" ;;
    *) killer="check (node assertion, exit $code)"; property=$(tail -1 "$scratch/check.log") ;;
  esac
  if [ -n "$killer" ]; then
    by_check=$((by_check + 1))
  elif [ "${MUTATION_SKIP_TESTS:-0}" != 1 ]; then
    set +e
    (cd "$scratch" && ./bazelw test "//tests/$protocol/..." >"$scratch/test.log" 2>&1)
    set -e
    failed=$(grep -oE "^//tests/[^ ]+ +(FAILED|TIMEOUT)" "$scratch/test.log" |
      awk '{print $1}' | sed "s|^//tests/$protocol:||" | paste -sd, - || true)
    if [ -n "$failed" ]; then
      killer="tests: $failed"
      by_tests=$((by_tests + 1))
    fi
  fi
  if [ -z "$killer" ]; then
    killer="SURVIVED"
    status=1
  fi
  echo "| $name | $killer | $property | $steps | $seconds |"
done
git -C "$scratch" checkout --quiet --force FETCH_HEAD -- .
echo
echo "killed $by_check of $total by the check, $by_tests more by the tests"
exit $status
