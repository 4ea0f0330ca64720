package layout

import (
	"strings"
	"unicode"
)

// Line is one non-empty line of text with the number of blank lines before it.
type Line struct {
	Text string
	Gap  int
}

// NonEmpty drops blank lines, remembering how many preceded each kept line.
func NonEmpty(lines []string) []Line {
	var out []Line
	gap := 0
	for _, l := range lines {
		if l == "" {
			gap++
			continue
		}
		out = append(out, Line{l, gap})
		gap = 0
	}
	return out
}

// connectives are words that never end a sentence or a heading: a line ending with one
// continues on the next line even when that line starts with a capital.
var connectives = map[string]bool{
	"và": true, "của": true, "các": true, "cho": true, "do": true, "theo": true, "với": true,
	"trong": true, "tại": true, "về": true, "để": true, "từ": true, "được": true, "là": true,
	"những": true, "một": true, "có": true, "đến": true, "như": true, "hoặc": true, "trên": true,
	"thì": true, "mà": true, "nhằm": true, "thuộc": true, "bằng": true, "qua": true, "hay": true,
	"vào": true, "giữa": true, "bởi": true, "nên": true, "vì": true, "đã": true, "sẽ": true,
	"đang": true, "gồm": true, "tỉnh": true, "thành": true, "phố": true, "Sở": true, "Bộ": true,
}

// continues reports whether next continues the sentence that prev leaves open: a line broken
// in the middle of a sentence, as text copied from PDFs or saved pages often is.
func continues(prev, next string) bool {
	if prev == "" || next == "" || EndsSentence(prev) {
		return false
	}
	if m, _, _ := SplitMarker(next); m != "" {
		return false
	}
	if ClassifyNoise(next) != NoiseNone {
		return false
	}
	if StartsLower(next) {
		return true
	}
	ws := strings.Fields(prev)
	last := strings.TrimRight(ws[len(ws)-1], ",")
	return connectives[last] && len(ws) > 3
}

// JoinLines joins a continuation line to the previous one, undoing a hyphenation.
func JoinLines(prev, next string) string {
	if strings.HasSuffix(prev, "-") && len(prev) > 1 {
		before := []rune(prev)
		if r := before[len(before)-2]; unicode.IsLetter(r) && StartsLower(next) {
			return prev[:len(prev)-1] + next
		}
	}
	return prev + " " + next
}

// Paragraphs joins broken lines: a line continues the previous one when the previous
// does not end a sentence and the line starts in lowercase (or the previous one ends with a
// connective), across at most two blank lines.
func Paragraphs(ls []Line) []string {
	var out []string
	for _, l := range ls {
		if n := len(out); n > 0 && l.Gap <= 2 && continues(out[n-1], l.Text) {
			out[n-1] = JoinLines(out[n-1], l.Text)
			continue
		}
		out = append(out, l.Text)
	}
	return out
}
