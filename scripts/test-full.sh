#!/usr/bin/env bash
# The full suite that guards main, run by CI (.ci/run) after the quick test command: every
# test under the race detector, the benchmarks' correctness gate, every README command as
# a newcomer runs it, and every fuzz target briefly (FUZZTIME, default 5s each).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== go test -race (library and command line)"
go test -race -count=1 ./...

echo "== go test -race (example service)"
go -C examples test -race -count=1 ./...

echo "== benchmarks module: every variant passes the correctness gate"
go -C benchmarks test -count=1 -run '^TestVariantsAgree$' ./...

echo "== README commands (quickstart, curl session, command line)"
scripts/smoke.sh

echo "== fuzz targets, briefly"
scripts/fuzz.sh "${FUZZTIME:-5s}"
