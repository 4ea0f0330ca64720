package knowledge

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// Index is hybrid search over a Store: the store proposes candidates from its full-text and
// vector indexes, and the index ranks them the same way whichever store is behind it, with
// BM25F over the analysed terms (title and section path weighted apart from the passage text)
// fused by reciprocal rank with vector similarity and with how much of the document title the
// question names.
type Index struct {
	store    Store
	analyzer *vietnamese.Analyzer
	embedder Embedder
	fusion   Fusion
	logger   *slog.Logger

	statsMu   sync.Mutex
	stats     *statsSnapshot
	loading   bool
	checkedAt time.Time

	// titles caches the content terms of document titles, by title.
	titleMu sync.Mutex
	titles  map[string][]string
}

// NewIndex returns an index over store. embedder may be nil (lexical search only). Vector and
// lexical ranks are fused with FusionFor the embedder (SetFusion changes it).
func NewIndex(store Store, analyzer *vietnamese.Analyzer, embedder Embedder, logger *slog.Logger) *Index {
	fusion := HashFusion
	if e, ok := embedder.(interface{ Info() IndexInfo }); ok {
		fusion = FusionFor(e.Info())
	}
	return &Index{store: store, analyzer: analyzer, embedder: embedder, fusion: fusion, logger: logger}
}

// SetFusion sets the fusion weights, before the index serves searches: for a deployment that
// measured better ones for its model with assistant eval.
func (x *Index) SetFusion(f Fusion) { x.fusion = f }

// Fusion returns the fusion weights in use.
func (x *Index) Fusion() Fusion { return x.fusion }

// Ping reports whether the store behind the index answers.
func (x *Index) Ping(ctx context.Context) error {
	if _, err := x.store.Generation(ctx); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	return nil
}

// Query is a search request.
type Query struct {
	Text    string
	K       int     // results wanted (default 5)
	Filters Filters // hard restrictions
	// Locality softly prefers documents about this place (and national ones) over others.
	Locality string
	// Kinds softly prefers documents of these kinds.
	Kinds []Kind
	// Sections softly prefers passages whose section path starts with one of these (the
	// section a question asks about: "Cách thức thực hiện" for a fee).
	Sections []string
	// Context is earlier conversation text whose terms help with low weight (follow-ups).
	Context string
	// Question is Text and Context already analysed (see Index.Question); when set, Text and
	// Context are not read. Callers that also read the question's terms build it once.
	Question *Question
	// PerDocument caps the passages of one document in the results (0: no cap).
	PerDocument int
	// SkipSnippets leaves Result.Snippet empty, for callers that quote passages their own way
	// (Snippet computes one on demand).
	SkipSnippets bool
}

// Result is one ranked passage.
type Result struct {
	Chunk   Chunk
	Doc     DocRef
	Snippet string // the passage's sentences that match best, for display
	// Score is the fused rank score relative to the best result's (1 for the best), for display
	// and ordering; Relevance says how well a passage covers the question.
	Score float64
	// Coverage is the share of the question's informative weight (IDF-weighted content terms)
	// that this passage contains; the assistant uses it to decide whether the knowledge base
	// answers the question at all.
	Coverage float64
	// PhraseCoverage is the same share counting only the question's word pairs (IDF-weighted
	// bigrams of content words): phrases say more about relevance than single syllables.
	PhraseCoverage float64
	// DocRelevance is Relevance over all the passages of the document that search proposed
	// together: a question about a procedure names it in the title and asks about one section.
	DocRelevance float64
	// DocFocusRelevance is DocRelevance counting only the terms of the question's focus
	// (Question.Focus: what a long message asks, apart from the situation it tells); 0 when the
	// question has none.
	DocFocusRelevance float64
	// TitleCoverage is the share of the document title's content terms the question names.
	TitleCoverage float64
	// TitleMatch weighs TitleCoverage with the share of the question the title names (their
	// harmonic mean): how well the title and the question name the same thing.
	TitleMatch float64
	Lexical    float64 // BM25F score
	Vector     float64 // cosine similarity, 0 when vector search did not propose it
}

// Ranking parameters. BM25F with the head (title and section path) and body fields.
const (
	bm25K1      = 1.2
	bm25BHead   = 0.4
	bm25BBody   = 0.75
	headWeight  = 2.0
	rrfK        = 60.0
	lexicalPool = 100
	vectorPool  = 40
)

// Search returns the passages that best answer q. Its steps, each in a file of its own: the
// question's weighted terms (index_terms.go), candidates from the store's full-text and vector
// indexes (index_candidates.go), BM25F and coverage of each candidate (index_bm25f.go), the
// title the question names (index_titles.go), reciprocal-rank fusion (index_fusion.go), the
// query's soft preferences and the per-document cap (index_preferences.go), and snippets
// (index_snippets.go), over corpus statistics kept by index_stats.go.
func (x *Index) Search(ctx context.Context, q Query) ([]Result, error) {
	if q.K <= 0 {
		q.K = 5
	}
	st, err := x.currentStats(ctx)
	if err != nil {
		return nil, err
	}
	question := q.Question
	if question == nil {
		question = x.Question(q.Text, q.Context)
	}
	terms := queryTerms(question, true, st)
	if len(terms) == 0 {
		return nil, nil
	}
	cands, err := x.candidates(ctx, question, terms, q.Filters, st)
	if err != nil || len(cands) == 0 {
		return nil, err
	}
	results := x.score(cands, terms, st)
	fuse(results, x.fusion)
	prefer(results, q)
	out := top(results, q.K, q.PerDocument)
	if !q.SkipSnippets {
		inParallel(len(out), 4, func(i int) { out[i].Snippet = x.snippet(out[i].Chunk.Text, terms) })
	}
	return out, nil
}

// Relevance is how much of the question a passage covers, by words and by word pairs: the
// measure the assistant compares with its threshold to decide whether the knowledge base
// answers a question at all.
func (r Result) Relevance() float64 { return (r.Coverage + r.PhraseCoverage) / 2 }
