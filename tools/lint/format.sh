#!/usr/bin/env bash
# Formats the C++ sources with clang-format 14 and the workspace's
# .clang-format.
#
#   tools/lint/format.sh            rewrite every unformatted file in place
#   tools/lint/format.sh --check    change nothing; list the unformatted files
#                                   and exit 1 if there is any
#
# Other clang-format versions break some lines differently, so version 14
# (Debian's clang-format-14) is preferred when both are installed.
set -euo pipefail

cd "$(dirname "$0")/../.."

check=false
case "${1:-}" in
  --check) check=true ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

formatter=""
for candidate in clang-format-14 clang-format; do
  if command -v "$candidate" >/dev/null; then
    formatter=$candidate
    break
  fi
done
if [ -z "$formatter" ]; then
  echo "format.sh: no clang-format; install clang-format-14" >&2
  exit 2
fi
if ! "$formatter" --version | grep -q 'version 14\.'; then
  echo "format.sh: $("$formatter" --version) is not version 14; lines may break differently" >&2
fi

folders=()
for folder in impl spec check model_check audit trace tests tools examples; do
  [ -d "$folder" ] && folders+=("$folder")
done
mapfile -d '' files < <(find "${folders[@]}" -type f \( -name '*.cc' -o -name '*.h' \
  -o -name '*.cpp' -o -name '*.hpp' -o -name '*.cxx' -o -name '*.hh' \) -print0 | sort -z)

if ! $check; then
  printf '%s\0' "${files[@]}" | xargs -0 -n 16 -P "$(nproc)" "$formatter" -i --style=file
  echo "format.sh: formatted ${#files[@]} files"
  exit 0
fi

unformatted=0
for file in "${files[@]}"; do
  if ! "$formatter" --style=file "$file" | cmp -s - "$file"; then
    echo "$file"
    unformatted=$((unformatted + 1))
  fi
done
echo "format.sh: $unformatted of ${#files[@]} files are not formatted" >&2
[ "$unformatted" -eq 0 ]
