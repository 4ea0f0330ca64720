package extract_test

import (
	"strings"
	"testing"

	"github.com/trolyao/trolyao/knowledge/extract"
)

func TestFileProcedure(t *testing.T) {
	doc, err := extract.File("procedure.json", readFixture(t, "procedure.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := doc.Procedure
	if p == nil {
		t.Fatal("Procedure is nil")
	}
	if doc.Kind != extract.KindProcedure || doc.Title != p.Name || doc.URL != p.URL || doc.Number != "1234/QĐ-BVD" || doc.Issuer != "Ủy ban nhân dân cấp xã" {
		t.Errorf("metadata = %q %q %q %q %q", doc.Kind, doc.Title, doc.URL, doc.Number, doc.Issuer)
	}
	text := doc.Text()
	for _, s := range []string{"50.000 đồng", "50,000 Việt Nam Đồng", "# Thành phần hồ sơ", "## Trường hợp đăng ký mới", "Bước 1 Người đề nghị"} {
		if !strings.Contains(text, s) {
			t.Errorf("rendered text lacks %q", s)
		}
	}
	golden(t, "procedure.golden", render(doc))
}

func BenchmarkProcedure(b *testing.B) {
	data := readFixture(b, "procedure.json")
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := extract.File("procedure.json", data); err != nil {
			b.Fatal(err)
		}
	}
}
