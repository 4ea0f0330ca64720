package procedure

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge/layout"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

var (
	reLegalHeader = regexp.MustCompile(`^\s*Tên văn bản pháp lý\s*Mã văn bản`)
	reLegalPrefix = regexp.MustCompile(`(?:(?:Thông tư liên tịch|Thông tư|Nghị định|Quyết định|Nghị quyết|Luật|Bộ luật|Pháp lệnh|Chỉ thị|Lệnh|Văn bản hợp nhất|Công văn)\s*(?:số\s*)?|[Ss]ố\s*)$`)
)

// docNumberAt returns the end of a document number ("123/2015/NĐ-CP", "60/2014/QH13",
// "09/2023/QĐ-TTg") starting at s[i], or -1. Numbers in the portal's tables are glued to the
// text around them, so the code's end is found by rules: an uppercase letter followed by
// lowercase starts the next word, and digits after letters belong to the code only for
// "QH" (legislature numbers) unless nothing follows.
func docNumberAt(s string, i int) int {
	j := i
	for j < len(s) && j-i < 5 && isDigit(s[j]) {
		j++
	}
	if j == i || j >= len(s) {
		return -1
	}
	if s[j] == '.' && j+1 < len(s) && isDigit(s[j+1]) {
		j++
		for j < len(s) && isDigit(s[j]) {
			j++
		}
	}
	if j >= len(s) || s[j] != '/' {
		return -1
	}
	j++
	if j+5 <= len(s) && allDigits(s[j:j+4]) && s[j+4] == '/' {
		j += 5
	}
	end := -1
	for {
		segEnd := codeSegmentAt(s, j)
		if segEnd < 0 {
			break
		}
		end = segEnd
		if end+1 < len(s) && (s[end] == '-' || s[end] == '_' || s[end] == '/') {
			next := end + 1
			if s[end] == '-' && s[next] == ' ' && next+1 < len(s) {
				next++ // "TTLT- BQP"
			}
			r, _ := utf8.DecodeRuneInString(s[next:])
			if unicode.IsUpper(r) {
				j = next
				continue
			}
		}
		break
	}
	return end
}

// codeSegmentAt reads one segment of an issuer code ("NĐ", "CP", "QH13", "TTg") at s[i].
func codeSegmentAt(s string, i int) int {
	var runes []rune
	var offs []int
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !unicode.IsUpper(r) {
			break
		}
		runes = append(runes, r)
		offs = append(offs, j)
		j += size
	}
	if len(runes) == 0 {
		return -1
	}
	if j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		switch {
		case r == 'g' && strings.HasSuffix(string(runes), "TT"):
			if k := j + size; k >= len(s) || !unicode.IsLower(layout.FirstRune(s[k:])) {
				return k
			}
			fallthrough
		case unicode.IsLower(r):
			if len(runes) == 1 && startsWord(s[offs[0]:]) {
				return -1 // a word after the code: "NĐ-CP-Quy định"
			}
			if len(runes) >= 2 && startsWord(s[offs[len(offs)-1]:]) {
				return offs[len(offs)-1] // the last capital starts the next word: "CPNghị"
			}
			return j
		case isDigit(s[j]):
			k := j
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			if k < len(s) && (s[k] == '/' || s[k] == '.') {
				// The digits start the next number; "QH" keeps its two-digit legislature.
				if strings.HasSuffix(string(runes), "QH") && k-j > 2 {
					return j + 2
				}
				return j
			}
			return k
		}
	}
	return j
}

