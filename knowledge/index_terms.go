package knowledge

import (
	"math"
	"strings"
	"unicode"

	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// queryTerm is a distinct term of the question with its ranking weight.
type queryTerm struct {
	text    string
	weight  float64
	idf     float64
	content bool // counts toward coverage
	phrase  bool // a content bigram: counts toward phrase coverage
	word    bool // a word of the question itself, as written or folded, not a function word
	focus   bool // a content term of the question's focus (Question.Focus)
}

// queryTerms returns the question's distinct terms (and, with low weight when withContext is
// set, the conversation context's) with their ranking weights and IDF.
func queryTerms(q *Question, withContext bool, st *statsSnapshot) []queryTerm {
	byText := map[string]*queryTerm{}
	var order []string
	add := func(t vietnamese.Term, scale float64) {
		w := termWeight(t) * scale
		// A word pair across a word that may be a function word ("tri_muon" of "quang tri
		// muon kinh te so …" typed without diacritics) that no passage holds is likely no
		// phrase of the question: it counts half.
		if t.Class == vietnamese.Bigram && t.Weak && st.DF.Get(t.Text) == 0 {
			w /= 2
		}
		if qt, ok := byText[t.Text]; ok {
			qt.weight = max(qt.weight, w)
			qt.content = qt.content || (scale == 1 && isContent(t))
			qt.phrase = qt.phrase || (scale == 1 && isContent(t) && t.Class == vietnamese.Bigram)
			return
		}
		byText[t.Text] = &queryTerm{text: t.Text, weight: w, idf: idf(st, t.Text), content: scale == 1 && isContent(t),
			phrase: scale == 1 && isContent(t) && t.Class == vietnamese.Bigram,
			word:   scale == 1 && (t.Class == vietnamese.Exact || t.Class == vietnamese.Folded) && !t.Stop && !t.Part && !t.Weak}
		order = append(order, t.Text)
	}
	for _, t := range q.QueryTerms() {
		add(t, 1)
	}
	if withContext && q.Context != "" {
		for _, t := range q.ContextQueryTerms() {
			if !t.Stop {
				add(t, 0.35)
			}
		}
	}
	if q.Focus != "" {
		for _, t := range q.FocusQueryTerms() {
			if qt, ok := byText[t.Text]; ok && qt.content {
				qt.focus = true
			}
		}
	}
	out := make([]queryTerm, 0, len(order))
	for _, s := range order {
		out = append(out, *byText[s])
	}
	return out
}

// isContent reports whether a question term counts toward coverage: folded words and codes
// that are not stop words, and bigrams of two such words.
func isContent(t vietnamese.Term) bool {
	switch t.Class {
	case vietnamese.Folded:
		return !t.Stop && !t.Part
	case vietnamese.Bigram:
		return !t.Stop
	}
	return false
}

func idf(st *statsSnapshot, term string) float64 {
	n := float64(st.Chunks)
	df := float64(st.DF.Get(term))
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// hasUnknownWord reports whether the question holds a word, spelled with letters, that no
// passage of the knowledge base holds ("VN-Index", "iPhone", "RON95"): what it asks about is
// then likely not there, and the phrases a passage shares with the question ("chứng khoán")
// must not make up for the words it lacks. A word counts as written ("cưng" of "thú cưng" is
// unknown even though "cung" is common) and folded; words that may be function words when
// typed without diacritics do not count, nor do the short forms it learned (LearnForms).
func hasUnknownWord(terms []queryTerm, st *statsSnapshot) bool {
	for _, t := range terms {
		if !t.word || st.DF.Get(t.text) > 0 {
			continue
		}
		if _, ok := st.forms.Lookup(t.text); ok {
			continue // a short form the knowledge base taught itself
		}
		if strings.IndexFunc(t.text, unicode.IsLetter) >= 0 {
			return true
		}
	}
	return false
}

// coverageOf returns the share of the question's informative weight among the matched terms,
// counting words and word pairs, then word pairs only; of the focus's terms only when focus is
// set.
func coverageOf(terms []queryTerm, matched []bool, focus bool) (coverage, phrases float64) {
	var covered, total, pCovered, pTotal float64
	for i, t := range terms {
		if focus && !t.focus {
			continue
		}
		if t.content {
			total += t.weight * t.idf
			if matched[i] {
				covered += t.weight * t.idf
			}
		}
		if t.phrase {
			pTotal += t.weight * t.idf
			if matched[i] {
				pCovered += t.weight * t.idf
			}
		}
	}
	if total > 0 {
		coverage = covered / total
	}
	if pTotal > 0 {
		phrases = pCovered / pTotal
	}
	return coverage, phrases
}
