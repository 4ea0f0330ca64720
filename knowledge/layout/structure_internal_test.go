package layout

import (
	"strings"
	"testing"
)

// A marker pattern's first runes hold every rune its expression can begin with, so that
// skipping the expression for other paragraphs changes nothing.
func TestMarkerPatternFirstRunes(t *testing.T) {
	// Continuations of every family after its first rune.
	suffixes := []string{"hần I. Mở đầu", "HẦN 2 Nội dung", "hương IV Tổ chức", "HƯƠNG 3", "ục 1. x", "ỤC 2",
		"iều 5. Phạm vi", "IỀU 12a", "hoản 3 Điều 5", "ước 1: Nộp hồ sơ", " Bước 2. x", "ƯỚC 3", "ước4 x",
		". Mục tiêu", ") Mục tiêu", "I. x", "V) x", ".1. x", ".1.2. x", ".1.2.3 x", "2. x", ".2 Nội dung", "1 Nội dung",
		") x", ". x", "1) x", "i) x", "a) x", "đ) x", " x", "x", "\tx", "  Bước 1 x"}
	var runes []rune
	for r := rune(0x20); r < 0x2100; r++ {
		runes = append(runes, r)
	}
	runes = append(runes, []rune(bullets)...)
	for _, p := range markerPatterns {
		for _, r := range runes {
			for _, suf := range suffixes {
				if s := string(r) + suf; p.re.MatchString(s) && !strings.ContainsRune(p.first, r) {
					t.Errorf("pattern %s matches %q but its first runes %q lack %q", p.family, s, p.first, r)
				}
			}
		}
	}
}