// startsWord reports whether s starts with a capitalised Vietnamese syllable ("Nghị",
// "Thông", "Quy"), as opposed to the end of a code glued to a lowercase word ("Psửa").
func startsWord(s string) bool {
	end := 0
	for i, r := range s {
		if i > 0 && !unicode.IsLower(r) {
			break
		}
		end = i + utf8.RuneLen(r)
	}
	w := layout.Fold(s[:end])
	if strings.HasPrefix(w, "p") && !strings.HasPrefix(w, "ph") {
		return false
	}
	return vietnamese.IsSyllable(w)
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// docRange is one document number found in a text.
type docRange struct{ start, end int }

// findDocNumbers returns the document numbers in s, in order, including ones glued to the
// end of the previous number.
func findDocNumbers(s string) []docRange {
	var out []docRange
	prevEnd := -1
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || (i > 0 && isDigit(s[i-1]) && i != prevEnd) {
			continue
		}
		// A year glued to the next number: "ngày 29/6/202443/2024/QH15", "năm 202056/2020/QH14".
		run := i
		for run < len(s) && isDigit(s[run]) {
			run++
		}
		if run < len(s) && s[run] == '/' && (run-i >= 6 || run-i == 5 && i > 0 && s[i-1] == '/') &&
			(strings.HasPrefix(s[i:], "19") || strings.HasPrefix(s[i:], "20")) {
			i += 4
		}
		if end := docNumberAt(s, i); end > 0 {
			out = append(out, docRange{i, end})
			prevEnd = end
			i = end - 1
		}
	}
	return out
}

// legalPrefixIndex is reLegalPrefix.FindStringIndex(s) for a clean s (single spaces), whose
// match, ending the text, spans at most a phrase of a few words: only the end of s is searched.
func legalPrefixIndex(s string) []int {
	const window = 96 // bytes; the longest match, "Thông tư liên tịch số ", takes 30
	if len(s) <= window {
		return reLegalPrefix.FindStringIndex(s)
	}
	off := len(s) - window
	for off > 0 && !utf8.RuneStart(s[off]) {
		off--
	}
	loc := reLegalPrefix.FindStringIndex(s[off:])
	if loc == nil {
		return nil
	}
	return []int{off + loc[0], off + loc[1]}
}

// parseLegalBasis reads can_cu_phap_ly: pairs of title and number cells glued together. A
// number ends a row when text is glued right after it (the next title) or the text ends; a
// number followed by a space or punctuation is part of a title.
func parseLegalBasis(s string) []LegalDoc {
	s = layout.Clean(s)
	if loc := reLegalHeader.FindStringIndex(s); loc != nil {
		s = s[loc[1]:]
	}
	if i := strings.Index(s, "Cơ quan thực hiện"); i >= 0 {
		s = s[:i] // a scraper glitch appends the next section
	}
	if isBlank(s) {
		return nil
	}
	nums := findDocNumbers(s)
	var out []LegalDoc
	entry := 0
	for k, n := range nums {
		if n.end < len(s) {
			if k+1 < len(nums) && nums[k+1].start == n.end {
				continue // the title's own number, followed by the number cell
			}
			r, _ := utf8.DecodeRuneInString(s[n.end:])
			if unicode.IsSpace(r) || strings.ContainsRune(",;.:)]\"”'", r) {
				continue
			}
		}
		numStart := n.start
		if loc := legalPrefixIndex(s[entry:n.start]); loc != nil {
			ps := entry + loc[0]
			if ps > entry && !unicode.IsSpace(layout.LastRune(s[:ps])) {
				numStart = ps // "…doanh nghiệpThông tư số 80/2025/TT-NHNN"
			}
		}
		title := strings.TrimSpace(s[entry:numStart])
		number := s[n.start:n.end]
		if title == "" {
			title = strings.TrimSpace(s[entry:n.end])
		}
		title = strings.TrimSpace(strings.TrimLeft(title, "-+•*;, "))
		if l := len(out); l > 0 && out[l-1].Number == number && layout.FoldKey(title) == layout.FoldKey(strings.TrimSpace(s[entry:n.end])) && strings.Contains(title, number) {
			entry = n.end // the number cell repeated the title: "Thông tư số 64/…Thông tư số 64/…"
			continue
		}
		out = append(out, LegalDoc{Title: title, Number: number})
		entry = n.end
	}
	if rest := strings.TrimSpace(strings.TrimLeft(s[entry:], "-+•*;, ")); rest != "" && len(layout.Words(rest)) >= 2 {
		out = append(out, LegalDoc{Title: rest})
	}
	return out
}
