#!/usr/bin/env bash
# The tutorial (Crosscheck's docs/your-protocol.md) shows this example's
# files, each fenced block after a line `<!-- file: NAME -->`; a file shown
# in several blocks is those blocks, a blank line between each two. This
# test fails when a file differs from what the tutorial shows of it, or is
# not shown.
#
#   matches_example_test.sh TUTORIAL [--begins] FILE...
#
# A FILE after --begins may go on past what the tutorial shows (BUILD: the
# example's has this test besides); the others must be shown in full.
set -euo pipefail

tutorial=$1
shift
shown=$(mktemp -d)
awk -v dir="$shown" '
  /^<!-- file: [^ ]+ -->$/ { name = $3; next }
  /^```/ {
    if (inside) { inside = 0; name = ""; next }
    if (name != "") {
      inside = 1
      file = dir "/" name
      if (blocks[name]++) print "" >> file
      next
    }
  }
  inside { print >> file }
' "$tutorial"

status=0
begins=0
for file in "$@"; do
  if [ "$file" = --begins ]; then
    begins=1
    continue
  fi
  name=$(basename "$file")
  expected=$shown/$name
  actual=$file
  if [ $begins = 1 ] && [ -f "$expected" ]; then
    actual=$shown/$name.begin
    head -n "$(wc -l <"$expected")" "$file" >"$actual"
  fi
  begins=0
  if [ ! -f "$expected" ]; then
    echo "FAIL: $name is not shown in the tutorial"
    status=1
  elif ! diff -u "$expected" "$actual" >"$shown/$name.diff"; then
    echo "FAIL: $name differs between the tutorial (---) and the example (+++):"
    cat "$shown/$name.diff"
    status=1
  else
    echo "ok: $name"
  fi
done
exit $status
