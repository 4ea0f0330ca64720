package knowledge

import (
	"cmp"
	"slices"
)

// Fusion weighs vector similarity against BM25F in reciprocal-rank fusion.
type Fusion struct {
	// Vector is the share of the vector rank beside BM25F's (which counts 1).
	Vector float64
	// VectorOnly multiplies the score of a passage that only the vector search proposed.
	VectorOnly float64
}

// Fusion weights for the two kinds of embedders.
var (
	// HashFusion is for the built-in hashed embedder, whose vectors are bags of the terms
	// BM25F already reads: they break ties and add little, and a passage they alone propose
	// shares no word with the question.
	HashFusion = Fusion{Vector: 0.6, VectorOnly: 0.5}
	// ModelFusion is for a trained embedding model (bge-m3, Qwen3-Embedding…), whose vectors
	// see what words miss (everyday words for official ones, a situation told at length): its
	// rank counts as much as BM25F's and a passage only it proposes is kept nearly whole.
	ModelFusion = Fusion{Vector: 1.0, VectorOnly: 0.85}
)

// FusionFor returns the fusion weights for the embedder an index was built with.
func FusionFor(info IndexInfo) Fusion {
	if info.Embedder == "" || info.Embedder == HashEmbedderName {
		return HashFusion
	}
	return ModelFusion
}

// fuse sets each result's Score by reciprocal-rank fusion of its ranks by BM25F and by vector
// similarity (weighted by f), raised for a title the question names in full and lowered for a
// passage that only the vector search proposed.
func fuse(results []Result, f Fusion) {
	lexOrder := rankBy(results, func(r *Result) float64 { return r.Lexical })
	vecOrder := rankBy(results, func(r *Result) float64 { return r.Vector })
	for i := range results {
		r := &results[i]
		s := 1/(rrfK+float64(lexOrder[i])) + f.Vector/(rrfK+float64(vecOrder[i]))
		// A question that names the whole title of a document (a procedure's name) points at
		// it rather than at documents whose titles only share some words.
		s *= 1 + 1.2*r.TitleMatch*r.TitleMatch
		if r.Lexical == 0 {
			s *= f.VectorOnly
		}
		r.Score = s
	}
}

// rankBy returns, for each result, its 1-based rank by key (descending); results with key 0
// share the last rank.
func rankBy(rs []Result, key func(*Result) float64) []int {
	keys := make([]float64, len(rs))
	idx := make([]int, len(rs))
	for i := range rs {
		keys[i], idx[i] = key(&rs[i]), i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(keys[b], keys[a]) })
	ranks := make([]int, len(rs))
	for r, i := range idx {
		if keys[i] == 0 {
			ranks[i] = len(rs) + 1
			continue
		}
		ranks[i] = r + 1
	}
	return ranks
}
