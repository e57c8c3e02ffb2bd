#!/usr/bin/env bash
# The charts of real counterexamples: well-formed SVG, with every step of the
# trace (check_msc_svg.py says what is checked).
set -euo pipefail

crosscheck=$1
checker=$2
docs=$(dirname "$3")  # the charts the docs show, docs/images/*.svg

chart() {
  local name=$1
  shift
  "$crosscheck" check "$@" --format json --no-progress --msc "$TEST_TMPDIR/$name.svg" >"$TEST_TMPDIR/$name.json" ||
    [ $? -eq 1 ]
  python3 "$checker" "$TEST_TMPDIR/$name.svg" "$TEST_TMPDIR/$name.json"
}

# A chart the docs show, as crosscheck draws it now.
docs_chart() {
  local file=$1
  shift
  chart "${file%.svg}" "$@"
  if ! cmp -s "$TEST_TMPDIR/${file%.svg}.svg" "$docs/$file"; then
    echo "FAIL: docs/images/$file is not the chart crosscheck draws now; from docs/, run"
    echo "  crosscheck check $* --msc images/$file"
    exit 1
  fi
}

# Figure 8: elections, client input and replication between three servers.
docs_chart fig8.svg raft --variant commit-old-term
# A deposed leader's read, answered without a heartbeat round.
docs_chart readindex-without-quorum-round.svg raft --variant readindex-without-quorum-round
# Two single-server changes of different terms, whose quorums do not overlap.
docs_chart single-server-change-unsafe.svg raft --variant single-server-change-unsafe --servers 4 \
  --check-refinement 0 --max-restarts 0 --max-log 1 --max-term 4 --max-messages 4 --symmetry
# A joint configuration left before it is committed.
docs_chart joint-leave-early.svg raft --variant joint-leave-early --check-refinement 0 --max-log 3 \
  --max-restarts 0 --symmetry
# A pre-vote that deposes the leader: the stem of a liveness lasso.
docs_chart pre-vote-raises-term.svg raft --liveness --variant pre-vote-raises-term \
  --check-refinement 0 --timely-elections 1 --max-log 0 --max-restarts 0
# A snapshot that drops the entries after it from a follower that agreed with it.
docs_chart snapshot-discards-suffix.svg raft --variant snapshot-discards-suffix --max-log 2 \
  --max-restarts 0 --symmetry
# A leader answers from its lease while a new one, elected without
# CheckQuorum, has committed.
docs_chart checkquorum-off-lease-read.svg raft --variant checkquorum-off-lease-read --symmetry
# A lease trusted for the whole election timeout while clocks drift.
docs_chart lease-read-no-drift-margin.svg raft --variant lease-read-no-drift-margin --symmetry
# A timeout decides.
chart twophase_rm_timeout_abort twophase --variant rm-timeout-abort
# A crash, and the messages its restart sends.
chart twophase_tm_unlogged_decision twophase --variant tm-unlogged-decision
# Proposers and acceptors, with a crash.
chart paxos_acceptor_forgets paxos --variant acceptor-forgets
