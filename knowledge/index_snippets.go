package knowledge

import (
	"context"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// Snippet returns the sentences of a passage's text that best match the question (its own
// words, not its context's), up to about 300 runes.
func (x *Index) Snippet(ctx context.Context, text string, q *Question) string {
	st, err := x.currentStats(ctx)
	if err != nil {
		return vietnamese.Truncate(text, 300)
	}
	return x.snippet(text, queryTerms(q, false, st))
}

// snippet returns the passage's best-matching sentences, up to about 300 runes.
func (x *Index) snippet(text string, terms []queryTerm) string {
	sents := vietnamese.Sentences(text)
	if len(sents) <= 1 {
		return vietnamese.Truncate(text, 300)
	}
	weights := make(map[string]float64, len(terms))
	for _, t := range terms {
		weights[t.text] = t.weight * t.idf
	}
	bestI, bestS := 0, -1.0
	seen := map[string]bool{}
	for i, s := range sents {
		var sc float64
		clear(seen)
		for _, t := range x.analyzer.Terms(s) {
			if !seen[t.Text] {
				seen[t.Text] = true
				sc += weights[t.Text]
			}
		}
		if sc > bestS {
			bestI, bestS = i, sc
		}
	}
	out := sents[bestI]
	if next := bestI + 1; next < len(sents) && utf8.RuneCountInString(out)+utf8.RuneCountInString(sents[next]) < 300 {
		out += " " + sents[next]
	}
	return vietnamese.Truncate(out, 300)
}
