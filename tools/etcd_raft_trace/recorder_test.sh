#!/usr/bin/env bash
# Builds the recorder, runs it for a few seeds with and without
# --prevote --checkquorum and for one seed with --joint, checks every
# trace with check_trace.py (its --summary line included), and checks
# that a seed gives the same bytes twice and another seed other bytes.
#
#   recorder_test.sh BUILD_SH CHECK_TRACE_PY
set -euo pipefail

build=$1
check=$2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
export GOCACHE=$tmp/gocache
recorder=$tmp/etcd_raft_trace
bash "$build" "$recorder"

for seed in 1 2 3; do
  for flags in "" "--prevote --checkquorum"; do
    name=seed$seed${flags:+-pv-cq}
    # shellcheck disable=SC2086  # flags is a list of words
    "$recorder" --seed "$seed" $flags --summary --out "$tmp/$name.ndjson" \
      2>"$tmp/$name.summary"
    python3 "$check" "$tmp/$name.ndjson" --summary "$tmp/$name.summary"
    echo "$name: $(cut -d' ' -f1-9 "$tmp/$name.summary")"
  done
done

"$recorder" --seed 4 --prevote --checkquorum --joint --summary \
  --out "$tmp/seed4-joint.ndjson" 2>"$tmp/seed4-joint.summary"
python3 "$check" "$tmp/seed4-joint.ndjson" --joint --summary "$tmp/seed4-joint.summary"
echo "seed4-pv-cq-joint: $(grep -o 'joint_entered=[0-9]* joint_left=[0-9]*' \
  "$tmp/seed4-joint.summary")"
"$recorder" --seed 4 --prevote --checkquorum --joint --out "$tmp/again.ndjson"
if ! cmp -s "$tmp/seed4-joint.ndjson" "$tmp/again.ndjson"; then
  echo "FAIL: seed 4 with --joint gave different traces" >&2
  exit 1
fi

"$recorder" --seed 2 --prevote --checkquorum --out "$tmp/again.ndjson"
if ! cmp -s "$tmp/seed2-pv-cq.ndjson" "$tmp/again.ndjson"; then
  echo "FAIL: seed 2 gave different traces" >&2
  exit 1
fi
if cmp -s "$tmp/seed1.ndjson" "$tmp/seed3.ndjson"; then
  echo "FAIL: seeds 1 and 3 gave the same trace" >&2
  exit 1
fi
echo PASS
