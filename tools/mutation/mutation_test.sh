#!/usr/bin/env bash
# Mutation testing: how many realistic bugs does a protocol's gate catch?
#
#   tools/mutation/mutation_test.sh PROTOCOL [MUTANT...]
#
# PROTOCOL is a folder name under impl/ and tests/ (ring_election,
# balancing, ...). Each tests/PROTOCOL/mutants/NAME.patch is a small change
# to impl/ (its first line says what mistake it makes). In a scratch clone
# of this workspace's HEAD, each is applied in turn and judged:
#   1. the protocol's model check with its defaults, `crosscheck check NAME`
#      where NAME is the one check/PROTOCOL/cli.cc registers (ring-election
#      for ring_election, balancing-failover for balancing): a failed check
#      (exit status 1: a violation, or a `sometimes` goal never reached)
#      kills the mutant, and so does a crash of the check (a node's
#      assertion, another signal, or an internal error, exit status 4).
#      A check that runs out of time (MUTATION_CHECK_SECONDS) or memory
#      (MUTATION_CHECK_MEMORY; exit status 3) does not kill it. A protocol without a
#      check/PROTOCOL folder (hashing, placement) has no model check: its
#      property, steps and seconds columns show "—" and the tests decide;
#   2. if it survives, `bazel test //tests/PROTOCOL/...`: a failing or
#      timed-out target kills it.
# The patch is reverted before the next one, so Bazel rebuilds only what a
# patch touches; the logs of the targets that failed for a mutant stay in
# the clone's logs/MUTANT/. The result is a Markdown table on stdout (mutant, killed
# by, property, trace length, seconds of the check) and a last line
# `killed K of N by the check, K2 more by the tests` (K is 0 when there is
# no model check, and the line says so).
#
# Environment:
#   MUTATION_DIR            scratch clones (default /tmp/crosscheck-mutation)
#   MUTATION_CHECK_SECONDS  the check's time limit per mutant (default 300)
#   MUTATION_CHECK_MEMORY   the check's --memory-limit per mutant (default
#                           4G), so that a mutant that swells the state space
#                           stops cleanly instead of exhausting the machine
#   MUTATION_SKIP_TESTS=1   judge by the check alone (bad usage for a
#                           protocol without a model check)
#   MUTATION_CHECK_FLAGS    more flags for the check, split on spaces (for
#                           instance "--por" or "--focus none --symmetry", to
#                           compare a reduction's verdicts with the plain
#                           search's)
#
# Exit status: 0 when every mutant is killed, 1 when some survive, 2 on
# bad usage, a mutant that does not apply or compile (the check's binary,
# or the tests), or a check or test run that could not start.
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

# The check's name is the one check/PROTOCOL/cli.cc registers; a protocol
# without that folder has no model check.
check_name=""
if [ -d "$root/check/$protocol" ]; then
  check_name=$(sed -n 's/^ *\.name = "\([a-z0-9-]*\)",$/\1/p' "$root/check/$protocol/cli.cc" | head -1)
  if [ -z "$check_name" ]; then
    echo "mutation_test: no '.name = \"...\"' in check/$protocol/cli.cc" >&2
    exit 2
  fi
elif [ "${MUTATION_SKIP_TESTS:-0}" = 1 ]; then
  echo "mutation_test: $protocol has no model check, so MUTATION_SKIP_TESTS=1 leaves no judge" >&2
  exit 2
fi

scratch=${MUTATION_DIR:-/tmp/crosscheck-mutation}/$protocol
check_seconds=${MUTATION_CHECK_SECONDS:-300}
check_memory=${MUTATION_CHECK_MEMORY:-4G}
read -r -a check_flags <<<"${MUTATION_CHECK_FLAGS:-}"
if [ ! -d "$scratch/.git" ]; then
  mkdir -p "$(dirname "$scratch")"
  git clone --quiet "$root" "$scratch"
fi
git -C "$scratch" fetch --quiet "$root" HEAD
git -C "$scratch" checkout --quiet --force FETCH_HEAD
git -C "$scratch" clean --quiet -fdx -e bazel-\*

# Reads a check's JSON result: the property violated (or the `sometimes`
# goals never reached) and the trace's steps, separated by a unit separator
# (not whitespace, so an empty property stays a field).
read_result() {
  python3 -c '
import json, sys
try:
    result = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    print("\x1f"); sys.exit()
steps = len(result.get("trace", [])) - 1
prop = result.get("property", "")
if result.get("result") in ("bound_exhausted", "memory_exhausted", "interrupted"):
    prop = "(" + result["result"].replace("_", " ") + ")"
elif result.get("result") == "goal_unreached":
    unreached = [g["name"] for g in result.get("goals", []) if not g.get("reached")]
    prop = "goal unreached: " + ", ".join(unreached)
print(prop + "\x1f" + (str(steps) if steps >= 0 else ""))
' "$1"
}

