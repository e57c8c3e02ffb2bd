#!/usr/bin/env bash
# Runs the audit bench at small sizes: it must exit 0 (every generated
# history judged as expected), answer --help, and reject an unknown flag
# with one error line and exit 2.
set -euo pipefail

bench="$1"

"$bench" --help | grep -q '^usage: bench'

set +e
"$bench" --no-such-flag 2>"$TEST_TMPDIR/err" >/dev/null
status=$?
set -e
if [ "$status" -ne 2 ] || [ "$(wc -l <"$TEST_TMPDIR/err")" -ne 1 ]; then
  echo "an unknown flag: exit $status, stderr:" >&2
  cat "$TEST_TMPDIR/err" >&2
  exit 1
fi

"$bench" --max-ops 2000 --repeat 1 --threads 2 --timeout 1
