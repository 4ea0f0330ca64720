package vietnamese_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"Lệ phí 10.000 đồng", 30, "Lệ phí 10.000 đồng"},
		{"Lệ phí 10.000 đồng", 18, "Lệ phí 10.000 đồng"},
		{"Lệ phí đăng ký khai sinh: miễn phí", 26, "Lệ phí đăng ký khai sinh…"},
		{"Trình tự thực hiện, nộp hồ sơ", 20, "Trình tự thực hiện…"},
		{"Đăngkýkhaisinhchotrẻem", 10, "Đăngkýkhai…"},
		// Marked letters take two or three bytes: the cut counts runes, and a space early in
		// the text (by runes) does not make the cut.
		{"Ủy ban nhân dân tỉnh", 5, "Ủy ba…"},
		{"ở đường Hoàng Quốc Việt", 12, "ở đường…"},
	}
	for _, tt := range tests {
		got := vietnamese.Truncate(tt.s, tt.n)
		if got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
		if n := utf8.RuneCountInString(strings.TrimSuffix(got, "…")); n > tt.n {
			t.Errorf("Truncate(%q, %d) kept %d runes", tt.s, tt.n, n)
		}
	}
}

func TestDocumentNumbers(t *testing.T) {
	for _, tt := range []struct{ s, written, typed string }{
		{"Kế hoạch số 2663/KH-UBND ngày 5/6", "2663/KH-UBND", "2663/KH-UBND"},
		{"theo Nghị định 47/2020/NĐ-CP", "47/2020/NĐ-CP", "47/2020/NĐ-CP"},
		{"quyet dinh 18/2021/qd-ttg la gi", "", "18/2021/qd-ttg"},
		{"Quyết định 18/2021/QĐ-TTg", "18/2021/QĐ-TTg", "18/2021/QĐ-TTg"},
		{"tỷ lệ 80% năm 2025", "", ""},
	} {
		if got := vietnamese.DocumentNumber(tt.s); got != tt.written {
			t.Errorf("DocumentNumber(%q) = %q, want %q", tt.s, got, tt.written)
		}
		if got := vietnamese.TypedDocumentNumber(tt.s); got != tt.typed {
			t.Errorf("TypedDocumentNumber(%q) = %q, want %q", tt.s, got, tt.typed)
		}
	}
	if got := vietnamese.WithoutTypedDocumentNumbers("theo 47/2020/NĐ-CP năm 2024"); strings.Contains(got, "2020") || !strings.Contains(got, "2024") {
		t.Errorf("WithoutTypedDocumentNumbers = %q", got)
	}
}
