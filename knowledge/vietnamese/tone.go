package vietnamese

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// toned describes a precomposed vowel: the vowel without its tone mark and the tone (0 = none).
type toned struct {
	vowel rune // lower case, NFC, hat/horn/breve kept: 'ơ' for 'ờ'
	tone  rune // one of the tone combining marks, or 0
	upper bool
}

// Tables built once at start-up from Unicode decompositions and never written afterwards.
var (
	vowelTable = buildVowelTable()  // every Vietnamese vowel letter in NFC → its parts, by rune
	withTone   = buildToneCompose() // (vowel, tone) → precomposed letter, lower case
)

// vowelTableSize covers every precomposed Vietnamese vowel (the last is U+1EF9).
const vowelTableSize = 0x1F00

func buildVowelTable() *[vowelTableSize]toned {
	var t [vowelTableSize]toned
	for r, info := range buildVowelInfo() {
		t[r] = info
	}
	return &t
}

// vowel returns what a rune is as a Vietnamese vowel letter, and whether it is one.
func vowel(r rune) (toned, bool) {
	if r >= vowelTableSize {
		return toned{}, false
	}
	info := vowelTable[r]
	return info, info.vowel != 0
}

var baseVowels = []rune("aăâeêioôơuưy")

func buildVowelInfo() map[rune]toned {
	m := make(map[rune]toned, 150)
	for _, v := range baseVowels {
		for _, tone := range []rune{0, toneGrave, toneAcute, toneTilde, toneHook, toneDot} {
			s := string(v)
			if tone != 0 {
				s = norm.NFC.String(s + string(tone))
			}
			r, _ := utf8.DecodeRuneInString(s)
			m[r] = toned{vowel: v, tone: tone}
			m[unicode.ToUpper(r)] = toned{vowel: v, tone: tone, upper: true}
		}
	}
	return m
}

func buildToneCompose() map[[2]rune]rune {
	m := make(map[[2]rune]rune, 72)
	for _, v := range baseVowels {
		for _, tone := range []rune{toneGrave, toneAcute, toneTilde, toneHook, toneDot} {
			r, _ := utf8.DecodeRuneInString(norm.NFC.String(string(v) + string(tone)))
			m[[2]rune{v, tone}] = r
		}
	}
	return m
}

// canonicalTones rewrites the NFC string s with every syllable's tone mark on its canonical
// vowel. It returns s itself when nothing changes.
func canonicalTones(s string) string {
	var b *strings.Builder
	var syl [16]rune
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r < 0x80 && !('a' <= r|0x20 && r|0x20 <= 'z') {
			if b != nil {
				b.WriteByte(s[i])
			}
			i += size
			continue
		}
		if !isLetter(r) {
			if b != nil {
				b.WriteRune(r)
			}
			i += size
			continue
		}
		// A syllable: a run of letters.
		j := i
		n := 0
		for j < len(s) {
			r2, s2 := utf8.DecodeRuneInString(s[j:])
			if r2 < 0x80 {
				if !('a' <= r2|0x20 && r2|0x20 <= 'z') {
					break
				}
			} else if !isLetter(r2) {
				break
			}
			if n < len(syl) {
				syl[n] = r2
			}
			n++
			j += s2
		}
		if n >= 2 && n <= len(syl) {
			if fixed, changed := fixSyllable(syl[:n]); changed {
				if b == nil {
					b = &strings.Builder{}
					b.Grow(len(s))
					b.WriteString(s[:i])
				}
				for _, fr := range fixed {
					b.WriteRune(fr)
				}
				i = j
				continue
			}
		}
		if b != nil {
			b.WriteString(s[i:j])
		}
		i = j
	}
	if b == nil {
		return s
	}
	return b.String()
}

// fixSyllable moves the tone mark of syl to its canonical vowel. It reports false when the
// syllable is already canonical or is not a Vietnamese syllable with exactly one tone.
func fixSyllable(syl []rune) ([]rune, bool) {
	var tone rune
	tones, at := 0, -1
	for k, r := range syl {
		if info, ok := vowel(r); ok && info.tone != 0 {
			tone = info.tone
			tones++
			at = k
		}
	}
	if tones != 1 {
		return nil, false
	}
	pos := tonePosition(syl)
	if pos < 0 || pos == at {
		return nil, false
	}
	out := make([]rune, len(syl))
	copy(out, syl)
	bare, _ := vowel(syl[at])
	out[at] = caseOf(bare.vowel, bare.upper)
	target, _ := vowel(out[pos])
	out[pos] = caseOf(withTone[[2]rune{target.vowel, tone}], target.upper)
	return out, true
}

func caseOf(r rune, upper bool) rune {
	if upper {
		return unicode.ToUpper(r)
	}
	return r
}

// tonePosition returns the index of the letter that carries the tone mark in the traditional
// orthography, or -1 when the syllable has no vowel.
func tonePosition(ls []rune) int {
	vowelAt := func(k int) (toned, bool) { return vowel(ls[k]) }
	lower := func(k int) rune { return unicode.ToLower(ls[k]) }
	start := -1
	for k := range ls {
		info, ok := vowelAt(k)
		if !ok {
			continue
		}
		if k == 1 && k+1 < len(ls) {
			if _, next := vowelAt(k + 1); next {
				if (lower(0) == 'q' && info.vowel == 'u') || (lower(0) == 'g' && info.vowel == 'i') {
					continue // consonantal u of "qu", i of "gi"
				}
			}
		}
		start = k
		break
	}
	if start < 0 {
		return -1
	}
	end := start
	for end+1 < len(ls) {
		if _, ok := vowelAt(end + 1); !ok {
			break
		}
		end++
	}
	// A vowel with a hat, horn or breve takes the tone (the last one: ươ → ơ).
	for k := end; k >= start; k-- {
		switch info, _ := vowelAt(k); info.vowel {
		case 'ă', 'â', 'ê', 'ô', 'ơ', 'ư':
			return k
		}
	}
	n := end - start + 1
	switch {
	case n == 1:
		return start
	case end+1 < len(ls): // closed syllable: the last vowel (hoàn, quyết, toán)
		return end
	case n == 2: // open syllable: the first vowel (hòa, thủy, mái, múa)
		return start
	default: // three vowels: the middle one (ngoái, khuỷu)
		return start + 1
	}
}
