package vietnamese

import (
	"testing"
	"unicode"
)

// The fast rune tests answer as the Unicode tables do.
func TestRuneTablesMatchUnicode(t *testing.T) {
	for r := rune(0); r < 0x3000; r++ {
		if got, want := isLetter(r), unicode.IsLetter(r); got != want {
			t.Fatalf("isLetter(%U) = %v, want %v", r, got, want)
		}
		c := runeCaseOf(r)
		if c.lower != unicode.ToLower(r) || c.isLower != unicode.IsLower(r) || c.isLetter != unicode.IsLetter(r) {
			t.Fatalf("runeCaseOf(%U) = %+v", r, c)
		}
	}
	if f, ok := folded('Đ'); !ok || f != 'D' {
		t.Errorf("folded(Đ) = %q, %v", f, ok)
	}
	if _, ok := folded('ω'); ok {
		t.Error("folded(ω) reports a bare letter")
	}
}

func TestLowerWord(t *testing.T) {
	for _, c := range []struct {
		in, lower string
		upper     bool
	}{
		{"ubnd", "ubnd", false},
		{"UBND", "ubnd", true},
		{"HĐND", "hđnd", true},
		{"Đăng", "đăng", false},
		{"ĐĂNG", "đăng", true},
		{"A", "a", false}, // one letter is no abbreviation
		{"NĐ-CP", "nđ-cp", true},
		{"2020", "2020", false},
		{"ǅ", "ǆ", false}, // title case: lowered, not capitals
	} {
		t.Run(c.in, func(t *testing.T) {
			lower, upper := lowerWord(c.in)
			if lower != c.lower || upper != c.upper {
				t.Errorf("lowerWord(%q) = %q, %v; want %q, %v", c.in, lower, upper, c.lower, c.upper)
			}
		})
	}
}
