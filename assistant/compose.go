package assistant

import (
	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// evidence is a retrieved passage with the document it belongs to.
type evidence struct {
	result   knowledge.Result
	doc      *knowledge.Document // full document (with Procedure) for the leading results
	passages []knowledge.Chunk   // all the passages of the lead procedure
	extra    bool                // a passage of the lead document that retrieval did not return
}

// composer builds extractive answers: the sentences or structured fields of the retrieved
// passages that answer the question, each marked with its citation.
type composer struct {
	analyzer *vietnamese.Analyzer
	pieces   *pieceCache // nil: no caching
}

// weights returns the IDF-free weights of the question's content terms (context terms count
// less), used to score sentences.
func (c composer) weights(r resolved) map[string]float64 {
	w := map[string]float64{}
	add := func(terms []vietnamese.Term, scale float64) {
		for _, t := range terms {
			if t.Stop || t.Part || t.Class == vietnamese.Exact || (t.Class == vietnamese.Expansion && vietnamese.HasMarks(t.Text)) {
				continue
			}
			v := 1.0
			switch t.Class {
			case vietnamese.Bigram:
				v = 1.5
			case vietnamese.Expansion:
				v = 0.7
			}
			w[t.Text] = max(w[t.Text], v*scale)
		}
	}
	add(r.Q.Terms(), 1)
	if r.Context != "" {
		add(r.Q.ContextTerms(), 0.3)
	}
	return w
}

// compose writes the answer for the evidence, best first.
func (c composer) compose(r resolved, ev []evidence, audience Audience) draft {
	lead := ev[0]
	if lead.doc != nil && lead.doc.Procedure != nil {
		return c.procedureAnswer(r, ev, audience)
	}
	return c.passageAnswer(r, ev, audience)
}
