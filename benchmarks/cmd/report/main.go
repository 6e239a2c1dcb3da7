// Command report turns the output of several rounds of the benchmarks into the tables of
// BENCHMARKS.md: medians of ns/op, allocs/op and B/op per variant, and each variant's
// overhead over bare Echo as a multiple of the floor's: (variant − bare) ÷ (floor − bare).
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

var (
	variantLine = regexp.MustCompile(`^BenchmarkVariants/ops=(\d+)/alg=(\w+)/variant=(\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op\s+([\d.]+) B/op\s+([\d.]+) allocs/op`)
	loadLine    = regexp.MustCompile(`^BenchmarkLoad/ops=(\d+)/(\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op`)
)

type key struct {
	ops     int
	alg     string
	variant string
}

type samples struct{ ns, bytes, allocs []float64 }

func median(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func main() {
	order := []string{"bare", "floor", "echo-jwt+golang-jwt", "echo-jwt+jwx", "oapi-codegen", "kin-legacy", "axioms-miss", "axioms-hit"}
	data := map[key]*samples{}
	loads := map[string][]float64{}
	var opsSeen []int
	var algsSeen []string
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := variantLine.FindStringSubmatch(line); m != nil {
			ops, _ := strconv.Atoi(m[1])
			k := key{ops, m[2], m[3]}
			if data[k] == nil {
				data[k] = &samples{}
				if !slices.Contains(opsSeen, ops) {
					opsSeen = append(opsSeen, ops)
				}
				if !slices.Contains(algsSeen, m[2]) {
					algsSeen = append(algsSeen, m[2])
				}
			}
			ns, _ := strconv.ParseFloat(m[4], 64)
			b, _ := strconv.ParseFloat(m[5], 64)
			a, _ := strconv.ParseFloat(m[6], 64)
			data[k].ns = append(data[k].ns, ns)
			data[k].bytes = append(data[k].bytes, b)
			data[k].allocs = append(data[k].allocs, a)
		} else if m := loadLine.FindStringSubmatch(line); m != nil {
			ns, _ := strconv.ParseFloat(m[3], 64)
			loads[m[1]+"/"+m[2]] = append(loads[m[1]+"/"+m[2]], ns)
		}
	}
	sort.Ints(opsSeen)
	for _, alg := range algsSeen {
		for _, ops := range opsSeen {
			bare, fl := data[key{ops, alg, "bare"}], data[key{ops, alg, "floor"}]
			if bare == nil || fl == nil {
				continue
			}
			b, f := median(bare.ns), median(fl.ns)
			fmt.Printf("\n#### %s, %d operations (median of %d rounds)\n\n", alg, ops, len(bare.ns))
			fmt.Println("| variant | ns/op | allocs/op | B/op | (variant − bare) ÷ (floor − bare) |")
			fmt.Println("|---|---:|---:|---:|---:|")
			for _, v := range order {
				s := data[key{ops, alg, v}]
				if s == nil {
					continue
				}
				ns := median(s.ns)
				ratio := "—"
				if v != "bare" {
					ratio = fmt.Sprintf("%.3f", (ns-b)/(f-b))
				}
				fmt.Printf("| %s | %s | %.0f | %.0f | %s |\n", v, formatNs(ns), median(s.allocs), median(s.bytes), ratio)
			}
			if hit := data[key{ops, alg, "axioms-hit"}]; hit != nil {
				fmt.Printf("\naxioms-hit over bare Echo: %.0f ns, %.0f allocations.\n", median(hit.ns)-b, median(hit.allocs)-median(bare.allocs))
			}
		}
	}
	if len(loads) > 0 {
		fmt.Println("\n#### Loading the document (median)")
		fmt.Println()
		fmt.Println("| operations | kin-openapi load + validate | axioms-echo Load (+ compile) | ratio |")
		fmt.Println("|---:|---:|---:|---:|")
		for _, ops := range opsSeen {
			k, a := median(loads[fmt.Sprint(ops, "/kin-openapi")]), median(loads[fmt.Sprint(ops, "/axioms")])
			if k == 0 || a == 0 {
				continue
			}
			fmt.Printf("| %d | %s | %s | %.2f |\n", ops, formatNs(k), formatNs(a), a/k)
		}
	}
}

func formatNs(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.1f ms", ns/1e6)
	case ns >= 1e4:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.0f ns", ns), ".0")
}
