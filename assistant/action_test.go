package assistant

import (
	"slices"
	"testing"

	"github.com/trolyao/trolyao/knowledge"
)

func TestAskedActions(t *testing.T) {
	tests := []struct {
		q    string
		want []Action
	}{
		{"công ty vừa đổi tên, phải sửa giấy phép trong bao lâu", []Action{ActionAmend}},
		{"ngân hàng muốn dời phòng giao dịch sang chỗ mới", []Action{ActionRelocate}},
		{"em lam mat giay phep lai xe roi", []Action{ActionReissue}},
		{"giấy phép sắp hết hạn thì làm gì", []Action{ActionRenew}},
		{"hợp tác xã muốn giải thể", []Action{ActionTerminate}},
		{"xin giấy phép kinh doanh karaoke cần gì", nil},
	}
	for _, tt := range tests {
		if got := ExtractCues(tt.q).Actions; !slices.Equal(got, tt.want) {
			t.Errorf("%q: actions %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestPreferAskedAction(t *testing.T) {
	res := func(id, title string, score float64) knowledge.Result {
		return knowledge.Result{Doc: knowledge.DocRef{ID: id, Title: title, Kind: knowledge.KindProcedure}, Score: score}
	}
	results := []knowledge.Result{
		res("cap", "Cấp Giấy phép kinh doanh karaoke", 1),
		res("cap", "Cấp Giấy phép kinh doanh karaoke", 0.97),
		res("sua", "Sửa đổi, bổ sung Giấy phép kinh doanh karaoke", 0.92),
		res("lai", "Cấp lại Giấy phép kinh doanh karaoke", 0.9),
	}
	ids := func(rs []knowledge.Result) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Doc.ID)
		}
		return out
	}
	tests := []struct {
		q    string
		want []string
	}{
		{"quán vừa đổi tên, phải sửa giấy phép kinh doanh karaoke ở đâu", []string{"sua", "cap", "cap", "lai"}},
		{"làm mất giấy phép kinh doanh karaoke thì sao", []string{"lai", "cap", "cap", "sua"}},
		{"xin giấy phép kinh doanh karaoke ở đâu", []string{"cap", "cap", "sua", "lai"}},
	}
	for _, tt := range tests {
		if got := ids(preferAskedAction(results, ExtractCues(tt.q))); !slices.Equal(got, tt.want) {
			t.Errorf("%q: order %v, want %v", tt.q, got, tt.want)
		}
	}
	// A variant ranked well below the first is no candidate.
	far := []knowledge.Result{results[0], res("sua", "Sửa đổi, bổ sung Giấy phép kinh doanh karaoke", 0.5)}
	if got := ids(preferAskedAction(far, ExtractCues(tests[0].q))); got[0] != "cap" {
		t.Errorf("a variant scoring half the first was put first: %v", got)
	}
}
