// Package editdist measures how far apart two short names are, for "did you mean"
// hints: misspelt extension keys in a document, misspelt AXIOMS_* variables.
package editdist

// Distance returns the Levenshtein distance of a and b, counted in bytes: the number of
// single-byte insertions, deletions and substitutions that turn one into the other. It
// does not allocate when b is at most 32 bytes long.
func Distance[S ~string | ~[]byte](a S, b string) int {
	var prevBuf, curBuf [33]int
	prev, cur := prevBuf[:0], curBuf[:0]
	if len(b)+1 > len(prevBuf) {
		prev, cur = make([]int, 0, len(b)+1), make([]int, 0, len(b)+1)
	}
	prev, cur = prev[:len(b)+1], cur[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
