#!/usr/bin/env bash
# Soak: scripts/soak.sh [DURATION] (default 60s, at most 30m). Runs the example service
# on loopback under a bounded mixed load (valid, invalid and random-kid tokens, anonymous
# calls, owners and non-owners) while its issuer rotates keys and fails for the middle
# third, then reports requests served, unexpected statuses (must be 0), goroutines and
# heap before and after (must return to their level), and JWKS fetches. Stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
SOAK_DURATION="${1:-60s}" go -C examples test -count=1 -run '^TestSoak$' -v -timeout 40m ./articles 2>&1 \
  | grep -E '^soak |^--- |^(ok|FAIL)|Error' 
