#!/usr/bin/env bash
# The project's quick test command (README, Quickstart): every test of the library, the
# command line and the example service, without the race detector. CI runs exactly this
# first (.ci/run), then the full suite (scripts/test-full.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== go test (library and command line)"
go test -count=1 ./...

echo "== go test (example service)"
go -C examples test -count=1 ./...
