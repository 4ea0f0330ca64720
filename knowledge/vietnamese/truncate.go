package vietnamese

import (
	"strings"
	"unicode/utf8"
)

// Truncate shortens s to at most n runes, then "…": at the last space when that keeps more than
// half of them (without the comma, semicolon or colon before it), else within the word. A text of
// n runes or fewer is returned as it is.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := 0 // byte offset of rune n
	for i := range s {
		if n == 0 {
			cut = i
			break
		}
		n--
	}
	head := s[:cut]
	if i := strings.LastIndexByte(head, ' '); i > 0 && utf8.RuneCountInString(head[:i]) > utf8.RuneCountInString(head)/2 {
		return strings.TrimRight(head[:i], ",;:") + "…"
	}
	return head + "…"
}
