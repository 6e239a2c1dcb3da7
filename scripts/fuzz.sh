#!/usr/bin/env bash
# Runs every fuzz target of the library for a while each: scripts/fuzz.sh [DURATION]
# (default 1m). Targets are found from the source (every `func FuzzXxx(f *testing.F)` in a
# _test.go file), so a new target is fuzzed without editing this script. Crashers land in
# testdata/fuzz/<target>/ of the package, where `go test` replays them as regression tests
# from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-1m}"

found=0
while IFS=: read -r file name; do
  pkg="./$(dirname "$file")"
  echo "== fuzz $name ($pkg, $duration)"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$duration" "$pkg"
  found=$((found + 1))
done < <(git ls-files '*_test.go' | grep -v '^examples/\|^benchmarks/' | xargs grep -oE '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' \
  | sed -E 's/^([^:]+):func (Fuzz[A-Za-z0-9_]+).*/\1:\2/' | sort -u)
if [ "$found" -eq 0 ]; then
  echo "no fuzz targets found"; exit 1
fi
echo "== $found fuzz targets, $duration each"
