#!/usr/bin/env bash
# The charts of real counterexamples: well-formed SVG, with every step of the
# trace (check_msc_svg.py says what is checked).
set -euo pipefail

crosscheck=$1
checker=$2
docs_chart=$3

chart() {
  local name=$1
  shift
  "$crosscheck" check "$@" --format json --no-progress --msc "$TEST_TMPDIR/$name.svg" >"$TEST_TMPDIR/$name.json" ||
    [ $? -eq 1 ]
  python3 "$checker" "$TEST_TMPDIR/$name.svg" "$TEST_TMPDIR/$name.json"
}

# Figure 8: elections, client input and replication between three servers.
chart raft_commit_old_term raft --variant commit-old-term
# The docs show that chart.
if ! cmp -s "$TEST_TMPDIR/raft_commit_old_term.svg" "$docs_chart"; then
  echo "FAIL: docs/images/fig8.svg is not the chart crosscheck draws now; from docs/, run"
  echo "  crosscheck check raft --variant commit-old-term --msc images/fig8.svg"
  exit 1
fi
# A timeout decides.
chart twophase_rm_timeout_abort twophase --variant rm-timeout-abort
# A crash, and the messages its restart sends.
chart twophase_tm_unlogged_decision twophase --variant tm-unlogged-decision
# Proposers and acceptors, with a crash.
chart paxos_acceptor_forgets paxos --variant acceptor-forgets
