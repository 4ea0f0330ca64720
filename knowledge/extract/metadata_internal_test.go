package extract

import (
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
