package main

import (
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/axioms-go/axioms-echo/benchmarks"
)

var update = flag.Bool("update", false, "rewrite testdata/report.md from the report of testdata/bench.txt")

// testdata/bench.txt is two rounds of BenchmarkVariants (every variant, RS256 and EdDSA at
// 10 and 2,000 operations) and three of BenchmarkLoad, as go test prints them, with two
// figures over their targets: nethttp-miss at 1.10× the floor (RS256, 2,000 operations)
// and echo5-hit at 4 allocations over bare (EdDSA, 10 operations).
func report(t *testing.T) string {
	t.Helper()
	in, err := os.Open("testdata/bench.txt")
	require.NoError(t, err)
	defer in.Close()
	res, err := parse(in)
	require.NoError(t, err)
	var out strings.Builder
	require.NoError(t, res.write(&out, benchmarks.Variants))
	return out.String()
}

func TestReportMatchesGolden(t *testing.T) {
	got := report(t)
	if *update {
		require.NoError(t, os.WriteFile("testdata/report.md", []byte(got), 0o644))
	}
	want, err := os.ReadFile("testdata/report.md")
	require.NoError(t, err)
	assert.Equal(t, string(want), got, "go test ./cmd/report -update rewrites testdata/report.md")
}

func TestReportTables(t *testing.T) {
	got := report(t)
	headings := regexp.MustCompile(`(?m)^#### (.*)$`).FindAllStringSubmatch(got, -1)
	var titles []string
	for _, h := range headings {
		titles = append(titles, h[1])
	}
	assert.Equal(t, []string{
		"Echo v4: axioms-miss and axioms-hit against bare and floor",
		"Echo v4 beside its peers: RS256, 10 operations",
		"Echo v4 beside its peers: RS256, 2000 operations",
		"Echo v4 beside its peers: EdDSA, 10 operations",
		"Echo v4 beside its peers: EdDSA, 2000 operations",
		"Echo v5: echo5-miss and echo5-hit against echo5-bare and echo5-floor",
		"net/http: nethttp-miss and nethttp-hit against nethttp-bare and nethttp-floor",
		"Loading the document",
	}, titles)

	for _, row := range []struct{ name, line string }{
		{"Echo v4 row", "| 10 | RS256 | 70 ns | 40.1 µs | 39.3 µs | 0.980 | 590 ns | 520 ns | 3 |"},
		{"Echo v5 allocations over target", "| 10 | EdDSA | 140 ns | 60.1 µs | 58.9 µs | 0.980 | 660 ns | 520 ns | **4 ✗** |"},
		{"net/http miss over target", "| 2000 | RS256 | 350 ns | 41.1 µs | 45.2 µs | **1.100 ✗** | 910 ns | 560 ns | 3 |"},
		{"peer", "| oapi-codegen | 342.8 µs | 271 | 14392 | 8.400 |"},
		{"Echo v4 targets", "Targets met: cache miss in 4 of 4 rows, cache hit allocations in 4 of 4."},
		{"Echo v5 targets", "Targets met: cache miss in 4 of 4 rows, cache hit allocations in 3 of 4."},
		{"net/http targets", "Targets met: cache miss in 3 of 4 rows, cache hit allocations in 4 of 4."},
		{"load", "| 2000 | 179.9 ms | 169.3 ms | 0.94 |"},
	} {
		assert.Contains(t, got, "\n"+row.line+"\n", row.name)
	}
	assert.Equal(t, 2, strings.Count(got, "✗**"), "the two figures over their targets, and only they, are marked")
}

func TestReportRefuses(t *testing.T) {
	for _, tc := range []struct{ name, in, err string }{
		{"no result", "PASS\nok  \tgithub.com/axioms-go/axioms-echo/benchmarks\t1.0s\n", "no BenchmarkVariants result"},
		{"unknown variant", "BenchmarkVariants/ops=10/alg=RS256/variant=gone-2 \t 100\t 50.0 ns/op\t 0 B/op\t 0 allocs/op\n", "do not define: gone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := parse(strings.NewReader(tc.in))
			if err == nil {
				err = res.write(&strings.Builder{}, benchmarks.Variants)
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.err)
		})
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		assert.Equal(t, tc.want, median(tc.in), "%v", tc.in)
	}
}

func TestFormatNs(t *testing.T) {
	for _, tc := range []struct {
		ns   float64
		want string
	}{
		{69.4, "69 ns"},
		{9999, "9999 ns"},
		{39_600, "39.6 µs"},
		{179_900_000, "179.9 ms"},
	} {
		assert.Equal(t, tc.want, formatNs(tc.ns))
	}
}
