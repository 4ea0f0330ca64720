package extract

import (
	"strings"
	"unicode"

	"github.com/trolyao/trolyao/knowledge/layout"
)

// lowercaseAmbiguous are province names that are also everyday phrases when written in lower
// case ("hòa bình": peace, "thái bình": peaceful); typed in lower case they are not places.
var lowercaseAmbiguous = map[string]bool{"hoa binh": true, "thai binh": true}

// Localities returns the canonical names of the provinces and centrally-run cities that text
// mentions ("Đồng Nai" for "tỉnh Đồng Nai"), in order of first mention, without repeats.
// Questions use it to find the place they are about. People type questions in lower case and
// without diacritics, so when no capitalised name is found, names of two or more words are also
// recognised in lower case ("dong nai", "đồng tháp").
func Localities(text string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(ms []provinceMention, lower bool) {
		for _, m := range ms {
			if lower && (len(strings.Fields(m.p.name)) < 2 || lowercaseAmbiguous[layout.FoldKey(m.p.name)]) && !m.prefixed {
				continue
			}
			if !seen[m.p.name] {
				seen[m.p.name] = true
				out = append(out, m.p.name)
			}
		}
	}
	add(findProvinces(text), false)
	if len(out) == 0 {
		add(findProvinces(capitalizeWords(text)), true)
	}
	return out
}

// capitalizeWords upper-cases the first letter of every word.
func capitalizeWords(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	prevLetter := false
	for _, r := range s {
		isLetter := unicode.IsLetter(r)
		if isLetter && !prevLetter {
			r = unicode.ToUpper(r)
		}
		prevLetter = isLetter || unicode.Is(unicode.Mn, r)
		b.WriteRune(r)
	}
	return b.String()
}
