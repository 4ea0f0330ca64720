package layout

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// invisibleReplacer removes characters that carry no text and maps exotic spaces to plain
// ones. Tabs and form feeds become spaces.
var invisibleReplacer = strings.NewReplacer(
	"\r\n", "\n", "\r", "\n",
	"\t", " ", "\f", "\n", "\v", " ",
	"\u00a0", " ", "\u2002", " ", "\u2003", " ", "\u2007", " ", "\u2009", " ", "\u200a", " ",
	"\u202f", " ", "\u3000", " ",
	"\u200b", "", "\u200c", "", "\u200d", "", "\u200e", "", "\u200f", "", "\u2060", "",
	"\ufeff", "", "\u00ad", "",
)

// Visible returns s in Unicode NFC with the characters that carry no text removed, line endings
// made "\n" and exotic spaces made plain; runs of spaces are kept.
func Visible(s string) string {
	return norm.NFC.String(invisibleReplacer.Replace(s))
}

// CleanLines normalises a whole text: NFC, line endings, invisible characters, and spaces
// collapsed inside each line. Line structure is kept.
func CleanLines(s string) []string {
	s = Visible(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = CollapseSpaces(l)
	}
	return lines
}

// Clean normalises one piece of inline text: NFC, invisible characters removed and all
// whitespace, newlines included, collapsed to single spaces.
func Clean(s string) string {
	return CollapseSpaces(Visible(s))
}

// CollapseSpaces trims s and collapses runs of whitespace to one space.
func CollapseSpaces(s string) string {
	var b []byte // nil while s needs no change up to i
	pending := false
	for i := 0; i < len(s); {
		c := s[i]
		size := 1
		space := c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
		if c >= utf8.RuneSelf {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
		}
		if space {
			// Only a single ' ' between two words stays as it is.
			if b == nil && (i == 0 || c != ' ' || pending || i+1 == len(s)) {
				b = append(make([]byte, 0, len(s)), strings.TrimRightFunc(s[:i], unicode.IsSpace)...)
			}
			pending = true
			i += size
			continue
		}
		if b != nil {
			if pending && len(b) > 0 {
				b = append(b, ' ')
			}
			b = append(b, s[i:i+size]...)
		}
		pending = false
		i += size
	}
	if b == nil {
		return s
	}
	return string(b)
}

// Fold removes Vietnamese diacritics and lowercases: "Đồng Nai" → "dong nai".
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			b.WriteRune('d')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// FoldKey reduces text to a comparison key: folded, letters and digits only, single spaces.
func FoldKey(s string) string {
	f := Fold(s)
	var b strings.Builder
	space := false
	for _, r := range f {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		} else {
			space = true
		}
	}
	return b.String()
}

// Words splits s into runs of letters and digits.
func Words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
}

// EndsSentence reports whether s ends with punctuation that closes a sentence or clause.
func EndsSentence(s string) bool {
	s = strings.TrimRight(s, " \"'”’»)]")
	if s == "" {
		return false
	}
	r := LastRune(s)
	return strings.ContainsRune(".!?…;:", r)
}

// LastRune returns the last rune of s, utf8.RuneError when s is empty.
func LastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// FirstRune returns the first rune of s, utf8.RuneError when s is empty.
func FirstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// StartsLower reports whether the first letter of s is lowercase.
func StartsLower(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return unicode.IsLower(r)
		}
		if unicode.IsDigit(r) {
			return false
		}
	}
	return false
}
