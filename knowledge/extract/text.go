package extract

import (
	"regexp"
	"strings"

	"github.com/trolyao/trolyao/knowledge/layout"
)

// parseText reads a plain-text file, possibly a web page saved as text.
func parseText(data []byte) (*Document, error) {
	s, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	title, paras := cleanPage(layout.CleanLines(s))
	return &Document{Title: title, Blocks: layout.Structure(paras)}, nil
}

// cleanPage removes web-page noise from the lines of a text and finds its headline. It returns
// the title ("" when none is found) and the article's paragraphs, title excluded.
func cleanPage(lines []string) (string, []string) {
	paras := layout.Paragraphs(layout.NonEmpty(lines))
	kinds := make([]layout.Noise, len(paras))
	for i, p := range paras {
		kinds[i] = layout.ClassifyNoise(p)
	}

	// Related-article lists end the article; a heading for one is cut with what follows when
	// the rest is a list of short lines.
	end := len(paras)
	for i := len(paras) - 1; i > 0; i-- {
		if kinds[i] != layout.NoiseCut {
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
			kinds[i] = layout.NoiseDrop
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
		if kinds[i] == layout.NoiseNone || kinds[i] == layout.NoiseByline {
			body = append(body, layout.StripSourceTag(paras[i]))
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
		if layout.ClassifyNoise(last) == layout.NoiseByline || layout.LooksLikeByline(last) {
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
func findHeadline(paras []string, kinds []layout.Noise) int {
	limit := min(len(paras), 25)
	for i := 0; i < limit; i++ {
		if kinds[i] != layout.NoiseMeta {
			continue
		}
		// The nearest headline-like line above a date line, skipping page noise; a date line
		// with none (the site's own date in its header) leaves the search to the next one.
		for j, seen := i-1, 0; j >= 0 && seen < 4; j-- {
			if kinds[j] != layout.NoiseNone {
				continue
			}
			if isHeadline(paras[j]) {
				return j
			}
			seen++
		}
	}
	for i := 0; i < limit; i++ {
		if kinds[i] != layout.NoiseNone {
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
			if kinds[j] == layout.NoiseNone {
				next = paras[j]
				break
			}
			if kinds[j] == layout.NoiseMeta {
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
	if len(p) < 15 || len(p) > 250 || len(layout.Words(p)) < 3 {
		return false
	}
	if !reHeadlineStart.MatchString(p) {
		return false
	}
	if m, _, _ := layout.SplitMarker(p); m != "" {
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
