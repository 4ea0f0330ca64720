package procedure_test

import (
	"slices"
	"testing"

	"github.com/trolyao/trolyao/knowledge/procedure"
)

func TestMoney(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{{0, "0 đồng"}, {500, "500 đồng"}, {10000, "10.000 đồng"}, {1500000, "1.500.000 đồng"}} {
		if got := procedure.FormatVND(tt.n); got != tt.want {
			t.Errorf("FormatVND(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	if got := procedure.Amounts("Lệ phí: 10,000 đồng/lần; bản sao 8.000 đồng; 3 bản"); !slices.Equal(got, []int64{10000, 8000, 3}) {
		t.Errorf("Amounts = %v", got)
	}
	for s, want := range map[string]bool{"": true, " Không có thông tin ": true, "không": true, "Không quy định": true,
		"Không thu phí": false, "Công dân Việt Nam": false} {
		if got := procedure.NoInformation(s); got != want {
			t.Errorf("NoInformation(%q) = %v, want %v", s, got, want)
		}
	}
}
