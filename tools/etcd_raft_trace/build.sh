#!/usr/bin/env bash
# Builds the etcd Raft v3.4 trace recorder (main.go says what it writes) to
# OUT, offline: the Go toolchain on PATH and etcd's sources as Debian
# installs them under /usr/share/gocode (golang-go,
# golang-etcd-server-dev), in GOPATH mode. GOCACHE is used if set, else a
# cache in a temporary folder (HOME may be unwritable, as in a test).
#
#   tools/etcd_raft_trace/build.sh OUT
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 OUT" >&2
  exit 2
fi
gopath=/usr/share/gocode
if ! command -v go >/dev/null; then
  echo "build.sh: no Go toolchain on PATH (Debian: apt-get install golang-go)" >&2
  exit 1
fi
if [ ! -f "$gopath/src/go.etcd.io/etcd/raft/rawnode.go" ]; then
  echo "build.sh: no etcd raft v3.4 sources in $gopath" \
    "(Debian: apt-get install golang-etcd-server-dev)" >&2
  exit 1
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Plain copies: in Bazel's runfiles the sources are symbolic links.
cp "$here"/*.go "$work"/
cd "$work"
GOPATH=$gopath GO111MODULE=off GOFLAGS='' GOCACHE=${GOCACHE:-$work/gocache} \
  go build -o "$out" .
