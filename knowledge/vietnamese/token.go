package vietnamese

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// TokenKind classifies a token.
type TokenKind uint8

// Token kinds.
const (
	Word   TokenKind = iota // a syllable or foreign word: "đăng", "blockchain"
	Number                  // a figure: "80%", "10.000" (Text holds the canonical digits)
	Code                    // a compound kept intact: "47/2020/nđ-cp", "kh&cn", "2021-2025"
)

// Token is one unit of text as the index and the question analysis see it.
type Token struct {
	Text string    // lower case, normalised (canonical tone placement)
	Fold string    // Text without diacritics
	Kind TokenKind //
	Pos  int       // ordinal of the token in the text; parts of a Code share its position
	Part bool      // a part of a preceding Code token ("47", "nđ", "cp" of "47/2020/NĐ-CP")
	// Upper is set when the token was written in capitals with at least two letters ("UBND").
	Upper bool
	// AfterComma is set on a token that a comma, dash or slash separates from the previous one
	// ("mất, làm"): passages keep pairs across it ("sở, ban, ngành" is also "sở ban ngành"),
	// questions do not.
	AfterComma bool
	// Percent is set on a Number written with a percent sign.
	Percent bool
}

// Tokenize splits text into tokens. Compounds such as document numbers, ranges, domain names
// and figures are kept as one Code or Number token, followed by their parts (Part set) so that
// both "47/2020/NĐ-CP" and "nghị định 47" match.
func Tokenize(text string) []Token {
	text = Normalize(text)
	toks := make([]Token, 0, len(text)/4)
	pos := 0
	gap, soft := false, false // sentence punctuation, list punctuation since the last token
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isTokenStart(r) {
			gap = gap || isClauseBreak(r)
			soft = soft || isListBreak(r)
			i += size
			continue
		}
		// Words on either side of a full stop, a colon or a line break are not neighbours: a
		// gap in the positions keeps bigrams and phrases from spanning the break.
		if gap && len(toks) > 0 {
			pos++
		}
		first := len(toks)
		j := i + size
		joined := false
		for j < len(text) {
			r2, s2 := utf8.DecodeRuneInString(text[j:])
			if isTokenRune(r2) {
				j += s2
				continue
			}
			if isJoiner(r2) && j+s2 < len(text) {
				r3, _ := utf8.DecodeRuneInString(text[j+s2:])
				if isTokenRune(r3) && joinerAllowed(r2, text[i:j], r3) {
					j += s2
					joined = true
					continue
				}
			}
			break
		}
		raw := text[i:j]
		// A percent sign directly after a number belongs to it.
		if j < len(text) && text[j] == '%' {
			raw = text[i : j+1]
			j++
		}
		toks = appendTokens(toks, raw, pos, joined)
		if soft && !gap && first > 0 {
			toks[first].AfterComma = true
		}
		gap, soft = false, false
		pos++
		i = j
	}
	return toks
}

// isClauseBreak reports whether r, between two words, separates them: sentence punctuation,
// brackets, quotes and line breaks.
func isClauseBreak(r rune) bool {
	switch r {
	case ';', ':', '.', '!', '?', '(', ')', '[', ']', '{', '}', '"', '“', '”', '«', '»', '…',
		'|', '\n', '\r', '\t', '•':
		return true
	}
	return false
}

// isListBreak reports whether r, between two words, may separate them or join the items of a
// fixed list ("sở, ban, ngành"): commas, dashes and slashes.
func isListBreak(r rune) bool {
	switch r {
	case ',', '-', '–', '—', '/':
		return true
	}
	return false
}

func isTokenStart(r rune) bool {
	if r < 0x80 {
		return 'a' <= r|0x20 && r|0x20 <= 'z' || '0' <= r && r <= '9'
	}
	return isLetter(r) || unicode.IsDigit(r)
}

