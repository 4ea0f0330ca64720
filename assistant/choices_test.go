package assistant

import (
	"testing"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

func TestPickChoice(t *testing.T) {
	a := vietnamese.NewAnalyzer(nil)
	choices := []knowledge.Choice{
		{N: 1, Title: "Cấp giấy phép hoạt động bến thủy nội địa"},
		{N: 2, Title: "Cấp lại giấy phép hoạt động bến thủy nội địa khi bị mất, hỏng"},
		{N: 3, Title: "Gia hạn giấy phép hoạt động bến thủy nội địa"},
	}
	tests := []struct {
		msg  string
		want int
	}{
		{"2", 2}, {"2.", 2}, {"số 2", 2}, {"cái số 3", 3}, {"thứ hai", 2}, {"cái thứ hai ạ", 2}, {"chọn 3 nhé", 3},
		{"cái đầu tiên", 1}, {"cái cuối", 3}, {"cai thu 2", 2}, {"Tôi chọn phương án 1", 1},
		{"gia hạn", 3}, {"cái cấp lại khi bị mất", 2},
		{"5", 0}, {"0", 0}, {"ok", 0}, {"lệ phí bao nhiêu", 0}, {"gia hạn thì mất bao lâu?", 0},
		{"giấy phép hoạt động bến thủy nội địa", 0}, // names all three alike
	}
	for _, tt := range tests {
		if got := pickChoice(tt.msg, choices, a); got != tt.want {
			t.Errorf("pickChoice(%q) = %d, want %d", tt.msg, got, tt.want)
		}
	}
}
