package extract_test

import (
	"encoding/json"
	"reflect"
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
	wantChannels := []extract.Channel{
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
	wantGroups := []extract.PaperGroup{
		{Case: "Trường hợp đăng ký mới", Papers: []extract.Paper{
			{Name: "Giấy đề nghị đăng ký hộ kinh doanh", Form: "Mẫu số 01-HKD.docx", Copies: "1 bản chính"},
			{Name: "Bản sao giấy tờ pháp lý của chủ hộ kinh doanh cấp ngày 12/5/2020", Copies: "1 bản sao"},
		}},
		{Case: "Trường hợp thay đổi nội dung đăng ký", Papers: []extract.Paper{
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
	wantLegal := []extract.LegalDoc{
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
	text := doc.Text()
	for _, s := range []string{"50.000 đồng", "50,000 Việt Nam Đồng", "# Thành phần hồ sơ", "## Trường hợp đăng ký mới", "Bước 1 Người đề nghị"} {
		if !strings.Contains(text, s) {
			t.Errorf("rendered text lacks %q", s)
		}
	}
	golden(t, "procedure.golden", render(doc))
}

// procedureJSON builds a procedure record with the given fields.
func procedureJSON(t testing.TB, fields map[string]string) []byte {
	t.Helper()
	rec := map[string]string{"ten_thu_tuc": "Thủ tục thử nghiệm", "ma_thu_tuc": "9.000000"}
	for k, v := range fields {
		rec[k] = v
	}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestProcedureChannels(t *testing.T) {
	const head = "Hình thức nộpThời gianPhí, lệ phíMô tả"
	tests := []struct {
		name string
		cell string
		want []extract.Channel
	}{
		{
			name: "free, time without unit",
			cell: head + "Trực tuyến7Miễn phíTrực tiếp7Miễn phí(Miễn lệ phí cho hộ nghèo.)",
			want: []extract.Channel{
				{Name: "Trực tuyến", Time: "7", Fee: "Miễn phí", Free: true},
				{Name: "Trực tiếp", Time: "7", Fee: "Miễn phí", Free: true, Note: "Miễn lệ phí cho hộ nghèo."},
			},
		},
		{
			name: "time digits glued to the fee, resolved by the remark",
			cell: head + "Trực tuyến1100 VNĐ(Phí công bố thông tin: 100.000 đồng/lần)",
			want: []extract.Channel{{Name: "Trực tuyến", Time: "1", Fee: "100 VNĐ", FeeAmounts: []int64{100000}, Note: "Phí công bố thông tin: 100.000 đồng/lần"}},
		},
		{
			name: "time digits glued to a grouped amount",
			cell: head + "Trực tiếp120,000 VNĐ",
			want: []extract.Channel{{Name: "Trực tiếp", Time: "1", Fee: "20,000 VNĐ", FeeAmounts: []int64{20000}}},
		},
		{
			name: "no information and a description naming another channel",
			cell: head + "Dịch vụ bưu chínhKhông có thông tinKhông có thông tin- Trực tiếp: nộp tại Bộ phận Một cửa.",
			want: []extract.Channel{{Name: "Dịch vụ bưu chính", Note: "- Trực tiếp: nộp tại Bộ phận Một cửa."}},
		},
		{
			name: "several fees in the remark",
			cell: head + "Trực tiếp10 Ngày làm việc2,500,000 Việt Nam Đồng(Phí : 2.500.000 Đồng (Cấp mới) Lệ phí : 300.000 Đồng (Cấp lại))",
			want: []extract.Channel{{Name: "Trực tiếp", Time: "10 Ngày làm việc", Fee: "2,500,000 Việt Nam Đồng", FeeAmounts: []int64{2500000, 300000},
				Note: "Phí : 2.500.000 Đồng (Cấp mới) Lệ phí : 300.000 Đồng (Cấp lại)"}},
		},
		{
			name: "foreign currency and time in months",
			cell: head + "Trực tiếp6 Tháng100 USD(100 USD/thẻ.)",
			want: []extract.Channel{{Name: "Trực tiếp", Time: "6 Tháng", Fee: "100 USD", Note: "100 USD/thẻ."}},
		},
		{
			name: "time written as words",
			cell: head + "Trực tuyếnKhông phải trả kết quả cho người nộp thuếMiễn phíQua Cổng dịch vụ công quốc gia",
			want: []extract.Channel{{Name: "Trực tuyến", Time: "Không phải trả kết quả cho người nộp thuế", Fee: "Miễn phí", Free: true, Note: "Qua Cổng dịch vụ công quốc gia"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := extract.File("p.json", procedureJSON(t, map[string]string{"cach_thuc_thuc_hien": tt.cell}))
			if err != nil {
				t.Fatal(err)
			}
			if got := doc.Procedure.Channels; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Channels =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestProcedurePapersAndLaw(t *testing.T) {
	const header = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
	tests := []struct {
		name   string
		papers string
		law    string
		groups []extract.PaperGroup
		legal  []extract.LegalDoc
	}{
		{
			name:   "single unnamed group, template glued after a period",
			papers: "--" + header + "Tờ khai theo mẫu (Mẫu TK01).TK01 ban hanh.doc1 bản chínhẢnh chân dung 4x6 cm2 bản chính",
			law:    "Tên văn bản pháp lýMã văn bảnLuật Căn cước26/2023/QH15Thông tư quy định về mẫu thẻThông tư số 16/2024/TT-BCA",
			groups: []extract.PaperGroup{{Papers: []extract.Paper{
				{Name: "Tờ khai theo mẫu (Mẫu TK01).", Form: "TK01 ban hanh.doc", Copies: "1 bản chính"},
				{Name: "Ảnh chân dung 4x6 cm", Copies: "2 bản chính"},
			}}},
			legal: []extract.LegalDoc{
				{Title: "Luật Căn cước", Number: "26/2023/QH15"},
				{Title: "Thông tư quy định về mẫu thẻ", Number: "16/2024/TT-BCA"},
			},
		},
		{
			name:   "labelled copies and a prime minister's decision",
			papers: "--" + header + "Đơn đề nghịBản chính: 1 Bản sao: 0",
			law:    "Tên văn bản pháp lýMã văn bảnQuyết định về thẻ đi lại của doanh nhân APEC09/2023/QĐ-TTgNghị định 70/2023/NĐ-CP70/2023/NĐ-CP",
			groups: []extract.PaperGroup{{Papers: []extract.Paper{{Name: "Đơn đề nghị", Copies: "1 bản chính"}}}},
			legal: []extract.LegalDoc{
				{Title: "Quyết định về thẻ đi lại của doanh nhân APEC", Number: "09/2023/QĐ-TTg"},
				{Title: "Nghị định 70/2023/NĐ-CP", Number: "70/2023/NĐ-CP"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := extract.File("p.json", procedureJSON(t, map[string]string{"thanh_phan_ho_so": tt.papers, "can_cu_phap_ly": tt.law}))
			if err != nil {
				t.Fatal(err)
			}
			if got := doc.Procedure.PaperGroups; !reflect.DeepEqual(got, tt.groups) {
				t.Errorf("PaperGroups =\n%+v\nwant\n%+v", got, tt.groups)
			}
			if got := doc.Procedure.LegalBasis; !reflect.DeepEqual(got, tt.legal) {
				t.Errorf("LegalBasis =\n%+v\nwant\n%+v", got, tt.legal)
			}
		})
	}
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

// TestProcedureRecordJSON pins the JSON of a procedure record, which both stores keep in a
// column: field names and shapes must not change, or stored documents need a migration.
func TestProcedureRecordJSON(t *testing.T) {
	doc, err := extract.File("procedure.json", readFixture(t, "procedure.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		record *extract.Procedure
		golden string
	}{
		{"fixture", doc.Procedure, "procedure_record.golden.json"},
		{"empty", &extract.Procedure{}, "procedure_record_empty.golden.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.MarshalIndent(tt.record, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.golden, string(b)+"\n")
			// A stored record reads back into the same value.
			var back extract.Procedure
			if err := json.Unmarshal(readFixture(t, tt.golden), &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(&back, tt.record) {
				t.Errorf("record read back from %s =\n%+v\nwant\n%+v", tt.golden, back, *tt.record)
			}
		})
	}
}
