package procedure_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/trolyao/trolyao/knowledge/procedure"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixture returns the fields of the record exported in extract's testdata: the file format
// lives there, the record it holds here.
func fixture(t testing.TB) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "extract", "testdata", "procedure.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]string
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	return fields
}

// record returns the fields of a minimal record with the given fields added.
func record(fields map[string]string) map[string]string {
	rec := map[string]string{"ten_thu_tuc": "Thủ tục thử nghiệm", "ma_thu_tuc": "9.000000"}
	for k, v := range fields {
		rec[k] = v
	}
	return rec
}

// readGolden returns the content of testdata/name.
func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	return b
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(filepath.Join("testdata", name), []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := readGolden(t, name); got != string(want) {
		t.Errorf("output differs from testdata/%s (run go test -update after checking):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestParse(t *testing.T) {
	p := procedure.Parse(fixture(t))
	wantChannels := []procedure.Channel{
		{Name: "Trực tuyến", Time: "3 Ngày làm việc", Fee: "50,000 Việt Nam Đồng", FeeAmounts: []int64{50000},
			Note: "Lệ phí : 50.000 Đồng (Áp dụng khi nộp hồ sơ qua mạng). Nộp hồ sơ qua Cổng Dịch vụ công quốc gia."},
		{Name: "Trực tiếp", Time: "3 Ngày làm việc", Fee: "100,000 Việt Nam Đồng", FeeAmounts: []int64{100000},
			Note: "Lệ phí : 100.000 Đồng"},
		{Name: "Dịch vụ bưu chính", Time: "5 Ngày làm việc", Fee: "Miễn phí", Free: true,
			Note: "Không thu phí gửi hồ sơ. Trường hợp gửi qua bưu chính, thời hạn tính từ ngày nhận đủ hồ sơ."},
	}
	if !reflect.DeepEqual(p.Channels, wantChannels) {
		t.Errorf("Channels =\n%+v\nwant\n%+v", p.Channels, wantChannels)
	}
	wantGroups := []procedure.PaperGroup{
		{Case: "Trường hợp đăng ký mới", Papers: []procedure.Paper{
			{Name: "Giấy đề nghị đăng ký hộ kinh doanh", Form: "Mẫu số 01-HKD.docx", Copies: "1 bản chính"},
			{Name: "Bản sao giấy tờ pháp lý của chủ hộ kinh doanh cấp ngày 12/5/2020", Copies: "1 bản sao"},
		}},
		{Case: "Trường hợp thay đổi nội dung đăng ký", Papers: []procedure.Paper{
			{Name: "Thông báo thay đổi nội dung đăng ký theo mẫu", Form: "Mau 02 thong bao.docx", Copies: "1 bản chính"},
			{Name: "Giấy chứng nhận đã được cấp (nộp 01 bản chính hoặc bản sao)", Copies: "1 bản chính"},
		}},
	}
	if !reflect.DeepEqual(p.PaperGroups, wantGroups) {
		t.Errorf("PaperGroups =\n%+v\nwant\n%+v", p.PaperGroups, wantGroups)
	}
	if want := []string{"Không yêu cầu nộp giấy tờ đã có trong Cơ sở dữ liệu quốc gia về dân cư."}; !reflect.DeepEqual(p.Notes, want) {
		t.Errorf("Notes = %q, want %q", p.Notes, want)
	}
	wantLegal := []procedure.LegalDoc{
		{Title: "Luật Doanh nghiệp số 59/2020/QH14 ngày 17/6/2020", Number: "59/2020/QH14"},
		{Title: "Nghị định 168/2025/NĐ-CP", Number: "168/2025/NĐ-CP"},
		{Title: "Thông tư hướng dẫn về phí và lệ phí thuộc thẩm quyền của Hội đồng nhân dân cấp tỉnh", Number: "85/2019/TT-BTC"},
		{Title: "Quy định chi tiết về đăng ký hộ kinh doanh", Number: "02/2026/TT-BKHĐT"},
	}
	if !reflect.DeepEqual(p.LegalBasis, wantLegal) {
		t.Errorf("LegalBasis =\n%+v\nwant\n%+v", p.LegalBasis, wantLegal)
	}
	if want := []string{"Giấy chứng nhận đăng ký hộ kinh doanh", "Thông báo về việc thay đổi nội dung đăng ký"}; !reflect.DeepEqual(p.Results, want) {
		t.Errorf("Results = %q, want %q", p.Results, want)
	}
	if len(p.Steps) != 3 || !strings.HasPrefix(p.Steps[1], "Bước 2: Cán bộ tiếp nhận") || !strings.Contains(p.Steps[1], "hướng dẫn bổ sung.") {
		t.Errorf("Steps = %q", p.Steps)
	}
	if p.CoordinatingAgency != "" || p.Related != "" {
		t.Errorf("blank fields kept: %q %q", p.CoordinatingAgency, p.Related)
	}
}

func TestParseChannels(t *testing.T) {
	const head = "Hình thức nộpThời gianPhí, lệ phíMô tả"
	tests := []struct {
		name string
		cell string
		want []procedure.Channel
	}{
		{
			name: "free, time without unit",
			cell: head + "Trực tuyến7Miễn phíTrực tiếp7Miễn phí(Miễn lệ phí cho hộ nghèo.)",
			want: []procedure.Channel{
				{Name: "Trực tuyến", Time: "7", Fee: "Miễn phí", Free: true},
				{Name: "Trực tiếp", Time: "7", Fee: "Miễn phí", Free: true, Note: "Miễn lệ phí cho hộ nghèo."},
			},
		},
		{
			name: "time digits glued to the fee, resolved by the remark",
			cell: head + "Trực tuyến1100 VNĐ(Phí công bố thông tin: 100.000 đồng/lần)",
			want: []procedure.Channel{{Name: "Trực tuyến", Time: "1", Fee: "100 VNĐ", FeeAmounts: []int64{100000}, Note: "Phí công bố thông tin: 100.000 đồng/lần"}},
		},
		{
			name: "time digits glued to a grouped amount",
			cell: head + "Trực tiếp120,000 VNĐ",
			want: []procedure.Channel{{Name: "Trực tiếp", Time: "1", Fee: "20,000 VNĐ", FeeAmounts: []int64{20000}}},
		},
		{
			name: "no information and a description naming another channel",
			cell: head + "Dịch vụ bưu chínhKhông có thông tinKhông có thông tin- Trực tiếp: nộp tại Bộ phận Một cửa.",
			want: []procedure.Channel{{Name: "Dịch vụ bưu chính", Note: "- Trực tiếp: nộp tại Bộ phận Một cửa."}},
		},
		{
			name: "several fees in the remark",
			cell: head + "Trực tiếp10 Ngày làm việc2,500,000 Việt Nam Đồng(Phí : 2.500.000 Đồng (Cấp mới) Lệ phí : 300.000 Đồng (Cấp lại))",
			want: []procedure.Channel{{Name: "Trực tiếp", Time: "10 Ngày làm việc", Fee: "2,500,000 Việt Nam Đồng", FeeAmounts: []int64{2500000, 300000},
				Note: "Phí : 2.500.000 Đồng (Cấp mới) Lệ phí : 300.000 Đồng (Cấp lại)"}},
		},
		{
			name: "foreign currency and time in months",
			cell: head + "Trực tiếp6 Tháng100 USD(100 USD/thẻ.)",
			want: []procedure.Channel{{Name: "Trực tiếp", Time: "6 Tháng", Fee: "100 USD", Note: "100 USD/thẻ."}},
		},
		{
			name: "time written as words",
			cell: head + "Trực tuyếnKhông phải trả kết quả cho người nộp thuếMiễn phíQua Cổng dịch vụ công quốc gia",
			want: []procedure.Channel{{Name: "Trực tuyến", Time: "Không phải trả kết quả cho người nộp thuế", Fee: "Miễn phí", Free: true, Note: "Qua Cổng dịch vụ công quốc gia"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := procedure.Parse(record(map[string]string{"cach_thuc_thuc_hien": tt.cell})).Channels; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Channels =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParsePapersAndLaw(t *testing.T) {
	const header = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
	tests := []struct {
		name   string
		papers string
		law    string
		groups []procedure.PaperGroup
		legal  []procedure.LegalDoc
	}{
		{
			name:   "single unnamed group, template glued after a period",
			papers: "--" + header + "Tờ khai theo mẫu (Mẫu TK01).TK01 ban hanh.doc1 bản chínhẢnh chân dung 4x6 cm2 bản chính",
			law:    "Tên văn bản pháp lýMã văn bảnLuật Căn cước26/2023/QH15Thông tư quy định về mẫu thẻThông tư số 16/2024/TT-BCA",
			groups: []procedure.PaperGroup{{Papers: []procedure.Paper{
				{Name: "Tờ khai theo mẫu (Mẫu TK01).", Form: "TK01 ban hanh.doc", Copies: "1 bản chính"},
				{Name: "Ảnh chân dung 4x6 cm", Copies: "2 bản chính"},
			}}},
			legal: []procedure.LegalDoc{
				{Title: "Luật Căn cước", Number: "26/2023/QH15"},
				{Title: "Thông tư quy định về mẫu thẻ", Number: "16/2024/TT-BCA"},
			},
		},
		{
			name:   "labelled copies and a prime minister's decision",
			papers: "--" + header + "Đơn đề nghịBản chính: 1 Bản sao: 0",
			law:    "Tên văn bản pháp lýMã văn bảnQuyết định về thẻ đi lại của doanh nhân APEC09/2023/QĐ-TTgNghị định 70/2023/NĐ-CP70/2023/NĐ-CP",
			groups: []procedure.PaperGroup{{Papers: []procedure.Paper{{Name: "Đơn đề nghị", Copies: "1 bản chính"}}}},
			legal: []procedure.LegalDoc{
				{Title: "Quyết định về thẻ đi lại của doanh nhân APEC", Number: "09/2023/QĐ-TTg"},
				{Title: "Nghị định 70/2023/NĐ-CP", Number: "70/2023/NĐ-CP"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := procedure.Parse(record(map[string]string{"thanh_phan_ho_so": tt.papers, "can_cu_phap_ly": tt.law}))
			if got := p.PaperGroups; !reflect.DeepEqual(got, tt.groups) {
				t.Errorf("PaperGroups =\n%+v\nwant\n%+v", got, tt.groups)
			}
			if got := p.LegalBasis; !reflect.DeepEqual(got, tt.legal) {
				t.Errorf("LegalBasis =\n%+v\nwant\n%+v", got, tt.legal)
			}
		})
	}
}

// TestRecordJSON pins the JSON of a procedure record, which both stores keep in a
// column: field names and shapes must not change, or stored documents need a migration.
func TestRecordJSON(t *testing.T) {
	tests := []struct {
		name   string
		record *procedure.Record
		golden string
	}{
		{"fixture", procedure.Parse(fixture(t)), "record.golden.json"},
		{"empty", &procedure.Record{}, "record_empty.golden.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.MarshalIndent(tt.record, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.golden, string(b)+"\n")
			// A stored record reads back into the same value.
			var back procedure.Record
			if err := json.Unmarshal(readGolden(t, tt.golden), &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(&back, tt.record) {
				t.Errorf("record read back from %s =\n%+v\nwant\n%+v", tt.golden, back, *tt.record)
			}
		})
	}
}
