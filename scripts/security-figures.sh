#!/usr/bin/env bash
# Reproduces the figures of SECURITY.md: scripts/security-figures.sh [FUZZTIME] [SOAKTIME]
# (defaults 30s per fuzz target and 60s of soak). Runs the attack corpus (validator and end
# to end), the Wycheproof vectors, the issuer-fault suite, every fuzz target and the soak,
# and prints one line per figure. Exits non-zero if any suite fails.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${1:-30s}"
soaktime="${2:-60s}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== attack corpus, Wycheproof vectors, issuer faults" >&2
go test -count=1 -v ./validator/ ./echoaxioms/ >"$work/suites.txt" 2>&1 || { cat "$work/suites.txt"; exit 1; }
grep -oE 'FIGURE [^:]+:.*' "$work/suites.txt" | sort -u

echo "== fuzz targets, $fuzztime each" >&2
scripts/fuzz.sh "$fuzztime" >"$work/fuzz.txt" 2>&1 || { cat "$work/fuzz.txt"; exit 1; }
awk '
  /^== fuzz / { name = $3 }
  /^fuzz: elapsed: .*execs: / { for (i = 1; i <= NF; i++) if ($i == "execs:") { e = $(i + 1); sub(",", "", e); last[name] = e } }
  END { for (n in last) { total += last[n]; k++ } printf "FIGURE fuzz: %d targets, %s each, %d executions, 0 crashers\n", k, "'"$fuzztime"'", total }
' "$work/fuzz.txt"

echo "== soak, $soaktime" >&2
scripts/soak.sh "$soaktime" >"$work/soak.txt" 2>&1 || { cat "$work/soak.txt"; exit 1; }
grep -oE 'FIGURE [^:]+:.*' "$work/soak.txt" | sort -u | grep . || { echo "soak printed no figure:"; cat "$work/soak.txt"; exit 1; }
