package assistant_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/sample"
	"github.com/trolyao/trolyao/knowledge/sqlite"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// BenchmarkAsk measures one question through Ask on the embedded store with the sample
// knowledge base: retrieval, the extractive answer and the conversation writes.
func BenchmarkAsk(b *testing.B) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "kb.db"), quiet)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	a := vietnamese.NewAnalyzer(nil)
	emb := knowledge.NewHashEmbedder(a, 256)
	if err := knowledge.EnsureEmbeddings(ctx, s, emb, emb.Info(), quiet); err != nil {
		b.Fatal(err)
	}
	if _, err := sample.Ingest(ctx, knowledge.NewIngester(s, knowledge.NewChunker(a), emb, quiet)); err != nil {
		b.Fatal(err)
	}
	asst := assistant.New(assistant.DefaultConfig(), knowledge.NewIndex(s, a, emb, quiet), s, a, nil, quiet)
	questions := []string{"Đăng ký khai sinh có mất phí không?", "Lệ phí đăng ký tạm trú trực tuyến bao nhiêu?",
		"Tỷ lệ hồ sơ giải quyết trực tuyến cấp xã của tỉnh Thái Sơn?", "Giá vàng hôm nay?"}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := asst.Ask(ctx, assistant.Request{Message: questions[i%len(questions)]}, nil); err != nil {
				b.Error(err)
			}
			i++
		}
	})
}
