#!/usr/bin/env bash
# Runs every fuzz target of the library for a while each: scripts/fuzz.sh [DURATION]
# (default 1m). Targets are found from the source (every `func FuzzXxx(f *testing.F)` in a
# _test.go file), so a new target is fuzzed without editing this script. Crashers land in
# testdata/fuzz/<target>/ of the package, where `go test` replays them as regression tests
# from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-1m}"

# fuzz_one runs one target. Go 1.26's fuzzing coordinator can fail a target with a bare
# "context deadline exceeded" when -fuzztime ends while a worker is busy on a loaded
# machine (golang/go#75804, fixed in Go 1.27): nothing was found, no input was written.
# Such a run is retried, once; a run that writes a failing input, or fails any other way,
# fails the script.
fuzz_one() {
  local name="$1" pkg="$2" out
  for attempt in 1 2; do
    if out=$(go test -run '^$' -fuzz "^${name}\$" -fuzztime "$duration" "$pkg" 2>&1); then
      printf '%s\n' "$out"
      return 0
    fi
    printf '%s\n' "$out"
    if grep -q 'Failing input written' <<<"$out" || ! grep -q 'context deadline exceeded' <<<"$out" \
      || grep -qE '^\s+(panic|.*_test\.go:[0-9]+:)' <<<"$out"; then
      return 1
    fi
    echo "== $name: the fuzzing coordinator's deadline race (golang/go#75804), no input found; attempt $attempt of 2"
  done
  return 1
}

found=0
while IFS=: read -r file name; do
  pkg="./$(dirname "$file")"
  echo "== fuzz $name ($pkg, $duration)"
  fuzz_one "$name" "$pkg"
  found=$((found + 1))
done < <(git ls-files '*_test.go' | grep -v '^examples/\|^benchmarks/' | xargs grep -oE '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' \
  | sed -E 's/^([^:]+):func (Fuzz[A-Za-z0-9_]+).*/\1:\2/' | sort -u)
if [ "$found" -eq 0 ]; then
  echo "no fuzz targets found"; exit 1
fi
echo "== $found fuzz targets, $duration each"
