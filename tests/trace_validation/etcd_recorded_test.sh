#!/usr/bin/env bash
# Traces of etcd's raft library v3.4 (Debian's golang-etcd-server-dev),
# written by tools/etcd_raft_trace for seeds 1 to 100 (the even ones with
# PreVote and CheckQuorum) and, with joint membership changes, seeds 1 to
# 50, each validated by `crosscheck validate raft`. Every one must be
# valid; the seeds decide the runs, so the totals are pinned.
#
#   etcd_recorded_test.sh BUILD_SH CROSSCHECK
set -euo pipefail

build=$1
crosscheck=$2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
export GOCACHE=$tmp/gocache
recorder=$tmp/etcd_raft_trace
bash "$build" "$recorder"

# Validates seeds 1..$1 with the recorder's flags $2 (and, for even
# seeds, PreVote and CheckQuorum); sets events and widest.
validate_seeds() {
  events=0
  widest=0
  local seed flags trace report n w
  for seed in $(seq 1 "$1"); do
    flags=$2
    if [ $((seed % 2)) -eq 0 ]; then flags="$flags --prevote --checkquorum"; fi
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
}

# Go 1.19 and etcd 3.4.23 as Debian 12 ships them.
expect() {
  echo "$1: $events events, at most $widest states at once"
  if [ "$events" -ne "$2" ] || [ "$widest" -ne "$3" ]; then
    echo "FAIL: expected $2 events and at most $3 states at once" >&2
    exit 1
  fi
}

validate_seeds 100 ""
expect "100 traces valid" 363221 8
validate_seeds 50 "--joint"
expect "50 traces with joint changes valid" 177344 8
echo PASS
