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
