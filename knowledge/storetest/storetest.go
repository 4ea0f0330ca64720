// Package storetest is the contract every knowledge.Store passes: each engine's tests call Run
// with a function that opens a fresh, empty store of that engine. The contract covers the
// rules written once in package knowledge (document checks, operator patches, locked fields,
// the stored form of citations, bulk loading) as well as search, statistics and conversations.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/procedure"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

var analyzer = vietnamese.NewAnalyzer(nil)

// Dim is the dimension of the vectors the contract stores (UseTestEmbedder).
const Dim = 8

// Chunk builds a chunk with analysed terms and a deterministic embedding.
func Chunk(title, section, text string, vec []float32) knowledge.Chunk {
	return knowledge.Chunk{
		Section:   section,
		Text:      text,
		HeadTerms: vietnamese.IndexText(analyzer.Terms(title + " " + section)),
		BodyTerms: vietnamese.IndexText(analyzer.Terms(text)),
		Embedding: vec,
	}
}

// Unit returns the unit vector along dimension i (mod Dim).
func Unit(i int) []float32 {
	v := make([]float32, Dim)
	v[i%Dim] = 1
	return v
}

func mixed(a, b int, wb float32) []float32 {
	v := make([]float32, Dim)
	v[a%Dim] = 1
	v[b%Dim] += wb
	var n float32
	for _, x := range v {
		n += x * x
	}
	n = float32(math.Sqrt(float64(n)))
	for i := range v {
		v[i] /= n
	}
	return v
}

// Run runs the whole contract against stores that open returns: a fresh, empty one per subtest,
// closed when the subtest ends.
func Run(t *testing.T, open func(t *testing.T) knowledge.Store) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, s knowledge.Store)
	}{
		{"put and read documents", contractPutAndRead},
		{"replace keeps ID and bumps version atomically", contractReplace},
		{"operator-locked fields survive re-ingestion", contractLocked},
		{"every lockable field survives re-ingestion", contractEveryLockedField},
		{"documents are checked before they are stored", contractDocumentChecks},
		{"patches are validated and applied once", contractPatches},
		{"update, list and delete", contractUpdateDelete},
		{"bulk load", contractBulk},
		{"the short forms a document defines are kept with it", contractForms},
		{"lexical search", contractLexical},
		{"lexical search filters", contractLexicalFilters},
		{"vector search", contractVector},
		{"stats and generation", contractStats},
		{"embeddings reset and rebuild", contractEmbeddings},
		{"sessions and messages", contractSessions},
		{"citations and choices keep their stored form", contractCitationForm},
		{"feedback", contractFeedback},
		{"a deleted session takes its messages and feedback", contractDeleteSession},
		{"operator accounts and the audit log", contractOperators},
		{"missed questions for the operators", contractMissed},
		{"answers counted by day and channel", contractAnswerStats},
		{"conversations listed for the operators", contractConversations},
		{"takeover: operator, address and requests for staff", contractTakeover},
		{"turns in one transaction", contractTurns},
		{"event claims and settings", contractEvents},
		{"concurrent readers during replacement", contractConcurrentReplace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			tt.run(t, s)
		})
	}
}

// UseTestEmbedder records a test embedder of Dim dimensions as the store's, so that vectors
// can be stored.
func UseTestEmbedder(t *testing.T, s knowledge.Store) {
	t.Helper()
	if err := s.ResetEmbeddings(context.Background(), knowledge.IndexInfo{Embedder: "test", Dim: Dim}); err != nil {
		t.Fatalf("ResetEmbeddings: %v", err)
	}
}

// Put stores doc, enabled, of kind other unless it has one, with chunks, failing t on error, and
// returns it as stored.
func Put(t *testing.T, s knowledge.Store, doc knowledge.Document, chunks ...knowledge.Chunk) knowledge.Document {
	t.Helper()
	if doc.Kind == "" {
		doc.Kind = knowledge.KindOther
	}
	doc.Enabled = true
	if err := s.PutDocument(context.Background(), &doc, chunks); err != nil {
		t.Fatalf("PutDocument(%s): %v", doc.Source, err)
	}
	return doc
}

func contractPutAndRead(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	UseTestEmbedder(t, s)
	proc := &procedure.Record{Code: "1.000001", Name: "Đăng ký thử nghiệm", Channels: []procedure.Channel{{Name: "Trực tuyến", Time: "5 Ngày làm việc", Fee: "10.000 đồng", FeeAmounts: []int64{10000}}}}
	doc := Put(t, s, knowledge.Document{
		Source: "thu-tuc/1.000001.json", Title: "Đăng ký thử nghiệm", Kind: knowledge.KindProcedure,
		Issuer: "Bộ Thử nghiệm", Locality: "Đồng Nai", Number: "12/QĐ-BTN", Dates: []string{"2024-05-01"},
		URL: "https://dichvucong.example/1", ContentHash: "h1", Procedure: proc,
	},
		Chunk("Đăng ký thử nghiệm", "Cách thức thực hiện", "Trực tuyến: 5 ngày làm việc, lệ phí 10.000 đồng.", Unit(0)),
		Chunk("Đăng ký thử nghiệm", "Thành phần hồ sơ", "Tờ khai đăng ký (1 bản chính).", Unit(1)),
	)
	if doc.ID == "" || doc.Version != 1 {
		t.Fatalf("after put: ID %q version %d, want an ID and version 1", doc.ID, doc.Version)
	}
	got, err := s.Document(ctx, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != doc.Source || got.Title != doc.Title || got.Kind != knowledge.KindProcedure || got.Issuer != "Bộ Thử nghiệm" ||
		got.Locality != "Đồng Nai" || got.Number != "12/QĐ-BTN" || got.URL != doc.URL || !got.Enabled || got.ContentHash != "h1" ||
		!slices.Equal(got.Dates, []string{"2024-05-01"}) {
		t.Errorf("Document = %+v", got)
	}
	if got.Procedure == nil || got.Procedure.Code != "1.000001" || len(got.Procedure.Channels) != 1 || got.Procedure.Channels[0].FeeAmounts[0] != 10000 {
		t.Errorf("procedure not kept: %+v", got.Procedure)
	}
	if got.CreatedAt.IsZero() || got.UpdatedAt.IsZero() {
		t.Error("timestamps not set")
	}
	bySource, err := s.DocumentBySource(ctx, doc.Source)
	if err != nil || bySource.ID != doc.ID {
		t.Errorf("DocumentBySource = %v, %v", bySource.ID, err)
	}
	if _, err := s.Document(ctx, "00000000-0000-0000-0000-000000000000"); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("missing document: err = %v, want ErrNotFound", err)
	}
	if _, err := s.DocumentBySource(ctx, "nope.txt"); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("missing source: err = %v, want ErrNotFound", err)
	}
	chunks, err := s.DocumentChunks(ctx, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(chunks) != 2 || chunks[0].Ord != 0 || chunks[1].Ord != 1 || chunks[0].Section != "Cách thức thực hiện" || chunks[1].Text != "Tờ khai đăng ký (1 bản chính)." {
		t.Fatalf("DocumentChunks = %+v", chunks)
	}
	if chunks[0].ID == 0 || chunks[0].ID == chunks[1].ID || chunks[0].DocumentID != doc.ID {
		t.Errorf("chunk IDs not assigned: %d %d", chunks[0].ID, chunks[1].ID)
	}
}

func contractReplace(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	UseTestEmbedder(t, s)
	first := Put(t, s, knowledge.Document{Source: "a.txt", Title: "Bản cũ", ContentHash: "1"},
		Chunk("Bản cũ", "", "Nội dung cũ về thường trú.", Unit(0)))
	second := Put(t, s, knowledge.Document{Source: "a.txt", Title: "Bản mới", ContentHash: "2"},
		Chunk("Bản mới", "", "Nội dung mới về tạm trú.", Unit(1)),
		Chunk("Bản mới", "", "Đoạn thứ hai.", Unit(2)))
	if second.ID != first.ID || second.Version != 2 {
		t.Fatalf("replacement: ID %q→%q version %d, want same ID and version 2", first.ID, second.ID, second.Version)
	}
	chunks, err := s.DocumentChunks(ctx, first.ID)
	if err != nil || len(chunks) != 2 || chunks[0].Text != "Nội dung mới về tạm trú." {
		t.Fatalf("chunks after replace = %+v, %v", chunks, err)
	}
	hits, err := s.SearchLexical(ctx, []string{"thường"}, knowledge.Filters{}, 10)
	if err != nil || len(hits) != 0 {
		t.Errorf("old chunks still searchable: %+v, %v", hits, err)
	}
	docs, err := s.Documents(ctx, "")
	if err != nil || len(docs) != 1 {
		t.Errorf("Documents after replace: %d, %v", len(docs), err)
	}
}

