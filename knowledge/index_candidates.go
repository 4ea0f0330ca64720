package knowledge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
)

// candidate is a passage one of the store's searches proposed, with its rank in each.
type candidate struct {
	hit      Hit
	lexRank  int
	vecRank  int
	vecScore float64
}

// candidates asks the store for the passages its full-text index finds for the rarer terms and
// those its vector index finds nearest to the question, side by side, and returns them once
// each in a fixed order (the lexical ones by rank, then the vector-only ones by rank), so that
// equal scores rank the same way on every run.
func (x *Index) candidates(ctx context.Context, q *Question, terms []queryTerm, f Filters, st *statsSnapshot) ([]*candidate, error) {
	lexTerms := selectLexicalTerms(terms, st)
	// The vector half runs beside the lexical half: they wait on different indexes.
	var (
		vecHits []Hit
		vecErr  error
		wg      sync.WaitGroup
	)
	if x.embedder != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			vecHits, vecErr = x.searchVector(ctx, q.Text, f)
		}()
	}
	lexHits, err := x.store.SearchLexical(ctx, lexTerms, f, lexicalPool)
	wg.Wait()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if vecErr != nil {
		return nil, fmt.Errorf("search: %w", vecErr)
	}
	cands := make([]*candidate, 0, len(lexHits)+len(vecHits))
	byID := make(map[int64]*candidate, len(lexHits)+len(vecHits))
	for i, h := range lexHits {
		c := &candidate{hit: h, lexRank: i + 1}
		cands, byID[h.Chunk.ID] = append(cands, c), c
	}
	for i, h := range vecHits {
		c, ok := byID[h.Chunk.ID]
		if !ok {
			c = &candidate{hit: h}
			cands, byID[h.Chunk.ID] = append(cands, c), c
		}
		c.vecRank, c.vecScore = i+1, h.Score
	}
	return cands, nil
}

// selectLexicalTerms picks the terms the store's full-text query ORs. The store ranks every
// passage that matches any of them, so very common terms ("đăng", "ký") are left to the
// re-ranking: the query keeps the rarer terms — which is where a question's meaning is — up to
// a budget of matching passages, and always the rarest few.
func selectLexicalTerms(terms []queryTerm, st *statsSnapshot) []string {
	type td struct {
		text string
		df   int
	}
	var all []td
	for _, t := range terms {
		if t.weight < 0.2 {
			continue // stop words
		}
		all = append(all, td{t.text, int(st.DF.Get(t.text))})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].df < all[j].df })
	perTerm := max(400, st.Chunks/40)
	budget := max(2500, st.Chunks/12)
	var out []string
	sum := 0
	for i, t := range all {
		if i >= 3 && (t.df > perTerm || sum+t.df > budget) {
			break
		}
		sum += t.df
		out = append(out, t.text)
	}
	return out
}

// searchVector embeds the question and searches the vectors. A failing embedder (a model server
// down) leaves the search lexical rather than failing it.
func (x *Index) searchVector(ctx context.Context, text string, f Filters) ([]Hit, error) {
	vec, err := x.embedder.EmbedQuery(ctx, text)
	if err != nil {
		x.logger.WarnContext(ctx, "query embedding failed; lexical search only", slog.Any("error", err))
		return nil, nil
	}
	if zeroVector(vec) {
		return nil, nil
	}
	hits, err := x.store.SearchVector(ctx, vec, f, vectorPool)
	if errors.Is(err, ErrInvalid) {
		x.logger.WarnContext(ctx, "query vector does not fit the index; lexical search only", slog.Any("error", err))
		return nil, nil
	}
	return hits, err
}

func zeroVector(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}
