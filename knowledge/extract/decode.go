package extract

import (
	"bytes"
	"fmt"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"
)

var (
	utf8BOM    = []byte{0xEF, 0xBB, 0xBF}
	utf16LEBOM = []byte{0xFF, 0xFE}
	utf16BEBOM = []byte{0xFE, 0xFF}
)

// decodeText turns the bytes of a text file into an NFC string. It accepts UTF-8 (with or
// without a byte-order mark, NFC or NFD), UTF-16 with a byte-order mark and Windows-1258 when
// the result reads as Vietnamese. Anything else, and binary data, is ErrEncoding.
func decodeText(data []byte) (string, error) {
	var s string
	switch {
	case bytes.HasPrefix(data, utf8BOM):
		data = data[len(utf8BOM):]
		if !utf8.Valid(data) {
			return "", fmt.Errorf("%w: UTF-8 byte-order mark followed by invalid UTF-8", ErrEncoding)
		}
		s = string(data)
	case bytes.HasPrefix(data, utf16LEBOM), bytes.HasPrefix(data, utf16BEBOM):
		dec := xunicode.UTF16(xunicode.BigEndian, xunicode.ExpectBOM).NewDecoder()
		out, err := dec.Bytes(data)
		if err != nil {
			return "", fmt.Errorf("%w: UTF-16: %v", ErrEncoding, err)
		}
		s = string(out)
	case utf8.Valid(data):
		s = string(data)
	default:
		out, err := charmap.Windows1258.NewDecoder().Bytes(data)
		if err != nil {
			return "", fmt.Errorf("%w: neither UTF-8 nor Windows-1258: %v", ErrEncoding, err)
		}
		s = norm.NFC.String(string(out))
		if !looksVietnamese(s) {
			return "", fmt.Errorf("%w: not valid UTF-8, and as Windows-1258 it does not read as Vietnamese text", ErrEncoding)
		}
	}
	if bad := controlShare(s); bad > 0 {
		return "", fmt.Errorf("%w: %d control characters (NUL or other binary bytes): not a text file", ErrEncoding, bad)
	}
	return norm.NFC.String(s), nil
}

// controlShare counts C0 control characters other than tab, newline, carriage return and form
// feed; a text file has none.
func controlShare(s string) int {
	n := 0
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' || r == 0x7F {
			n++
		}
	}
	return n
}

// looksVietnamese reports whether text decoded from a legacy code page reads as Vietnamese: a
// good share of its letters carry Vietnamese diacritics and few characters are symbols that
// a wrong code page would produce.
func looksVietnamese(s string) bool {
	var letters, viet, odd int
	for _, r := range s {
		switch {
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r':
			return false
		case unicode.IsLetter(r):
			letters++
			if r >= 0x80 {
				if isVietnameseLetter(r) {
					viet++
				} else {
					odd++
				}
			}
		case r >= 0x80 && !unicode.IsSpace(r) && !unicode.Is(unicode.Mn, r) && !isTypographic(r):
			odd++
		}
	}
	if letters < 8 {
		return false
	}
	return viet*100 >= letters*5 && odd*100 <= letters*2
}

// isTypographic reports punctuation a Vietnamese document legitimately contains.
func isTypographic(r rune) bool {
	switch r {
	case '–', '—', '‘', '’', '“', '”', '…', '•', '«', '»', '°', '€', '№', '·', 0xA0:
		return true
	}
	return false
}
