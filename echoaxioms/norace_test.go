//go:build !race

package echoaxioms_test

// raceEnabled reports whether the tests run under the race detector, whose sync.Pool
// drops items at random: allocation counts are then not deterministic.
const raceEnabled = false
