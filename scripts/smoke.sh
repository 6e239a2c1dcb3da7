#!/usr/bin/env bash
# Runs the README as a newcomer would:
#   - the install block (go install ./cmd/axioms, into a temporary GOBIN);
#   - the quickstart command (go -C examples run ./articles) and the curl session it
#     prints, twice against the same database (a restart in between, new tokens), so the
#     session is proven to work on a database reused from an earlier run. Each command's
#     status is checked against its "# NNN" annotation ("200, then 409": run twice), and
#     each RFC 6750 error code it names (insufficient_scope, ...) must be in the answer;
#   - the command-line block, verbatim and with no variable set beforehand (the block
#     defines what it uses), each exit status checked against "# exit N" (default 0)
#     and each reason it names (wrong_audience, ...) found in the output.
# README addresses (127.0.0.1:8000, 127.0.0.1:9000) are replaced by free ports, so
# concurrent runs never collide. Loopback only; every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
failures=0

# block NAME prints the fenced block that follows <!-- smoke:NAME --> in the README.
block() {
  awk -v marker="<!-- smoke:$1 -->" '
    $0 == marker { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' README.md
}

# reasons LINE prints the error codes and reasons a line's annotation names
# (insufficient_scope, wrong_audience, ...): words with an underscore after the "#".
reasons() { sed -E 's/^[^#]*#//' <<<"$1" | grep -oE '[a-z]+(_[a-z]+)+' || true; }

# curl, as the session calls it, prints the answer without the status line and records
# the status in $work/code and the whole answer (headers too with -i) in $work/answer.
curl() {
  local out
  out=$(command curl -sS --max-time 10 -w '\n%{http_code}' "$@") || true
  printf '%s\n' "${out%$'\n'*}"
  printf '%s' "${out##*$'\n'}" >"$work/code"
  printf '%s\n' "$out" >"$work/answer"
}

check() { # check OK DESCRIPTION
  if [ "$1" = ok ]; then
    echo "ok   $2"
  else
    echo "FAIL $2"; failures=$((failures + 1))
  fi
}

echo "== install the command line (README)"
while IFS= read -r line; do
  [ -z "${line// }" ] && continue
  (export GOBIN="$work/bin"; eval "${line%%#*}")
done < <(block install)
[ -x "$work/bin/axioms" ] || { echo "go install did not produce axioms"; exit 1; }
export PATH="$work/bin:$PATH"
echo "ok   axioms installed"

# start_example OUT starts the quickstart command in its own process group on a free
# port and the shared database; sets example (its group) and port.
start_example() {
  (cd "$work" && ADDR="127.0.0.1:0" DATABASE_PATH="$work/articles.db" \
    exec setsid go -C "$root/examples" run ./articles >"$1" 2>&1) &
  example=$!
  pids+=("$example")
  for _ in $(seq 1 240); do
    grep -q "^Then try" "$1" 2>/dev/null && break
    kill -0 "$example" 2>/dev/null || break
    sleep 0.5
  done
  grep -q "^Then try" "$1" || { cat "$1"; echo "the example did not start"; exit 1; }
  port=$(sed -nE 's/^axioms-echo example listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$1")
}

# stop_example OUT sends SIGTERM to the example's process group (go run and the
# service) and waits for the graceful shutdown.
stop_example() {
  kill -TERM -- "-$example"
  for _ in $(seq 1 100); do grep -q "shutting down" "$1" && break; sleep 0.1; done
  for _ in $(seq 1 100); do kill -0 -- "-$example" 2>/dev/null || break; sleep 0.1; done
  if grep -q "shutting down" "$1"; then check ok "graceful shutdown on SIGTERM"; else check fail "no graceful shutdown on SIGTERM"; fi
}

session() {
  while IFS= read -r line; do
    [ -z "${line// }" ] && continue
    local cmd=${line%%#*}
    local want
    want=$(sed -E 's/^[^#]*#//' <<<"$line" | grep -oE '\b[0-9]{3}\b' | tr '\n' ' ')
    cmd=${cmd//127.0.0.1:8000/127.0.0.1:$port}
    for code in $want; do
      rm -f "$work/code" "$work/answer"
      eval "$cmd" >"$work/stdout" 2>&1
      local got
      got=$(cat "$work/code" 2>/dev/null || echo none)
      if [ "$got" != "$code" ]; then
        check fail "($got, want $code): $line"; cat "$work/answer" 2>/dev/null || true
        continue
      fi
      local bad=""
      for r in $(reasons "$line"); do grep -q "$r" "$work/answer" || bad="$bad $r"; done
      if [[ "$cmd" == ID=* ]] && ! [[ "${ID:-}" =~ ^[0-9]+$ ]]; then bad="$bad id($ID)"; fi
      if [ -n "$bad" ]; then
        check fail "($code, missing:$bad): $line"; cat "$work/answer"
      else
        check ok "$code $(reasons "$line" | tr '\n' ' ')${line:0:90}"
      fi
    done
  done < <(block session)
}

for run in 1 2; do
  echo "== quickstart (run $run, database $( [ $run = 1 ] && echo new || echo reused)): go -C examples run ./articles"
  start_example "$work/example$run.out"
  eval "$(grep '^export ' "$work/example$run.out")"
  echo "== the curl session (run $run)"
  session
  echo "   article id this run: $ID"
  stop_example "$work/example$run.out"
done

echo "== the command-line block"
# Pasted into a fresh shell, the block sees none of this script's variables, nor any
# AXIOMS_* one (which axioms token and verify read): it must define every variable it uses
# (an undefined one stops this script, under set -u).
unset KEYS TOKEN $(compgen -e | grep '^AXIOMS_' || true)
issuer_port=""
while IFS= read -r line; do
  [ -z "${line// }" ] && continue
  cmd=${line%%#*}
  want=0
  if grep -qE '# *exit [0-9]' <<<"$line"; then want=$(grep -oE 'exit [0-9]+' <<<"$line" | grep -oE '[0-9]+'); fi
  [ -n "$issuer_port" ] && cmd=${cmd//127.0.0.1:9000/127.0.0.1:$issuer_port}
  if [[ "$cmd" =~ \&[[:space:]]*$ ]]; then
    # The issuer: on a free port instead of its default 9000, learnt from its output.
    eval "${cmd%&*} --addr 127.0.0.1:0 >$work/bg.out 2>&1 &"
    pids+=($!)
    for _ in $(seq 1 100); do
      issuer_port=$(sed -nE 's/.*listening at http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$work/bg.out")
      [ -n "$issuer_port" ] && break
      sleep 0.1
    done
    [ -n "$issuer_port" ] || { cat "$work/bg.out"; echo "the issuer did not start"; exit 1; }
    check ok "started on port $issuer_port: ${line:0:90}"
    continue
  fi
  set +e
  eval "$cmd" >"$work/cmd.out" 2>&1
  got=$?
  set -e
  bad=""
  for r in $(reasons "$line"); do grep -q "$r" "$work/cmd.out" || bad="$bad $r"; done
  if [ "$got" != "$want" ] || [ -n "$bad" ]; then
    check fail "(exit $got, want $want${bad:+, missing:$bad}): $line"; cat "$work/cmd.out"
  else
    check ok "exit $got $(reasons "$line" | tr '\n' ' ')${line:0:90}"
  fi
done < <(block cli)
# The key file the block made (KEYS=$(mktemp -d)/...), removed with its directory.
if [ -n "${KEYS:-}" ]; then rm -f "$KEYS"; rmdir "$(dirname "$KEYS")" 2>/dev/null || true; fi

[ "$failures" -eq 0 ] || { echo "$failures README check(s) failed"; exit 1; }
echo "every README command behaved as documented"
