package assistant

import (
	"fmt"
	"strings"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// FAQ answers are written by operators as documents of kind FAQ: the question is the title (or
// the section heading of a question-and-answer file) and the answer is the text. When a
// question matches one closely, the operator's answer is given as written.

// faqMatch is how closely a question must match an FAQ: the share of the FAQ question's content
// terms in the question and the share of the question's weight in the FAQ.
const (
	faqQuestionCoverage = 0.75
	faqCoverage         = 0.6
)

func (a *Assistant) faqAnswer(results []knowledge.Result, r resolved) (answer, bool) {
	for i, res := range results {
		if i == 3 {
			break
		}
		if res.Doc.Kind != knowledge.KindFAQ || res.Coverage < faqCoverage {
			continue
		}
		question := res.Chunk.Section
		if question == "" {
			question = res.Doc.Title
		}
		if a.questionCoverage(question, r.Q) < faqQuestionCoverage {
			continue
		}
		var d draft
		n := d.cite(res, res.Chunk.Text)
		d.lines = append(d.lines, fmt.Sprintf("%s [%d]", strings.TrimSpace(res.Chunk.Text), n))
		return answer{text: d.text(), grounded: true, citations: d.citations, remember: true}, true
	}
	return answer{}, false
}

// questionCoverage is the share of the FAQ question's content words and bigrams found in q.
func (a *Assistant) questionCoverage(faqQuestion string, q *knowledge.Question) float64 {
	have := map[string]bool{}
	for _, t := range q.Terms() {
		have[t.Text] = true
	}
	var n, hit float64
	for _, t := range a.analyzer.Terms(faqQuestion) {
		if t.Stop || (t.Class != vietnamese.Folded && t.Class != vietnamese.Bigram) {
			continue
		}
		n++
		if have[t.Text] {
			hit++
		}
	}
	if n == 0 {
		return 0
	}
	return hit / n
}
