package yamltree

import "fmt"

// Suggest returns the candidate closest to s by Distance, if it is close
// enough to be a likely misspelling (about one edit in three characters, at
// least one, at most three), for "did you mean" messages. Ties go to the
// candidate first in byte order.
func Suggest(s string, candidates []string) (string, bool) {
	limit := SuggestLimit(s)
	best, bestD := "", limit+1
	for _, c := range candidates {
		d := Distance(s, c, bestD)
		if d < bestD || d == bestD && d <= limit && c < best {
			best, bestD = c, d
		}
	}
	return best, bestD <= limit
}

// SuggestLimit is the largest Distance at which Suggest offers a candidate
// for s.
func SuggestLimit(s string) int { return min(max(len(s)/3, 1), 3) }

// DidYouMean returns ` (did you mean "x"?)` with the suggestion for s, or
// "".
func DidYouMean(s string, candidates []string) string {
	if c, ok := Suggest(s, candidates); ok {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	return ""
}

// Distance is the optimal string alignment distance between a and b over
// bytes, the fewest insertions, deletions, substitutions and swaps of two
// adjacent bytes ("kakoa" is one edit from "kakao", not two), no substring
// edited twice, when it is at most k; otherwise it is k+1, returned as soon
// as every entry of a row of the table exceeds k. The bound keeps the work
// of comparing an id with a million others small.
func Distance(a, b string, k int) int {
	// A common prefix or suffix does not change the distance.
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(a)-len(b) > k {
		return k + 1
	}
	if len(b) == 0 {
		return len(a)
	}
	// Three rows of the table: the one before the previous (for swaps),
	// the previous and the current.
	n := len(b) + 1
	var buf [3 * 64]int
	rows := buf[:0]
	if 3*n > len(buf) {
		rows = make([]int, 0, 3*n)
	}
	rows = rows[:3*n]
	prev2, prev, row := rows[:n], rows[n:2*n], rows[2*n:]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		row[0] = i
		low := i
		ai := a[i-1]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if ai == b[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, row[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ai == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			row[j] = d
			low = min(low, d)
		}
		// A row's least value never decreases from row to row (a swap
		// costs what a substitution in the row before does), so once it is
		// above k the distance is.
		if low > k {
			return k + 1
		}
		prev2, prev, row = prev, row, prev2
	}
	return min(prev[len(b)], k+1)
}
