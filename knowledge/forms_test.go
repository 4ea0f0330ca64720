package knowledge_test

import (
	"context"
	"slices"
	"testing"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

func TestDefinedForms(t *testing.T) {
	tests := []struct {
		text string
		want []knowledge.Form
	}{
		{"Nộp hồ sơ tại Trung tâm Phục vụ hành chính công (TTPVHCC) của tỉnh.",
			[]knowledge.Form{{Short: "TTPVHCC", Long: "trung tâm phục vụ hành chính công", Origin: knowledge.FormDefined}}},
		{"Người nộp thuế (sau đây gọi tắt là NNT) kê khai theo mẫu.",
			[]knowledge.Form{{Short: "NNT", Long: "người nộp thuế", Origin: knowledge.FormDefined}}},
		{"Văn phòng đăng ký đất đai (viết tắt: VPĐKĐĐ) tiếp nhận.",
			[]knowledge.Form{{Short: "VPĐKĐĐ", Long: "văn phòng đăng ký đất đai", Origin: knowledge.FormDefined}}},
		// A bracketed code that does not abbreviate the words before it.
		{"Tờ khai (Mẫu 02) và bản sao (BSCT).", nil},
		// Initials that match only with words across a comma.
		{"Nộp cho cơ quan, đơn vị (CQĐV).", nil},
		// Too short to be read as a short form.
		{"Giấy phép (GP) còn hạn.", nil},
	}
	for _, tt := range tests {
		if got := knowledge.DefinedForms(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("DefinedForms(%q) = %+v, want %+v", tt.text, got, tt.want)
		}
	}
}

func TestLearnForms(t *testing.T) {
	doc := func(title string, forms ...knowledge.Form) knowledge.Document {
		return knowledge.Document{Title: title, Forms: forms}
	}
	docs := []knowledge.Document{
		doc("Thành lập quỹ tín dụng nhân dân"),
		doc("Giải thể quỹ tín dụng nhân dân"),
		doc("Thủ tục đổi tên quỹ tín dụng nhân dân"),
		doc("Cấp phép nhà nuôi chim yến"),
		doc("Gia hạn phép nhà nuôi chim yến"),
		doc("Đăng ký dịch vụ công trực tuyến"),
		doc("Cấp thẻ dịch vụ công trực tuyến"),
		doc("Khai thuế dịch vụ công trực tuyến"),
		doc("Kê khai thuế", knowledge.Form{Short: "NNT", Long: "người nộp thuế", Origin: knowledge.FormDefined}),
	}
	lf := knowledge.LearnForms(docs, vietnamese.NewAnalyzer(nil))
	f, ok := lf.Lookup("qtdnd")
	if !ok || f.Long != "quỹ tín dụng nhân dân" || f.Origin != knowledge.FormTitle || f.Documents != 3 || f.Short != "QTDND" {
		t.Errorf("Lookup(qtdnd) = %+v, %v; want quỹ tín dụng nhân dân from 3 titles", f, ok)
	}
	if f, ok := lf.Lookup("NNT"); !ok || f.Long != "người nộp thuế" || f.Origin != knowledge.FormDefined {
		t.Errorf("Lookup(NNT) = %+v, %v; want the defined form", f, ok)
	}
	for _, short := range []string{
		"tdnd",  // "tín dụng nhân dân" is a fragment: every title holding it says "quỹ tín dụng nhân dân"
		"nncy",  // two titles only
		"dvctt", // the built-in dictionary knows it
	} {
		if f, ok := lf.Lookup(short); ok {
			t.Errorf("Lookup(%s) = %+v, want nothing learned", short, f)
		}
	}
	if lf.Len() != len(lf.List()) || lf.Len() == 0 {
		t.Errorf("Len %d, List %d", lf.Len(), len(lf.List()))
	}
}

// TestLearnedFormsInSearch checks that a question typing a short form the knowledge base
// learned from its titles finds the documents that write the phrase out, on both stores.
func TestLearnedFormsInSearch(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			var s knowledge.Store
			if backend == "sqlite" {
				s = openSQLite(t)
			} else {
				s = openPostgres(t)
			}
			ctx := context.Background()
			a := vietnamese.NewAnalyzer(nil)
			in := knowledge.NewIngester(s, knowledge.NewChunker(a), nil, quiet)
			docs := map[string]string{
				"thanh-lap.txt":   "Thành lập quỹ tín dụng nhân dân\n\nHồ sơ gồm đơn đề nghị và điều lệ của quỹ.\n",
				"giai-the.txt":    "Giải thể quỹ tín dụng nhân dân\n\nHồ sơ gồm nghị quyết của đại hội thành viên.\n",
				"doi-ten.txt":     "Đổi tên quỹ tín dụng nhân dân\n\nHồ sơ gồm văn bản đề nghị đổi tên.\n",
				"giai-the-dn.txt": "Giải thể doanh nghiệp\n\nHồ sơ gồm quyết định giải thể của doanh nghiệp.\n",
			}
			for name, text := range docs {
				if _, _, err := in.Ingest(ctx, name, []byte(text)); err != nil {
					t.Fatalf("ingest %s: %v", name, err)
				}
			}
			ix := knowledge.NewIndex(s, a, nil, quiet)
			forms, err := ix.Forms(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := forms.Lookup("qtdnd"); !ok {
				t.Fatalf("QTDND not learned: %+v", forms.List())
			}
			res, err := ix.Search(ctx, knowledge.Query{Text: "giải thể qtdnd cần hồ sơ gì", K: 3})
			if err != nil {
				t.Fatal(err)
			}
			if len(res) == 0 || res[0].Doc.Source != "giai-the.txt" {
				t.Errorf("giải thể qtdnd: results %v, want giai-the.txt first", sources(res))
			}
		})
	}
}

func sources(res []knowledge.Result) []string {
	var out []string
	for _, r := range res {
		out = append(out, r.Doc.Source)
	}
	return out
}

func TestFusionFor(t *testing.T) {
	if got := knowledge.FusionFor(knowledge.IndexInfo{Embedder: knowledge.HashEmbedderName, Dim: 256}); got != knowledge.HashFusion {
		t.Errorf("built-in embedder: %+v, want %+v", got, knowledge.HashFusion)
	}
	got := knowledge.FusionFor(knowledge.IndexInfo{Embedder: "ollama:bge-m3", Dim: 1024})
	if got != knowledge.ModelFusion || got.Vector <= knowledge.HashFusion.Vector || got.VectorOnly <= knowledge.HashFusion.VectorOnly {
		t.Errorf("a trained model: %+v, want %+v, weighing vectors more than the hashed embedder's", got, knowledge.ModelFusion)
	}
	ix := knowledge.NewIndex(nil, vietnamese.NewAnalyzer(nil), knowledge.NewHashEmbedder(vietnamese.NewAnalyzer(nil), 64), quiet)
	if ix.Fusion() != knowledge.HashFusion {
		t.Errorf("index over the built-in embedder fuses with %+v", ix.Fusion())
	}
}