func contractLocked(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	UseTestEmbedder(t, s)
	doc := Put(t, s, knowledge.Document{Source: "kh.txt", Title: "Tiêu đề tự động", Locality: "Hà Nội", ContentHash: "1"},
		Chunk("Tiêu đề tự động", "", "Một đoạn.", Unit(0)))
	// Searched before and after the edit: hits carry the document's current title.
	if hits, err := s.SearchLexical(ctx, []string{"doan"}, knowledge.Filters{}, 5); err != nil || len(hits) != 1 || hits[0].Doc.Title != "Tiêu đề tự động" {
		t.Fatalf("SearchLexical before the edit = %+v, %v", hits, err)
	}
	title, loc := "Tiêu đề do cán bộ đặt", "Hải Phòng"
	upd, err := s.UpdateDocument(ctx, doc.ID, knowledge.DocumentPatch{Title: &title, Locality: &loc})
	if err != nil {
		t.Fatal(err)
	}
	for name, search := range map[string]func() ([]knowledge.Hit, error){
		"lexical": func() ([]knowledge.Hit, error) { return s.SearchLexical(ctx, []string{"doan"}, knowledge.Filters{}, 5) },
		"vector":  func() ([]knowledge.Hit, error) { return s.SearchVector(ctx, Unit(0), knowledge.Filters{}, 5) },
	} {
		if hits, err := search(); err != nil || len(hits) != 1 || hits[0].Doc.Title != title || hits[0].Doc.Locality != loc {
			t.Errorf("%s search after the edit = %+v, %v", name, hits, err)
		}
	}
	if upd.Title != title || upd.Locality != loc || !slices.Contains(upd.Locked, "title") || !slices.Contains(upd.Locked, "locality") {
		t.Fatalf("UpdateDocument = %+v", upd)
	}
	re := Put(t, s, knowledge.Document{Source: "kh.txt", Title: "Tiêu đề tự động 2", Locality: "Hà Nội", Issuer: "UBND", ContentHash: "2"},
		Chunk("Tiêu đề tự động 2", "", "Một đoạn khác.", Unit(0)))
	got, err := s.Document(ctx, re.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != title || got.Locality != loc || got.Issuer != "UBND" {
		t.Errorf("after re-ingestion: title %q locality %q issuer %q; operator values must stay", got.Title, got.Locality, got.Issuer)
	}
}

func contractUpdateDelete(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	UseTestEmbedder(t, s)
	a := Put(t, s, knowledge.Document{Source: "b.txt", Title: "B", Kind: knowledge.KindPlan},
		Chunk("B", "", "Kế hoạch chuyển đổi số.", Unit(0)))
	Put(t, s, knowledge.Document{Source: "a.json", Title: "A", Kind: knowledge.KindProcedure},
		Chunk("A", "", "Thủ tục.", Unit(1)))
	all, err := s.Documents(ctx, "")
	if err != nil || len(all) != 2 || all[0].Source != "a.json" || all[1].Source != "b.txt" {
		t.Fatalf("Documents = %+v, %v (want ordered by source)", all, err)
	}
	plans, err := s.Documents(ctx, knowledge.KindPlan)
	if err != nil || len(plans) != 1 || plans[0].ID != a.ID {
		t.Fatalf("Documents(plan) = %+v, %v", plans, err)
	}
	off := false
	if _, err := s.UpdateDocument(ctx, a.ID, knowledge.DocumentPatch{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	if hits, _ := s.SearchLexical(ctx, []string{"chuyen_doi"}, knowledge.Filters{}, 10); len(hits) != 0 {
		t.Errorf("disabled document retrieved: %+v", hits)
	}
	if hits, _ := s.SearchVector(ctx, Unit(0), knowledge.Filters{}, 10); len(hits) != 1 || hits[0].Doc.Source != "a.json" {
		t.Errorf("vector search returned a disabled document: %+v", hits)
	}
	if _, err := s.UpdateDocument(ctx, "00000000-0000-0000-0000-000000000000", knowledge.DocumentPatch{Enabled: &off}); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("update missing: %v", err)
	}
	if err := s.DeleteDocument(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Document(ctx, a.ID); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("deleted document still there: %v", err)
	}
	if chunks, err := s.DocumentChunks(ctx, a.ID); err != nil || len(chunks) != 0 {
		t.Errorf("chunks of deleted document: %d, %v", len(chunks), err)
	}
	if err := s.DeleteDocument(ctx, a.ID); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func lexicalFixture(t *testing.T, s knowledge.Store) {
	UseTestEmbedder(t, s)
	Put(t, s, knowledge.Document{Source: "dongnai.txt", Title: "Kế hoạch chuyển đổi số tỉnh Đồng Nai", Kind: knowledge.KindPlan, Locality: "Đồng Nai"},
		Chunk("Kế hoạch chuyển đổi số tỉnh Đồng Nai", "Mục tiêu", "Tỷ lệ hồ sơ giải quyết trực tuyến đạt 80% ở cấp sở, 40% tại cấp huyện và 30% tại cấp xã.", Unit(0)),
		Chunk("Kế hoạch chuyển đổi số tỉnh Đồng Nai", "Tổ chức thực hiện", "Sở TT-TT làm đầu mối hướng dẫn, đôn đốc.", Unit(1)))
	Put(t, s, knowledge.Document{Source: "haiduong.txt", Title: "Kế hoạch ứng dụng CNTT tỉnh Hải Dương", Kind: knowledge.KindPlan, Locality: "Hải Dương"},
		Chunk("Kế hoạch ứng dụng CNTT tỉnh Hải Dương", "", "60% hồ sơ công việc tại cấp xã được xử lý trên môi trường mạng.", Unit(2)))
	Put(t, s, knowledge.Document{Source: "bo/nghi-dinh.txt", Title: "Quản lý dữ liệu", Kind: knowledge.KindOther},
		Chunk("Quản lý dữ liệu", "", "Nghị định số 47/2020/NĐ-CP về quản lý, kết nối và chia sẻ dữ liệu số.", Unit(3)))
	Put(t, s, knowledge.Document{Source: "thu-tuc/tt.json", Title: "Đăng ký thường trú", Kind: knowledge.KindProcedure},
		Chunk("Đăng ký thường trú", "Cách thức thực hiện", "Trực tuyến: 7 Ngày làm việc, lệ phí 10,000 Việt Nam Đồng.", Unit(4)))
}

// Sources returns the sources of hits, in order.
func Sources(hits []knowledge.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Doc.Source)
	}
	return out
}

func contractLexical(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	lexicalFixture(t, s)
	tests := []struct {
		name  string
		terms []string
		want  string // expected first source
		n     int    // expected number of hits
	}{
		{"folded bigram", []string{"cap_xa"}, "", 2},
		{"document number as written", []string{"47/2020/nđ-cp"}, "bo/nghi-dinh.txt", 1},
		{"document number folded", []string{"47/2020/nd-cp"}, "bo/nghi-dinh.txt", 1},
		{"figure", []string{"10000"}, "thu-tuc/tt.json", 1},
		{"percent", []string{"30%"}, "dongnai.txt", 1},
		{"head terms match", []string{"thuong_tru"}, "thu-tuc/tt.json", 1},
		{"abbreviation expanded in index", []string{"truyen_thong", "tttt"}, "dongnai.txt", 1},
		{"any term matches", []string{"ubnd_zzz", "hai_duong"}, "haiduong.txt", 1},
		{"no match", []string{"pho_bo"}, "", 0},
		{"more matched terms rank first", []string{"cap_xa", "dong_nai", "30%"}, "dongnai.txt", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := s.SearchLexical(ctx, tt.terms, knowledge.Filters{}, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != tt.n {
				t.Fatalf("hits = %v, want %d", Sources(hits), tt.n)
			}
			if tt.want != "" && hits[0].Doc.Source != tt.want {
				t.Errorf("first = %s, want %s (all %v)", hits[0].Doc.Source, tt.want, Sources(hits))
			}
			for _, h := range hits {
				if h.Chunk.ID == 0 || h.Chunk.Text == "" || h.Chunk.HeadTerms == "" || h.Chunk.BodyTerms == "" || h.Doc.Title == "" || h.Doc.ID == "" {
					t.Errorf("incomplete hit: %+v", h)
				}
			}
			for i := 1; i < len(hits); i++ {
				if hits[i].Score > hits[i-1].Score {
					t.Errorf("hits not ordered by score: %v", hits)
				}
			}
		})
	}
	hits, err := s.SearchLexical(ctx, []string{"cap_xa", "ke_hoach", "tinh"}, knowledge.Filters{}, 1)
	if err != nil || len(hits) != 1 {
		t.Errorf("limit 1: %d hits, %v", len(hits), err)
	}
	if _, err := s.SearchLexical(ctx, nil, knowledge.Filters{}, 5); err != nil {
		t.Errorf("no terms: %v", err)
	}
	// Terms with characters that mean something to a query syntax are plain terms.
	for _, odd := range []string{`"`, "a:b", "(x)", "-", "*", "a OR b", "'", `\`, "&", "|", "!", "NEAR"} {
		if _, err := s.SearchLexical(ctx, []string{odd}, knowledge.Filters{}, 5); err != nil {
			t.Errorf("term %q: %v", odd, err)
		}
	}
}

func contractLexicalFilters(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	lexicalFixture(t, s)
	doc, err := s.DocumentBySource(ctx, "haiduong.txt")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    knowledge.Filters
		want []string
	}{
		{"kind", knowledge.Filters{Kinds: []knowledge.Kind{knowledge.KindProcedure}}, []string{"thu-tuc/tt.json"}},
		{"two kinds", knowledge.Filters{Kinds: []knowledge.Kind{knowledge.KindProcedure, knowledge.KindOther}}, []string{"bo/nghi-dinh.txt", "thu-tuc/tt.json"}},
		{"locality folded", knowledge.Filters{Locality: "dong nai"}, []string{"dongnai.txt"}},
		{"locality with marks", knowledge.Filters{Locality: "Hải Dương"}, []string{"haiduong.txt"}},
		{"locality or national", knowledge.Filters{Locality: "Hải Dương", LocalityOrNational: true}, []string{"bo/nghi-dinh.txt", "haiduong.txt", "thu-tuc/tt.json"}},
		{"Sources", knowledge.Filters{Sources: []string{"bo/nghi-dinh.txt"}}, []string{"bo/nghi-dinh.txt"}},
		{"document ids", knowledge.Filters{DocumentIDs: []string{doc.ID}}, []string{"haiduong.txt"}},
	}
	terms := []string{"ke_hoach", "cap_xa", "du_lieu", "47/2020/nd-cp", "thuong_tru", "tinh", "hai_duong", "dong_nai", "10000"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, search := range []func() ([]knowledge.Hit, error){
				func() ([]knowledge.Hit, error) { return s.SearchLexical(ctx, terms, tt.f, 20) },
				func() ([]knowledge.Hit, error) { return s.SearchVector(ctx, Unit(0), tt.f, 20) },
			} {
				hits, err := search()
				if err != nil {
					t.Fatal(err)
				}
				got := Sources(hits)
				slices.Sort(got)
				got = slices.Compact(got)
				if !slices.Equal(got, tt.want) {
					t.Errorf("Sources = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func contractVector(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	lexicalFixture(t, s)
	hits, err := s.SearchVector(ctx, mixed(4, 3, 0.5), knowledge.Filters{}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 3 || hits[0].Doc.Source != "thu-tuc/tt.json" || hits[1].Doc.Source != "bo/nghi-dinh.txt" {
		t.Fatalf("vector hits = %v", Sources(hits))
	}
	if math.Abs(hits[0].Score-0.894) > 0.01 || hits[0].Score < hits[1].Score || hits[1].Score < hits[2].Score {
		t.Errorf("scores = %v %v %v, want cosine similarity ordered", hits[0].Score, hits[1].Score, hits[2].Score)
	}
	if hits[0].Chunk.BodyTerms == "" || hits[0].Doc.URL != "" && hits[0].Doc.Title == "" {
		t.Errorf("incomplete hit %+v", hits[0])
	}
	for _, limit := range []int{3, 200} { // within and beyond the stores' default candidate lists
		if _, err := s.SearchVector(ctx, make([]float32, Dim+1), knowledge.Filters{}, limit); !errors.Is(err, knowledge.ErrInvalid) {
			t.Errorf("a vector of the wrong dimension (limit %d): %v, want ErrInvalid", limit, err)
		}
	}
}

func contractStats(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	UseTestEmbedder(t, s)
	g0, err := s.Generation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats(ctx)
	if err != nil || st.Chunks != 0 {
		t.Fatalf("empty stats = %+v, %v", st, err)
	}
	lexicalFixture(t, s)
	g1, _ := s.Generation(ctx)
	if g1 == g0 {
		t.Error("generation unchanged after ingestion")
	}
	st, err = s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Chunks != 5 {
		t.Errorf("Chunks = %d, want 5", st.Chunks)
	}
	if st.DF.Get("cap_xa") != 2 || st.DF.Get("47/2020/nđ-cp") != 1 || st.DF.Get("ke_hoach") != 3 {
		t.Errorf("DF cap_xa=%d 47/2020/nđ-cp=%d ke_hoach=%d, want 2 1 3", st.DF.Get("cap_xa"), st.DF.Get("47/2020/nđ-cp"), st.DF.Get("ke_hoach"))
	}
	if st.AvgBodyLen <= 5 || st.AvgHeadLen <= 2 {
		t.Errorf("average lengths %v %v", st.AvgHeadLen, st.AvgBodyLen)
	}
	doc, _ := s.DocumentBySource(ctx, "haiduong.txt")
	off := false
	if _, err := s.UpdateDocument(ctx, doc.ID, knowledge.DocumentPatch{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	g2, _ := s.Generation(ctx)
	st, _ = s.Stats(ctx)
	if g2 == g1 || st.Chunks != 4 || st.DF.Get("cap_xa") != 1 {
		t.Errorf("after disabling: generation %d→%d chunks %d df(cap_xa) %d", g1, g2, st.Chunks, st.DF.Get("cap_xa"))
	}
}

func contractEmbeddings(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	info, err := s.IndexInfo(ctx)
	if err != nil || info != (knowledge.IndexInfo{}) {
		t.Fatalf("IndexInfo of a new store = %+v, %v", info, err)
	}
	lexicalFixture(t, s)
	if info, _ := s.IndexInfo(ctx); info.Embedder != "test" || info.Dim != Dim {
		t.Fatalf("IndexInfo = %+v", info)
	}
	if missing, _ := s.ChunksWithoutEmbedding(ctx, 100); len(missing) != 0 {
		t.Fatalf("%d chunks without embedding", len(missing))
	}
	// Switch to an embedder of another dimension: vectors are cleared, then rebuilt.
	if err := s.ResetEmbeddings(ctx, knowledge.IndexInfo{Embedder: "other", Dim: 3}); err != nil {
		t.Fatal(err)
	}
	if hits, err := s.SearchVector(ctx, []float32{1, 0, 0}, knowledge.Filters{}, 5); err != nil || len(hits) != 0 {
		t.Errorf("vector search after reset = %v, %v (want no hits)", Sources(hits), err)
	}
	var all []knowledge.Chunk
	for {
		batch, err := s.ChunksWithoutEmbedding(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) == 0 {
			break
		}
		if len(batch) > 2 {
			t.Fatalf("limit ignored: %d", len(batch))
		}
		vecs := map[int64][]float32{}
		for _, c := range batch {
			if c.Text == "" || c.HeadTerms == "" {
				t.Fatalf("chunk without text: %+v", c)
			}
			v := []float32{0, 0, 1}
			if c.Text == "Trực tuyến: 7 Ngày làm việc, lệ phí 10,000 Việt Nam Đồng." {
				v = []float32{1, 0, 0}
			}
			vecs[c.ID] = v
		}
		if err := s.SetEmbeddings(ctx, vecs); err != nil {
			t.Fatal(err)
		}
		all = append(all, batch...)
		if len(all) > 10 {
			t.Fatal("ChunksWithoutEmbedding keeps returning embedded chunks")
		}
	}
	if len(all) != 5 {
		t.Errorf("re-embedded %d chunks, want 5", len(all))
	}
	hits, err := s.SearchVector(ctx, []float32{1, 0, 0}, knowledge.Filters{}, 1)
	if err != nil || len(hits) != 1 || hits[0].Doc.Source != "thu-tuc/tt.json" {
		t.Errorf("search with new vectors = %v, %v", Sources(hits), err)
	}
	if info, _ := s.IndexInfo(ctx); info.Embedder != "other" || info.Dim != 3 {
		t.Errorf("IndexInfo after reset = %+v", info)
	}
}

func contractSessions(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	sess := knowledge.Session{Channel: "telegram", UserKey: "u-hash", Audience: "citizen", State: json.RawMessage(`{"locality":"Đồng Nai"}`)}
	if err := s.CreateSession(ctx, &sess); err != nil {
		t.Fatal(err)
	}
	if sess.ID == "" || sess.CreatedAt.IsZero() {
		t.Fatalf("session not assigned: %+v", sess)
	}
	got, err := s.Session(ctx, sess.ID)
	if err != nil || got.Channel != "telegram" || got.Audience != "citizen" || string(got.State) != `{"locality":"Đồng Nai"}` && !jsonEqual(got.State, sess.State) {
		t.Fatalf("Session = %+v, %v", got, err)
	}
	byUser, err := s.SessionByUser(ctx, "telegram", "u-hash")
	if err != nil || byUser.ID != sess.ID {
		t.Errorf("SessionByUser = %v, %v", byUser.ID, err)
	}
	if _, err := s.SessionByUser(ctx, "zalo", "u-hash"); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("other channel: %v", err)
	}
	if _, err := s.Session(ctx, "00000000-0000-0000-0000-000000000000"); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("missing session: %v", err)
	}
	// Saving changes the audience, state and address, never the operator (SetOperator does).
	got.Audience, got.State, got.Operator, got.Address = "staff", json.RawMessage(`{"topic":"x"}`), "can-bo-1", "sealed"
	if err := s.UpdateSession(ctx, got); err != nil {
		t.Fatal(err)
	}
	again, _ := s.Session(ctx, sess.ID)
	if again.Audience != "staff" || again.Operator != "" || again.Address != "sealed" || !jsonEqual(again.State, json.RawMessage(`{"topic":"x"}`)) {
		t.Errorf("after update: %+v", again)
	}
	if err := s.UpdateSession(ctx, knowledge.Session{ID: "00000000-0000-0000-0000-000000000000"}); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("update missing session: %v", err)
	}

	q := knowledge.Message{SessionID: sess.ID, Role: knowledge.RoleUser, Text: "Lệ phí bao nhiêu?", Status: knowledge.StatusComplete}
	if err := s.AddMessage(ctx, &q); err != nil {
		t.Fatal(err)
	}
	a := knowledge.Message{SessionID: sess.ID, Role: knowledge.RoleAssistant, Status: knowledge.StatusStreaming}
	if err := s.AddMessage(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if q.ID == "" || a.ID == "" || a.Seq <= q.Seq {
		t.Fatalf("message ids/seq: %+v %+v", q, a)
	}
	a.Text, a.Grounded, a.Status = "Lệ phí 10.000 đồng [1].", true, knowledge.StatusComplete
	a.Citations = []knowledge.Citation{{N: 1, Source: "tt.json", Title: "Đăng ký thường trú", Snippet: "10.000 đồng", URL: "https://x", Score: 0.9, ChunkID: 7}}
	if err := s.UpdateMessage(ctx, a); err != nil {
		t.Fatal(err)
	}
	msgs, err := s.Messages(ctx, sess.ID, 0)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("Messages = %+v, %v", msgs, err)
	}
	if msgs[0].ID != q.ID || msgs[1].Text != a.Text || !msgs[1].Grounded || msgs[1].Status != knowledge.StatusComplete ||
		len(msgs[1].Citations) != 1 || msgs[1].Citations[0].URL != "https://x" || msgs[1].Citations[0].ChunkID != 7 {
		t.Errorf("messages = %+v", msgs)
	}
	last, _ := s.Messages(ctx, sess.ID, 1)
	if len(last) != 1 || last[0].ID != a.ID {
		t.Errorf("last message = %+v", last)
	}
	one, err := s.Message(ctx, a.ID)
	if err != nil || one.SessionID != sess.ID || one.Role != knowledge.RoleAssistant {
		t.Errorf("Message = %+v, %v", one, err)
	}
	if err := s.AddMessage(ctx, &knowledge.Message{SessionID: "00000000-0000-0000-0000-000000000000", Role: knowledge.RoleUser, Text: "x"}); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("message in missing session: %v", err)
	}
	if err := s.UpdateMessage(ctx, knowledge.Message{ID: "00000000-0000-0000-0000-000000000000"}); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("update missing message: %v", err)
	}

	if err := s.SetMessageStatus(ctx, a.ID, knowledge.StatusUndelivered, "zalo: 0 of 1 parts sent"); err != nil {
		t.Fatal(err)
	}
	marked, err := s.Message(ctx, a.ID)
	if err != nil || marked.Status != knowledge.StatusUndelivered || marked.Detail != "zalo: 0 of 1 parts sent" ||
		marked.Text != a.Text || len(marked.Citations) != 1 || !marked.Grounded {
		t.Errorf("after SetMessageStatus: %+v, %v; want the status and detail changed, the rest kept", marked, err)
	}
	for _, id := range []string{"00000000-0000-0000-0000-000000000000", "not-an-id"} {
		if err := s.SetMessageStatus(ctx, id, knowledge.StatusUndelivered, ""); !errors.Is(err, knowledge.ErrNotFound) {
			t.Errorf("SetMessageStatus(%q) = %v, want ErrNotFound", id, err)
		}
	}
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return fmt.Sprint(x) == fmt.Sprint(y)
}

func contractFeedback(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	sess := knowledge.Session{Channel: "web", Audience: "citizen"}
	if err := s.CreateSession(ctx, &sess); err != nil {
		t.Fatal(err)
	}
	m := knowledge.Message{SessionID: sess.ID, Role: knowledge.RoleAssistant, Text: "Trả lời", Status: knowledge.StatusComplete}
	if err := s.AddMessage(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if err := s.AddFeedback(ctx, knowledge.Feedback{MessageID: m.ID, Rating: "down", Comment: "thiếu"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddFeedback(ctx, knowledge.Feedback{MessageID: m.ID, Rating: "up"}); err != nil {
		t.Fatalf("second rating must replace the first: %v", err)
	}
	// Messages come back with their rating, so that a replayed conversation shows it.
	other := knowledge.Message{SessionID: sess.ID, Role: knowledge.RoleAssistant, Text: "Chưa đánh giá", Status: knowledge.StatusComplete}
	if err := s.AddMessage(ctx, &other); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Message(ctx, m.ID); err != nil || got.Rating != "up" {
		t.Errorf("Message rating %q (%v), want up", got.Rating, err)
	}
	if msgs, err := s.Messages(ctx, sess.ID, 0); err != nil || len(msgs) != 2 || msgs[0].Rating != "up" || msgs[1].Rating != "" {
		t.Errorf("Messages ratings %+v (%v), want up then none", msgs, err)
	}
	if err := s.AddFeedback(ctx, knowledge.Feedback{MessageID: "00000000-0000-0000-0000-000000000000", Rating: "up"}); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("feedback on missing message: %v", err)
	}
}

func contractEvents(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	first, err := s.ClaimEvent(ctx, "zalo", "msg-1")
	if err != nil || !first {
		t.Fatalf("first claim = %v, %v", first, err)
	}
	again, err := s.ClaimEvent(ctx, "zalo", "msg-1")
	if err != nil || again {
		t.Fatalf("second claim = %v, %v", again, err)
	}
	other, err := s.ClaimEvent(ctx, "telegram", "msg-1")
	if err != nil || !other {
		t.Fatalf("same id on another channel = %v, %v", other, err)
	}
	// Concurrent claims of one event: exactly one wins.
	var wins int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.ClaimEvent(ctx, "messenger", "m-42")
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d concurrent claims won, want 1", wins)
	}
	if _, err := s.Setting(ctx, "zalo.refresh_token"); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("missing setting: %v", err)
	}
	for _, v := range []string{"r1", "r2"} {
		if err := s.PutSetting(ctx, "zalo.refresh_token", v); err != nil {
			t.Fatal(err)
		}
	}
	if v, err := s.Setting(ctx, "zalo.refresh_token"); err != nil || v != "r2" {
		t.Errorf("Setting = %q, %v", v, err)
	}
}

func contractConcurrentReplace(t *testing.T, s knowledge.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	UseTestEmbedder(t, s)
	mk := func(v int) []knowledge.Chunk {
		var cs []knowledge.Chunk
		for i := range 3 {
			cs = append(cs, Chunk("Tài liệu", "", fmt.Sprintf("Phiên bản %d đoạn %d về thường trú.", v, i), Unit(i)))
		}
		return cs
	}
	Put(t, s, knowledge.Document{Source: "x.txt", Title: "Tài liệu", ContentHash: "0"}, mk(0)...)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for v := 1; v <= 15; v++ {
			doc := knowledge.Document{Source: "x.txt", Title: "Tài liệu", Kind: knowledge.KindOther, Enabled: true, ContentHash: fmt.Sprint(v)}
			if err := s.PutDocument(ctx, &doc, mk(v)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for {
		select {
		case <-done:
			wg.Wait()
			return
		default:
		}
		hits, err := s.SearchLexical(ctx, []string{"thuong_tru"}, knowledge.Filters{}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 3 {
			t.Fatalf("reader saw %d chunks during replacement, want 3 (never missing or doubled)", len(hits))
		}
	}
}

func contractTurns(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	// A new session (CreatedAt zero) with a preset ID, created with its first messages.
	sess := knowledge.Session{ID: "3b0f3c5e-1f7a-4c55-9a3e-0d2f1b6c7a81", Channel: "web", Audience: "staff"}
	q := knowledge.Message{Role: knowledge.RoleUser, Text: "Câu hỏi"}
	a := knowledge.Message{ID: "6a1c0b2d-9e8f-4a7b-8c6d-5e4f3a2b1c0d", Role: knowledge.RoleAssistant, Status: knowledge.StatusStreaming}
	if err := s.RecordTurn(ctx, &sess, &q, &a); err != nil {
		t.Fatal(err)
	}
	if sess.CreatedAt.IsZero() || q.ID == "" || q.SessionID != sess.ID || a.ID != "6a1c0b2d-9e8f-4a7b-8c6d-5e4f3a2b1c0d" || a.Seq <= q.Seq {
		t.Fatalf("after RecordTurn: session %+v, messages %+v %+v", sess, q, a)
	}
	got, err := s.Session(ctx, "3b0f3c5e-1f7a-4c55-9a3e-0d2f1b6c7a81")
	if err != nil || got.Audience != "staff" {
		t.Fatalf("session = %+v, %v", got, err)
	}
	// Finish the answer and save the session's state together.
	a.Text, a.Grounded, a.Status = "Trả lời [1]", true, knowledge.StatusComplete
	a.Citations = []knowledge.Citation{{N: 1, Source: "a.txt", Title: "A", Snippet: "x"}}
	sess.State = json.RawMessage(`{"question":"Câu hỏi"}`)
	if err := s.FinishMessage(ctx, a, &sess); err != nil {
		t.Fatal(err)
	}
	msgs, _ := s.Messages(ctx, sess.ID, 0)
	if len(msgs) != 2 || msgs[1].Text != "Trả lời [1]" || msgs[1].Status != knowledge.StatusComplete || len(msgs[1].Citations) != 1 {
		t.Fatalf("messages = %+v", msgs)
	}
	got, _ = s.Session(ctx, sess.ID)
	if !jsonEqual(got.State, sess.State) {
		t.Errorf("state = %s", got.State)
	}
	// A later turn of the stored session appends; the session is saved, not created.
	sess.Address = "sealed-2"
	q2 := knowledge.Message{Role: knowledge.RoleUser, Text: "Câu hai"}
	if err := s.RecordTurn(ctx, &sess, &q2); err != nil {
		t.Fatal(err)
	}
	if q2.Seq != 3 {
		t.Errorf("seq of the third message = %d", q2.Seq)
	}
	if got, _ := s.Session(ctx, sess.ID); got.Address != "sealed-2" {
		t.Errorf("address not saved: %+v", got)
	}
	if err := s.FinishMessage(ctx, knowledge.Message{ID: "00000000-0000-0000-0000-000000000000"}, nil); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("finishing a missing message: %v", err)
	}
	missing := knowledge.Session{ID: "00000000-0000-0000-0000-000000000001", CreatedAt: time.Now()}
	if err := s.RecordTurn(ctx, &missing, &knowledge.Message{Role: knowledge.RoleUser, Text: "x"}); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("recording into a session that is not stored: %v", err)
	}
}

// contractEveryLockedField sets each lockable field by a patch, re-ingests the document with
// other values, and checks that the operator's value stays while the others follow the file.
func contractEveryLockedField(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	UseTestEmbedder(t, s)
	title, issuer, locality, number, url := "Tên do cán bộ đặt", "Sở Tư pháp", "Cần Thơ", "99/KH-UBND", "https://cong.example/99"
	kind, off := knowledge.KindPlan, false
	patches := map[string]knowledge.DocumentPatch{
		knowledge.FieldTitle:    {Title: &title},
		knowledge.FieldKind:     {Kind: &kind},
		knowledge.FieldIssuer:   {Issuer: &issuer},
		knowledge.FieldLocality: {Locality: &locality},
		knowledge.FieldNumber:   {Number: &number},
		knowledge.FieldURL:      {URL: &url},
		knowledge.FieldEnabled:  {Enabled: &off},
	}
	file := func(hash string) knowledge.Document {
		return knowledge.Document{Source: "f.txt", Title: "Tên trong tệp " + hash, Kind: knowledge.KindOther, Issuer: "UBND " + hash,
			Locality: "Hà Nội", Number: hash + "/QĐ", URL: "https://tep.example/" + hash, ContentHash: hash, Enabled: true}
	}
	for field, patch := range patches {
		t.Run(field, func(t *testing.T) {
			doc := Put(t, s, file("1"), Chunk("Tên", "", "Một đoạn "+field+".", Unit(0)))
			if _, err := s.UpdateDocument(ctx, doc.ID, patch); err != nil {
				t.Fatal(err)
			}
			patched, err := s.Document(ctx, doc.ID)
			if err != nil {
				t.Fatal(err)
			}
			next := file("2")
			if err := s.PutDocument(ctx, &next, []knowledge.Chunk{Chunk("Tên", "", "Đoạn mới "+field+".", Unit(1))}); err != nil {
				t.Fatal(err)
			}
			got, err := s.Document(ctx, doc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Locked, []string{field}) {
				t.Errorf("Locked = %v, want [%s]", got.Locked, field)
			}
			values := map[string][2]any{
				knowledge.FieldTitle:    {got.Title, patched.Title},
				knowledge.FieldKind:     {got.Kind, patched.Kind},
				knowledge.FieldIssuer:   {got.Issuer, patched.Issuer},
				knowledge.FieldLocality: {got.Locality, patched.Locality},
				knowledge.FieldNumber:   {got.Number, patched.Number},
				knowledge.FieldURL:      {got.URL, patched.URL},
				knowledge.FieldEnabled:  {got.Enabled, patched.Enabled},
			}
			fromFile := map[string]any{
				knowledge.FieldTitle: next.Title, knowledge.FieldKind: knowledge.KindOther, knowledge.FieldIssuer: "UBND 2",
				knowledge.FieldLocality: "Hà Nội", knowledge.FieldNumber: "2/QĐ", knowledge.FieldURL: "https://tep.example/2", knowledge.FieldEnabled: true,
			}
			for f, v := range values {
				want := fromFile[f]
				if f == field {
					want = v[1]
				}
				if v[0] != want {
					t.Errorf("%s = %v after re-ingestion, want %v", f, v[0], want)
				}
			}
			if err := s.DeleteDocument(ctx, doc.ID); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// contractDocumentChecks: a document needs a source, a title that is not blank and a known
// kind; its title is stored trimmed, and a new document starts with nothing locked.
func contractDocumentChecks(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	UseTestEmbedder(t, s)
	for _, tt := range []struct {
		name string
		doc  knowledge.Document
	}{
		{"no source", knowledge.Document{Title: "T", Kind: knowledge.KindOther}},
		{"no title", knowledge.Document{Source: "x.txt", Kind: knowledge.KindOther}},
		{"blank title", knowledge.Document{Source: "x.txt", Title: "  \t", Kind: knowledge.KindOther}},
		{"unknown kind", knowledge.Document{Source: "x.txt", Title: "T", Kind: "memo"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.PutDocument(ctx, &tt.doc, nil); !errors.Is(err, knowledge.ErrInvalid) {
				t.Errorf("PutDocument = %v, want ErrInvalid", err)
			}
		})
	}
	if docs, err := s.Documents(ctx, ""); err != nil || len(docs) != 0 {
		t.Errorf("after refused puts: %d documents, %v", len(docs), err)
	}
	doc := knowledge.Document{Source: "y.txt", Title: "  Kế hoạch số hoá  ", Kind: knowledge.KindPlan, Enabled: true,
		Locked: []string{knowledge.FieldTitle}}
	if err := s.PutDocument(ctx, &doc, []knowledge.Chunk{Chunk("Kế hoạch", "", "Một đoạn.", Unit(0))}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Document(ctx, doc.ID)
	if err != nil || got.Title != "Kế hoạch số hoá" || len(got.Locked) != 0 {
		t.Errorf("stored = %q locked %v, %v; want the title trimmed and nothing locked", got.Title, got.Locked, err)
	}
}

// contractPatches: an invalid patch changes nothing; a valid one trims its values and adds its
// fields to Locked, sorted and once each.
func contractPatches(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	UseTestEmbedder(t, s)
	doc := Put(t, s, knowledge.Document{Source: "p.txt", Title: "Tên gốc", Kind: knowledge.KindOther},
		Chunk("Tên gốc", "", "Một đoạn.", Unit(0)))
	blank, memo := "   ", knowledge.Kind("memo")
	for _, tt := range []struct {
		name  string
		patch knowledge.DocumentPatch
	}{
		{"blank title", knowledge.DocumentPatch{Title: &blank}},
		{"unknown kind", knowledge.DocumentPatch{Kind: &memo}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.UpdateDocument(ctx, doc.ID, tt.patch); !errors.Is(err, knowledge.ErrInvalid) {
				t.Errorf("UpdateDocument = %v, want ErrInvalid", err)
			}
			if got, err := s.Document(ctx, doc.ID); err != nil || got.Title != "Tên gốc" || got.Kind != knowledge.KindOther || len(got.Locked) != 0 {
				t.Errorf("after a refused patch: %+v, %v", got, err)
			}
		})
	}
	url, issuer, title := " https://x.example/1 ", " Sở Nội vụ ", "  Tên mới "
	if _, err := s.UpdateDocument(ctx, doc.ID, knowledge.DocumentPatch{URL: &url, Issuer: &issuer}); err != nil {
		t.Fatal(err)
	}
	got, err := s.UpdateDocument(ctx, doc.ID, knowledge.DocumentPatch{Title: &title, Issuer: &issuer})
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Tên mới" || got.Issuer != "Sở Nội vụ" || got.URL != "https://x.example/1" {
		t.Errorf("patched values = %q %q %q, want them trimmed", got.Title, got.Issuer, got.URL)
	}
	if want := []string{knowledge.FieldIssuer, knowledge.FieldTitle, knowledge.FieldURL}; !slices.Equal(got.Locked, want) {
		t.Errorf("Locked = %v, want %v", got.Locked, want)
	}
	if stored, err := s.Document(ctx, doc.ID); err != nil || !slices.Equal(stored.Locked, got.Locked) || stored.Title != got.Title {
		t.Errorf("stored after patch = %+v, %v", stored, err)
	}
}

// contractBulk: documents written between BeginBulk and EndBulk are found and counted as if
// written one by one.
func contractBulk(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	UseTestEmbedder(t, s)
	Put(t, s, knowledge.Document{Source: "truoc.txt", Title: "Trước"}, Chunk("Trước", "", "Cấp xã nộp hồ sơ.", Unit(0)))
	if err := s.BeginBulk(ctx); err != nil {
		t.Fatal(err)
	}
	docs := []*knowledge.Document{
		{Source: "b1.txt", Title: "Một", Kind: knowledge.KindOther, Enabled: true},
		{Source: "b2.txt", Title: "Hai", Kind: knowledge.KindOther, Enabled: true},
	}
	chunks := [][]knowledge.Chunk{
		{Chunk("Một", "", "Hồ sơ cấp xã thứ nhất.", Unit(1))},
		{Chunk("Hai", "", "Hồ sơ cấp xã thứ hai.", Unit(2)), Chunk("Hai", "", "Đoạn khác.", Unit(3))},
	}
	if err := s.PutDocuments(ctx, docs, chunks); err != nil {
		t.Fatal(err)
	}
	if docs[0].ID == "" || docs[1].ID == "" || chunks[1][1].ID == 0 {
		t.Errorf("bulk put assigned no IDs: %+v %+v", docs, chunks)
	}
	if hits, err := s.SearchLexical(ctx, []string{"cap_xa"}, knowledge.Filters{}, 10); err != nil || len(hits) != 3 {
		t.Errorf("during the bulk load: %d hits, %v; want 3", len(hits), err)
	}
	if err := s.EndBulk(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Chunks != 4 || st.DF.Get("cap_xa") != 3 || st.DF.Get("doan") != 1 {
		t.Errorf("after the bulk load: %d chunks, df(cap_xa) %d, df(doan) %d; want 4, 3, 1", st.Chunks, st.DF.Get("cap_xa"), st.DF.Get("doan"))
	}
	for _, q := range [][]float32{Unit(2), Unit(0)} {
		if hits, err := s.SearchVector(ctx, q, knowledge.Filters{}, 1); err != nil || len(hits) != 1 {
			t.Errorf("vector search after the bulk load: %+v, %v", hits, err)
		}
	}
	bad := []*knowledge.Document{{Source: "b3.txt", Title: "Ba", Kind: knowledge.KindOther}, {Source: "b4.txt", Kind: knowledge.KindOther}}
	if err := s.PutDocuments(ctx, bad, [][]knowledge.Chunk{nil, nil}); !errors.Is(err, knowledge.ErrInvalid) {
		t.Errorf("a batch with an invalid document = %v, want ErrInvalid", err)
	}
	if _, err := s.DocumentBySource(ctx, "b3.txt"); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("a batch with an invalid document stored part of it: %v", err)
	}
}

// contractDeleteSession: deleting a session removes its messages and their feedback and
// leaves other sessions alone; an unknown session is ErrNotFound.
func contractDeleteSession(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	var sessions [2]knowledge.Session
	var answers [2]knowledge.Message
	for i := range sessions {
		sessions[i] = knowledge.Session{Channel: "web", Audience: "citizen"}
		q := knowledge.Message{Role: knowledge.RoleUser, Text: "Lệ phí đăng ký khai sinh?", Status: knowledge.StatusComplete}
		answers[i] = knowledge.Message{Role: knowledge.RoleAssistant, Text: "Miễn phí.", Status: knowledge.StatusComplete}
		if err := s.RecordTurn(ctx, &sessions[i], &q, &answers[i]); err != nil {
			t.Fatal(err)
		}
		if err := s.AddFeedback(ctx, knowledge.Feedback{MessageID: answers[i].ID, Rating: "up"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteSession(ctx, sessions[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, sessions[0].ID); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("deleted session still read: %v", err)
	}
	if _, err := s.Message(ctx, answers[0].ID); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("a deleted session's message still read: %v", err)
	}
	if err := s.AddFeedback(ctx, knowledge.Feedback{MessageID: answers[0].ID, Rating: "down"}); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("feedback on a deleted message: %v, want ErrNotFound", err)
	}
	if msgs, err := s.Messages(ctx, sessions[1].ID, 0); err != nil || len(msgs) != 2 {
		t.Errorf("the other session has %d messages (%v), want 2", len(msgs), err)
	}
	for _, id := range []string{sessions[0].ID, "00000000-0000-0000-0000-000000000000", "not-an-id"} {
		if err := s.DeleteSession(ctx, id); !errors.Is(err, knowledge.ErrNotFound) {
			t.Errorf("DeleteSession(%s) = %v, want ErrNotFound", id, err)
		}
	}
}

// contractOperators: console accounts are created once per name, read, listed and updated;
// the audit log keeps its entries in order.
func contractOperators(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	lan := knowledge.Operator{Name: "lan", Role: "editor", PasswordHash: "$argon2id$x"}
	if err := s.CreateOperator(ctx, &lan); err != nil || lan.ID == "" || lan.CreatedAt.IsZero() {
		t.Fatalf("create: %+v, %v", lan, err)
	}
	if err := s.CreateOperator(ctx, &knowledge.Operator{Name: "lan", Role: "viewer", PasswordHash: "h"}); !errors.Is(err, knowledge.ErrConflict) {
		t.Errorf("a second account named lan: %v, want ErrConflict", err)
	}
	admin := knowledge.Operator{Name: "an", Role: "admin", PasswordHash: "h2"}
	if err := s.CreateOperator(ctx, &admin); err != nil {
		t.Fatal(err)
	}
	locked := time.Now().Add(30 * time.Minute).Truncate(time.Millisecond)
	lan.Role, lan.PasswordHash, lan.Disabled, lan.FailedLogins, lan.LockedUntil = "viewer", "$argon2id$y", true, 3, locked
	if err := s.UpdateOperator(ctx, lan); err != nil {
		t.Fatal(err)
	}
	got, err := s.OperatorByName(ctx, "lan")
	if err != nil || got.ID != lan.ID || got.Role != "viewer" || got.PasswordHash != "$argon2id$y" || !got.Disabled ||
		got.FailedLogins != 3 || !got.LockedUntil.Equal(locked) {
		t.Errorf("after update: %+v, %v", got, err)
	}
	lan.FailedLogins, lan.LockedUntil = 0, time.Time{}
	if err := s.UpdateOperator(ctx, lan); err != nil {
		t.Fatal(err)
	}
	if got, err := s.OperatorByName(ctx, "lan"); err != nil || got.FailedLogins != 0 || !got.LockedUntil.IsZero() {
		t.Errorf("lockout lifted: %+v, %v", got, err)
	}
	if _, err := s.OperatorByName(ctx, "khong-co"); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("unknown operator: %v", err)
	}
	if err := s.UpdateOperator(ctx, knowledge.Operator{ID: "00000000-0000-0000-0000-000000000000", Name: "x"}); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("update of an unknown operator: %v", err)
	}
	list, err := s.Operators(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "an" || list[1].Name != "lan" {
		t.Errorf("Operators = %+v, %v; want an, lan", list, err)
	}
	// Tokens: live until revoked or past their expiry; an unknown operator gets none.
	now := time.Now()
	tok := knowledge.OperatorToken{Hash: "h-live", OperatorID: admin.ID, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateOperatorToken(ctx, &tok); err != nil || tok.CreatedAt.IsZero() {
		t.Fatalf("create token: %+v, %v", tok, err)
	}
	if o, err := s.OperatorByToken(ctx, "h-live", now); err != nil || o.Name != "an" {
		t.Errorf("operator by token: %+v, %v", o, err)
	}
	if _, err := s.OperatorByToken(ctx, "h-live", now.Add(2*time.Hour)); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("an expired token: %v, want ErrNotFound", err)
	}
	if err := s.RevokeOperatorToken(ctx, "h-live"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OperatorByToken(ctx, "h-live", now); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("a revoked token: %v, want ErrNotFound", err)
	}
	if err := s.RevokeOperatorToken(ctx, "never-issued"); err != nil {
		t.Errorf("revoking an unknown token: %v", err)
	}
	if err := s.CreateOperatorToken(ctx, &knowledge.OperatorToken{Hash: "h-x", OperatorID: "00000000-0000-0000-0000-000000000000", ExpiresAt: now.Add(time.Hour)}); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("a token for an unknown operator: %v, want ErrNotFound", err)
	}
	for i, action := range []string{"operator.create", "operator.disable", "document.update"} {
		e := knowledge.AuditEntry{Actor: "an", Action: action, Target: fmt.Sprint("t", i), Detail: "d", Address: "10.0.0.1"}
		if err := s.AppendAudit(ctx, &e); err != nil || e.ID == 0 || e.At.IsZero() {
			t.Fatalf("append: %+v, %v", e, err)
		}
	}
	entries, err := s.Audit(ctx, 2)
	if err != nil || len(entries) != 2 || entries[0].Action != "document.update" || entries[1].Action != "operator.disable" || entries[0].Address != "10.0.0.1" {
		t.Errorf("Audit(2) = %+v, %v; want the newest two first", entries, err)
	}
	if all, err := s.Audit(ctx, 0); err != nil || len(all) != 3 {
		t.Errorf("Audit(0) = %d entries, %v; want 3", len(all), err)
	}
}

// contractMissed: the questions answered badly (refused, asked back with choices, rated down)
// come back newest first with their channel; the others do not. Dismissals are kept by key.
func contractMissed(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	sess := knowledge.Session{Channel: "zalo", UserKey: "k", Audience: "citizen"}
	turn := func(q string, grounded bool, choices []knowledge.Choice) knowledge.Message {
		u := knowledge.Message{Role: knowledge.RoleUser, Text: q, Status: knowledge.StatusComplete}
		a := knowledge.Message{Role: knowledge.RoleAssistant, Text: "…", Grounded: grounded, Choices: choices, Status: knowledge.StatusComplete}
		if err := s.RecordTurn(ctx, &sess, &u, &a); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // distinct times, for the order
		return a
	}
	turn("giá vàng hôm nay", false, nil)
	rated := turn("lệ phí làm hộ chiếu", true, nil)
	turn("đăng ký tạm trú ở đâu", true, nil)
	turn("giấy phép", false, []knowledge.Choice{{N: 1, Title: "A", Source: "a", DocumentID: "a"}, {N: 2, Title: "B", Source: "b", DocumentID: "b"}})
	if err := s.AddFeedback(ctx, knowledge.Feedback{MessageID: rated.ID, Rating: "down"}); err != nil {
		t.Fatal(err)
	}
	missed, err := s.MissedTurns(ctx, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range missed {
		got = append(got, fmt.Sprintf("%s %s grounded=%v choices=%v %s", m.Question, m.Channel, m.Grounded, m.Choices, m.Rating))
	}
	want := []string{"giấy phép zalo grounded=false choices=true ", "lệ phí làm hộ chiếu zalo grounded=true choices=false down", "giá vàng hôm nay zalo grounded=false choices=false "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("missed turns:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if some, err := s.MissedTurns(ctx, time.Time{}, 1); err != nil || len(some) != 1 {
		t.Errorf("limit 1: %d, %v", len(some), err)
	}
	if later, err := s.MissedTurns(ctx, time.Now().Add(time.Hour), 0); err != nil || len(later) != 0 {
		t.Errorf("since the future: %d, %v", len(later), err)
	}
	at := time.Now().Truncate(time.Millisecond)
	if err := s.DismissMissed(ctx, "gia vang", "lan", at); err != nil {
		t.Fatal(err)
	}
	if err := s.DismissMissed(ctx, "gia vang", "an", at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	d, err := s.DismissedMissed(ctx)
	if err != nil || len(d) != 1 || !d["gia vang"].Equal(at.Add(time.Minute)) {
		t.Errorf("dismissed %v, %v", d, err)
	}
}

// contractAnswerStats: answers are counted by day (UTC+7) and channel, with how many cite the
// knowledge base, asked back with choices, and were rated up or down.
func contractAnswerStats(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	web := knowledge.Session{Channel: "web", Audience: "citizen"}
	zalo := knowledge.Session{Channel: "zalo", UserKey: "k2", Audience: "citizen"}
	answer := func(sess *knowledge.Session, grounded bool, choices []knowledge.Choice, rating string) {
		u := knowledge.Message{Role: knowledge.RoleUser, Text: "q", Status: knowledge.StatusComplete}
		a := knowledge.Message{Role: knowledge.RoleAssistant, Text: "a", Grounded: grounded, Choices: choices, Status: knowledge.StatusComplete}
		if err := s.RecordTurn(ctx, sess, &u, &a); err != nil {
			t.Fatal(err)
		}
		if rating != "" {
			if err := s.AddFeedback(ctx, knowledge.Feedback{MessageID: a.ID, Rating: rating}); err != nil {
				t.Fatal(err)
			}
		}
	}
	answer(&web, true, nil, "up")
	answer(&web, true, nil, "down")
	answer(&web, false, []knowledge.Choice{{N: 1, Title: "A", Source: "a", DocumentID: "a"}}, "")
	answer(&zalo, false, nil, "")
	got, err := s.AnswerStats(ctx, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Add(7 * time.Hour).Format("2006-01-02")
	want := []knowledge.DayStats{
		{Date: today, Channel: "web", Questions: 3, Grounded: 2, Choices: 1, Up: 1, Down: 1},
		{Date: today, Channel: "zalo", Questions: 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("AnswerStats = %+v, want %+v", got, want)
	}
	if later, err := s.AnswerStats(ctx, time.Now().Add(time.Hour)); err != nil || len(later) != 0 {
		t.Errorf("since the future: %+v, %v", later, err)
	}
}

// contractConversations: conversations come latest first, with their channel, message count,
// first question and ratings, filtered by channel and rating.
func contractConversations(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	turn := func(sess *knowledge.Session, q, rating string) {
		u := knowledge.Message{Role: knowledge.RoleUser, Text: q, Status: knowledge.StatusComplete}
		a := knowledge.Message{Role: knowledge.RoleAssistant, Text: "a", Grounded: true, Status: knowledge.StatusComplete}
		if err := s.RecordTurn(ctx, sess, &u, &a); err != nil {
			t.Fatal(err)
		}
		if rating != "" {
			if err := s.AddFeedback(ctx, knowledge.Feedback{MessageID: a.ID, Rating: rating}); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	web := knowledge.Session{Channel: "web", Audience: "citizen"}
	zalo := knowledge.Session{Channel: "zalo", UserKey: "k3", Audience: "citizen"}
	turn(&web, "lệ phí khai sinh", "")
	turn(&zalo, "đăng ký tạm trú", "down")
	turn(&web, "mất bao lâu", "up")
	since := time.Now().Add(-time.Hour)
	all, err := s.Conversations(ctx, knowledge.ConversationFilter{Since: since})
	if err != nil || len(all) != 2 {
		t.Fatalf("Conversations = %+v, %v", all, err)
	}
	if c := all[0]; c.SessionID != web.ID || c.Messages != 4 || c.FirstQuestion != "lệ phí khai sinh" || !c.RatedUp || c.RatedDown || c.LastAt.IsZero() {
		t.Errorf("latest conversation %+v", c)
	}
	if down, err := s.Conversations(ctx, knowledge.ConversationFilter{Since: since, Rating: "down"}); err != nil || len(down) != 1 || down[0].SessionID != zalo.ID {
		t.Errorf("rated down: %+v, %v", down, err)
	}
	if z, err := s.Conversations(ctx, knowledge.ConversationFilter{Since: since, Channel: "zalo"}); err != nil || len(z) != 1 || z[0].Channel != "zalo" {
		t.Errorf("on zalo: %+v, %v", z, err)
	}
	if one, err := s.Conversations(ctx, knowledge.ConversationFilter{Since: since, Limit: 1}); err != nil || len(one) != 1 {
		t.Errorf("limit 1: %d, %v", len(one), err)
	}
	if none, err := s.Conversations(ctx, knowledge.ConversationFilter{Since: time.Now().Add(time.Hour)}); err != nil || len(none) != 0 {
		t.Errorf("since the future: %+v, %v", none, err)
	}
}

// contractTakeover: a conversation passes between the assistant and operators only from its
// current holder; saving a session (as every answer does) never undoes a takeover; a request
// for staff is kept until an operator takes over; the waiting and text filters list them.
func contractTakeover(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	sess := knowledge.Session{Channel: "zalo", UserKey: "k-takeover", Audience: "citizen", Address: "sealed-1"}
	u := knowledge.Message{Role: knowledge.RoleUser, Text: "Cho tôi hỏi về GIẤY KHAI SINH 50%_x", Status: knowledge.StatusComplete}
	if err := s.RecordTurn(ctx, &sess, &u); err != nil {
		t.Fatal(err)
	}
	other := knowledge.Session{Channel: "web", Audience: "citizen"}
	o := knowledge.Message{Role: knowledge.RoleUser, Text: "lệ phí", Status: knowledge.StatusComplete}
	if err := s.RecordTurn(ctx, &other, &o); err != nil {
		t.Fatal(err)
	}
	since := time.Now().Add(-time.Hour)
	if w, err := s.Conversations(ctx, knowledge.ConversationFilter{Since: since, Waiting: true}); err != nil || len(w) != 0 {
		t.Fatalf("waiting before any request: %+v, %v", w, err)
	}
	asked := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	if err := s.RequestHuman(ctx, sess.ID, asked); err != nil {
		t.Fatal(err)
	}
	if err := s.RequestHuman(ctx, sess.ID, time.Now()); err != nil { // the first request is kept
		t.Fatal(err)
	}
	got, err := s.Session(ctx, sess.ID)
	if err != nil || !got.HumanRequested.Equal(asked) || got.Address != "sealed-1" {
		t.Fatalf("session after request = %+v, %v (want requested at %v)", got, err, asked)
	}
	w, err := s.Conversations(ctx, knowledge.ConversationFilter{Since: since, Waiting: true})
	if err != nil || len(w) != 1 || w[0].SessionID != sess.ID || !w[0].HumanRequested.Equal(asked) {
		t.Fatalf("waiting = %+v, %v", w, err)
	}
	if err := s.SetOperator(ctx, sess.ID, "", "an"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetOperator(ctx, sess.ID, "", "binh"); !errors.Is(err, knowledge.ErrConflict) {
		t.Errorf("second operator taking over: %v, want ErrConflict", err)
	}
	if err := s.SetOperator(ctx, other.ID, "an", ""); !errors.Is(err, knowledge.ErrConflict) {
		t.Errorf("handing back a conversation not held: %v, want ErrConflict", err)
	}
	if err := s.SetOperator(ctx, "00000000-0000-0000-0000-000000000000", "", "an"); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("unknown session: %v, want ErrNotFound", err)
	}
	// An answer finished meanwhile saves the session it read before the takeover.
	stale := got
	stale.Address, stale.State = "", json.RawMessage(`{"topic":"x"}`)
	if err := s.UpdateSession(ctx, stale); err != nil {
		t.Fatal(err)
	}
	got, err = s.Session(ctx, sess.ID)
	if err != nil || got.Operator != "an" || !got.HumanRequested.IsZero() || got.Address != "sealed-1" {
		t.Fatalf("after takeover and a stale save: %+v, %v", got, err)
	}
	if w, err := s.Conversations(ctx, knowledge.ConversationFilter{Since: since, Waiting: true}); err != nil || len(w) != 1 || w[0].Operator != "an" {
		t.Errorf("held conversation not listed as waiting: %+v, %v", w, err)
	}
	if err := s.SetOperator(ctx, sess.ID, "an", ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Session(ctx, sess.ID); got.Operator != "" {
		t.Errorf("handed back, operator = %q", got.Operator)
	}
	for q, want := range map[string]int{"giấy khai": 1, "50%_x": 1, "50%x": 0, "LỆ PHÍ": 1, "không có": 0} {
		if c, err := s.Conversations(ctx, knowledge.ConversationFilter{Since: since, Text: q}); err != nil || len(c) != want {
			t.Errorf("text %q: %d conversations, want %d (%v)", q, len(c), want, err)
		}
	}
}

// contractForms: a document's short forms come back from every read, are replaced with the
// document, and survive an operator's patch.
func contractForms(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	UseTestEmbedder(t, s)
	forms := []knowledge.Form{{Short: "TTPVHCC", Long: "trung tâm phục vụ hành chính công", Origin: knowledge.FormDefined}}
	doc := Put(t, s, knowledge.Document{Source: "f.txt", Title: "Có định nghĩa", Forms: forms},
		Chunk("Có định nghĩa", "", "Nộp tại Trung tâm Phục vụ hành chính công (TTPVHCC).", Unit(0)))
	if !slices.Equal(doc.Forms, forms) {
		t.Errorf("Put filled Forms = %+v, want %+v", doc.Forms, forms)
	}
	read := func(when string, want []knowledge.Form) {
		t.Helper()
		byID, err := s.Document(ctx, doc.ID)
		if err != nil {
			t.Fatal(err)
		}
		bySource, err := s.DocumentBySource(ctx, "f.txt")
		if err != nil {
			t.Fatal(err)
		}
		list, err := s.Documents(ctx, "")
		if err != nil || len(list) != 1 {
			t.Fatalf("Documents = %d, %v", len(list), err)
		}
		for name, got := range map[string][]knowledge.Form{"Document": byID.Forms, "DocumentBySource": bySource.Forms, "Documents": list[0].Forms} {
			if len(got) != len(want) || len(want) > 0 && !slices.Equal(got, want) {
				t.Errorf("%s: %s Forms = %+v, want %+v", when, name, got, want)
			}
		}
	}
	read("after put", forms)
	title := "Tiêu đề mới"
	if _, err := s.UpdateDocument(ctx, doc.ID, knowledge.DocumentPatch{Title: &title}); err != nil {
		t.Fatal(err)
	}
	read("after a patch", forms)
	Put(t, s, knowledge.Document{Source: "f.txt", Title: "Không còn định nghĩa"},
		Chunk("Không còn định nghĩa", "", "Nộp tại Bộ phận một cửa.", Unit(1)))
	read("after replacement", nil)
}

// contractCitationForm: citations and choices come back as they were stored, whatever their Go
// field names.
func contractCitationForm(t *testing.T, s knowledge.Store) {
	ctx := context.Background()
	sess := knowledge.Session{Channel: "web", Audience: "citizen"}
	if err := s.CreateSession(ctx, &sess); err != nil {
		t.Fatal(err)
	}
	cites := []knowledge.Citation{
		{N: 1, Source: "a.json", Title: "Đăng ký khai sinh", Snippet: "Miễn phí", URL: "https://x/1", Score: 0.75, DocumentID: "d1", ChunkID: 42, Section: "Lệ phí"},
		{N: 2, Source: "b.txt", Title: "Kế hoạch", Snippet: "80%"},
	}
	m := knowledge.Message{SessionID: sess.ID, Role: knowledge.RoleAssistant, Text: "x [1] [2]", Grounded: true, Citations: cites, Status: knowledge.StatusComplete}
	if err := s.AddMessage(ctx, &m); err != nil {
		t.Fatal(err)
	}
	got, err := s.Message(ctx, m.ID)
	if err != nil || !slices.Equal(got.Citations, cites) {
		t.Errorf("citations = %+v, %v; want %+v", got.Citations, err, cites)
	}
	// An answer asking which procedure is meant: its choices come back as written, through
	// every way a message is written.
	choices := []knowledge.Choice{{N: 1, Title: "Đăng ký khai sinh", Source: "a.json", DocumentID: "d1"}, {N: 2, Title: "Đăng ký lại khai sinh", Source: "b.json", DocumentID: "d2"}}
	asking := knowledge.Message{SessionID: sess.ID, Role: knowledge.RoleAssistant, Text: "Bạn hỏi thủ tục nào?", Choices: choices[:1], Status: knowledge.StatusStreaming}
	if err := s.RecordTurn(ctx, &sess, &asking); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Message(ctx, asking.ID); err != nil || !slices.Equal(got.Choices, choices[:1]) {
		t.Errorf("choices after RecordTurn = %+v, %v", got.Choices, err)
	}
	asking.Choices, asking.Status = choices, knowledge.StatusComplete
	if err := s.FinishMessage(ctx, asking, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Message(ctx, asking.ID); err != nil || !slices.Equal(got.Choices, choices) || len(got.Citations) != 0 {
		t.Errorf("choices after FinishMessage = %+v, %v", got.Choices, err)
	}
	asking.Choices = nil
	if err := s.UpdateMessage(ctx, asking); err != nil {
		t.Fatal(err)
	}
	if msgs, err := s.Messages(ctx, sess.ID, 1); err != nil || len(msgs) != 1 || len(msgs[0].Choices) != 0 {
		t.Errorf("choices after UpdateMessage without them = %+v, %v", msgs, err)
	}
	none := knowledge.Message{SessionID: sess.ID, Role: knowledge.RoleAssistant, Text: "y", Status: knowledge.StatusComplete}
	if err := s.AddMessage(ctx, &none); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Message(ctx, none.ID); err != nil || len(got.Citations) != 0 {
		t.Errorf("no citations = %+v, %v", got.Citations, err)
	}
}
