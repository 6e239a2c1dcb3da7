// Command report turns the output of several rounds of the benchmarks (run.sh pipes it
// in) into the tables of BENCHMARKS.md. Every figure is the median of the rounds:
//
//   - one table per adapter (Echo v4, Echo v5, net/http), the library against the bare
//     framework and the floor in it: for each size and algorithm, the cache miss as a
//     multiple of the floor, (miss − bare) ÷ (floor − bare), and the cache hit's time and
//     allocations over bare, next to their targets (miss ≤ 1.05× the floor, hit ≤ 3
//     allocations over bare), a figure that misses its target in bold and marked ✗;
//   - for an adapter with peers (Echo v4), one table per size and algorithm of every
//     variant's ns/op, allocs/op, B/op and the same multiple of the floor;
//   - the time to load the document, kin-openapi's and the library's.
//
// It fails when the input holds no benchmark result, or a variant the benchmarks no
// longer define.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/axioms-go/axioms-echo/benchmarks"
)

// The targets the adapter tables mark.
const (
	maxMissRatio = 1.05 // cache miss: (miss − bare) ÷ (floor − bare)
	maxHitAllocs = 3    // cache hit: allocations over bare
)

var (
	variantLine = regexp.MustCompile(`^BenchmarkVariants/ops=(\d+)/alg=(\w+)/variant=(\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op\s+([\d.]+) B/op\s+([\d.]+) allocs/op`)
	loadLine    = regexp.MustCompile(`^BenchmarkLoad/ops=(\d+)/(\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op`)
)

