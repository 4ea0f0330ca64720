package knowledge_test

import (
	"context"
	"slices"
	"testing"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// indexFixture ingests small documents written for these tests into a store.
func indexFixture(t *testing.T, s knowledge.Store) *knowledge.Index {
	t.Helper()
	ctx := context.Background()
	a := vietnamese.NewAnalyzer(nil)
	emb := knowledge.NewHashEmbedder(a, 128)
	if err := knowledge.EnsureEmbeddings(ctx, s, emb, emb.Info(), quiet); err != nil {
		t.Fatal(err)
	}
	in := knowledge.NewIngester(s, knowledge.NewChunker(a), emb, quiet)
	docs := map[string]string{
		"ban-hang.txt":  "Bán hàng trực tuyến\n\nHộ kinh doanh bán hàng trên sàn thương mại điện tử phải kê khai thuế.\n",
		"ban-ghe.txt":   "Bàn ghế trường học\n\nTrường học được trang bị bàn ghế đúng quy chuẩn chiều cao.\n",
		"cds.txt":       "Kế hoạch CĐS năm 2025\n\nTỉnh phấn đấu 70% hồ sơ được giải quyết trực tuyến. Sở TT&TT là cơ quan thường trực.\n",
		"nghi-dinh.txt": "Quy định về dữ liệu\n\nNghị định số 47/2020/NĐ-CP quy định quản lý, kết nối và chia sẻ dữ liệu số của cơ quan nhà nước.\n",
		"le-phi.txt":    "Mức thu lệ phí\n\nLệ phí cấp bản sao trích lục là 8.000 đồng một bản.\n",
		"hoa-binh.txt":  "Khánh Hòa phát triển du lịch\n\nTỉnh Khánh Hòa thu hút khách quốc tế nhờ bãi biển Nha Trang.\n",
		"dong-nai.txt":  "Chỉ tiêu của tỉnh Đồng Nai\n\nTỷ lệ hồ sơ trực tuyến đạt 80% ở cấp sở, 40% tại cấp huyện và 30% tại cấp xã.\n",
		"other.txt":     "Chỉ tiêu của tỉnh Bình Phước\n\nTỷ lệ hồ sơ trực tuyến đạt 60% ở cấp sở, 35% tại cấp huyện và 20% tại cấp xã.\n",
	}
	for name, text := range docs {
		if _, _, err := in.Ingest(ctx, name, []byte(text)); err != nil {
			t.Fatalf("ingest %s: %v", name, err)
		}
	}
	return knowledge.NewIndex(s, a, emb, quiet)
}

func TestSearch(t *testing.T) {
	tests := []struct {
		name  string
		query knowledge.Query
		want  string // first source
	}{
		{"accented match ranks above folded-only", knowledge.Query{Text: "bán"}, "ban-hang.txt"},
		{"the other accent", knowledge.Query{Text: "bàn ghế"}, "ban-ghe.txt"},
		{"without diacritics", knowledge.Query{Text: "ban ghe truong hoc"}, "ban-ghe.txt"},
		{"abbreviation in the document", knowledge.Query{Text: "kế hoạch chuyển đổi số"}, "cds.txt"},
		{"abbreviation in the question", knowledge.Query{Text: "Sở Thông tin và Truyền thông"}, "cds.txt"},
		{"document number as written", knowledge.Query{Text: "47/2020/NĐ-CP"}, "nghi-dinh.txt"},
		{"document number without diacritics", knowledge.Query{Text: "nghi dinh 47/2020/nd-cp"}, "nghi-dinh.txt"},
		{"figure written another way", knowledge.Query{Text: "lệ phí 8,000 đồng"}, "le-phi.txt"},
		{"tone placement", knowledge.Query{Text: "Khánh Hoà du lịch"}, "hoa-binh.txt"},
		{"place and level through title", knowledge.Query{Text: "Đồng Nai cấp huyện"}, "dong-nai.txt"},
		{"locality preference", knowledge.Query{Text: "tỷ lệ hồ sơ trực tuyến cấp xã", Locality: "Bình Phước"}, "other.txt"},
		{"kind filter", knowledge.Query{Text: "tỷ lệ hồ sơ", Filters: knowledge.Filters{Sources: []string{"cds.txt"}}}, "cds.txt"},
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			var s knowledge.Store
			if backend == "sqlite" {
				s = openSQLite(t)
			} else {
				s = openPostgres(t)
			}
			idx := indexFixture(t, s)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					res, err := idx.Search(context.Background(), tt.query)
					if err != nil {
						t.Fatal(err)
					}
					if len(res) == 0 || res[0].Doc.Source != tt.want {
						var got []string
						for _, r := range res {
							got = append(got, r.Doc.Source)
						}
						t.Fatalf("results %v, want %s first", got, tt.want)
					}
					r := res[0]
					if r.Score <= 0 || r.Score > 1 || r.Snippet == "" || r.Coverage <= 0 {
						t.Errorf("result fields: score %v snippet %q coverage %v", r.Score, r.Snippet, r.Coverage)
					}
				})
			}
			t.Run("nothing relevant has low coverage", func(t *testing.T) {
				res, err := idx.Search(context.Background(), knowledge.Query{Text: "giá vàng SJC hôm nay"})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range res {
					if r.Coverage > 0.2 {
						t.Errorf("%s has coverage %.2f for an unrelated question", r.Doc.Source, r.Coverage)
					}
				}
			})
		})
	}
}

