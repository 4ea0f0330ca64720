package knowledge

import (
	"cmp"
	"slices"
)

// fuse sets each result's Score by reciprocal-rank fusion of its ranks by BM25F and by vector
// similarity, raised for a title the question names in full and halved for a passage that
// only the vector search proposed.
func fuse(results []Result) {
	lexOrder := rankBy(results, func(r *Result) float64 { return r.Lexical })
	vecOrder := rankBy(results, func(r *Result) float64 { return r.Vector })
	for i := range results {
		r := &results[i]
		s := 1/(rrfK+float64(lexOrder[i])) + 0.6/(rrfK+float64(vecOrder[i]))
		// A question that names the whole title of a document (a procedure's name) points at
		// it rather than at documents whose titles only share some words.
		s *= 1 + 1.2*r.TitleMatch*r.TitleMatch
		if r.Lexical == 0 {
			s *= 0.5
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
