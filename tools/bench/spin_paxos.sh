#!/usr/bin/env bash
# SPIN and crosscheck on the same state space: Lamport's Paxos.tla.
#
#   tools/bench/spin_paxos.sh [--repeat N] [--crosscheck PATH] [--max-ballot N]
#                             [--no-variants] [--workdir DIR]
#
# Writes the Promela model (tools/bench/spin/paxos_pml.py: 3 acceptors,
# values 1..2, ballots 0..--max-ballot, default 3), compiles SPIN's
# verifier for it, then runs `pan` and
#   crosscheck check paxos --model spec --acceptors 3 --values 2 --max-ballot 3 --threads 1
# in turn (A B A B ...), --repeat times (default 3), each under
# /usr/bin/time -v, and prints a Markdown table: states, wall seconds, user
# CPU seconds and peak RSS of every run, the medians, and the ratio. Then,
# unless --no-variants, SPIN's memory-saving modes once each: -DCOLLAPSE
# and -DHC4 (hash compaction). It fails when SPIN's stored states differ
# from crosscheck's distinct states (HC4's may: it can lose states).
#
# crosscheck is --crosscheck, else $CROSSCHECK, else bazel-bin/crosscheck
# (`./bazelw build -c opt //:crosscheck`). SPIN is Debian's `spin` package,
# installed with apt-get when missing. The builds go to a temporary
# directory unless --workdir names one (then they are kept).
set -euo pipefail

repeat=3
crosscheck=${CROSSCHECK:-bazel-bin/crosscheck}
max_ballot=3
variants=1
workdir=

usage() {
  sed -n '3,4p' "$0" | sed 's/^# *//' >&2
  exit 2
}

while (($#)); do
  case $1 in
    --repeat) repeat=${2:?}; shift 2 ;;
    --crosscheck) crosscheck=${2:?}; shift 2 ;;
    --max-ballot) max_ballot=${2:?}; shift 2 ;;
    --no-variants) variants=0; shift ;;
    --workdir) workdir=${2:?}; shift 2 ;;
    *) usage ;;
  esac
done
[[ $repeat =~ ^[1-9][0-9]*$ ]] || usage
[[ $max_ballot =~ ^[0-3]$ ]] || usage

root=$(cd "$(dirname "$0")/../.." && pwd)
if [[ ! -x $crosscheck ]]; then
  echo "spin_paxos: no crosscheck binary at $crosscheck;" \
    "build it with ./bazelw build -c opt //:crosscheck, or pass --crosscheck PATH" >&2
  exit 1
fi
crosscheck=$(cd "$(dirname "$crosscheck")" && pwd)/$(basename "$crosscheck")

# Debian's packages: spin (6.5.2 on bookworm) and time (GNU time's -v).
install() {
  if ((EUID == 0)); then
    apt-get install -y "$@"
  else
    sudo apt-get install -y "$@"
  fi
}
command -v spin >/dev/null || install spin
[[ -x /usr/bin/time ]] || install time

if [[ -n $workdir ]]; then
  mkdir -p "$workdir"
  work=$(cd "$workdir" && pwd)
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

bounds=(--acceptors 3 --values 2 --max-ballot "$max_ballot")
python3 "$root/tools/bench/spin/paxos_pml.py" "${bounds[@]}" -o "$work/paxos.pml"
(cd "$work" && spin -a paxos.pml >/dev/null)

# -O2: optimized, as crosscheck's -c opt build.
# -DSAFETY: safety properties only (the asserts); no cycle-detection data in
#   the state vector or search.
# -DNOREDUCE: no partial-order reduction: every interleaving, as crosscheck
#   explores them (with one process there is nothing to reduce anyway).
# -DMEMLIM=16384: pan stops at 16 GiB of this 24 GiB machine rather than
#   swapping (pan's default is 2 GiB; the exhaustive run needs about 0.65,
#   -DCOLLAPSE about 1.1).
cflags=(-O2 -DSAFETY -DNOREDUCE -DMEMLIM=16384)
build() {  # build NAME EXTRA-FLAGS...
  local name=$1
  shift
  gcc "${cflags[@]}" "$@" -o "$work/$name" "$work/pan.c"
}
build pan
if ((variants)); then
  build pan-collapse -DCOLLAPSE  # global and process parts stored apart, by index
  # -DHC4 keeps a hash of each state instead of the state. With -w up to 32,
  # pan 6.5.2 hashes with a 32-bit function (d_sfh) that leaves the 4 extra
  # bytes HC4 keeps (K2) unset: a 32-bit fingerprint per state, which at
  # 8.2 M states merges thousands of pairs, losing them and what only they reach.
  build pan-hc4 -DHC4
fi

# -n: no report of unreached code.
# -m100: the DFS stack's depth limit. One d_step is one step, and the
#   deepest path is 32 steps at ballots 0..3 (crosscheck's depth 33 counts
#   the initial state); pan warns "max search depth too small" if it is cut.
# -w24: 2^24 hash-table slots (128 MiB of pointers) for 8.2 M states, under
#   one state per chain on average; -w25 and -w26 were no faster.
pan_flags=(-n -m100 -w24)
crosscheck_flags=(check paxos --model spec "${bounds[@]}" --threads 1)

rows=$work/rows  # tool run states wall user rss_kib
: >"$rows"

seconds() {  # "h:mm:ss" or "m:ss.ss" to seconds
  awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }' <<<"$1"
}

timed() {  # timed TOOL RUN OUTPUT COMMAND...: runs it and prints a row
  local tool=$1 run=$2 out=$3
  shift 3
  /usr/bin/time -v -o "$work/time" "$@" >"$out"
  local wall user rss
  wall=$(seconds "$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$work/time")")
  user=$(sed -n 's/.*User time (seconds): //p' "$work/time")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
  echo "$tool $run STATES $wall $user $rss"
}

