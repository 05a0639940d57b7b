package export

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// This file holds the words and numbers every report shares, so that a
// count, a plural or an escaped name reads the same in each format: one
// number formatter (count, with thousands separators), one plural rule
// (plural), one Markdown escaper (mdText) and the list helpers.

// count formats n with thousands separators: 1,234,567.
func count[T ~int | ~int64](n T) string {
	return grouped(strconv.FormatInt(int64(n), 10))
}

// grouped puts thousands separators into a decimal integer s (an optional
// minus sign, then digits): the one digit grouping of every report, for
// int64 counts (count) and for float64 sums beyond the int64 range
// (userHours).
func grouped(s string) string {
	digits := strings.TrimPrefix(s, "-")
	var b strings.Builder
	if len(digits) < len(s) {
		b.WriteByte('-')
	}
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}

// capital returns s with its first letter in upper case.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// percent formats a share as a percentage with at most one decimal:
// "37.2%", "50%". It is every report's one percentage.
func percent(f float64) string {
	s := strconv.FormatFloat(100*f, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + "%"
}

// percentVs formats got and want as percent does, with as many more
// decimals (up to 6) as it takes for two different shares not to print
// alike: a rate of 0.8996 against a rule's 0.9 reads "89.96%", never "90%"
// next to a failure.
func percentVs(got, want float64) (string, string) {
	g, w := percent(got), percent(want)
	for d := 2; g == w && got != want && d <= 6; d++ {
		g = strings.TrimRight(strings.TrimRight(strconv.FormatFloat(100*got, 'f', d, 64), "0"), ".") + "%"
		w = strings.TrimRight(strings.TrimRight(strconv.FormatFloat(100*want, 'f', d, 64), "0"), ".") + "%"
	}
	return g, w
}

// plural is n (with thousands separators) and noun, in the plural unless n
// is 1: "1 service", "2 services", "1 single point of failure", "3 single
// points of failure", "2 dependencies". In a noun phrase "X of Y" the
// word before " of " takes the plural.
func plural[T ~int | ~int64](n T, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return count(n) + " " + pluralNoun(noun)
}

// pluralNoun is the plural of an English noun phrase, by the regular rules
// (the words reports use have no irregular plurals).
func pluralNoun(noun string) string {
	head, tail, hasOf := strings.Cut(noun, " of ")
	switch {
	case strings.HasSuffix(head, "y") && len(head) > 1 && !strings.ContainsRune("aeiou", rune(head[len(head)-2])):
		head = head[:len(head)-1] + "ies"
	case strings.HasSuffix(head, "s"), strings.HasSuffix(head, "x"), strings.HasSuffix(head, "ch"), strings.HasSuffix(head, "sh"):
		head += "es"
	default:
		head += "s"
	}
	if hasOf {
		return head + " of " + tail
	}
	return head
}

// users formats a user count for a table cell; 0 prints as "-".
func users(n int64) string {
	if n == 0 {
		return "-"
	}
	return count(n)
}

// short formats a user count compactly: 950, 12K, 47.5M.
func short(n int64) string {
	unit := []struct {
		div    int64
		suffix string
	}{{1_000_000_000, "B"}, {1_000_000, "M"}, {1_000, "K"}}
	for _, u := range unit {
		if n >= u.div {
			s := strconv.FormatFloat(float64(n)/float64(u.div), 'f', 1, 64)
			return strings.TrimSuffix(s, ".0") + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// shortUsers is "1 user", "950 users", "12K users".
func shortUsers(n int64) string {
	if n == 1 {
		return "1 user"
	}
	return short(n) + " users"
}

func orModel(name string) string {
	if name == "" {
		return "model"
	}
	return name
}

// oneLine makes s one line of printable text: newlines and other control
// characters become spaces.
func oneLine(s string) string {
	if printableASCII(s) {
		return s // the common case, without a call per rune
	}
	return strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return ' '
		}
		return r
	}, s)
}

// printableASCII reports whether s is all printable ASCII: text that
// oneLine and the escapers leave alone unless it holds their markup.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// code makes a node id a Markdown code span. Ids hold no backticks or
// pipes (graph validates them), so the span needs no escaping.
func code(id string) string { return "`" + id + "`" }

// mdText escapes text for Markdown inside a line (never at its start),
// tables included: the punctuation that could start markup there gets a
// backslash, and newlines become spaces. It is export's one Markdown
// escaper.
func mdText(s string) string {
	if printableASCII(s) && !strings.ContainsAny(s, "\\`*_[]<>|~") {
		return s
	}
	var b strings.Builder
	for _, r := range oneLine(s) {
		if strings.ContainsRune("\\`*_[]<>|~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// listCap is how many names a report cell lists before "and N more", so
// that no cell grows with the model.
const listCap = 10

func list(ids []string) string {
	if len(ids) == 0 {
		return "-"
	}
	return strings.Join(ids, ", ")
}

func mdList(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return "`" + strings.Join(ids, "`, `") + "`"
}

// boundedList is list with at most listCap names, then "and N more".
func boundedList(ids []string) string {
	if len(ids) == 0 {
		return list(ids)
	}
	return capped(ids, len(ids), listCap, func(s []string, _ string) string { return list(s) })
}

// mdBoundedList is mdList with at most listCap names, then "and N more".
func mdBoundedList(ids []string) string {
	return capped(ids, len(ids), listCap, func(s []string, _ string) string { return mdList(s) })
}

// capped joins the first limit of ids (a list of total names, of which
// ids may hold only the first) with join and counts the rest: "a, b and 3
// more". It is the one rule by which a report cell stays bounded.
func capped(ids []string, total, limit int, join func([]string, string) string) string {
	s := join(ids[:min(len(ids), limit)], ", ")
	if more := total - min(len(ids), limit); more > 0 {
		s += " and " + count(more) + " more"
	}
	return s
}

// probability formats a probability with four significant digits, in
// scientific notation below 0.001: "0.1543", "0.001", "2.5e-06"; 0 is
// "0" and 1 is "1". It is every report's one probability.
func probability(p float64) string {
	switch {
	case p == 0 || p == 1:
		return strconv.FormatFloat(p, 'f', -1, 64)
	case p < 1e-3:
		return strconv.FormatFloat(p, 'e', 3, 64)
	}
	return strconv.FormatFloat(p, 'g', 4, 64)
}

// nines formats an availability 1 − q as a percentage with two decimals
// past its first digit that is not 9 (at most 12), trailing zeros off:
// "84.6%", "99.001%", "99.9877%", "99.99999%"; q = 0 is "100%".
func nines(q float64) string {
	if q <= 0 {
		return "100%"
	}
	d := min(max(1, int(math.Floor(-math.Log10(q)))+1), 12)
	s := strings.TrimRight(strconv.FormatFloat(100*(1-q), 'f', d, 64), "0")
	return strings.TrimSuffix(s, ".") + "%"
}

// probabilityVs formats two probabilities as probability does, with more
// significant digits (up to 12) while two different ones would print
// alike: bounds 0.002291913 and 0.002291918, never "0.002292" twice.
func probabilityVs(a, b float64) (string, string) {
	x, y := probability(a), probability(b)
	for d := 5; x == y && a != b && d <= 12; d++ {
		x, y = strconv.FormatFloat(a, 'g', d, 64), strconv.FormatFloat(b, 'g', d, 64)
	}
	return x, y
}
