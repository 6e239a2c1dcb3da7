#!/usr/bin/env bash
# Soak: scripts/soak.sh [DURATION] (default 60s, 2s to 30m). Runs the example service on
# loopback under a bounded mixed load (valid, invalid and random-kid tokens, anonymous
# calls, owners and non-owners, missing scopes) with the validator refreshing keys every
# DURATION/30 (200ms to 1s). Mid-run the issuer rotates its key (new key published, old
# one withdrawn) and its JWKS endpoint fails for a fifth of the run. The test asserts the
# new key is adopted, old-key tokens are refused, fetches fail during the outage while
# cached keys keep serving, fetches stay within the rate limit, no status is unexpected,
# and goroutines and heap return to their level. It prints one line:
#   FIGURE soak: <duration>, <N> requests, <U> unexpected statuses, <F> JWKS fetches (<E> failed), goroutines <before>-><after>, heap <before>-><after>
# The regular test suite (scripts/test.sh, scripts/test-full.sh) runs the same test for 3s. Stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-60s}"
SOAK_DURATION="$duration" go -C examples test -count=1 -run '^TestSoak$' -v -timeout 40m ./articles 2>&1 \
  | grep -E '^FIGURE soak|soak_test.go|^--- |^(ok|FAIL)|Error'
