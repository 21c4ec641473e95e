#!/usr/bin/env bash
# Builds FerretDB v1 (MongoDB wire protocol on SQLite) into .cache/bin once per machine.
# `go install ...@v1.24.0` cannot be used directly: its module ships no build/version/version.txt,
# so we build from a writable copy of the module with that file filled in.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${MONGODB_URI:-}" ]; then
  echo "MONGODB_URI is set: the tests use that server, no FerretDB needed"
  exit 0
fi
VERSION=v1.24.0
BIN="$PWD/.cache/bin/ferretdb"
# The version text is read whole into a variable: under pipefail, `| head -1` or `| grep -q` closes the
# pipe early and the SIGPIPE of the writer fails the script (exit 141) whenever the writer is slower.
version_text() { "$BIN" --version 2>/dev/null || true; }
if [ -x "$BIN" ] && [[ "$(version_text)" == *"$VERSION"* ]]; then
  echo "ferretdb $VERSION already built at $BIN"
  exit 0
fi
command -v go >/dev/null || { echo "go toolchain not found: install Go >= 1.22 (Debian: golang-go)" >&2; exit 1; }
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export GOFLAGS=-mod=mod
(cd "$work" && go mod init fbfetch >/dev/null 2>&1 && go mod download -json "github.com/FerretDB/FerretDB@$VERSION" > dl.json)
dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$work/dl.json")
[ -d "$dir" ] || { echo "could not download FerretDB $VERSION module" >&2; cat "$work/dl.json" >&2; exit 1; }
cp -r "$dir" "$work/src"
chmod -R u+w "$work/src"
echo "$VERSION" > "$work/src/build/version/version.txt"
mkdir -p "$(dirname "$BIN")"
(cd "$work/src" && go build -o "$BIN" ./cmd/ferretdb)
built=$(version_text)
[[ "$built" == *"$VERSION"* ]] || { echo "built $BIN but it does not report $VERSION:" >&2; echo "$built" >&2; exit 1; }
echo "${built%%$'\n'*}"