# A table cell: no line breaks, and a | (as in an assertion's condition)
# escaped so that it does not end the cell.
cell() { printf '%s' "$1" | tr '\n' ' ' | sed 's/|/\\|/g'; }

# Runs the check on the patched clone and sets killer, property, steps and
# seconds. A signal or exit status 4 is a crash, which kills the mutant; a
# time limit (124, or 137 when it took SIGKILL after the SIGTERM) or an
# exhausted bound does not.
run_check() {
  local json=$scratch/result.json log=$scratch/check.log code start
  rm -f "$json"
  start=$(date +%s.%N)
  set +e
  # The braces take bash's own "Aborted" notice off the terminal.
  {
    timeout -k 30 "$check_seconds" "$scratch/bazel-bin/crosscheck" check "$check_name" \
      --format json --no-progress --memory-limit "$check_memory" \
      ${check_flags[@]+"${check_flags[@]}"} >"$json" 2>"$log"
  } 2>/dev/null
  code=$?
  set -e
  seconds=$(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")
  IFS=$'\x1f' read -r property steps < <(read_result "$json")
  killer=""
  case $code in
    0) ;;
    1) killer="check" ;;
    2)
      echo "mutation_test: \`crosscheck check $check_name\` refused to run (see $log)" >&2
      exit 2
      ;;
    3) [ -n "$property" ] || property="(bound exhausted)" ;;
    4) killer="check (crash: internal error)"; property=$(tail -1 "$log") ;;
    124 | 137)
      if [ "$code" = 124 ] || [ "$(echo "$seconds >= $check_seconds" | bc)" = 1 ]; then
        property="(time limit ${check_seconds} s)"
      else
        killer="check (crash: signal 9)"
      fi
      ;;
    134)
      killer="check (crash: node assertion)"
      property=$(grep -m1 'invariant violated' "$log" || tail -1 "$log")
      ;;
    *)
      if [ "$code" -gt 128 ]; then
        killer="check (crash: signal $((code - 128)))"
      else
        killer="check (crash: exit $code)"
      fi
      property=$(tail -1 "$log")
      ;;
  esac
}

# Runs the protocol's tests on the patched clone and sets killer to the
# failing targets, if any, whose logs it keeps in $scratch/logs/MUTANT/.
run_tests() {
  local log=$scratch/test.log code failed labels label path
  set +e
  (cd "$scratch" && ./bazelw test "//tests/$protocol/..." >"$log" 2>&1)
  code=$?
  set -e
  case $code in
    0 | 3) ;;
    1)
      echo "mutation_test: $name does not compile with the tests (see $log)" >&2
      exit 2
      ;;
    *)
      echo "mutation_test: bazel test exited with $code for $name (see $log)" >&2
      exit 2
      ;;
  esac
  # A sharded target some of whose shards were cached reads
  # "//tests/p:t  (1/3 cached) FAILED in 2 out of 3".
  labels=$(grep -oE "^//tests/[^ ]+ +(\([^)]*\) +)?(FAILED|TIMEOUT)" "$log" |
    awk '{print $1}' || true)
  failed=$(echo "$labels" | sed "s|^//tests/$protocol:||" | paste -sd, - || true)
  if [ -n "$failed" ]; then killer="tests: $failed"; fi
  # Each failing target's log, kept past the next mutant's run.
  for label in $labels; do
    mkdir -p "$scratch/logs/$name"
    path=${label#//}
    # Every shard's log, in shard order.
    find "$scratch/bazel-testlogs/${path/://}" -name test.log | sort |
      xargs -r cat >"$scratch/logs/$name/${path##*:}.log" 2>/dev/null || true
  done
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
  killer=""
  property="—"
  steps="—"
  seconds="—"
  if [ -n "$check_name" ]; then
    if ! (cd "$scratch" && ./bazelw build //:crosscheck >"$scratch/build.log" 2>&1); then
      echo "mutation_test: $name does not compile (see $scratch/build.log)" >&2
      exit 2
    fi
    run_check
  fi
  if [ -n "$killer" ]; then
    by_check=$((by_check + 1))
  elif [ "${MUTATION_SKIP_TESTS:-0}" != 1 ]; then
    run_tests
    if [ -n "$killer" ]; then by_tests=$((by_tests + 1)); fi
  fi
  if [ -z "$killer" ]; then
    killer="SURVIVED"
    status=1
  fi
  echo "| $name | $(cell "$killer") | $(cell "$property") | $steps | $seconds |"
done
git -C "$scratch" checkout --quiet --force FETCH_HEAD -- .
echo
if [ -n "$check_name" ]; then
  echo "killed $by_check of $total by the check, $by_tests more by the tests"
else
  echo "killed $by_check of $total by the check ($protocol has no model check), $by_tests more by the tests"
fi
exit $status
