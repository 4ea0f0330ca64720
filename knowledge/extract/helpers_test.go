package extract_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/trolyao/trolyao/knowledge/extract"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// readFixture returns the content of a file in testdata/.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// render writes a document's metadata and text for golden comparison.
func render(d *extract.Document) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Title: %s\nKind: %s\nIssuer: %s\nLocality: %s\nNumber: %s\nDates: %s\nURL: %s\n---\n",
		d.Title, d.Kind, d.Issuer, d.Locality, d.Number, strings.Join(d.Dates, ", "), d.URL)
	for _, bl := range d.Blocks {
		fmt.Fprintf(&b, "[%s L%d %q] %s\n", bl.Kind, bl.Level, bl.Marker, bl.Text)
	}
	b.WriteString("---\n")
	b.WriteString(d.Text())
	return b.String()
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run go test -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// utf16Bytes encodes s as UTF-16 with a byte-order mark.
func utf16Bytes(s string, order binary.ByteOrder) []byte {
	var buf bytes.Buffer
	u := append([]uint16{0xFEFF}, utf16.Encode([]rune(s))...)
	for _, c := range u {
		var b [2]byte
		order.PutUint16(b[:], c)
		buf.Write(b[:])
	}
	return buf.Bytes()
}

// windows1258 encodes Vietnamese text the way Windows-1258 stores it: base letters with
// their vowel marks precomposed (ô, ơ, ư, ă, â, ê, đ) and tone marks as combining characters.
func windows1258(t testing.TB, s string) []byte {
	t.Helper()
	var out strings.Builder
	for _, r := range s {
		d := []rune(norm.NFD.String(string(r)))
		var base, tones []rune
		for _, c := range d {
			switch c {
			case 0x0300, 0x0301, 0x0303, 0x0309, 0x0323:
				tones = append(tones, c)
			default:
				base = append(base, c)
			}
		}
		out.WriteString(norm.NFC.String(string(base)))
		out.WriteString(string(tones))
	}
	b, err := charmap.Windows1258.NewEncoder().Bytes([]byte(out.String()))
	if err != nil {
		t.Fatalf("encode Windows-1258: %v", err)
	}
	return b
}

// docxFixture builds a small Word document: a title, a heading, plain paragraphs with
// typed numbering, a numbered list with a nested level, a bulleted list and a table.
func docxFixture(t testing.TB) []byte {
	t.Helper()
	para := func(style, num string, ilvl int, text string) string {
		var ppr string
		if style != "" {
			ppr += `<w:pStyle w:val="` + style + `"/>`
		}
		if num != "" {
			ppr += fmt.Sprintf(`<w:numPr><w:ilvl w:val="%d"/><w:numId w:val="%s"/></w:numPr>`, ilvl, num)
		}
		if ppr != "" {
			ppr = "<w:pPr>" + ppr + "</w:pPr>"
		}
		return "<w:p>" + ppr + `<w:r><w:t xml:space="preserve">` + text + "</w:t></w:r></w:p>"
	}
	cell := func(text string) string { return "<w:tc>" + para("", "", 0, text) + "</w:tc>" }
	body := para("Title", "", 0, "Kế hoạch chuyển đổi số năm 2026 của tỉnh Quảng Ninh") +
		para("", "", 0, "Ủy ban nhân dân tỉnh Quảng Ninh ban hành Kế hoạch số 88/KH-UBND ngày 05/01/2026.") +
		para("Heading1", "", 0, "I. Mục tiêu") +
		para("", "", 0, "Đến hết năm 2026, 95% hồ sơ công việc cấp tỉnh được xử lý trên môi trường mạng.") +
		para("Heading1", "", 0, "II. Nhiệm vụ") +
		para("", "1", 0, "Phát triển hạ tầng số") +
		para("", "1", 1, "Nâng cấp mạng truyền số liệu chuyên dùng.") +
		para("", "1", 1, "Phủ sóng di động 5G tại các khu công nghiệp.") +
		para("", "1", 0, "Phát triển dữ liệu số") +
		para("", "2", 0, "Ưu tiên dữ liệu đất đai.") +
		`<w:p><w:r><w:t>Các chỉ tiêu </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>chính</w:t></w:r><w:r><w:t>:</w:t></w:r></w:p>` +
		"<w:tbl>" +
		"<w:tr>" + cell("Chỉ tiêu") + cell("Năm 2026") + "</w:tr>" +
		"<w:tr>" + cell("Dịch vụ công trực tuyến toàn trình") + cell("80%") + "</w:tr>" +
		"<w:tr>" + cell("Hồ sơ được số hóa") + cell("100%") + "</w:tr>" +
		"</w:tbl>"
	document := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		body + `</w:body></w:document>`
	styles := `<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
		`<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>` +
		`</w:styles>`
	numbering := `<?xml version="1.0" encoding="UTF-8"?><w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
		`<w:abstractNum w:abstractNumId="10"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>` +
		`<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2)"/></w:lvl></w:abstractNum>` +
		`<w:abstractNum w:abstractNumId="20"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl></w:abstractNum>` +
		`<w:num w:numId="1"><w:abstractNumId w:val="10"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="20"/></w:num>` +
		`</w:numbering>`
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"word/document.xml":   document,
		"word/styles.xml":     styles,
		"word/numbering.xml":  numbering,
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pdfLine is one line drawn on the fixture page.
type pdfLine struct {
	size float64
	y    float64
	text string
}

// pdfFixture builds a one-page PDF whose text layer holds the lines, using a Type0 font with a
// ToUnicode map so that Vietnamese letters survive extraction. With no lines the page only
// draws a rectangle, like a scanned page.
func pdfFixture(lines []pdfLine) []byte {
	cids := map[rune]int{}
	var order []rune
	var content strings.Builder
	for _, l := range lines {
		var hex strings.Builder
		for _, r := range l.text {
			id, ok := cids[r]
			if !ok {
				id = len(cids) + 1
				cids[r] = id
				order = append(order, r)
			}
			fmt.Fprintf(&hex, "%04X", id)
		}
		fmt.Fprintf(&content, "BT /F1 %g Tf 1 0 0 1 72 %g Tm <%s> Tj ET\n", l.size, l.y, hex.String())
	}
	if len(lines) == 0 {
		content.WriteString("0.5 g 72 72 400 600 re f\n")
	}
	var cmap strings.Builder
	cmap.WriteString("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n" +
		"/CMapName /Vidu-UCS def /CMapType 2 def\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n")
	for i := 0; i < len(order); i += 100 {
		chunk := order[i:min(i+100, len(order))]
		fmt.Fprintf(&cmap, "%d beginbfchar\n", len(chunk))
		for _, r := range chunk {
			fmt.Fprintf(&cmap, "<%04X> <%04X>\n", cids[r], r)
		}
		cmap.WriteString("endbfchar\n")
	}
	cmap.WriteString("endcmap CMapName currentdict /CMap defineresource pop end end\n")

	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type0 /BaseFont /ViduSans /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
		stream(content.String()),
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ViduSans /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 500 >>",
		stream(cmap.String()),
	}
	var buf bytes.Buffer
	buf.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = buf.Len()
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&buf, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return buf.Bytes()
}

func stream(s string) string {
	return fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(s), s)
}
