#!/usr/bin/env bash
# Runs every fuzz target for a while each: scripts/fuzz.sh [DURATION] (default 1m).
# Crashers land in testdata/fuzz/<target>/ of the package, where `go test` replays them
# as regression tests from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-1m}"

targets=(
  "./validator FuzzValidate"
  "./validator FuzzClaims"
  "./validator FuzzClaimNames"
  "./openapi FuzzExtensions"
  "./openapi FuzzRouteShape"
  "./echoaxioms FuzzAuthorizationHeader"
)
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "== fuzz $name ($pkg, $duration)"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$duration" "$pkg"
done
