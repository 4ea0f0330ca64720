package extract

import (
	"strings"

	"github.com/trolyao/trolyao/knowledge/layout"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// isUnaccentedVietnamese reports whether s is Vietnamese written without any diacritics: at
// least five words, most of them plausible syllables, and not a single accented letter.
func isUnaccentedVietnamese(s string) bool {
	if hasDiacritics(s) {
		return false
	}
	ws := layout.Words(strings.ToLower(s))
	if len(ws) < 5 {
		return false
	}
	n := 0
	for _, w := range ws {
		if vietnamese.IsSyllable(w) {
			n++
		}
	}
	return n*10 >= len(ws)*7
}

// dedup drops paragraphs that repeat earlier text: exact repeats, near repeats (most of their
// word trigrams already seen) and copies written without diacritics. Comparison is on the
// folded form, so a diacritic-free copy of an earlier paragraph is a repeat too. seed holds
// text already shown (the title).
type dedup struct {
	seen     map[string]bool
	trigrams map[string]bool
	richDoc  bool // the document is written with diacritics
}

func newDedup(richDoc bool, seed ...string) *dedup {
	d := &dedup{seen: map[string]bool{}, trigrams: map[string]bool{}, richDoc: richDoc}
	for _, s := range seed {
		d.seen[layout.FoldKey(s)] = true
	}
	return d
}

// keep reports whether s is new, and remembers it.
func (d *dedup) keep(s string) bool {
	key := layout.FoldKey(s)
	if key == "" {
		return false
	}
	if d.seen[key] {
		return false
	}
	if d.richDoc && isUnaccentedVietnamese(s) {
		return false
	}
	ws := strings.Fields(key)
	var grams []string
	for i := 0; i+3 <= len(ws); i++ {
		grams = append(grams, strings.Join(ws[i:i+3], " "))
	}
	if len(grams) >= 6 {
		old := 0
		for _, g := range grams {
			if d.trigrams[g] {
				old++
			}
		}
		if old*10 >= len(grams)*9 {
			return false
		}
	}
	d.seen[key] = true
	for _, g := range grams {
		d.trigrams[g] = true
	}
	return true
}

// diacriticRich reports whether most substantial paragraphs carry diacritics.
func diacriticRich(paras []string) bool {
	with, total := 0, 0
	for _, p := range paras {
		if len(layout.Words(p)) < 5 {
			continue
		}
		total++
		if hasDiacritics(p) {
			with++
		}
	}
	return total > 0 && with*2 >= total
}
