package extract

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// Dates in words are read where "ngày" begins a word, in any letter case.
func TestFindDatesInWords(t *testing.T) {
	s := "Ban hành ngày 15 tháng 5 năm 2021; NGÀY 1 THÁNG 2 NĂM 2020; sửa xngày 3 tháng 4 năm 2022, (ngày 31 tháng 2 năm 2023) và ngày 9 tháng 9 năm 1899; Ngày  7  tháng 10 năm 2019."
	var got []string
	for _, d := range findDates(s) {
		got = append(got, d.iso)
	}
	want := []string{"2021-05-15", "2020-02-01", "2019-10-07"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("findDates = %v, want %v", got, want)
	}
}

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
