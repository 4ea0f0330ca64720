package knowledge

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// prefer applies the query's soft preferences to the fused scores: the place it names (and
// national documents) over other places, the kinds and the sections it prefers.
func prefer(results []Result, q Query) {
	locKey := vietnamese.Key(q.Locality)
	for i := range results {
		r := &results[i]
		s := r.Score
		if locKey != "" {
			switch vietnamese.Key(r.Doc.Locality) {
			case locKey:
				s *= 1.25
			case "":
			default:
				s *= 0.7
			}
		}
		if len(q.Kinds) > 0 && !containsKind(q.Kinds, r.Doc.Kind) {
			s *= 0.8
		}
		for _, sec := range q.Sections {
			if strings.HasPrefix(r.Chunk.Section, sec) {
				s *= 1.3
				break
			}
		}
		r.Score = s
	}
}

// top returns the k best results, at most perDocument (when positive) of one document, with
// scores relative to the best one's for display.
func top(results []Result, k, perDocument int) []Result {
	// Sorted through pointers: a Result is too large to move around.
	order := make([]*Result, len(results))
	for i := range results {
		order[i] = &results[i]
	}
	slices.SortStableFunc(order, func(a, b *Result) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Chunk.ID, b.Chunk.ID)
	})
	out := make([]Result, 0, k)
	perDoc := map[string]int{}
	best := order[0].Score
	for _, rp := range order {
		r := *rp
		if perDocument > 0 && perDoc[r.Doc.ID] >= perDocument {
			continue
		}
		perDoc[r.Doc.ID]++
		r.Score = math.Round(r.Score/best*1000) / 1000
		out = append(out, r)
		if len(out) == k {
			break
		}
	}
	return out
}

func containsKind(ks []Kind, k Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}
