package extract_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/trolyao/trolyao/knowledge/extract"
	"github.com/trolyao/trolyao/knowledge/layout"
)

func TestFileRejectsBadInput(t *testing.T) {
	docx := docxFixture(t)
	tests := []struct {
		name    string
		file    string
		data    []byte
		want    error
		message string // a fragment the error must contain
	}{
		{"empty file", "a.txt", nil, extract.ErrEmpty, "no content"},
		{"whitespace only", "a.txt", []byte(" \n\t\r\n  "), extract.ErrEmpty, "only whitespace"},
		{"only page noise", "a.txt", []byte("Lượt truy cập: 12.345\nChia sẻ\nBình luận\n"), extract.ErrEmpty, "no text left"},
		{"NUL bytes in text", "a.txt", []byte("Kế hoạch\x00\x00\x01\x02 số"), extract.ErrEncoding, "control characters"},
		{"undecodable bytes", "a.txt", []byte{0x81, 0x8d, 0x8f, 0x90, 0x9d, 0xfe, 0xff, 0x81, 0x8d, 0x8f, 0x90, 0x9d, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48}, extract.ErrEncoding, "Windows-1258"},
		{"truncated docx", "a.docx", docx[:len(docx)/2], extract.ErrMalformed, "not a valid zip"},
		{"docx without document part", "a.docx", zipWith(t, "word/other.xml"), extract.ErrMalformed, "no word/document.xml"},
		{"pdf garbage", "a.pdf", []byte("%PDF-1.4\nthis is not really a pdf\n"), extract.ErrMalformed, "PDF"},
		{"pdf without header", "a.pdf", []byte("hello world, not a pdf"), extract.ErrMalformed, "no %PDF- header"},
		{"pdf without text layer", "scan.pdf", pdfFixture(nil), extract.ErrEmpty, "no text layer"},
		{"json syntax error", "a.json", []byte("{\"ten_thu_tuc\": \"Cấp phép\",\n \"ma_thu_tuc\": }"), extract.ErrMalformed, "line 2"},
		{"json without ten_thu_tuc", "a.json", []byte(`{"ma_thu_tuc": "1.000001", "linh_vuc": "Hộ tịch"}`), extract.ErrUnsupported, "no ten_thu_tuc"},
		{"json array", "a.json", []byte(`[{"ten_thu_tuc": "Cấp phép"}]`), extract.ErrUnsupported, "JSON array"},
		{"json field of wrong type", "a.json", []byte(`{"ten_thu_tuc": "Cấp phép", "cach_thuc_thuc_hien": 7}`), extract.ErrMalformed, "cach_thuc_thuc_hien is a JSON number"},
		{"json empty name", "a.json", []byte(`{"ten_thu_tuc": "  "}`), extract.ErrEmpty, "empty ten_thu_tuc"},
		{"legacy word format", "a.doc", []byte("\xd0\xcf\x11\xe0 binary"), extract.ErrUnsupported, ".doc files are not read"},
		{"zip that is not docx", "archive", zipWith(t, "data.csv"), extract.ErrUnsupported, "not a Word document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := extract.File(tt.file, tt.data)
			if err == nil {
				t.Fatalf("File(%q) = %+v, want error %v", tt.file, doc, tt.want)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("File(%q) error = %v, want errors.Is %v", tt.file, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("File(%q) error = %q, want it to mention %q", tt.file, err, tt.message)
			}
			if !strings.Contains(err.Error(), tt.file) {
				t.Errorf("File(%q) error = %q, want it to name the file", tt.file, err)
			}
		})
	}
}

