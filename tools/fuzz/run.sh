#!/usr/bin/env bash
# Fuzzes one libfuzzer_test target (defs.bzl) for minutes instead of the
# test's few seconds.
#
#   tools/fuzz/run.sh //audit:edn_fuzz_test 10
#   tools/fuzz/run.sh //tools/fuzz/example:pair_fuzz_test 1 -max_len=256
#   tools/fuzz/run.sh //tools/fuzz/example:pair_fuzz_test 0 -max_total_time=20   # 20 seconds
#
# Builds <label>_bin with ./bazelw, runs it for MINUTES (decimals allowed)
# over a temporary copy of the target's corpus with -print_final_stats=1;
# flags after MINUTES go to libFuzzer and, coming last, override ours
# (-seed=N repeats a run; without it libFuzzer picks a seed and prints it).
# A crashing input is saved into the corpus directory as regression-<sha1>,
# to commit: from then on `bazel test` replays it.
#
# Environment: FUZZ_BAZEL_STARTUP_OPTS (e.g. --output_base=...) and
# FUZZ_BAZEL_BUILD_OPTS are passed to every ./bazelw call.
set -euo pipefail

usage() {
  echo "usage: $0 //package:name_fuzz_test MINUTES [libFuzzer flags...]" >&2
  exit 2
}
[ $# -ge 2 ] || usage
label=$1
minutes=$2
shift 2

case "$label" in
  //*) ;;
  *) echo "run.sh: give the test's full label, //package:name (got '$label')" >&2; usage ;;
esac
package=${label#//}
if [[ "$package" == *:* ]]; then
  name=${package##*:}
  package=${package%%:*}
else
  name=${package##*/}
fi
if ! [[ "$minutes" =~ ^[0-9]+([.][0-9]+)?$ ]]; then
  echo "run.sh: MINUTES must be a number (got '$minutes')" >&2
  usage
fi
seconds=$(awk -v m="$minutes" 'BEGIN { s = int(m * 60 + 0.5); if (s < 1) s = 1; print s }')

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
read -r -a startup <<<"${FUZZ_BAZEL_STARTUP_OPTS:-}"
read -r -a build_opts <<<"${FUZZ_BAZEL_BUILD_OPTS:-}"
bazel() {
  local command=$1
  shift
  "$root/bazelw" ${startup[@]+"${startup[@]}"} "$command" ${build_opts[@]+"${build_opts[@]}"} "$@"
}

echo "run.sh: building //$package:${name}_bin" >&2
bazel build "//$package:${name}_bin"
binary=$(bazel info bazel-bin 2>/dev/null)/$package/${name}_fuzzer
[ -x "$binary" ] || { echo "run.sh: no fuzzer binary at $binary" >&2; exit 1; }

# The corpus: the source files of <name>_corpus (labels //pkg:path/in/pkg;
# --output=location would name the BUILD line of the glob, not the file).
corpus_files=()
while IFS= read -r file_label; do
  case "$file_label" in
    //*:*) file_label=${file_label#//}; corpus_files+=("$root/${file_label%%:*}/${file_label#*:}") ;;
  esac
done < <("$root/bazelw" ${startup[@]+"${startup[@]}"} query --output=label \
           "kind('source file', deps(//$package:${name}_corpus))" 2>/dev/null)

# New regression inputs go where the corpus files are (their common
# directory), or to <package>/corpus/<name> when the corpus is empty.
corpus_dir=""
for file in ${corpus_files[@]+"${corpus_files[@]}"}; do
  dir=$(dirname "$file")
  if [ -z "$corpus_dir" ]; then
    corpus_dir=$dir
  fi
  while [ "$dir" != "$corpus_dir" ] && [[ "$dir" != "$corpus_dir"/* ]]; do
    corpus_dir=$(dirname "$corpus_dir")
  done
done
if [ -z "$corpus_dir" ]; then
  corpus_dir=$root/$package/corpus/$name
  echo "run.sh: //$package:${name}_corpus is empty; crashes will go to $corpus_dir (add it to the corpus glob)" >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
count=0
for file in ${corpus_files[@]+"${corpus_files[@]}"}; do
  count=$((count + 1))
  dest=$work/corpus/$(basename "$file")
  [ -e "$dest" ] && dest=$work/corpus/$count-$(basename "$file")
  cp "$file" "$dest"
  chmod u+w "$dest"
done

if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && command -v llvm-symbolizer >/dev/null; then
  ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer)
  export ASAN_SYMBOLIZER_PATH
fi
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

echo "run.sh: fuzzing $label for ${seconds}s over $count corpus inputs from ${corpus_dir#"$root"/}" >&2
status=0
"$binary" \
  -max_total_time="$seconds" \
  -timeout=20 \
  -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" \
  "$@" \
  "$work/corpus" 2>&1 | tee "$work/log" || status=${PIPESTATUS[0]}

echo
saved=0
for artifact in "$work"/artifacts/*; do
  [ -f "$artifact" ] || continue
  case "$(basename "$artifact")" in
    crash-* | leak-* | timeout-* | oom-*) ;;
    *) continue ;;  # slow-unit-*: not a failure
  esac
  sha1=$(sha1sum "$artifact" | cut -d' ' -f1)
  mkdir -p "$corpus_dir"
  cp "$artifact" "$corpus_dir/regression-$sha1"
  echo "run.sh: $(basename "$artifact") saved as ${corpus_dir#"$root"/}/regression-$sha1"
  echo "        reproduce: $binary ${corpus_dir#"$root"/}/regression-$sha1"
  saved=$((saved + 1))
done
if [ "$saved" -gt 0 ]; then
  echo "run.sh: commit the regression input(s) above with the fix: 'bazel test $label' replays them."
fi

executed=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$work/log" | tail -n 1)
seed=$(sed -n 's/^INFO: Seed: \([0-9]*\).*/\1/p' "$work/log" | tail -n 1)
new_units=$(sed -n 's/^stat::new_units_added: *\([0-9]*\).*/\1/p' "$work/log" | tail -n 1)
echo "run.sh: $label: executed ${executed:-?} inputs, seed ${seed:-?}, ${new_units:-?} new coverage-increasing inputs (not kept), exit status $status"
exit "$status"
