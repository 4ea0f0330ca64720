package procedure

import (
	"regexp"
	"strconv"
	"strings"
)

// reRemarkNumber finds numbers in a remark, with dot or comma thousands separators.
var reRemarkNumber = regexp.MustCompile(`\d{1,3}(?:[.,]\d{3})+|\d+`)

func remarkNumbers(s string) []int64 {
	var out []int64
	for _, m := range reRemarkNumber.FindAllString(s, -1) {
		out = append(out, parseAmount(m))
	}
	return out
}

// parseAmount reads "10,000", "10.000" or "10000" as 10000; 0 when it is not a number.
func parseAmount(s string) int64 {
	s = strings.NewReplacer(",", "", ".", "").Replace(s)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// formatVND writes an amount the Vietnamese way: 10000 → "10.000".
func formatVND(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return b.String()
}
