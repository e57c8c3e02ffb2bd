#!/usr/bin/env bash
# The test half of libfuzzer_test (defs.bzl): runs a libFuzzer binary for a
# bounded number of iterations over a writable copy of its corpus.
#
#   libfuzzer_test_runner.sh BINARY RUNS MAX_TOTAL_TIME SEED [libFuzzer flags...] -- [CORPUS FILES...]
#
# Environment (pass with --test_env=NAME=VALUE): FUZZ_SEED, FUZZ_RUNS and
# FUZZ_MAX_TOTAL_TIME override the target's values.
set -uo pipefail

if [ $# -lt 4 ]; then
  echo "usage: $0 BINARY RUNS MAX_TOTAL_TIME SEED [libFuzzer flags...] -- [CORPUS FILES...]" >&2
  exit 2
fi
binary=$1
runs=${FUZZ_RUNS:-$2}
max_total_time=${FUZZ_MAX_TOTAL_TIME:-$3}
seed=${FUZZ_SEED:-$4}
shift 4
flags=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  flags+=("$1")
  shift
done
[ $# -gt 0 ] && shift  # the --; the rest are corpus files

tmp=${TEST_TMPDIR:-$(mktemp -d)}
corpus=$tmp/corpus
rm -rf "$corpus"
mkdir -p "$corpus"
# libFuzzer adds coverage-increasing inputs to the first corpus directory:
# a copy, so that the source tree (and the runfiles) are never written.
count=0
for file in "$@"; do
  count=$((count + 1))
  dest=$corpus/$(basename "$file")
  [ -e "$dest" ] && dest=$corpus/$count-$(basename "$file")
  cp "$file" "$dest"
  chmod u+w "$dest"
done

# Crashing inputs go where Bazel keeps them (bazel-testlogs/<pkg>/<name>/test.outputs/).
artifacts=${TEST_UNDECLARED_OUTPUTS_DIR:-$tmp/artifacts}
mkdir -p "$artifacts"

if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ]; then
  for symbolizer in "$(command -v llvm-symbolizer 2>/dev/null)" /usr/lib/llvm-*/bin/llvm-symbolizer; do
    if [ -n "$symbolizer" ] && [ -x "$symbolizer" ]; then
      export ASAN_SYMBOLIZER_PATH=$symbolizer
      break
    fi
  done
fi
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

echo "libfuzzer_test: ${TEST_TARGET:-$binary}: seed $seed, -runs=$runs, -max_total_time=$max_total_time, $count corpus inputs"
# Without address-space randomization a seed repeats a run exactly: with it,
# features hashed from addresses can differ and the runs drift apart.
norandom=()
if setarch "$(uname -m)" -R true 2>/dev/null; then
  norandom=(setarch "$(uname -m)" -R)
fi

log=$tmp/libfuzzer.log
# -timeout: one input running this long is a failure (a hang); the flags
# given to the target come after ours, so they win. The test log leaves out
# libFuzzer's line per new corpus input (NEW/REDUCE/pulse); $log has all.
${norandom[@]+"${norandom[@]}"} "$binary" \
  -seed="$seed" \
  -runs="$runs" \
  -max_total_time="$max_total_time" \
  -timeout=20 \
  -print_final_stats=1 \
  -artifact_prefix="$artifacts/" \
  ${flags[@]+"${flags[@]}"} \
  "$corpus" 2>&1 | tee "$log" | grep -Ev '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)[[:space:]]'
status=${PIPESTATUS[0]}

executed=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
used_seed=$(sed -n 's/^INFO: Seed: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
new_units=$(sed -n 's/^stat::new_units_added: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
echo
echo "libfuzzer_test: executed ${executed:-?} inputs (-runs=$runs), seed ${used_seed:-$seed}, ${new_units:-?} new coverage-increasing inputs (not kept)"
if grep -q "^Done [0-9]* runs in" "$log" && [ -n "$executed" ] && [ "$runs" -ge 0 ] 2>/dev/null && [ "$executed" -lt "$runs" ]; then
  echo "libfuzzer_test: note: stopped by -max_total_time=$max_total_time before -runs=$runs"
fi

# Any sanitizer report fails the test, even one that let the process exit 0.
if [ "$status" -eq 0 ] && grep -Eq "ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error:" "$log"; then
  echo "libfuzzer_test: a sanitizer reported an error although the fuzzer exited 0" >&2
  status=1
fi

if [ "$status" -ne 0 ]; then
  echo
  echo "libfuzzer_test: FAILED (exit status $status), seed ${used_seed:-$seed}" >&2
  found=0
  for artifact in "$artifacts"/*; do
    [ -f "$artifact" ] || continue
    found=1
    echo "  input: $(basename "$artifact") ($(wc -c <"$artifact") bytes, sha1 $(sha1sum "$artifact" | cut -d' ' -f1))" >&2
  done
  if [ "$found" -eq 1 ]; then
    if [ -n "${TEST_UNDECLARED_OUTPUTS_DIR:-}" ]; then
      echo "  kept by Bazel in bazel-testlogs/${TEST_BINARY:-<package>/<test>}/test.outputs/outputs.zip" >&2
    else
      echo "  in $artifacts" >&2
    fi
    echo "  Reproduce: bazel build ${TEST_TARGET:-<target>}_bin, then bazel-bin/${TEST_BINARY:-<package>/<test>}_fuzzer FILE" >&2
    echo "  Keep it as a regression input: copy it into the target's corpus directory as regression-<sha1>" >&2
    echo "  (tools/fuzz/run.sh does that for the crashes it finds) and commit it; the test replays it from then on." >&2
  fi
  echo "  Repeat this run: bazel test ${TEST_TARGET:-<target>} --test_env=FUZZ_SEED=${used_seed:-$seed}" >&2
  exit "$status"
fi
exit 0
