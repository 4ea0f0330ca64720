package knowledge

import (
	"sync"

	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// Question is a question analysed once for every step that reads its terms: retrieval, the
// relevance of what is found, the sentences quoted and the snippets shown for it. Each kind of
// analysis runs on first use and is kept; a Question is safe for concurrent use.
type Question struct {
	// Text is the question; Context the earlier conversation text whose terms help a
	// follow-up with low weight ("" for none).
	Text, Context string
	// Focus, when set, is the part of Text that states what is asked (a long message tells a
	// situation first): search also says how much of it each document covers.
	Focus string

	analyzer *vietnamese.Analyzer
	// The analyses, each run on first use.
	terms, queryTerms, contextTerms, contextQueryTerms, focusQueryTerms func() []vietnamese.Term
}

// NewQuestion returns text (with context) to be analysed by a.
func NewQuestion(a *vietnamese.Analyzer, text, context string) *Question {
	q := &Question{
		Text: text, analyzer: a,
		terms:      sync.OnceValue(func() []vietnamese.Term { return a.Terms(text) }),
		queryTerms: sync.OnceValue(func() []vietnamese.Term { return a.QueryTerms(text) }),
	}
	q.setContext(context)
	return q
}

// WithContext returns the question with another context, sharing the analysis of its text.
func (q *Question) WithContext(context string) *Question {
	c := *q
	c.setContext(context)
	return &c
}

// WithFocus returns the question with focus as the part of its text that states what is asked,
// sharing the analysis of its text and context.
func (q *Question) WithFocus(focus string) *Question {
	c := *q
	a := q.analyzer
	c.Focus = focus
	c.focusQueryTerms = sync.OnceValue(func() []vietnamese.Term { return a.QueryTerms(focus) })
	return &c
}

// FocusQueryTerms returns the terms of Focus as a question.
func (q *Question) FocusQueryTerms() []vietnamese.Term {
	if q.focusQueryTerms == nil {
		return nil
	}
	return q.focusQueryTerms()
}

func (q *Question) setContext(context string) {
	a := q.analyzer
	q.Context = context
	q.contextTerms = sync.OnceValue(func() []vietnamese.Term { return a.Terms(context) })
	q.contextQueryTerms = sync.OnceValue(func() []vietnamese.Term { return a.QueryTerms(context) })
}

// Question returns text (with context) to be analysed by the index's analyzer, reading the
// short forms the knowledge base taught itself as the phrases they stand for ("htx" as "hợp
// tác xã"; LearnedForms.Analyzer).
func (x *Index) Question(text, context string) *Question {
	a := x.analyzer
	if forms := x.learnedForms(); forms != nil {
		a = forms.Analyzer()
	}
	return NewQuestion(a, text, context)
}

// Terms returns the terms of Text as passages are analysed (vietnamese.Analyzer.Terms).
func (q *Question) Terms() []vietnamese.Term { return q.terms() }

// QueryTerms returns the terms of Text as a question (vietnamese.Analyzer.QueryTerms).
func (q *Question) QueryTerms() []vietnamese.Term { return q.queryTerms() }

// ContextTerms returns the terms of Context as passages are analysed.
func (q *Question) ContextTerms() []vietnamese.Term { return q.contextTerms() }

// ContextQueryTerms returns the terms of Context as a question.
func (q *Question) ContextQueryTerms() []vietnamese.Term { return q.contextQueryTerms() }
