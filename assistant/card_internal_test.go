package assistant

import "testing"

func TestDisplaySnippet(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"- Trực tiếp: thời hạn giải quyết 4 Ngày làm việc; phí, lệ phí: 150.000 đồng (Lệ phí : 150.000 Đồng(Mức thu thử nghiệm.)) - Trực tuyến: thời hạn giải quyết 4 Ngày làm việc; phí, lệ phí: 150.000 đồng (Lệ phí : 150.000 Đồng)",
			"- Trực tiếp: thời hạn giải quyết 4 ngày làm việc; phí, lệ phí: 150.000 đồng (Mức thu thử nghiệm.) - Trực tuyến: thời hạn giải quyết 4 ngày làm việc; phí, lệ phí: 150.000 đồng"},
		{"Trực tuyến: thời hạn giải quyết 7 Ngày làm việc; phí, lệ phí: 10.000 đồng; mức ghi trên Cổng: 10,000 Việt Nam Đồng",
			"Trực tuyến: thời hạn giải quyết 7 ngày làm việc; phí, lệ phí: 10.000 đồng"},
		{"Công dân nộp hồ sơ (bản sao) tại Bộ phận Một cửa.", "Công dân nộp hồ sơ (bản sao) tại Bộ phận Một cửa."},
	} {
		if got := displaySnippet(tt.in); got != tt.want {
			t.Errorf("displaySnippet(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
	}
}
