package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// nfc returns s in Unicode normalisation form C.
func nfc(s string) string {
	return norm.NFC.String(s)
}

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

// cleanLines normalises a whole text: NFC, line endings, invisible characters, and spaces
// collapsed inside each line. Line structure is kept.
func cleanLines(s string) []string {
	s = nfc(invisibleReplacer.Replace(s))
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = collapseSpaces(l)
	}
	return lines
}

// clean normalises one piece of inline text: NFC, invisible characters removed and all
// whitespace, newlines included, collapsed to single spaces.
func clean(s string) string {
	return collapseSpaces(nfc(invisibleReplacer.Replace(s)))
}

// collapseSpaces trims s and collapses runs of whitespace to one space.
func collapseSpaces(s string) string {
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

// fold removes Vietnamese diacritics and lowercases: "Đồng Nai" → "dong nai".
func fold(s string) string {
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

// foldKey reduces text to a comparison key: folded, letters and digits only, single spaces.
func foldKey(s string) string {
	f := fold(s)
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

// vietnameseLetters lists the lowercase letters of Vietnamese that carry a diacritic.
const vietnameseLetters = "àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ"

// isVietnameseLetter reports whether r is a Vietnamese letter with a diacritic.
func isVietnameseLetter(r rune) bool {
	return strings.ContainsRune(vietnameseLetters, unicode.ToLower(r))
}

// hasDiacritics reports whether s contains a Vietnamese letter with a diacritic.
func hasDiacritics(s string) bool {
	for _, r := range s {
		if r >= 0x80 && isVietnameseLetter(r) {
			return true
		}
	}
	return false
}

// words splits s into runs of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
}

// endsSentence reports whether s ends with punctuation that closes a sentence or clause.
func endsSentence(s string) bool {
	s = strings.TrimRight(s, " \"'”’»)]")
	if s == "" {
		return false
	}
	r := lastRune(s)
	return strings.ContainsRune(".!?…;:", r)
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// startsLower reports whether the first letter of s is lowercase.
func startsLower(s string) bool {
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

// truncateWords shortens s to at most n bytes at a word boundary.
func truncateWords(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut <= 0 {
		cut = n
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
	}
	return strings.TrimRight(s[:cut], " ,;:-–") + "…"
}
