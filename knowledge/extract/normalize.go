package extract

import (
	"strings"
	"unicode"
)

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
