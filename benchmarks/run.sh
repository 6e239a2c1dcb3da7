#!/usr/bin/env bash
# Benchmarks of the three adapters (Echo v4 beside its peers, Echo v5, net/http), each
# against its own bare framework and floor: run.sh [quick|full] (default full).
# Builds the benchmark binary once, gates every variant on correctness, then runs rounds
# interleaved across variants (the order rotates every round: this machine is noisy) and
# prints the tables of medians (cmd/report). 16 variants; full: 3 sizes x 3 algorithms,
# 5 rounds of 400ms per variant (about 7 minutes); quick: the 3 sizes, RS256 only, 2 rounds
# of 100ms (under a minute).
set -euo pipefail
cd "$(dirname "$0")"
mode="${1:-full}"
case "$mode" in
  quick) rounds=2; benchtime=100ms; export BENCH_ALGS=RS256; loadtime=3x ;;
  full)  rounds=5; benchtime=400ms; export BENCH_ALGS=RS256,ES256,EdDSA; loadtime=5x ;;
  *) echo "usage: run.sh [quick|full]"; exit 2 ;;
esac
export BENCH_SIZES=10,500,2000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
loadavg() { uptime | sed 's/.*load averages*: //'; }
load_before=$(loadavg)

echo "== build" >&2
go test -c -o "$work/bench.test" .
go build -o "$work/report" ./cmd/report
echo "== correctness gate" >&2
"$work/bench.test" -test.run '^TestVariantsAgree$' >&2

out="$work/raw.txt"
for round in $(seq 1 "$rounds"); do
  echo "== round $round/$rounds" >&2
  BENCH_ROTATE=$((round - 1)) "$work/bench.test" -test.run '^$' -test.bench '^BenchmarkVariants$' \
    -test.benchtime "$benchtime" -test.benchmem >>"$out"
done
echo "== load + compile" >&2
"$work/bench.test" -test.run '^$' -test.bench '^BenchmarkLoad$' -test.benchtime "$loadtime" >>"$out"

{
  echo "$(date -u +%Y-%m-%d): Go $(go env GOVERSION), $(uname -sm), $(nproc) CPUs; mode $mode: $rounds rounds, benchtime $benchtime;" \
    "$((SECONDS / 60)) min $((SECONDS % 60)) s; load average $load_before before, $(loadavg) after"
  "$work/report" <"$out"
}
