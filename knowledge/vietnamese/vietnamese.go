// Package vietnamese implements the language processing that lets the knowledge base match
// Vietnamese text the way citizens type it: Unicode NFC, one canonical tone-mark placement
// (hoà/hòa, uỷ/ủy), diacritic folding (đ→d) for questions typed without marks, tokenisation that
// keeps document numbers and figures intact, administrative abbreviations expanded both ways, and
// sentence splitting.
//
// Every function is safe for concurrent use; the Dictionary is immutable once built.
package vietnamese

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Tone marks as Unicode combining characters.
const (
	toneGrave = '\u0300' // huyền
	toneAcute = '\u0301' // sắc
	toneTilde = '\u0303' // ngã
	toneHook  = '\u0309' // hỏi
	toneDot   = '\u0323' // nặng
)

// foldTable maps every precomposed Latin letter with marks below foldTableSize to its bare
// letter (0 for any other rune); built once from Unicode decomposition and never written
// afterwards.
var foldTable = buildFoldTable()

// foldTableSize covers Latin-1, Latin Extended-A and -B and Latin Extended Additional, where
// every Vietnamese letter lies.
const foldTableSize = 0x1F00

func buildFoldTable() *[foldTableSize]rune {
	var t [foldTableSize]rune
	for r := rune(0xC0); r <= 0x24F; r++ {
		addFold(&t, r)
	}
	for r := rune(0x1E00); r <= 0x1EFF; r++ {
		addFold(&t, r)
	}
	t['đ'] = 'd'
	t['Đ'] = 'D'
	return &t
}

func addFold(t *[foldTableSize]rune, r rune) {
	d := norm.NFD.String(string(r))
	base, size := utf8.DecodeRuneInString(d)
	if size == len(d) || base >= 0x80 {
		return
	}
	t[r] = base
}

// folded returns the bare letter of r, and whether r has one.
func folded(r rune) (rune, bool) {
	if r < foldTableSize {
		if f := foldTable[r]; f != 0 {
			return f, true
		}
	}
	return r, false
}

// isLetter is unicode.IsLetter, answered without the Unicode tables for ASCII and the Latin
// blocks Vietnamese is written in.
func isLetter(r rune) bool {
	switch {
	case r < 0x80:
		return 'a' <= r|0x20 && r|0x20 <= 'z'
	case r >= 0xC0 && r <= 0x24F:
		return r != 0xD7 && r != 0xF7 // × and ÷
	case r >= 0x1E00 && r <= 0x1EFF:
		return true
	}
	return unicode.IsLetter(r)
}

// NFC returns s in Unicode normalisation form C.
func NFC(s string) string {
	if isASCII(s) {
		return s
	}
	return norm.NFC.String(s)
}

// Normalize returns s in NFC with one canonical tone-mark placement per syllable (the
// traditional placement: hòa, thủy, khỏe), so that "hoà" and "hòa", "uỷ" and "ủy" become the same
// string. Letter case and everything that is not a Vietnamese syllable are kept.
func Normalize(s string) string {
	if isASCII(s) {
		return s
	}
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	return canonicalTones(s)
}

// Fold removes every diacritic (tone marks, hats, horns, breves) and maps đ to d, keeping case.
func Fold(s string) string {
	if isASCII(s) {
		return s
	}
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r, _ = folded(r)
		b.WriteRune(r)
	}
	return b.String()
}

// foldNFC folds s, which must be NFC.
func foldNFC(s string) string {
	if isASCII(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r < 0x80 {
			b = append(b, byte(r))
			continue
		}
		r, _ = folded(r)
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}

// Key returns the matching key of s: normalised, lower case and folded. Two strings that a
// reader would accept as the same words typed with or without marks have the same key.
func Key(s string) string {
	return strings.ToLower(Fold(s))
}

// HasMarks reports whether s carries any Vietnamese diacritic (tone mark, hat, horn, breve or đ).
func HasMarks(s string) bool {
	for _, r := range s {
		if r < 0x80 {
			continue
		}
		if _, ok := folded(r); ok || unicode.Is(unicode.Mn, r) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
