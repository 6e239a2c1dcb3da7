#!/usr/bin/env bash
# The project's test command (README "Run the tests"). CI runs exactly this via .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== go test -race (library and CLI)"
go test -race -count=1 ./...

echo "== go test -race (example service)"
go -C examples test -race -count=1 ./...

echo "== benchmarks module: every variant passes the correctness gate"
go -C benchmarks test -count=1 -run '^TestVariantsAgree$' ./...

echo "== README commands (quickstart, curl session, command line)"
scripts/smoke.sh

echo "== fuzz targets, briefly"
scripts/fuzz.sh "${FUZZTIME:-5s}"