func isTokenRune(r rune) bool {
	if r < 0x80 {
		return 'a' <= r|0x20 && r|0x20 <= 'z' || '0' <= r && r <= '9'
	}
	return isLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func isJoiner(r rune) bool {
	switch r {
	case '/', '-', '.', ',', '&', '_':
		return true
	}
	return false
}

// joinerAllowed decides whether the joiner r between left and next keeps one compound token.
// Dots and commas join only digits ("10.000", "1.004222", "2,5") or domain-like words
// ("dichvucong.gov.vn"); hyphens, slashes and ampersands join anything ("NĐ-CP", "KH&CN").
func joinerAllowed(r rune, left string, next rune) bool {
	last, _ := utf8.DecodeLastRuneInString(left)
	switch r {
	case '.', ',':
		if unicode.IsDigit(last) && unicode.IsDigit(next) {
			return true
		}
		if r == '.' && unicode.IsLower(next) && unicode.IsLower(last) && isASCII(left) {
			return true // domain names and e-mail style compounds are lower-case ASCII
		}
		return false
	default:
		return true
	}
}

func appendTokens(toks []Token, raw string, pos int, joined bool) []Token {
	lower, upper := lowerWord(raw)
	if n, pct, ok := number(lower); ok {
		toks = append(toks, Token{Text: n, Fold: n, Kind: Number, Pos: pos, Percent: pct})
		if pct {
			bare := strings.TrimSuffix(n, "%")
			toks = append(toks, Token{Text: bare, Fold: bare, Kind: Number, Pos: pos, Part: true})
		}
		return toks
	}
	if !joined {
		kind := Word
		if !isLetter(firstRune(lower)) {
			kind = Number
		}
		return append(toks, Token{Text: lower, Fold: foldNFC(lower), Kind: kind, Pos: pos, Upper: upper})
	}
	toks = append(toks, Token{Text: lower, Fold: foldNFC(lower), Kind: Code, Pos: pos, Upper: upper})
	for _, p := range strings.FieldsFunc(lower, func(r rune) bool { return isJoiner(r) }) {
		kind := Word
		if unicode.IsDigit(firstRune(p)) {
			kind = Number
		}
		toks = append(toks, Token{Text: p, Fold: foldNFC(p), Kind: kind, Pos: pos, Part: true})
	}
	return toks
}

// lowerWord returns s in lower case (s itself when it has no capital) and whether s is written
// in capitals: at least two letters and no lower-case one ("UBND").
func lowerWord(s string) (lower string, upper bool) {
	letters := 0
	lowers, changes := false, false // a lower-case letter; a rune lower-casing changes
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			switch {
			case 'a' <= c && c <= 'z':
				letters++
				lowers = true
			case 'A' <= c && c <= 'Z':
				letters++
				changes = true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		rc := runeCaseOf(r)
		changes = changes || rc.lower != r
		lowers = lowers || rc.isLower
		if rc.isLetter {
			letters++
		}
	}
	lower = s
	if changes {
		lower = strings.ToLower(s)
	}
	return lower, !lowers && letters >= 2
}

// number recognises figures: "80%", "10.000", "10,000", "1.000.000", "2,5". Thousands separators
// are removed ("10.000" and "10,000" both give "10000"); a decimal comma becomes a dot.
func number(s string) (canonical string, percent bool, ok bool) {
	pct := strings.HasSuffix(s, "%")
	body := strings.TrimSuffix(s, "%")
	if body == "" {
		return "", false, false
	}
	for _, r := range body {
		if !(r >= '0' && r <= '9') && r != '.' && r != ',' {
			return "", false, false
		}
	}
	if !strings.ContainsAny(body, ".,") {
		// Leading zeros do not change a figure: "mức độ 01" is "mức độ 1", "05 ngày" is "5 ngày".
		if t := strings.TrimLeft(body, "0"); t != body && len(body) <= 4 {
			if t == "" {
				t = "0"
			}
			return t + pctSuffix(pct), pct, true
		}
		return s, pct, true
	}
	groups := strings.FieldsFunc(body, func(r rune) bool { return r == '.' || r == ',' })
	if len(groups) < 2 {
		return "", false, false
	}
	thousands := len(groups[0]) >= 1 && len(groups[0]) <= 3
	for _, g := range groups[1:] {
		if len(g) != 3 {
			thousands = false
		}
	}
	// "1.000" and "10,000" are thousands; "2,5" and "0.5" are decimals; "1.004222" is a code.
	if thousands && !(len(groups) == 2 && groups[0] == "0") {
		return strings.Join(groups, "") + pctSuffix(pct), pct, true
	}
	if len(groups) == 2 && len(groups[1]) <= 2 {
		return groups[0] + "." + groups[1] + pctSuffix(pct), pct, true
	}
	return "", false, false
}

func pctSuffix(pct bool) string {
	if pct {
		return "%"
	}
	return ""
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// runeCase is what lowerWord needs to know of a rune.
type runeCase struct {
	lower    rune
	isLower  bool
	isLetter bool
}

// caseTable holds the runeCase of every rune below foldTableSize; built once, never written
// afterwards.
var caseTable = func() *[foldTableSize]runeCase {
	var t [foldTableSize]runeCase
	for r := range rune(foldTableSize) {
		t[r] = runeCase{lower: unicode.ToLower(r), isLower: unicode.IsLower(r), isLetter: unicode.IsLetter(r)}
	}
	return &t
}()

func runeCaseOf(r rune) runeCase {
	if r < foldTableSize {
		return caseTable[r]
	}
	return runeCase{lower: unicode.ToLower(r), isLower: unicode.IsLower(r), isLetter: unicode.IsLetter(r)}
}