func TestEnsureEmbeddingsRebuildsOnSwitch(t *testing.T) {
	ctx := context.Background()
	s := openSQLite(t)
	idx := indexFixture(t, s)
	if _, err := idx.Search(ctx, knowledge.Query{Text: "bàn ghế"}); err != nil {
		t.Fatal(err)
	}
	a := vietnamese.NewAnalyzer(nil)
	bigger := knowledge.NewHashEmbedder(a, 64)
	if err := knowledge.EnsureEmbeddings(ctx, s, bigger, bigger.Info(), quiet); err != nil {
		t.Fatal(err)
	}
	info, err := s.IndexInfo(ctx)
	if err != nil || info.Dim != 64 {
		t.Fatalf("IndexInfo after switch = %+v, %v", info, err)
	}
	if left, _ := s.ChunksWithoutEmbedding(ctx, 10); len(left) != 0 {
		t.Fatalf("%d passages left without a vector", len(left))
	}
	hits, err := s.SearchVector(ctx, func() []float32 { v, _ := bigger.EmbedQuery(ctx, "bàn ghế trường học"); return v }(), knowledge.Filters{}, 1)
	if err != nil || len(hits) != 1 || hits[0].Doc.Source != "ban-ghe.txt" {
		t.Fatalf("vector search with the new embedder = %+v, %v", hits, err)
	}
}

// TestUnknownWordCapsPhrases checks that a question holding a word no passage holds ("iPhone")
// gets no relevance from the phrases it shares with a passage beyond the share of its words
// that passage covers.
func TestUnknownWordCapsPhrases(t *testing.T) {
	ctx := context.Background()
	idx := indexFixture(t, openSQLite(t))
	known, err := idx.Search(ctx, knowledge.Query{Text: "bàn ghế trường học", K: 1})
	if err != nil || len(known) == 0 {
		t.Fatalf("search: %v, %d results", err, len(known))
	}
	unknown, err := idx.Search(ctx, knowledge.Query{Text: "bàn ghế trường học, iPhone", K: 1})
	if err != nil || len(unknown) == 0 {
		t.Fatalf("search: %v, %d results", err, len(unknown))
	}
	if r := known[0]; r.PhraseCoverage < 0.99 {
		t.Errorf("all phrases present: phrase coverage %.2f, want 1", r.PhraseCoverage)
	}
	if r := unknown[0]; r.Doc.Source != "ban-ghe.txt" || r.PhraseCoverage > r.Coverage || r.PhraseCoverage > 0.99 {
		t.Errorf("with an unknown word: %s, coverage %.2f, phrases %.2f; want phrases at most coverage",
			r.Doc.Source, r.Coverage, r.PhraseCoverage)
	}
}

// Passages that score the same come back in the same order on every search, so that an answer
// does not change from one asking to the next.
func TestSearchOrderIsStable(t *testing.T) {
	ctx := context.Background()
	s := openSQLite(t)
	a := vietnamese.NewAnalyzer(nil)
	emb := knowledge.NewHashEmbedder(a, 128)
	if err := knowledge.EnsureEmbeddings(ctx, s, emb, emb.Info(), quiet); err != nil {
		t.Fatal(err)
	}
	in := knowledge.NewIngester(s, knowledge.NewChunker(a), emb, quiet)
	// Twins: the same procedure at several levels, worded alike.
	for _, level := range []string{"tỉnh", "huyện", "xã", "thành phố", "quận", "phường", "thị xã", "thị trấn"} {
		text := "Trình báo mất giấy tờ\n\nNgười bị mất giấy tờ trình báo tại cơ quan công an cấp " + level +
			". Thời hạn giải quyết 01 ngày làm việc. Không mất lệ phí.\n"
		if _, _, err := in.Ingest(ctx, "mat-giay-to-"+level+".txt", []byte(text)); err != nil {
			t.Fatal(err)
		}
	}
	idx := knowledge.NewIndex(s, a, emb, quiet)
	var first []string
	for run := range 30 {
		res, err := idx.Search(ctx, knowledge.Query{Text: "mất giấy tờ thì trình báo ở đâu", K: 8})
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, r := range res {
			order = append(order, r.Doc.Source)
		}
		if run == 0 {
			first = order
			continue
		}
		if !slices.Equal(order, first) {
			t.Fatalf("search %d ranked %v, the first ranked %v", run+1, order, first)
		}
	}
}
