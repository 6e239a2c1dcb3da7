#!/usr/bin/env bash
# Load test: the example service (axioms-echo protecting spec.example.yaml) under wrk,
# next to the same routes on bare Echo. Scenarios: a public route, a protected route with
# one (cached) token, a protected route with many distinct tokens, and a mix with 10%
# invalid tokens. Every response's status is checked. Loopback only; each run lasts
# LOAD_DURATION (default 10s, at most 60s) and each scenario alternates the two targets
# for LOAD_ROUNDS rounds (default 3; medians reported: the machine is noisy); the script
# stops everything it started.
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
duration="${LOAD_DURATION:-10s}"
rounds="${LOAD_ROUNDS:-3}"
if ! [[ "$rounds" =~ ^[0-9]+$ ]] || [ "$rounds" -lt 1 ] || [ "$rounds" -gt 5 ]; then
  echo "LOAD_ROUNDS must be between 1 and 5"; exit 2
fi
secs=${duration%s}
if ! [[ "$secs" =~ ^[0-9]+$ ]] || [ "$secs" -lt 1 ] || [ "$secs" -gt 60 ]; then
  echo "LOAD_DURATION must be between 1s and 60s"; exit 2
fi
if ! command -v wrk >/dev/null; then
  echo "== installing wrk (Debian)" >&2
  (apt-get install -y wrk || (apt-get update && apt-get install -y wrk)) >/dev/null
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# wait_url FILE PATTERN: the URL a started process printed, within 60s.
wait_url() {
  for _ in $(seq 1 600); do
    url=$(grep -oE "$2 https?://127\.0\.0\.1:[0-9]+" "$1" 2>/dev/null | grep -oE 'http://127\.0\.0\.1:[0-9]+' | head -1 || true)
    [ -n "$url" ] && { echo "$url"; return; }
    sleep 0.1
  done
  echo "timed out waiting for $1" >&2; cat "$1" >&2; exit 1
}

echo "== build" >&2
go -C .. build -o "$work/axioms" ./cmd/axioms
go -C ../examples build -o "$work/articles" ./articles
go build -o "$work/bareecho" ./cmd/bareecho
go build -o "$work/loadtokens" ./cmd/loadtokens

echo "== start the development issuer, the example service and bare Echo" >&2
"$work/axioms" issuer --addr 127.0.0.1:0 --key-file "$work/keys.json" >"$work/issuer.out" 2>&1 &
pids+=($!)
iss=$(wait_url "$work/issuer.out" "listening at")
(cd "$work" && AXIOMS_ISS_URL="$iss" AXIOMS_AUDIENCE=axioms-echo-example ADDR=127.0.0.1:0 DATABASE_PATH="$work/articles.db" \
  ./articles >"$work/articles.out" 2>&1) &
pids+=($!)
app=$(wait_url "$work/articles.out" "listening on")
"$work/bareecho" >"$work/bare.out" 2>&1 &
pids+=($!)
bare=$(wait_url "$work/bare.out" "listening on")

"$work/loadtokens" -key-file "$work/keys.json" -iss "$iss" -count 2000 >"$work/tokens.txt"
"$work/loadtokens" -key-file "$work/keys.json" -iss "$iss" -count 200 -invalid >"$work/invalid.txt"

# run NAME TARGET THREADS CONNECTIONS MODE EXPECT
run() {
  wrk -t"$3" -c"$4" -d"$duration" -s "$here/load.lua" "$2" -- "$5" "$work/tokens.txt" "$work/invalid.txt" "$6" \
    | grep '^RESULT' | sed "s/^RESULT/$1/"
}

: >"$work/results.txt"
for scenario in public cached many mix; do
  t=2 c=32
  echo "== $scenario ($rounds rounds of $duration per target)" >&2
  for r in $(seq 1 "$rounds"); do
    if [ $((r % 2)) -eq 1 ]; then order="axioms bare"; else order="bare axioms"; fi
    for target in $order; do
      if [ "$target" = axioms ]; then
        printf "%s axioms %s\n" "$scenario" "$(run x "$app" $t $c $scenario strict)" >>"$work/results.txt"
      else
        printf "%s bare %s\n" "$scenario" "$(run x "$bare" $t $c $scenario any2xx)" >>"$work/results.txt"
      fi
    done
  done
done

echo "wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}'), Go $(go env GOVERSION), $(nproc) CPUs; median of $rounds runs of $duration per scenario and target"
echo
echo "| scenario | target | requests/s | p50 | p90 | p99 | unexpected statuses (all runs) | ratio to bare |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
awk '
  function median(list,   a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  {
    s = $1; tgt = $2; k = s SUBSEP tgt
    for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    rps[k] = rps[k] " " v["rps"]; p50[k] = p50[k] " " v["p50_us"]; p90[k] = p90[k] " " v["p90_us"]; p99[k] = p99[k] " " v["p99_us"]
    bad[k] += v["unexpected"] + v["socket_errors"]
    if (!(k in seen)) { seen[k] = 1; order[++n] = k }
  }
  END {
    for (i = 1; i <= n; i++) {
      split(order[i], kk, SUBSEP)
      ratio = "—"
      if (kk[2] == "axioms") { ratio = sprintf("%.2f", median(rps[order[i]]) / median(rps[kk[1] SUBSEP "bare"])); total += bad[order[i]] }
      printf "| %s | %s | %d | %.0f µs | %.0f µs | %.0f µs | %d | %s |\n", kk[1], kk[2], median(rps[order[i]]), median(p50[order[i]]), median(p90[order[i]]), median(p99[order[i]]), bad[order[i]], ratio
    }
    if (total > 0) { print "\nUNEXPECTED STATUSES: " total; exit 1 }
    print "\nEvery response had the expected status."
  }' "$work/results.txt"
