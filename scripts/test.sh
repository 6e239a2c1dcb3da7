#!/usr/bin/env bash
# The project's test command (README "Run the tests"). CI runs exactly this via .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== go test -race (library)"
go test -race -count=1 ./...
