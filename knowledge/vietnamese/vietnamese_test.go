package vietnamese_test

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"new-style oa", "Khánh Hoà", "Khánh Hòa"},
		{"old-style oa unchanged", "Khánh Hòa", "Khánh Hòa"},
		{"uy open", "Uỷ ban", "Ủy ban"},
		{"uy upper", "UỶ BAN", "ỦY BAN"},
		{"thuý", "thuý", "thúy"},
		{"oe", "khoẻ", "khỏe"},
		{"closed syllable keeps last vowel", "hoàn thành", "hoàn thành"},
		{"closed syllable moves to last vowel", "hòan", "hoàn"},
		{"qu is a consonant", "quý", "quý"},
		{"qu with two vowels", "quỳên", "quyền"},
		{"gi is a consonant", "giữ gìn", "giữ gìn"},
		{"horn vowel takes tone", "nguòi", "nguòi"},
		{"ươ", "người", "người"},
		{"three vowels", "khuỷu", "khuỷu"},
		{"nfd input", norm.NFD.String("Đồng Nai"), "Đồng Nai"},
		{"ascii untouched", "Blockchain IoT", "Blockchain IoT"},
		{"punctuation kept", "Hoà, Thuỷ!", "Hòa, Thủy!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := vietnamese.Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFoldAndKey(t *testing.T) {
	tests := []struct{ in, fold, key string }{
		{"Đăng ký thường trú", "Dang ky thuong tru", "dang ky thuong tru"},
		{"bán bàn bạn bản", "ban ban ban ban", "ban ban ban ban"},
		{norm.NFD.String("Hồ sơ"), "Ho so", "ho so"},
		{"47/2020/NĐ-CP", "47/2020/ND-CP", "47/2020/nd-cp"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := vietnamese.Fold(tt.in); got != tt.fold {
				t.Errorf("Fold = %q, want %q", got, tt.fold)
			}
			if got := vietnamese.Key(tt.in); got != tt.key {
				t.Errorf("Key = %q, want %q", got, tt.key)
			}
		})
	}
	if !vietnamese.HasMarks("đi") || vietnamese.HasMarks("di ve") {
		t.Error("HasMarks wrong")
	}
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // Text of each token, parts marked with a leading +
	}{
		{"words", "Đăng ký thường trú", []string{"đăng", "ký", "thường", "trú"}},
		{"document number", "Nghị định 47/2020/NĐ-CP", []string{"nghị", "định", "47/2020/nđ-cp", "+47", "+2020", "+nđ", "+cp"}},
		{"plan number", "Kế hoạch số 2663/KH-UBND.", []string{"kế", "hoạch", "số", "2663/kh-ubnd", "+2663", "+kh", "+ubnd"}},
		{"percent", "đạt 80%.", []string{"đạt", "80%", "+80"}},
		{"thousands dot", "10.000 đồng", []string{"10000", "đồng"}},
		{"thousands comma", "10,000 Việt Nam Đồng", []string{"10000", "việt", "nam", "đồng"}},
		{"decimal", "tăng 2,5 lần", []string{"tăng", "2.5", "lần"}},
		{"leading zeros", "mức độ 01, 05 ngày, 0 đồng", []string{"mức", "độ", "1", "5", "ngày", "0", "đồng"}},
		{"procedure code", "mã 1.004222", []string{"mã", "1.004222", "+1", "+004222"}},
		{"range", "giai đoạn 2021-2025", []string{"giai", "đoạn", "2021-2025", "+2021", "+2025"}},
		{"ampersand", "Bộ KH&CN", []string{"bộ", "kh&cn", "+kh", "+cn"}},
		{"domain", "(chuyendoiso.example.gov.vn)", []string{"chuyendoiso.example.gov.vn", "+chuyendoiso", "+example", "+gov", "+vn"}},
		{"sentence dot", "xã. Tiếp", []string{"xã", "tiếp"}},
		{"new tone placement", "hoà", []string{"hòa"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, tok := range vietnamese.Tokenize(tt.in) {
				s := tok.Text
				if tok.Part {
					s = "+" + s
				}
				got = append(got, s)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func termSet(a *vietnamese.Analyzer, text string) map[string]bool {
	m := map[string]bool{}
	for _, t := range a.Terms(text) {
		m[t.Text] = true
	}
	return m
}

func TestTermsMatchBothWays(t *testing.T) {
	a := vietnamese.NewAnalyzer(nil)
	tests := []struct {
		name, doc, query string
		shared           []string // terms both must have
	}{
		{"no diacritics", "Tỷ lệ hồ sơ giải quyết trực tuyến", "ty le ho so giai quyet truc tuyen", []string{"ty", "ty_le", "ho_so", "truc_tuyen"}},
		{"tone placement", "Khánh Hoà", "khánh hòa", []string{"hòa", "khanh_hoa"}},
		{"abbreviation in doc", "Kế hoạch CĐS năm 2024", "kế hoạch chuyển đổi số", []string{"chuyen_doi", "doi_so", "cds", "chuyển"}},
		{"abbreviation in query", "ứng dụng công nghệ thông tin", "ứng dụng CNTT", []string{"cong_nghe", "cntt"}},
		{"punctuated abbreviation", "Sở TT-TT", "Sở Thông tin và Truyền thông", []string{"tttt", "truyen_thong"}},
		{"KH&CN written out", "Bộ Khoa học và Công nghệ", "Bộ KH&CN", []string{"khcn", "khoa_hoc"}},
		{"document number without marks", "Nghị định số 47/2020/NĐ-CP", "nghi dinh 47/2020/nd-cp", []string{"47/2020/nd-cp", "47"}},
		{"figures", "thu 10,000 Việt Nam Đồng", "lệ phí 10.000 đồng", []string{"10000"}},
		{"percent", "đạt tối thiểu 80% ở cấp sở", "80% cap so", []string{"80%", "cap_so"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, q := termSet(a, tt.doc), termSet(a, tt.query)
			for _, s := range tt.shared {
				if !d[s] || !q[s] {
					t.Errorf("term %q: in doc %v, in query %v", s, d[s], q[s])
				}
			}
		})
	}
}

func TestAccentedTermsDistinguishHomographs(t *testing.T) {
	a := vietnamese.NewAnalyzer(nil)
	bán, bàn := termSet(a, "bán"), termSet(a, "bàn")
	if !bán["ban"] || !bàn["ban"] {
		t.Fatal("folded term missing")
	}
	if bàn["bán"] || bán["bàn"] {
		t.Fatal("accented forms must differ")
	}
}

func TestLowercaseShortAbbreviationIsAWord(t *testing.T) {
	a := vietnamese.NewAnalyzer(nil)
	if termSet(a, "ai được đăng ký")["tri_tue"] {
		t.Error(`"ai" (who) expanded as AI`)
	}
	if !termSet(a, "ứng dụng AI")["tri_tue"] {
		t.Error(`"AI" not expanded`)
	}
}

func TestStopwords(t *testing.T) {
	a := vietnamese.NewAnalyzer(nil)
	stop := map[string]bool{}
	for _, term := range a.Terms("Lệ phí đăng ký là bao nhiêu ở đâu đầu tư") {
		if term.Class == vietnamese.Folded {
			stop[term.Text] = term.Stop
		}
	}
	for w, want := range map[string]bool{"le": false, "la": true, "nhieu": true, "dang": false, "tu": false} {
		if stop[w] != want {
			t.Errorf("stop[%q] = %v, want %v", w, stop[w], want)
		}
	}
	// "đâu" (where) is a stop word; "đầu" (in "đầu tư") is not; without marks "dau" is not.
	if !vietnamese.IsStopword("đâu") || vietnamese.IsStopword("đầu") || vietnamese.IsStopword("dau") {
		t.Error("đâu/đầu stop words wrong")
	}
}

func TestWeakWordsWithoutDiacritics(t *testing.T) {
	a := vietnamese.NewAnalyzer(nil)
	terms := func(q string) map[string]vietnamese.Term {
		m := map[string]vietnamese.Term{}
		for _, term := range a.Terms(q) {
			if term.Class == vietnamese.Folded || term.Class == vietnamese.Bigram {
				m[term.Text] = term
			}
		}
		return m
	}
	// Without marks "muon" may be muốn (want, a stop word) or muộn (late); "kinh" is content
	// whatever its marks.
	plain := terms("quang tri muon kinh te so")
	for w, want := range map[string]bool{"muon": true, "kinh": false, "tri_muon": true, "kinh_te": false} {
		if plain[w].Weak != want || plain[w].Stop {
			t.Errorf("%s: weak %v stop %v, want weak %v", w, plain[w].Weak, plain[w].Stop, want)
		}
	}
	// With marks a stop word is known for one.
	marked := terms("Quảng Trị muốn kinh tế số")
	if !marked["muon"].Stop || marked["muon"].Weak {
		t.Errorf("muốn: stop %v weak %v, want a stop word", marked["muon"].Stop, marked["muon"].Weak)
	}
}

func TestBigramsStopAtPunctuation(t *testing.T) {
	a := vietnamese.NewAnalyzer(nil)
	has := func(terms []vietnamese.Term, bigram string) bool {
		for _, term := range terms {
			if term.Class == vietnamese.Bigram && term.Text == bigram {
				return true
			}
		}
		return false
	}
	for _, tt := range []struct {
		text, bigram   string
		passage, query bool // in Terms, in QueryTerms
	}{
		{"bố tôi mất làm giấy khai tử", "mat_lam", true, true},
		{"bố tôi mất, làm giấy khai tử", "mat_lam", true, false},
		{"các sở, ban, ngành", "ban_nganh", true, false},
		{"các sở ban ngành", "ban_nganh", true, true},
		{"Hà Nội; Hải Phòng", "noi_hai", false, false},
		{"Bước 1\nNộp hồ sơ", "1_nop", false, false},
		{"kết quả (bản chính)", "qua_ban", false, false},
		{"phí 10.000 đồng", "10000_dong", true, true},
		{"Nghị định 47/2020/NĐ-CP quy định", "nghi_dinh", true, true},
	} {
		if got := has(a.Terms(tt.text), tt.bigram); got != tt.passage {
			t.Errorf("Terms(%q) has %s: %v, want %v", tt.text, tt.bigram, got, tt.passage)
		}
		if got := has(a.QueryTerms(tt.text), tt.bigram); got != tt.query {
			t.Errorf("QueryTerms(%q) has %s: %v, want %v", tt.text, tt.bigram, got, tt.query)
		}
	}
}

func TestDictionary(t *testing.T) {
	d, err := vietnamese.ReadDictionary(strings.NewReader("# extra\nVNeID = ứng dụng định danh quốc gia\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Expand("vneid"); len(got) != 1 || got[0] != "ứng dụng định danh quốc gia" {
		t.Errorf("Expand(vneid) = %q", got)
	}
	if got := d.Expand("KH-CN"); len(got) == 0 {
		t.Error("KH-CN not found")
	}
	a := vietnamese.NewAnalyzer(d)
	if !termSet(a, "cài ứng dụng định danh quốc gia")["vneid"] {
		t.Error("operator abbreviation not applied to text")
	}
	for _, bad := range []string{"no equals sign\n", "X = \n"} {
		if _, err := vietnamese.ReadDictionary(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadDictionary(%q) accepted bad input", bad)
		}
	}
}

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"simple", "Câu một. Câu hai! Câu ba?", []string{"Câu một.", "Câu hai!", "Câu ba?"}},
		{"figures and numbers", "Thu 10.000 đồng. Theo 47/2020/NĐ-CP. Hết", []string{"Thu 10.000 đồng.", "Theo 47/2020/NĐ-CP.", "Hết"}},
		{"abbreviation", "Tại TP. Hồ Chí Minh có 5 quận. Xong.", []string{"Tại TP. Hồ Chí Minh có 5 quận.", "Xong."}},
		{"lowercase after dot", "đạt 80% v.v. và hơn thế.", []string{"đạt 80% v.v. và hơn thế."}},
		{"newlines", "Dòng một\nDòng hai", []string{"Dòng một", "Dòng hai"}},
		{"article end", "trên Cổng (x.gov.vn)./.", []string{"trên Cổng (x.gov.vn)./."}},
		{"ellipsis", "dữ liệu số… Kế hoạch mới", []string{"dữ liệu số…", "Kế hoạch mới"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := vietnamese.Sentences(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Sentences(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestClauses(t *testing.T) {
	got := vietnamese.Clauses("tỷ lệ A đạt 80%; tỷ lệ B đạt 40%; C", 10)
	want := []string{"tỷ lệ A đạt 80%", "tỷ lệ B đạt 40%; C"}
	if !slices.Equal(got, want) {
		t.Errorf("Clauses = %q, want %q", got, want)
	}
}

func BenchmarkTerms(b *testing.B) {
	a := vietnamese.NewAnalyzer(nil)
	text := strings.Repeat("Kế hoạch chuyển đổi số (CĐS) tỉnh năm 2024 đặt tỷ lệ hồ sơ giải quyết trực tuyến đạt tối thiểu 80% ở cấp sở, theo Nghị định 47/2020/NĐ-CP. ", 10)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		a.Terms(text)
	}
}