run_pan() {  # run_pan BINARY RUN [exact]
  local binary=$1 run=$2 exact=${3:-} out=$work/$1.$2.out row states
  row=$(cd "$work" && timed "$binary" "$run" "$out" "./$binary" "${pan_flags[@]}")
  if ! grep -q 'errors: 0' "$out" || grep -q 'max search depth too small' "$out"; then
    cat "$out" >&2
    echo "spin_paxos: $binary did not finish cleanly" >&2
    exit 1
  fi
  states=$(awk '/states, stored/ { print $1; exit }' "$out")
  echo "${row/STATES/$states}" >>"$rows"
  if [[ -n $exact ]]; then exact_counts+=("$binary $run $states"); fi
}

run_crosscheck() {  # run_crosscheck RUN
  local out=$work/crosscheck.$1.json row result
  row=$(timed crosscheck "$1" "$out" "$crosscheck" "${crosscheck_flags[@]}" \
    --format json --no-progress)
  result=$(python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))
print(r["result"], r["distinct_states"], r["total_states"])' "$out")
  read -r result expected generated <<<"$result"
  if [[ $result != ok ]]; then
    echo "spin_paxos: crosscheck: $result" >&2
    exit 1
  fi
  echo "${row/STATES/$expected}" >>"$rows"
}

commas() { sed ':a; s/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta' <<<"$1"; }

median() {  # median TOOL COLUMN
  awk -v tool="$1" -v col="$2" '$1 == tool { print $col }' "$rows" | sort -g |
    awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                             printf "%.2f", m }'
}

echo "## SPIN $(spin -V | sed -n 's/^Spin Version \([^ ]*\).*/\1/p') and crosscheck:" \
  "Paxos.tla, 3 acceptors, values 1..2, ballots 0..$max_ballot"
echo
echo "- before: $(uptime)"
echo "- spin -a paxos.pml (paxos.pml from tools/bench/spin/paxos_pml.py ${bounds[*]})"
echo "- gcc ${cflags[*]} -o pan pan.c"
echo "- ./pan ${pan_flags[*]}"
echo "- crosscheck ${crosscheck_flags[*]} --format json --no-progress"
echo

expected='' generated=''
exact_counts=()  # runs that store every state exactly: "binary run states"
for ((run = 1; run <= repeat; run++)); do
  run_pan pan "$run" exact
  run_crosscheck "$run"
done
if ((variants)); then
  run_pan pan-collapse 1 exact
  run_pan pan-hc4 1
fi
# The same transition relation too: SPIN's transitions (stored + matched)
# are crosscheck's generated (total) states.
transitions=$(awk '/transitions \(= stored\+matched\)/ { print $1; exit }' "$work/pan.1.out")
if [[ $transitions != "$generated" ]]; then
  echo "spin_paxos: pan made $transitions transitions; crosscheck generated $generated" >&2
  exit 1
fi
for count in "${exact_counts[@]}"; do
  if [[ ${count##* } != "$expected" ]]; then
    cat "$rows" >&2
    echo "spin_paxos: ${count% *} stored ${count##* } states; crosscheck has $expected" >&2
    exit 1
  fi
done

echo "| tool | run | states | wall s | user CPU s | peak RSS MiB |"
echo "|---|---|---|---|---|---|"
while read -r tool run states wall user rss; do
  case $tool in
    pan) tool=spin ;;
    pan-collapse) tool="spin -DCOLLAPSE" ;;
    pan-hc4) tool="spin -DHC4" ;;
  esac
  printf '| %s | %s | %s | %s | %s | %.1f |\n' "$tool" "$run" "$(commas "$states")" \
    "$wall" "$user" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
done <"$rows"
declare -A med
for tool in pan crosscheck; do
  for col in 4 5 6; do med[$tool.$col]=$(median "$tool" "$col"); done
  printf '| %s | median | | %s | %s | %.1f |\n' "${tool/pan/spin}" "${med[$tool.4]}" \
    "${med[$tool.5]}" "$(awk -v k="${med[$tool.6]}" 'BEGIN { print k / 1024 }')"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
printf '| spin / crosscheck | ratio | | %s | %s | %s |\n' \
  "$(ratio "${med[pan.4]}" "${med[crosscheck.4]}")" \
  "$(ratio "${med[pan.5]}" "${med[crosscheck.5]}")" \
  "$(ratio "${med[pan.6]}" "${med[crosscheck.6]}")"
echo
vector=$(sed -n 's/^State-vector \([0-9]*\) byte.*/\1/p' "$work/pan.1.out")
stored=$(sed -n 's/.*state-vector as stored = \(.*\)/, stored as \1/p' "$work/pan.1.out")
memory=$(awk '/actual memory usage for states/ { print $1; exit }' "$work/pan.1.out")
echo "- SPIN's state vector: $vector bytes$stored; $memory MiB for $(commas "$expected")" \
  "states, $(awk -v m="$memory" -v n="$expected" 'BEGIN { printf "%.1f", m * 1048576 / n }')" \
  "bytes each, besides the hash table"
echo "- transitions: $(commas "$transitions") in SPIN (stored + matched), crosscheck's" \
  "total (generated) states $(commas "$generated")"
if ((variants)); then
  hc4=$(awk '$1 == "pan-hc4" { print $3 }' "$rows")
  if ((hc4 != expected)); then
    echo "- spin -DHC4 missed $(commas $((expected - hc4))) states: hash compaction keeps" \
      "only a hash of each state, and two states with one hash are taken for one"
  fi
fi
echo "- after: $(uptime)"
