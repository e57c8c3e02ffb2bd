#!/usr/bin/env bash
# Runs clang-tidy 14 with the workspace's .clang-tidy over the C++ sources.
#
#   tools/lint/tidy.sh [-j JOBS] [--clang-tidy-arg ARG]... [FILE.cc...]
#
# Without files: every .cc under the source folders; headers are checked
# through the files that include them (HeaderFilterRegex), each finding
# once. Prints the findings, sorted, then a count per check, and exits 1 if
# there is any. Not part of `bazel test`: a run over the tree takes minutes.
#
# There is no compilation database: every file gets the flags the build
# uses (C++20, includes from the workspace root and /usr/include).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

jobs=$(nproc)
extra=()
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    -j) jobs=$2; shift 2 ;;
    --clang-tidy-arg) extra+=("$2"); shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) files+=("$1"); shift ;;
  esac
done

tidy=""
for candidate in clang-tidy-14 clang-tidy; do
  if command -v "$candidate" >/dev/null; then
    tidy=$candidate
    break
  fi
done
if [ -z "$tidy" ]; then
  echo "tidy.sh: no clang-tidy; install clang-tidy-14" >&2
  exit 2
fi

if [ ${#files[@]} -eq 0 ]; then
  folders=()
  for folder in impl spec check model_check audit tests tools examples; do
    [ -d "$folder" ] && folders+=("$folder")
  done
  mapfile -t files < <(find "${folders[@]}" -type f \( -name '*.cc' -o -name '*.cpp' \) | sort)
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One log per file, named after it, so that parallel runs do not interleave.
export tidy out
printf '%s\n' "${files[@]}" | xargs -P "$jobs" -I{} bash -c \
  'f={}; "$tidy" --quiet "$@" "$f" -- -std=c++20 -I. -I/usr/include \
     >"$out/$(echo "$f" | tr / _).log" 2>&1 || true' _ "${extra[@]}"

# path:line:col: warning: text [check], path relative to the root, once each.
cat "$out"/*.log \
  | grep -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error): .*\[[a-z0-9.,-]+\]$' \
  | sed -e "s|^$root/||" -e 's|^\./||' -e 's|/\./|/|g' \
  | sort -u -t: -k1,1 -k2,2n -k3,3n -k4 >"$out/findings" || true

cat "$out/findings"
echo "tidy.sh: $(wc -l <"$out/findings") findings in ${#files[@]} files (and their headers)"
sed -E 's/.*\[([a-z0-9.,-]+)\]$/\1/' "$out/findings" | sort | uniq -c | sort -rn \
  | awk '{printf "  %-56s %6d\n", $2, $1}'
[ ! -s "$out/findings" ]
