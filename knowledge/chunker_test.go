package knowledge_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/extract"
	"github.com/trolyao/trolyao/knowledge/layout"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

func TestChunkerFollowsStructure(t *testing.T) {
	doc := &extract.Document{
		Title: "Kế hoạch chuyển đổi số tỉnh Đồng Nai năm 2024",
		Blocks: []layout.Block{
			{Kind: layout.Paragraph, Text: "Kế hoạch đặt ra các mục tiêu cụ thể."},
			{Kind: layout.Heading, Level: 1, Marker: "I.", Text: "Mục tiêu"},
			{Kind: layout.Heading, Level: 2, Marker: "1.", Text: "Chính quyền số"},
			{Kind: layout.Paragraph, Text: "Các chỉ tiêu về hồ sơ trực tuyến gồm:"},
			{Kind: layout.ListItem, Marker: "a)", Text: "80% ở cấp sở."},
			{Kind: layout.ListItem, Marker: "b)", Text: "40% tại cấp huyện."},
			{Kind: layout.Heading, Level: 2, Marker: "2.", Text: "Kinh tế số"},
			{Kind: layout.Paragraph, Text: "Kinh tế số chiếm 20% GRDP."},
			{Kind: layout.Heading, Level: 1, Marker: "II.", Text: "Tổ chức thực hiện"},
			{Kind: layout.Paragraph, Text: "Sở Thông tin và Truyền thông là đầu mối."},
		},
	}
	c := knowledge.NewChunker(vietnamese.NewAnalyzer(nil))
	chunks := c.Chunks(doc)
	want := []struct{ section, text string }{
		{"", "Kế hoạch đặt ra các mục tiêu cụ thể."},
		{"I. Mục tiêu › 1. Chính quyền số", "Các chỉ tiêu về hồ sơ trực tuyến gồm:\na) 80% ở cấp sở.\nb) 40% tại cấp huyện."},
		{"I. Mục tiêu › 2. Kinh tế số", "Kinh tế số chiếm 20% GRDP."},
		{"II. Tổ chức thực hiện", "Sở Thông tin và Truyền thông là đầu mối."},
	}
	if len(chunks) != len(want) {
		for _, ch := range chunks {
			t.Logf("%q: %q", ch.Section, ch.Text)
		}
		t.Fatalf("%d chunks, want %d", len(chunks), len(want))
	}
	for i, w := range want {
		if chunks[i].Section != w.section || chunks[i].Text != w.text {
			t.Errorf("chunk %d = %q / %q, want %q / %q", i, chunks[i].Section, chunks[i].Text, w.section, w.text)
		}
	}
	// The passage about "cấp huyện" is found by the province and the level: the head carries
	// the title and section path.
	head := " " + chunks[1].HeadTerms + " "
	for _, term := range []string{"dong_nai", "chinh_quyen", "muc_tieu"} {
		if !strings.Contains(head, " "+term+" ") {
			t.Errorf("head terms lack %q: %s", term, chunks[1].HeadTerms)
		}
	}
	if !strings.Contains(" "+chunks[1].BodyTerms+" ", " cap_huyen ") || !strings.Contains(" "+chunks[1].BodyTerms+" ", " 40% ") {
		t.Errorf("body terms lack cap_huyen/40%%: %s", chunks[1].BodyTerms)
	}
}

func TestChunkerNeverCutsASentence(t *testing.T) {
	sentence := "Tỷ lệ hồ sơ giải quyết trực tuyến đạt tối thiểu tám mươi phần trăm ở cấp sở trong năm nay. "
	long := strings.Repeat(sentence, 40) // one paragraph far over the limit
	doc := &extract.Document{Title: "Văn bản dài", Blocks: []layout.Block{{Kind: layout.Paragraph, Text: strings.TrimSpace(long)}}}
	c := knowledge.NewChunker(vietnamese.NewAnalyzer(nil))
	chunks := c.Chunks(doc)
	if len(chunks) < 3 {
		t.Fatalf("%d chunks for a paragraph of %d runes", len(chunks), utf8.RuneCountInString(long))
	}
	var total int
	for _, ch := range chunks {
		n := utf8.RuneCountInString(ch.Text)
		if n > c.MaxRunes+utf8.RuneCountInString(sentence) {
			t.Errorf("chunk of %d runes over the limit %d", n, c.MaxRunes)
		}
		for _, s := range strings.Split(ch.Text, "\n") {
			if !strings.HasSuffix(s, "năm nay.") {
				t.Errorf("a sentence was cut: %q", s)
			}
		}
		total += strings.Count(ch.Text, "năm nay.")
	}
	if total != 40 {
		t.Errorf("%d sentences kept, want 40", total)
	}
}

func TestChunkerEmptyBodyKeepsTitle(t *testing.T) {
	c := knowledge.NewChunker(vietnamese.NewAnalyzer(nil))
	chunks := c.Chunks(&extract.Document{Title: "Chỉ có tiêu đề"})
	if len(chunks) != 1 || chunks[0].Text != "Chỉ có tiêu đề" {
		t.Fatalf("chunks = %+v", chunks)
	}
}
