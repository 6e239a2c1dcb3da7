#!/usr/bin/env bash
# Runs the README as a newcomer would: the quickstart command (the example service), the
# curl session it prints (each status checked against its "# NNN" annotation), and the
# command-line block (each exit status checked). Loopback only; every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# block NAME prints the fenced block that follows <!-- smoke:NAME --> in the README.
block() {
  awk -v marker="<!-- smoke:$1 -->" '
    $0 == marker { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' README.md
}

echo "== build the command line"
go build -o "$work/bin/axioms" ./cmd/axioms
export PATH="$work/bin:$PATH"

echo "== quickstart: go -C examples run ./articles"
(cd "$work" && ADDR="127.0.0.1:0" DATABASE_PATH="$work/articles.db" \
  go -C "$root/examples" run ./articles >"$work/example.out" 2>&1) &
pids+=($!)
for _ in $(seq 1 240); do
  grep -q "^Then try" "$work/example.out" 2>/dev/null && break
  sleep 0.5
done
grep -q "^Then try" "$work/example.out" || { cat "$work/example.out"; echo "the example did not start"; exit 1; }
eval "$(grep '^export ' "$work/example.out")"
port=$(sed -nE 's/^axioms-echo example listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$work/example.out")

echo "== the curl session"
failures=0
while IFS= read -r line; do
  [ -z "${line// }" ] && continue
  cmd=${line%%#*}
  want=$(sed -E 's/.*# *//' <<<"$line" | grep -oE '[0-9]{3}' | tr '\n' ' ')
  cmd=${cmd//http:\/\/127.0.0.1:8000/http://127.0.0.1:$port}
  cmd=${cmd/curl -i /curl -s -o /dev/null -w %\{http_code\} }
  for code in $want; do
    got=$(eval "$cmd")
    if [ "$got" != "$code" ]; then
      echo "FAIL ($got, want $code): $line"; failures=$((failures + 1))
    else
      echo "ok   $code  ${line:0:100}"
    fi
  done
done < <(block session)

echo "== the command-line block"
export KEYS="$work/dev-issuer-keys.json"
while IFS= read -r line; do
  [ -z "${line// }" ] && continue
  cmd=${line%%#*}
  want=0
  if grep -qE '# *exit [0-9]' <<<"$line"; then want=$(grep -oE 'exit [0-9]+' <<<"$line" | grep -oE '[0-9]+'); fi
  if [[ "$cmd" =~ \&[[:space:]]*$ ]]; then
    eval "${cmd%&*} >$work/bg.out 2>&1 &"
    pids+=($!)
    for _ in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:9000/.well-known/jwks.json && break; sleep 0.1; done
    echo "ok   started: ${line:0:100}"
    continue
  fi
  set +e
  eval "$cmd" >"$work/cmd.out" 2>&1
  got=$?
  set -e
  if [ "$got" != "$want" ]; then
    echo "FAIL (exit $got, want $want): $line"; cat "$work/cmd.out"; failures=$((failures + 1))
  else
    echo "ok   exit $got  ${line:0:100}"
  fi
done < <(block cli)

[ "$failures" -eq 0 ] || { echo "$failures README command(s) failed"; exit 1; }
echo "every README command behaved as documented"
