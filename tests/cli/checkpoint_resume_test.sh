#!/bin/bash
# An interrupted run resumes to the counts of an uninterrupted one:
# crosscheck check twophase --model spec --rms 8 (1,745,408 states, 18,507,778 generated, depth
# 26) is stopped by SIGINT once its first checkpoint is on disk, exits 3
# with result "interrupted", and --resume carries it to the end. Damaged
# and foreign checkpoints are refused with one line and exit 2.
set -u
crosscheck="$1"
dir="${TEST_TMPDIR:-$(mktemp -d)}"
checkpoint="$dir/run.checkpoint"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

run=(check twophase --model spec --rms 8 --threads 2 --format json)

"$crosscheck" "${run[@]}" --checkpoint "$checkpoint" --checkpoint-every 0.01 >"$dir/interrupted.json" 2>"$dir/interrupted.err" &
pid=$!
for _ in $(seq 1 500); do
  [ -s "$checkpoint" ] && break
  sleep 0.01
done
kill -INT "$pid"
wait "$pid"
status=$?
[ "$status" = 3 ] || fail "interrupted run: exit $status, expected 3 ($(tail -1 "$dir/interrupted.err"))"
[ "$(field "$dir/interrupted.json" result)" = interrupted ] || fail "interrupted run: result $(field "$dir/interrupted.json" result)"
interrupted_states=$(field "$dir/interrupted.json" distinct_states)
[ "$interrupted_states" -lt 1745408 ] || fail "the run ended before it was interrupted"
echo "interrupted at $interrupted_states distinct states"

"$crosscheck" "${run[@]}" --resume "$checkpoint" >"$dir/resumed.json" 2>"$dir/resumed.err"
status=$?
[ "$status" = 0 ] || fail "resumed run: exit $status ($(tail -1 "$dir/resumed.err"))"
[ "$(field "$dir/resumed.json" result)" = ok ] || fail "resumed run: result $(field "$dir/resumed.json" result)"
[ "$(field "$dir/resumed.json" distinct_states)" = 1745408 ] || fail "resumed: $(field "$dir/resumed.json" distinct_states) states"
[ "$(field "$dir/resumed.json" total_states)" = 18507778 ] || fail "resumed: $(field "$dir/resumed.json" total_states) generated"
[ "$(field "$dir/resumed.json" depth)" = 26 ] || fail "resumed: depth $(field "$dir/resumed.json" depth)"

refused() {  # args: expected message, then the command's arguments
  local message="$1"
  shift
  "$crosscheck" "$@" >"$dir/refused.out" 2>"$dir/refused.err"
  local status=$?
  [ "$status" = 2 ] || fail "$*: exit $status, expected 2"
  [ "$(wc -l <"$dir/refused.err")" = 1 ] || fail "$*: not one error line: $(cat "$dir/refused.err")"
  grep -qF "$message" "$dir/refused.err" || fail "$*: '$(cat "$dir/refused.err")' lacks '$message'"
}
refused "saved by another configuration" check twophase --model spec --rms 7 --resume "$checkpoint"
head -c 1000 "$checkpoint" >"$dir/truncated.checkpoint"
refused "checksum does not match" "${run[@]}" --resume "$dir/truncated.checkpoint"
echo "not a checkpoint" >"$dir/text.checkpoint"
refused "not a crosscheck checkpoint" "${run[@]}" --resume "$dir/text.checkpoint"
refused "cannot read" "${run[@]}" --resume "$dir/missing.checkpoint"
refused "applies to --search bfs" check twophase --search dfs --checkpoint "$checkpoint"
refused "cannot write" check twophase --checkpoint "$dir/no-such-directory/run.checkpoint"

[ "$failures" = 0 ] && echo PASS
exit "$failures"
