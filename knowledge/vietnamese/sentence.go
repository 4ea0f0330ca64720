package vietnamese

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// abbreviationsWithDot end with a dot that does not end a sentence.
var abbreviationsWithDot = setOf(
	"tp", "q", "p", "tx", "tt", "ts", "ths", "pgs", "gs", "bs", "ks", "ls", "th", "st", "v.v", "vv",
	"mr", "ms", "dr", "no", "đ", "x", "h", "tr", "s",
)

// Sentences splits text into sentences. A sentence ends at ".", "!", "?", "…" or a line break
// when what follows starts a new sentence (a capital, digit, quote, bullet or the end); dots in
// figures ("1.000"), document numbers and abbreviations ("TP. Hồ Chí Minh") do not end one.
// Returned sentences are trimmed and never empty.
func Sentences(text string) []string {
	var out []string
	start := 0
	emit := func(end int) {
		s := strings.TrimSpace(text[start:end])
		if s != "" && strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
			out = append(out, s)
		}
		start = end
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch r {
		case '\n':
			emit(i + size)
		case '!', '?', '…':
			j := i + size
			for j < len(text) && strings.ContainsRune("!?.…\"”)'", rune(text[j])) {
				j++
			}
			if j >= len(text) || startsSentence(text[j:]) {
				emit(j)
				i = j
				continue
			}
		case '.':
			j := i + size
			for j < len(text) && (text[j] == '.' || text[j] == '/' || text[j] == '"' || text[j] == ')') {
				j++ // "./." ends many Vietnamese articles
			}
			if (j >= len(text) || startsSentence(text[j:])) && !dotBelongsToWord(text[start:i]) {
				emit(j)
				i = j
				continue
			}
		}
		i += size
	}
	emit(len(text))
	return out
}

// startsSentence reports whether s, the text after a possible sentence end, starts a sentence:
// white space then a capital letter, digit, opening quote, bullet or the end.
func startsSentence(s string) bool {
	t := strings.TrimLeft(s, " \t\u00a0")
	if len(t) == len(s) && s != "" && s[0] != '\n' && s[0] != '\r' {
		return false // no space after the dot: "1.000", "gov.vn", "TT-BCA.1"
	}
	if t == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(t)
	return unicode.IsUpper(r) || unicode.IsDigit(r) || strings.ContainsRune("\"“'(-–•*+\n\r", r)
}

// dotBelongsToWord reports whether the dot at the end of before belongs to an abbreviation or a
// single initial ("TP.", "Th.S.", "N.").
func dotBelongsToWord(before string) bool {
	i := strings.LastIndexFunc(before, func(r rune) bool { return unicode.IsSpace(r) || r == '(' })
	w := before[i+1:]
	if w == "" {
		return false
	}
	if utf8.RuneCountInString(w) == 1 && unicode.IsUpper(firstRune(w)) {
		return true
	}
	_, ok := abbreviationsWithDot[strings.ToLower(w)]
	return ok
}

// Clauses splits a sentence further at semicolons and at the commas or colons of enumerations,
// keeping pieces of at least minRunes runes (shorter pieces are merged with the next one). It
// is used to quote the part of a long sentence that states a figure.
func Clauses(sentence string, minRunes int) []string {
	parts := strings.FieldsFunc(sentence, func(r rune) bool { return r == ';' })
	var out []string
	carry := ""
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if carry != "" {
			p = carry + "; " + p
			carry = ""
		}
		if utf8.RuneCountInString(p) < minRunes {
			carry = p
			continue
		}
		out = append(out, p)
	}
	if carry != "" {
		if len(out) > 0 {
			out[len(out)-1] += "; " + carry
		} else {
			out = append(out, carry)
		}
	}
	return out
}
