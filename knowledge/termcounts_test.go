package knowledge_test

import (
	"testing"

	"github.com/trolyao/trolyao/knowledge"
)

func TestTermCounts(t *testing.T) {
	df := map[string]int32{"ho_so": 12, "hồ": 3, "ho": 40, "47/2020/nd-cp": 1}
	tc := knowledge.TermCounts{}
	for term, n := range df {
		tc.Add(term, n)
	}
	tc.Add("ho", 2)
	df["ho"] += 2
	for term, n := range df {
		if got := tc.Get(term); got != n {
			t.Errorf("Get(%q) = %d, want %d", term, got, n)
		}
	}
	if got := tc.Get("khong_co"); got != 0 {
		t.Errorf("a term without count: %d", got)
	}
}

func TestTermCount(t *testing.T) {
	for _, tt := range []struct {
		terms string
		want  int
	}{{"", 0}, {"ho_so", 1}, {"dang ky dang_ky", 3}} {
		if got := knowledge.TermCount(tt.terms); got != tt.want {
			t.Errorf("TermCount(%q) = %d, want %d", tt.terms, got, tt.want)
		}
	}
}