// zipWith returns a zip archive holding empty files with the given names.
func zipWith(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		if _, err := zw.Create(n); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFileDecodesEncodings(t *testing.T) {
	const text = "Hướng dẫn đăng ký khai sinh trực tuyến\n\nNgười dân đăng nhập Cổng Dịch vụ công, chọn thủ tục và điền tờ khai điện tử. Kết quả được trả qua bưu chính.\n"
	nfd := norm.NFD.String(text)
	if nfd == text {
		t.Fatal("fixture has no composed letters")
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"UTF-8 NFC", []byte(text)},
		{"UTF-8 NFD", []byte(nfd)},
		{"UTF-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, text...)},
		{"UTF-16 LE with BOM", utf16Bytes(text, binary.LittleEndian)},
		{"UTF-16 BE with BOM", utf16Bytes(text, binary.BigEndian)},
		{"Windows-1258", windows1258(t, text)},
		{"CRLF line endings", []byte(strings.ReplaceAll(text, "\n", "\r\n"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := extract.File("khai-sinh.txt", tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if want := "Hướng dẫn đăng ký khai sinh trực tuyến"; doc.Title != want {
				t.Errorf("Title = %q, want %q", doc.Title, want)
			}
			if len(doc.Blocks) != 1 || !strings.HasPrefix(doc.Blocks[0].Text, "Người dân đăng nhập Cổng Dịch vụ công") {
				t.Fatalf("Blocks = %+v, want one paragraph", doc.Blocks)
			}
			for _, s := range append([]string{doc.Title}, doc.Blocks[0].Text) {
				if !norm.NFC.IsNormalString(s) {
					t.Errorf("%q is not NFC", s)
				}
			}
		})
	}
}

func TestFileNoisyPage(t *testing.T) {
	doc, err := extract.File("noisy_page.txt", readFixture(t, "noisy_page.txt"))
	if err != nil {
		t.Fatal(err)
	}
	text := doc.Text()
	for _, noise := range []string{"Lượt truy cập", "Khách Online", "Chia sẻ", "facebook", "Bình luận", "Đánh giá",
		"Tin liên quan", "ke-hoach-du-lieu.jpg", "Ảnh: LĐO", "Lam Dong ban hanh", "www.", "Minh Anh", "(LĐO)", "Trang chủ"} {
		if strings.Contains(text, noise) {
			t.Errorf("text still contains noise %q", noise)
		}
	}
	if n := strings.Count(text, "Kế hoạch đặt mục tiêu"); n != 1 {
		t.Errorf("duplicated paragraph appears %d times, want 1", n)
	}
	if !strings.Contains(text, "cho các lần thực hiện sau.") {
		t.Error("line broken mid-sentence was not joined")
	}
	if !strings.Contains(text, "theo hướng dẫn của Bộ Công an") {
		t.Error("line ending with a connective was not joined")
	}
	golden(t, "noisy_page.golden", render(doc))
}

// TestFileNoisyPageHeader reads a page laid out another way: site header (breadcrumbs,
// sign-in links, hotline, the site's own date) above the headline, an "updated at" line under
// it, a keyword line and a footer after the article.
func TestFileNoisyPageHeader(t *testing.T) {
	doc, err := extract.File("noisy_page_header.txt", readFixture(t, "noisy_page_header.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Quảng Trị ban hành Kế hoạch chuyển đổi số năm 2025"; doc.Title != want {
		t.Errorf("title %q, want %q", doc.Title, want)
	}
	text := doc.Text()
	for _, noise := range []string{"Trang chủ", "Đăng nhập", "Hotline", "Thứ Hai", "Cập nhật lúc", "GMT+7", "Minh Châu",
		"Từ khóa", "Bình luận", "Tin liên quan", "Quang Tri ban hanh", "Bản quyền", "Giấy phép số"} {
		if strings.Contains(text, noise) {
			t.Errorf("text still contains noise %q", noise)
		}
	}
	for _, fact := range []string{"215/KH-UBND", "65% hồ sơ công việc tại cấp xã", "12% GRDP", "trước ngày 15/12 hằng năm"} {
		if !strings.Contains(text, fact) {
			t.Errorf("article text lost %q", fact)
		}
	}
	golden(t, "noisy_page_header.golden", render(doc))
}

func TestFileHTML(t *testing.T) {
	doc, err := extract.File("page.html", readFixture(t, "page.html"))
	if err != nil {
		t.Fatal(err)
	}
	text := doc.Text()
	for _, noise := range []string{"Trang chủ", "Facebook", "In bài", "Bình luận", "Tin liên quan", "Cấp căn cước", "Bản quyền", "counter", "Ảnh minh họa", "Phương Linh"} {
		if strings.Contains(text, noise) {
			t.Errorf("text still contains page furniture %q", noise)
		}
	}
	golden(t, "page_html.golden", render(doc))
}

func TestFileMarkdown(t *testing.T) {
	doc, err := extract.File("guide.md", readFixture(t, "guide.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := []layout.Block{
		{Kind: layout.Paragraph, Text: "Tài liệu này hướng dẫn cách dùng Cổng Dịch vụ công và ứng dụng định danh."},
		{Kind: layout.Heading, Level: 2, Text: "Chuẩn bị"},
		{Kind: layout.ListItem, Marker: "-", Text: "Điện thoại có kết nối Internet"},
		{Kind: layout.ListItem, Marker: "-", Text: "Tài khoản định danh điện tử"},
		{Kind: layout.ListItem, Level: 1, Marker: "-", Text: "Mức độ 2 để làm thủ tục trực tuyến"},
		{Kind: layout.ListItem, Marker: "1.", Text: "Mở ứng dụng và đăng nhập."},
		{Kind: layout.ListItem, Marker: "2.", Text: "Chọn mục dịch vụ công."},
		{Kind: layout.Heading, Level: 2, Text: "Bảng phí tham khảo"},
		{Kind: layout.TableRow, Text: "Thủ tục: Cấp bản sao trích lục; Phí: 8.000 đồng"},
		{Kind: layout.TableRow, Text: "Thủ tục: Xác nhận tình trạng hôn nhân; Phí: Miễn phí"},
		{Kind: layout.Paragraph, Text: "Liên hệ tổng đài 1022 khi cần hỗ trợ."},
	}
	if doc.Title != "Sổ tay dịch vụ công cho người cao tuổi" {
		t.Errorf("Title = %q", doc.Title)
	}
	if !reflect.DeepEqual(doc.Blocks, want) {
		t.Errorf("Blocks =\n%s\nwant\n%+v", blocksString(doc.Blocks), want)
	}
}

func blocksString(bs []layout.Block) string {
	var b strings.Builder
	for _, bl := range bs {
		b.WriteString(bl.Kind.String() + " " + bl.Marker + " " + bl.Text + "\n")
	}
	return b.String()
}

func TestFileDOCX(t *testing.T) {
	doc, err := extract.File("ke-hoach.docx", docxFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []layout.Block{
		{Kind: layout.Paragraph, Text: "Ủy ban nhân dân tỉnh Quảng Ninh ban hành Kế hoạch số 88/KH-UBND ngày 05/01/2026."},
		{Kind: layout.Heading, Level: 1, Marker: "I.", Text: "Mục tiêu"},
		{Kind: layout.Paragraph, Text: "Đến hết năm 2026, 95% hồ sơ công việc cấp tỉnh được xử lý trên môi trường mạng."},
		{Kind: layout.Heading, Level: 1, Marker: "II.", Text: "Nhiệm vụ"},
		{Kind: layout.ListItem, Marker: "1.", Text: "Phát triển hạ tầng số"},
		{Kind: layout.ListItem, Level: 1, Marker: "a)", Text: "Nâng cấp mạng truyền số liệu chuyên dùng."},
		{Kind: layout.ListItem, Level: 1, Marker: "b)", Text: "Phủ sóng di động 5G tại các khu công nghiệp."},
		{Kind: layout.ListItem, Marker: "2.", Text: "Phát triển dữ liệu số"},
		{Kind: layout.ListItem, Marker: "-", Text: "Ưu tiên dữ liệu đất đai."},
		{Kind: layout.Paragraph, Text: "Các chỉ tiêu chính:"},
		{Kind: layout.TableRow, Text: "Chỉ tiêu: Dịch vụ công trực tuyến toàn trình; Năm 2026: 80%"},
		{Kind: layout.TableRow, Text: "Chỉ tiêu: Hồ sơ được số hóa; Năm 2026: 100%"},
	}
	if doc.Title != "Kế hoạch chuyển đổi số năm 2026 của tỉnh Quảng Ninh" {
		t.Errorf("Title = %q", doc.Title)
	}
	if !reflect.DeepEqual(doc.Blocks, want) {
		t.Errorf("Blocks =\n%s", blocksString(doc.Blocks))
	}
	if doc.Kind != extract.KindPlan || doc.Number != "88/KH-UBND" || doc.Locality != "Quảng Ninh" || doc.Issuer != "UBND tỉnh Quảng Ninh" {
		t.Errorf("metadata = %q %q %q %q", doc.Kind, doc.Number, doc.Locality, doc.Issuer)
	}
	if len(doc.Dates) == 0 || doc.Dates[0] != "2026-01-05" {
		t.Errorf("Dates = %v, want 2026-01-05 first", doc.Dates)
	}
}

func TestFilePDF(t *testing.T) {
	data := pdfFixture([]pdfLine{
		{16, 780, "Thông báo lịch tiếp công dân quý II"},
		{11, 750, "Ủy ban nhân dân phường Bến Thành tổ chức tiếp công dân định kỳ vào sáng thứ"},
		{11, 736, "Năm hằng tuần tại trụ sở, bảo đảm liên thông dữ liệu (interoper-"},
		{11, 722, "ability) với hệ thống quản lý đơn thư."},
		{11, 690, "1. Công dân mang theo giấy tờ tùy thân."},
		{11, 676, "2. Đơn thư gửi qua bưu chính được tiếp nhận trong giờ hành chính."},
	})
	doc, err := extract.File("lich-tiep-dan.pdf", data)
	if err != nil {
		t.Fatal(err)
	}
	want := []layout.Block{
		{Kind: layout.Paragraph, Text: "Ủy ban nhân dân phường Bến Thành tổ chức tiếp công dân định kỳ vào sáng thứ Năm hằng tuần tại trụ sở, bảo đảm liên thông dữ liệu (interoperability) với hệ thống quản lý đơn thư."},
		{Kind: layout.ListItem, Marker: "1.", Text: "Công dân mang theo giấy tờ tùy thân."},
		{Kind: layout.ListItem, Marker: "2.", Text: "Đơn thư gửi qua bưu chính được tiếp nhận trong giờ hành chính."},
	}
	if doc.Title != "Thông báo lịch tiếp công dân quý II" {
		t.Errorf("Title = %q", doc.Title)
	}
	if !reflect.DeepEqual(doc.Blocks, want) {
		t.Errorf("Blocks =\n%s", blocksString(doc.Blocks))
	}
}

func TestFileDetectsFormatWithoutExtension(t *testing.T) {
	tests := []struct {
		name  string
		data  []byte
		title string
	}{
		{"pdf", pdfFixture([]pdfLine{{14, 780, "Thông báo nghỉ lễ Quốc khánh"}, {11, 750, "Bộ phận Một cửa nghỉ ngày 02/9/2025 và làm việc lại từ ngày 03/9/2025."}}), "Thông báo nghỉ lễ Quốc khánh"},
		{"docx", docxFixture(t), "Kế hoạch chuyển đổi số năm 2026 của tỉnh Quảng Ninh"},
		{"json", readFixture(t, "procedure.json"), "Đăng ký thành lập hộ kinh doanh (thủ tục minh họa)"},
		{"html", []byte("<!DOCTYPE html><html><body><h1>Lịch làm việc của Bộ phận Một cửa</h1><p>Bộ phận Một cửa làm việc từ thứ Hai đến sáng thứ Bảy hằng tuần, trừ ngày lễ.</p></body></html>"), "Lịch làm việc của Bộ phận Một cửa"},
		{"text", []byte("Lịch làm việc của Bộ phận Một cửa\n\nBộ phận Một cửa làm việc từ thứ Hai đến sáng thứ Bảy hằng tuần, trừ ngày lễ.\n"), "Lịch làm việc của Bộ phận Một cửa"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := extract.File("upload", tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != tt.title {
				t.Errorf("Title = %q, want %q", doc.Title, tt.title)
			}
		})
	}
}

func TestFileMetadata(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		kind     string
		number   string
		dates    []string
		locality string
		issuer   string
	}{
		{
			name: "provincial plan",
			text: "Bình Định đẩy mạnh chuyển đổi số\n\nNgày 20/02/2024, UBND tỉnh Bình Định đã ban hành Kế hoạch số 31/KH-UBND về chuyển đổi số năm 2024, đặt mục tiêu 80% hồ sơ được giải quyết trực tuyến.\n",
			kind: extract.KindPlan, number: "31/KH-UBND", dates: []string{"2024-02-20"}, locality: "Bình Định", issuer: "UBND tỉnh Bình Định",
		},
		{
			name: "ministry decision is national",
			text: "Bộ Tài chính công bố thủ tục mới\n\nBộ trưởng Bộ Tài chính ký Quyết định số 1505/QĐ-BTC ngày 15 tháng 7 năm 2025 công bố thủ tục hành chính được chuẩn hóa. Hội nghị triển khai được tổ chức tại Hà Nội.\n",
			kind: extract.KindOther, number: "1505/QĐ-BTC", dates: []string{"2025-07-15"}, locality: "", issuer: "Bộ Tài chính",
		},
		{
			name: "decree number with year",
			text: "Quy định mới về định danh điện tử\n\nNghị định 69/2024/NĐ-CP quy định về định danh và xác thực điện tử, có hiệu lực từ ngày 01/7/2024.\n",
			kind: extract.KindOther, number: "69/2024/NĐ-CP", dates: []string{"2024-07-01"},
		},
		{
			name: "city written without diacritics",
			text: "Tp Ho Chi Minh trien khai ke hoach chuyen doi so\n\nUBND TP Ho Chi Minh ban hanh Ke hoach so 12/KH-UBND ngay 3/1/2025 ve chuyen doi so tai thanh pho Ho Chi Minh.\n",
			kind: extract.KindPlan, number: "12/KH-UBND", dates: []string{"2025-01-03"}, locality: "Hồ Chí Minh", issuer: "UBND thành phố Hồ Chí Minh",
		},
		{
			name: "department issuer",
			text: "Sở Y tế Nghệ An hướng dẫn đặt lịch khám\n\nSở Y tế Nghệ An vừa ban hành hướng dẫn đặt lịch khám bệnh trực tuyến tại các bệnh viện tuyến tỉnh của Nghệ An.\n",
			kind: extract.KindOther, locality: "Nghệ An", issuer: "Sở Y tế tỉnh Nghệ An",
		},
		{
			name: "questions and answers",
			text: "Hỏi đáp về căn cước\n\nHỏi: Trẻ em dưới 6 tuổi có cần làm căn cước không?\nĐáp: Không bắt buộc, cha mẹ có thể đề nghị cấp khi có nhu cầu.\nHỏi: Lệ phí cấp đổi căn cước là bao nhiêu?\nĐáp: Cấp đổi căn cước nộp lệ phí theo quy định của Bộ Tài chính.\n",
			kind: extract.KindFAQ,
		},
		{
			name: "questions each followed by an answer",
			text: "Hỏi đáp về dịch vụ công\n\nNộp hồ sơ trực tuyến ở đâu?\n\nTrên Cổng Dịch vụ công quốc gia, mục Nộp hồ sơ.\n\nCó mất phí đăng nhập không?\n\nKhông mất phí khi đăng nhập.\n",
			kind: extract.KindFAQ,
		},
		{
			name: "peace is not a province",
			text: "Ngày hội văn hóa\n\nNgày hội góp phần giữ gìn hòa bình và tình đoàn kết giữa các dân tộc trong cộng đồng dân cư.\n",
			kind: extract.KindOther,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := extract.File("tin.txt", []byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Kind != tt.kind {
				t.Errorf("Kind = %q, want %q", doc.Kind, tt.kind)
			}
			if doc.Number != tt.number {
				t.Errorf("Number = %q, want %q", doc.Number, tt.number)
			}
			if !reflect.DeepEqual(doc.Dates, tt.dates) && !(len(doc.Dates) == 0 && len(tt.dates) == 0) {
				t.Errorf("Dates = %v, want %v", doc.Dates, tt.dates)
			}
			if doc.Locality != tt.locality {
				t.Errorf("Locality = %q, want %q", doc.Locality, tt.locality)
			}
			if doc.Issuer != tt.issuer {
				t.Errorf("Issuer = %q, want %q", doc.Issuer, tt.issuer)
			}
		})
	}
}

func TestFileStructure(t *testing.T) {
	text := "Quy chế tiếp nhận hồ sơ\n\n" +
		"Điều 1. Phạm vi điều chỉnh\n\n" +
		"Quy chế này quy định việc tiếp nhận hồ sơ tại Bộ phận Một cửa.\n\n" +
		"Điều 2. Trình tự\n\n" +
		"Bước 1: Công dân lấy số thứ tự.\n" +
		"Bước 2: Cán bộ kiểm tra hồ sơ.\n" +
		"+ Hồ sơ đủ thì viết giấy biên nhận;\n" +
		"+ Hồ sơ thiếu thì hướng dẫn bổ sung.\n" +
		"• Thời gian chờ không quá 30 phút.\n"
	doc, err := extract.File("quy-che.txt", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []layout.Block{
		{Kind: layout.Heading, Level: 1, Marker: "Điều 1", Text: "Phạm vi điều chỉnh"},
		{Kind: layout.Paragraph, Text: "Quy chế này quy định việc tiếp nhận hồ sơ tại Bộ phận Một cửa."},
		{Kind: layout.Heading, Level: 1, Marker: "Điều 2", Text: "Trình tự"},
		{Kind: layout.ListItem, Marker: "Bước 1", Text: "Công dân lấy số thứ tự."},
		{Kind: layout.ListItem, Marker: "Bước 2", Text: "Cán bộ kiểm tra hồ sơ."},
		{Kind: layout.ListItem, Level: 1, Marker: "+", Text: "Hồ sơ đủ thì viết giấy biên nhận;"},
		{Kind: layout.ListItem, Level: 1, Marker: "+", Text: "Hồ sơ thiếu thì hướng dẫn bổ sung."},
		{Kind: layout.ListItem, Level: 2, Marker: "•", Text: "Thời gian chờ không quá 30 phút."},
	}
	if !reflect.DeepEqual(doc.Blocks, want) {
		t.Errorf("Blocks =\n%s", blocksString(doc.Blocks))
	}
}
