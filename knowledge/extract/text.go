package extract

import (
	"regexp"
	"strings"
	"unicode"
)

// parseText reads a plain-text file, possibly a web page saved as text.
func parseText(data []byte) (*Document, error) {
	s, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	title, paras := cleanPage(cleanLines(s))
	return &Document{Title: title, Blocks: structure(paras)}, nil
}

// line is one non-empty line of text with the number of blank lines before it.
type line struct {
	text string
	gap  int
}

// nonEmpty drops blank lines, remembering how many preceded each kept line.
func nonEmpty(lines []string) []line {
	var out []line
	gap := 0
	for _, l := range lines {
		if l == "" {
			gap++
			continue
		}
		out = append(out, line{l, gap})
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
	if prev == "" || next == "" || endsSentence(prev) {
		return false
	}
	if m, _, _ := splitMarker(next); m != "" {
		return false
	}
	if classifyNoise(next) != noiseNone {
		return false
	}
	if startsLower(next) {
		return true
	}
	ws := strings.Fields(prev)
	last := strings.TrimRight(ws[len(ws)-1], ",")
	return connectives[last] && len(ws) > 3
}

// joinLines joins a continuation line to the previous one, undoing a hyphenation.
func joinLines(prev, next string) string {
	if strings.HasSuffix(prev, "-") && len(prev) > 1 {
		before := []rune(prev)
		if r := before[len(before)-2]; unicode.IsLetter(r) && startsLower(next) {
			return prev[:len(prev)-1] + next
		}
	}
	return prev + " " + next
}

// paragraphsFromLines joins broken lines: a line continues the previous one when the previous
// does not end a sentence and the line starts in lowercase (or the previous one ends with a
// connective), across at most two blank lines.
func paragraphsFromLines(ls []line) []string {
	var out []string
	for _, l := range ls {
		if n := len(out); n > 0 && l.gap <= 2 && continues(out[n-1], l.text) {
			out[n-1] = joinLines(out[n-1], l.text)
			continue
		}
		out = append(out, l.text)
	}
	return out
}

// cleanPage removes web-page noise from the lines of a text and finds its headline. It returns
// the title ("" when none is found) and the article's paragraphs, title excluded.
func cleanPage(lines []string) (string, []string) {
	paras := paragraphsFromLines(nonEmpty(lines))
	kinds := make([]noiseKind, len(paras))
	for i, p := range paras {
		kinds[i] = classifyNoise(p)
	}

	// Related-article lists end the article; a heading for one is cut with what follows when
	// the rest is a list of short lines.
	end := len(paras)
	for i := len(paras) - 1; i > 0; i-- {
		if kinds[i] != noiseCut {
			continue
		}
		listy := true
		for _, p := range paras[i+1 : end] {
			if len(p) > 250 {
				listy = false
				break
			}
		}
		if listy {
			end = i
		} else {
			kinds[i] = noiseDrop
		}
	}
	paras, kinds = paras[:end], kinds[:end]

	titleIdx := findHeadline(paras, kinds)
	title := ""
	start := 0
	if titleIdx >= 0 {
		title = paras[titleIdx]
		start = titleIdx + 1
	}

	var body []string
	for i := start; i < len(paras); i++ {
		if kinds[i] == noiseNone || kinds[i] == noiseByline {
			body = append(body, stripSourceTag(paras[i]))
		}
	}
	d := newDedup(diacriticRich(body), title)
	kept := body[:0]
	for _, p := range body {
		if d.keep(p) {
			kept = append(kept, p)
		}
	}
	// Bylines and source lines close an article.
	for len(kept) > 0 {
		last := kept[len(kept)-1]
		if classifyNoise(last) == noiseByline || looksLikeByline(last) {
			kept = kept[:len(kept)-1]
			continue
		}
		break
	}
	return title, kept
}

// findHeadline returns the index of the page's headline, or -1. A headline is the line just
// before a date or view-count line (page noise between them aside), or else the first sentence-like line of 15–250
// characters that is followed by article text and preceded only by short menu lines.
func findHeadline(paras []string, kinds []noiseKind) int {
	limit := min(len(paras), 25)
	for i := 0; i < limit; i++ {
		if kinds[i] != noiseMeta {
			continue
		}
		// The nearest headline-like line above a date line, skipping page noise; a date line
		// with none (the site's own date in its header) leaves the search to the next one.
		for j, seen := i-1, 0; j >= 0 && seen < 4; j-- {
			if kinds[j] != noiseNone {
				continue
			}
			if isHeadline(paras[j]) {
				return j
			}
			seen++
		}
	}
	for i := 0; i < limit; i++ {
		if kinds[i] != noiseNone {
			continue
		}
		p := paras[i]
		if !isHeadline(p) {
			if len(p) > 80 {
				return -1 // the text starts without a headline
			}
			continue
		}
		next := ""
		for j := i + 1; j < len(paras); j++ {
			if kinds[j] == noiseNone {
				next = paras[j]
				break
			}
			if kinds[j] == noiseMeta {
				return i
			}
		}
		if len(next) >= 60 || (next != "" && i == 0) {
			return i
		}
	}
	return -1
}

// reHeadlineStart rejects lines that start like list items or sentences continuing others.
var reHeadlineStart = regexp.MustCompile(`^[\p{Lu}\d"“'‘(]`)

// isHeadline reports whether p can be a headline: 15–250 characters, at least three words,
// not a list item, not ending like an introduction to a list, not a long sentence.
func isHeadline(p string) bool {
	if len(p) < 15 || len(p) > 250 || len(words(p)) < 3 {
		return false
	}
	if !reHeadlineStart.MatchString(p) {
		return false
	}
	if m, _, _ := splitMarker(p); m != "" {
		return false
	}
	if strings.HasSuffix(p, ":") || strings.HasSuffix(p, ";") || strings.HasSuffix(p, ",") {
		return false
	}
	if strings.HasSuffix(p, ".") && len(p) > 120 {
		return false
	}
	return true
}