func main() {
	res, err := parse(os.Stdin)
	if err == nil {
		err = res.write(os.Stdout, benchmarks.Variants)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// cell is one size and algorithm.
type cell struct {
	ops int
	alg string
}

type key struct {
	cell
	variant string
}

type samples struct{ ns, bytes, allocs []float64 }

// figures are the medians of one variant in one cell.
type figures struct{ ns, bytes, allocs float64 }

// results are the rounds read from the benchmarks' output.
type results struct {
	runs   map[key]*samples
	loads  map[string][]float64 // by "ops/kin-openapi" and "ops/axioms"
	ops    []int                // ascending
	algs   []string             // in the order first seen
	rounds int                  // the most rounds of any variant
}

func parse(r io.Reader) (*results, error) {
	res := &results{runs: map[key]*samples{}, loads: map[string][]float64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := variantLine.FindStringSubmatch(line); m != nil {
			ops, _ := strconv.Atoi(m[1])
			k := key{cell{ops, m[2]}, m[3]}
			s := res.runs[k]
			if s == nil {
				s = &samples{}
				res.runs[k] = s
				if !slices.Contains(res.ops, ops) {
					res.ops = append(res.ops, ops)
				}
				if !slices.Contains(res.algs, k.alg) {
					res.algs = append(res.algs, k.alg)
				}
			}
			s.ns = append(s.ns, number(m[4]))
			s.bytes = append(s.bytes, number(m[5]))
			s.allocs = append(s.allocs, number(m[6]))
			res.rounds = max(res.rounds, len(s.ns))
		} else if m := loadLine.FindStringSubmatch(line); m != nil {
			res.loads[m[1]+"/"+m[2]] = append(res.loads[m[1]+"/"+m[2]], number(m[3]))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(res.runs) == 0 {
		return nil, errors.New("no BenchmarkVariants result in the input")
	}
	slices.Sort(res.ops)
	return res, nil
}

// number is a figure the line's pattern has matched as digits and dots.
func number(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	switch {
	case len(s) == 0:
		return 0
	case len(s)%2 == 1:
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// cells are the sizes and algorithms of the input: algorithm first, then size.
func (res *results) cells() []cell {
	var cs []cell
	for _, alg := range res.algs {
		for _, ops := range res.ops {
			cs = append(cs, cell{ops, alg})
		}
	}
	return cs
}

// get returns the medians of variant in c, and whether it ran there.
func (res *results) get(c cell, variant string) (figures, bool) {
	s := res.runs[key{c, variant}]
	if s == nil {
		return figures{}, false
	}
	return figures{median(s.ns), median(s.bytes), median(s.allocs)}, true
}

// adapter is one adapter's variants by role; peers in the order of the benchmarks.
type adapter struct {
	name                   benchmarks.Adapter
	bare, floor, miss, hit string
	all                    []string
	peers                  int
}

func adapters(variants []benchmarks.Variant) []*adapter {
	var as []*adapter
	for _, v := range variants {
		i := slices.IndexFunc(as, func(a *adapter) bool { return a.name == v.Adapter })
		if i < 0 {
			i = len(as)
			as = append(as, &adapter{name: v.Adapter})
		}
		a := as[i]
		a.all = append(a.all, v.Name)
		switch v.Role {
		case benchmarks.Bare:
			a.bare = v.Name
		case benchmarks.Floor:
			a.floor = v.Name
		case benchmarks.Miss:
			a.miss = v.Name
		case benchmarks.Hit:
			a.hit = v.Name
		case benchmarks.Peer:
			a.peers++
		}
	}
	return as
}

// write prints the tables of the variants of the input: one per adapter, those of the
// adapters with peers, and the load times.
func (res *results) write(w io.Writer, variants []benchmarks.Variant) error {
	known := map[string]bool{}
	for _, v := range variants {
		known[v.Name] = true
	}
	var unknown []string
	for k := range res.runs {
		if !known[k.variant] && !slices.Contains(unknown, k.variant) {
			unknown = append(unknown, k.variant)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return fmt.Errorf("variants the benchmarks do not define: %s", strings.Join(unknown, ", "))
	}

	var b strings.Builder
	fmt.Fprintf(&b, "\nMedians of %d rounds. Cache miss: (miss − bare) ÷ (floor − bare), target ≤ %.2f; cache hit: time and allocations over bare, target ≤ %d allocations; ✗ marks a figure over its target.\n",
		res.rounds, maxMissRatio, maxHitAllocs)
	for _, a := range adapters(variants) {
		res.adapterTable(&b, a)
		if a.peers > 0 {
			res.peerTables(&b, a)
		}
	}
	res.loadTable(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

// adapterTable prints a's miss and hit against its bare framework and floor, a row per
// cell, and how many rows meet each target.
func (res *results) adapterTable(b *strings.Builder, a *adapter) {
	fmt.Fprintf(b, "\n#### %s: %s and %s against %s and %s\n\n", a.name, a.miss, a.hit, a.bare, a.floor)
	fmt.Fprintf(b, "| operations | algorithm | bare | floor | miss | miss, × floor (≤ %.2f) | hit | hit − bare | allocations − bare (≤ %d) |\n", maxMissRatio, maxHitAllocs)
	b.WriteString("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n")
	var rows, missMet, hitMet int
	for _, c := range res.cells() {
		bare, okBare := res.get(c, a.bare)
		if !okBare {
			continue
		}
		rows++
		floor, okFloor := res.get(c, a.floor)
		miss, okMiss := res.get(c, a.miss)
		hit, okHit := res.get(c, a.hit)
		missCols := []string{dash, dash, dash}
		if okFloor {
			missCols[0] = formatNs(floor.ns)
		}
		if okMiss {
			missCols[1] = formatNs(miss.ns)
		}
		if okFloor && okMiss {
			ratio := math.Round((miss.ns-bare.ns)/(floor.ns-bare.ns)*1000) / 1000
			missCols[2] = mark(fmt.Sprintf("%.3f", ratio), ratio <= maxMissRatio)
			if ratio <= maxMissRatio {
				missMet++
			}
		}
		hitCols := []string{dash, dash, dash}
		if okHit {
			allocs := math.Round(hit.allocs - bare.allocs)
			hitCols = []string{formatNs(hit.ns), formatNs(hit.ns - bare.ns), mark(fmt.Sprintf("%.0f", allocs), allocs <= maxHitAllocs)}
			if allocs <= maxHitAllocs {
				hitMet++
			}
		}
		fmt.Fprintf(b, "| %d | %s | %s | %s |\n", c.ops, c.alg, formatNs(bare.ns), strings.Join(append(missCols, hitCols...), " | "))
	}
	fmt.Fprintf(b, "\nTargets met: cache miss in %d of %d rows, cache hit allocations in %d of %d.\n", missMet, rows, hitMet, rows)
}

// peerTables prints, for each cell, every variant of a with its multiple of the floor.
func (res *results) peerTables(b *strings.Builder, a *adapter) {
	for _, c := range res.cells() {
		bare, okBare := res.get(c, a.bare)
		floor, okFloor := res.get(c, a.floor)
		if !okBare || !okFloor {
			continue
		}
		fmt.Fprintf(b, "\n#### %s beside its peers: %s, %d operations\n\n", a.name, c.alg, c.ops)
		b.WriteString("| variant | ns/op | allocs/op | B/op | (variant − bare) ÷ (floor − bare) |\n")
		b.WriteString("|---|---:|---:|---:|---:|\n")
		for _, v := range a.all {
			f, ok := res.get(c, v)
			if !ok {
				continue
			}
			ratio := dash
			if v != a.bare {
				ratio = fmt.Sprintf("%.3f", (f.ns-bare.ns)/(floor.ns-bare.ns))
			}
			fmt.Fprintf(b, "| %s | %s | %.0f | %.0f | %s |\n", v, formatNs(f.ns), f.allocs, f.bytes, ratio)
		}
	}
}

// loadTable prints kin-openapi's and the library's load times, for the sizes measured.
func (res *results) loadTable(b *strings.Builder) {
	if len(res.loads) == 0 {
		return
	}
	b.WriteString("\n#### Loading the document\n\n")
	b.WriteString("| operations | kin-openapi load + validate | axioms-echo Load (+ compile) | ratio |\n")
	b.WriteString("|---:|---:|---:|---:|\n")
	for _, ops := range res.ops {
		k, a := median(res.loads[fmt.Sprint(ops, "/kin-openapi")]), median(res.loads[fmt.Sprint(ops, "/axioms")])
		if k == 0 || a == 0 {
			continue
		}
		fmt.Fprintf(b, "| %d | %s | %s | %.2f |\n", ops, formatNs(k), formatNs(a), a/k)
	}
}

const dash = "—"

// mark returns figure as it is when it meets its target, else in bold and marked ✗.
func mark(figure string, met bool) string {
	if met {
		return figure
	}
	return "**" + figure + " ✗**"
}

func formatNs(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.1f ms", ns/1e6)
	case ns >= 1e4:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}
