package knowledge

import (
	"context"
	"math"
	"testing"

	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// TestLexicalCandidatesGetVectorScores checks that a passage only the full-text index proposed
// is given its vector similarity when the embedder computes vectors from terms, so that fusion
// ranks it by vectors too instead of last; and that a model embedder leaves it alone.
func TestLexicalCandidatesGetVectorScores(t *testing.T) {
	a := vietnamese.NewAnalyzer(nil)
	emb := NewHashEmbedder(a, 64)
	chunk := func(text string) Chunk {
		return Chunk{HeadTerms: "", BodyTerms: vietnamese.IndexText(a.Terms(text))}
	}
	near := &candidate{hit: Hit{Chunk: chunk("Thủ tục chấp thuận hoạt động mua nợ của tổ chức tín dụng")}, lexRank: 1}
	far := &candidate{hit: Hit{Chunk: chunk("Cấp giấy phép xây dựng nhà ở riêng lẻ")}, lexRank: 2}
	proposed := &candidate{hit: Hit{Chunk: chunk("Mua nợ")}, lexRank: 3, vecRank: 1, vecScore: 0.42}
	qvec, _ := emb.EmbedQuery(context.Background(), "ngân hàng muốn mua nợ")

	x := &Index{embedder: emb}
	x.scoreLexicalVectors([]*candidate{near, far, proposed}, qvec)
	want := 0.0
	v := emb.embedIndexText("", near.hit.Chunk.BodyTerms)
	for i := range v {
		want += float64(v[i]) * float64(qvec[i])
	}
	if math.Abs(near.vecScore-want) > 1e-9 || near.vecScore <= far.vecScore || near.vecScore <= 0 {
		t.Errorf("vector scores: near %.3f (want %.3f), far %.3f", near.vecScore, want, far.vecScore)
	}
	if proposed.vecScore != 0.42 {
		t.Errorf("a passage vector search proposed was rescored: %.3f", proposed.vecScore)
	}

	other := &candidate{hit: near.hit, lexRank: 1}
	(&Index{embedder: modelLike{}}).scoreLexicalVectors([]*candidate{other}, qvec)
	if other.vecScore != 0 {
		t.Errorf("a model embedder's candidate got a computed vector score %.3f", other.vecScore)
	}
}

// modelLike is an embedder that cannot embed terms (a model server).
type modelLike struct{}

func (modelLike) EmbedDocuments(context.Context, []string) ([][]float32, error) { return nil, nil }
func (modelLike) EmbedQuery(context.Context, string) ([]float32, error)         { return nil, nil }
