#!/usr/bin/env bash
# `crosscheck audit` from the command line: the verdicts on histories
# recorded from a real etcd cluster (tests/audit/histories/README.md),
# the exit statuses, the JSON result's fields, unknown when a budget runs
# out, and one error line with exit 2 for every malformed input.
set -uo pipefail

crosscheck=$1
histories=$(dirname "$2")
tmp=${TEST_TMPDIR:-$(mktemp -d)}
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# expect STATUS ARGS...: runs `crosscheck audit ARGS` and checks its status.
expect() {
  local want=$1
  shift
  "$crosscheck" audit "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [ "$got" -eq "$want" ] || fail "audit $* exited $got, not $want: $(head -c 400 "$tmp/err" "$tmp/out")"
}

# bad INPUT_TEXT EXPECTED_ERROR [NAME]: a malformed history is one line on
# stderr, the file's path then EXPECTED_ERROR (":LINE: problem"), and exit 2;
# nothing on stdout.
bad() {
  local text=$1 message=$2 name=${3:-bad.edn}
  printf '%b' "$text" >"$tmp/$name"
  expect 2 "$tmp/$name" --model cas-register
  local lines
  lines=$(wc -l <"$tmp/err")
  [ "$lines" -eq 1 ] || fail "$name: $lines error lines, not 1"
  [ -s "$tmp/out" ] && fail "$name: a malformed history printed a result"
  local said
  said=$(cat "$tmp/err")
  [ "$said" = "crosscheck: $tmp/$name$message" ] || fail "$name: said '$said', not '$message'"
}

# The recorded etcd histories.
expect 0 "$histories/etcd-cas-register-1.edn" --model cas-register
grep -q '^linearizable$' "$tmp/out" || fail "etcd-cas-register-1: $(cat "$tmp/out")"
expect 0 "$histories/etcd-cas-register-2.edn" --model cas-register --threads 1
expect 1 "$histories/etcd-stale-cache.edn" --model cas-register --format json
python3 - "$tmp/out" <<'PY' || fail "the stale-cache history's JSON result"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["command"] == "audit" and r["model"] == "cas-register", r
assert r["result"] == "not_linearizable", r["result"]
assert r["keys"]["source"] == "tuples" and r["keys"]["count"] == 3, r["keys"]
f = r["failure"]
assert f["culprit"]["f"] == "read" and f["culprit"]["type"] == "ok", f["culprit"]
assert f["states_before"] and f["expected"].startswith("the register holds"), f
assert all(op["complete_line"] < f["culprit"]["complete_line"] for op in f["prefix"] if op["type"] == "ok")
assert list(r)[:5] == ["command", "file", "model", "result", "stopped"], list(r)
PY
# The same verdicts from JSON lines.
python3 - "$histories/etcd-stale-cache.edn" "$tmp/stale.jsonl" <<'PY'
import re, sys, json
out = open(sys.argv[2], "w")
for line in open(sys.argv[1]):
    m = dict(re.findall(r":(\w+) (\[[^]]*\]\]?|:?[\w-]+)", line))
    value = json.loads(m["value"].replace("nil", "null").replace(" ", ","))
    out.write(json.dumps({"process": int(m["process"]), "type": m["type"][1:], "f": m["f"][1:], "value": value}) + "\n")
PY
expect 1 "$tmp/stale.jsonl" --model cas-register

# A budget that runs out is unknown, exit 3: 22 concurrent writes, then a
# read of a value none wrote, makes the search try every subset of them.
{
  for p in $(seq 0 21); do echo "{:process $p, :type :invoke, :f :write, :value $p}"; done
  for p in $(seq 0 21); do echo "{:process $p, :type :ok, :f :write, :value $p}"; done
  echo "{:process 0, :type :invoke, :f :read, :value nil}"
  echo "{:process 0, :type :ok, :f :read, :value 99}"
} >"$tmp/hard.edn"
expect 3 "$tmp/hard.edn" --model register --timeout 0.3 --format json
grep -q '"stopped": "time"' "$tmp/out" || fail "--timeout: $(head -c 300 "$tmp/out")"
expect 3 "$tmp/hard.edn" --model register --memory-limit 2M --timeout 60
grep -q '^unknown: the memory budget' "$tmp/out" || fail "--memory-limit: $(cat "$tmp/out")"

# Malformed input: one line naming the file and the line, exit 2.
invoke='{:process 0, :type :invoke, :f :read, :value nil}\n'
bad '{:process 0, :type :ok, :f :read, :value 1}\n' ':1: a :ok completion of process 0 with no open invocation'
bad "$invoke$invoke" ':2: process 0 invokes while its operation invoked on line 1 is still open' two-open.edn
bad '{:process 0, :type :invoke, :f :incr, :value 1}\n' \
  ':1: the model cas-register has no operation :incr (it knows :read :write :cas)' unknown-f.edn
bad '{:process 0, :type :invoke, :f :cas, :value 1}\n' ':1: a :cas value is [old new], not 1' shape.edn
bad "$invoke"'{:process 0, :type :ok :f :read, :value [1}\n' ":2: unexpected '}'" bad-edn.edn
bad '{"process":0,"type":"invoke","f":"read","value":nul}\n' \
  ":1: not JSON: column 52: syntax error while parsing value - invalid literal; last read: '\"value\":nul}'" \
  bad.jsonl
bad '' ': no client operations in the history' empty.edn

# Bad arguments: one line, exit 2.
expect 2 "$histories/etcd-stale-cache.edn" --model no-such-model
grep -q "^crosscheck: unknown model 'no-such-model' (known: register, cas-register, kv, set, fifo-queue, mutex, lockservice)$" \
  "$tmp/err" || fail "unknown model: $(cat "$tmp/err")"
expect 2 "$histories/etcd-stale-cache.edn" --model register --timeout -1
expect 2 "$histories/etcd-stale-cache.edn"
expect 2 "$tmp/does-not-exist.edn" --model register
mkdir -p "$tmp/a-directory.edn"
expect 2 "$tmp/a-directory.edn" --model register
grep -qx "crosscheck: $tmp/a-directory.edn: a directory, not a history file" "$tmp/err" || fail "directory: $(cat "$tmp/err")"
expect 2 "$histories/etcd-stale-cache.edn" --model cas-register --chart "$tmp/no/such/dir/chart.svg"
grep -qx "crosscheck: cannot write the chart to $tmp/no/such/dir/chart.svg" "$tmp/err" || fail "chart: $(cat "$tmp/err")"
expect 0 --help
grep -q "lockservice: " "$tmp/out" || fail "--help lists the models"

[ "$failures" -eq 0 ] || exit 1
echo "PASS"
