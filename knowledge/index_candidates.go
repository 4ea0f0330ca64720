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
		qvec    []float32
		vecErr  error
		wg      sync.WaitGroup
	)
	if x.embedder != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			qvec, vecHits, vecErr = x.searchVector(ctx, q.Text, f)
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
	x.scoreLexicalVectors(cands, qvec)
	return cands, nil
}

// scoreLexicalVectors gives the passages only the full-text index proposed their vector
// similarity, when the embedder can compute a passage's vector from its terms (the built-in
// one): vector search proposes only its nearest few, and a passage it did not propose would
// otherwise rank last by vectors however near it is. A passage with by far the best BM25F
// ("mua nợ", which few passages hold) is then not outranked by many that share only the
// question's common words and were proposed by both halves.
func (x *Index) scoreLexicalVectors(cands []*candidate, qvec []float32) {
	te, ok := x.embedder.(termEmbedder)
	if !ok || len(qvec) == 0 {
		return
	}
	for _, c := range cands {
		if c.vecRank != 0 {
			continue
		}
		v := te.embedIndexText(c.hit.Chunk.HeadTerms, c.hit.Chunk.BodyTerms)
		if len(v) != len(qvec) {
			return // the index was built with another dimension
		}
		var dot float64
		for i := range v {
			dot += float64(v[i]) * float64(qvec[i])
		}
		c.vecScore = dot
	}
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
// It returns the question's vector (nil when there is none to compare with) and the hits.
func (x *Index) searchVector(ctx context.Context, text string, f Filters) ([]float32, []Hit, error) {
	vec, err := x.embedder.EmbedQuery(ctx, text)
	if err != nil {
		x.logger.WarnContext(ctx, "query embedding failed; lexical search only", slog.Any("error", err))
		return nil, nil, nil
	}
	if zeroVector(vec) {
		return nil, nil, nil
	}
	hits, err := x.store.SearchVector(ctx, vec, f, vectorPool)
	if errors.Is(err, ErrInvalid) {
		x.logger.WarnContext(ctx, "query vector does not fit the index; lexical search only", slog.Any("error", err))
		return nil, nil, nil
	}
	return vec, hits, err
}

func zeroVector(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}
