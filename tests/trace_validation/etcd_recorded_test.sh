#!/usr/bin/env bash
# Traces of etcd's raft library v3.4 (Debian's golang-etcd-server-dev),
# written by tools/etcd_raft_trace for seeds 1 to 100 (the even ones with
# PreVote and CheckQuorum), each validated by `crosscheck validate raft`.
# Every one must be valid; the seeds decide the runs, so the totals are
# pinned.
#
#   etcd_recorded_test.sh BUILD_SH CROSSCHECK
set -euo pipefail

build=$1
crosscheck=$2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
export GOCACHE=$tmp/gocache
recorder=$tmp/etcd_raft_trace
bash "$build" "$recorder"

events=0
widest=0
for seed in $(seq 1 100); do
  flags=""
  if [ $((seed % 2)) -eq 0 ]; then flags="--prevote --checkquorum"; fi
  trace=$tmp/seed$seed.ndjson
  # shellcheck disable=SC2086  # flags is a list of words
  "$recorder" --seed "$seed" $flags --out "$trace"
  if ! report=$("$crosscheck" validate raft "$trace" --no-progress --format json); then
    echo "FAIL: seed $seed ($flags) is not valid:" >&2
    "$crosscheck" validate raft "$trace" --no-progress >&2 || true
    exit 1
  fi
  read -r n w < <(python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["events"], j["widest"])' <<<"$report")
  events=$((events + n))
  if [ "$w" -gt "$widest" ]; then widest=$w; fi
done
echo "100 traces valid: $events events, at most $widest states at once"
# Go 1.19 and etcd 3.4.23 as Debian 12 ships them.
if [ "$events" -ne 363221 ] || [ "$widest" -ne 8 ]; then
  echo "FAIL: expected 363221 events and at most 8 states at once" >&2
  exit 1
fi
echo PASS
