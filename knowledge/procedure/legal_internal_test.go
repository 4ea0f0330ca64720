package procedure

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// legalPrefixIndex finds what the full expression finds in clean text of any length.
func TestLegalPrefixIndexEquivalence(t *testing.T) {
	words := []string{"Thông tư", "liên tịch", "số", "Số", "Nghị định", "Luật", "Văn bản hợp nhất", "doanh nghiệp",
		"về", "quy định", "Thông tư liên tịch", "Công văn", "Quyết định", "ngày", "12/2020", "Lệnh"}
	r := rand.New(rand.NewSource(2))
	for n := 0; n < 3000; n++ {
		var parts []string
		for k := r.Intn(40); k > 0; k-- {
			parts = append(parts, words[r.Intn(len(words))])
		}
		s := strings.Join(parts, " ")
		if r.Intn(2) == 0 {
			s += " "
		}
		got, want := legalPrefixIndex(s), reLegalPrefix.FindStringIndex(s)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("legalPrefixIndex(%q) = %v, want %v", s, got, want)
		}
	}
}
