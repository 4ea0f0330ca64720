package procedure

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge/layout"
)

const paperHeader = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"

var (
	reCopies         = regexp.MustCompile(`(\d+) ?bản (chính|sao|chụp)((?:\s*,\s*\d+ ?bản (?:chính|sao|chụp))*)|Bản chính\s*:\s*(\d+)\s*,?\s*Bản sao\s*:\s*(\d+)`)
	reCopiesPart     = regexp.MustCompile(`(\d+) ?bản (chính|sao|chụp)`)
	reCopiesLabelled = regexp.MustCompile(`Bản chính\s*:\s*(\d+)\s*,?\s*Bản sao\s*:\s*(\d+)`)
	reFormExt        = regexp.MustCompile(`(?i)\.(docx?|xlsx?|pdf|rar|zip|odt|rtf)`)
	reNoteCase       = regexp.MustCompile(`^(?i)\W*(lưu ý|chú ý|ghi chú)`)
)

// parsePapers reads thanh_phan_ho_so: for each case a heading, the table header, and rows of
// paper name, template and number of copies, all glued together. Groups headed "Lưu ý" hold
// remarks, returned as notes.
func parsePapers(s string) ([]PaperGroup, []string) {
	s = layout.Clean(s)
	if isBlank(s) {
		return nil, nil
	}
	segs := strings.Split(s, paperHeader)
	if len(segs) == 1 {
		if len(layout.Words(s)) >= 4 {
			return nil, []string{s} // a remark without a table
		}
		return nil, nil
	}
	var (
		groups []PaperGroup
		notes  []string
	)
	caseName := segs[0]
	for k := 1; k < len(segs); k++ {
		papers, tail := splitPaperRows(segs[k])
		if k == len(segs)-1 && tail != "" {
			if len(papers) > 0 || len(layout.Words(tail)) >= 2 {
				notes = append(notes, tail)
			}
			tail = ""
		}
		c := cleanCase(caseName)
		if reNoteCase.MatchString(c) {
			for _, p := range papers {
				notes = append(notes, p.Name)
			}
		} else {
			g := PaperGroup{Case: c}
			for _, p := range papers {
				if reNoteCase.MatchString(p.Name) {
					notes = append(notes, p.Name)
					continue
				}
				g.Papers = append(g.Papers, p)
			}
			if len(g.Papers) > 0 || g.Case != "" {
				groups = append(groups, g)
			}
		}
		caseName = tail
	}
	return groups, notes
}

// cleanCase tidies a case heading: "--" means no case; list bullets and a final colon go.
func cleanCase(s string) string {
	s = strings.TrimSpace(s)
	if strings.Trim(s, "-– ") == "" {
		return ""
	}
	s = strings.TrimLeft(s, "*•+ ")
	s = strings.TrimSpace(strings.TrimSuffix(s, ":"))
	return s
}

// splitPaperRows cuts one group's rows at their copies cells ("1 bản chính"); the text after
// the last row is returned as the tail (the next group's case heading).
func splitPaperRows(seg string) ([]Paper, string) {
	var papers []Paper
	start := 0
	for _, m := range reCopies.FindAllStringSubmatchIndex(seg, -1) {
		end := m[1]
		if end < len(seg) {
			r, _ := utf8.DecodeRuneInString(seg[end:])
			if unicode.IsSpace(r) || strings.ContainsRune("),.;:", r) {
				continue // "1 bản chính hoặc bản sao" inside a name
			}
		}
		cellStart := m[0]
		if m[2] >= 0 {
			digits := seg[m[2]:m[3]]
			if keep := copiesDigits(digits); keep < len(digits) {
				cellStart = m[3] - keep
			}
		}
		if cellStart < start {
			continue
		}
		name, form := splitForm(seg[start:cellStart])
		copies := normaliseCopies(seg[cellStart:end])
		start = end
		name = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(name), "-+•*"))
		if name == "" && form == "" {
			continue
		}
		papers = append(papers, Paper{Name: name, Form: form, Copies: copies})
	}
	return papers, strings.TrimSpace(seg[start:])
}

// copiesDigits decides how many of the digits before "bản" are the count: names often end with
// a number ("ngày 24/07/2023" + "1 bản chính"), and counts are small.
func copiesDigits(d string) int {
	switch {
	case len(d) == 1:
		return 1
	case len(d) == 2:
		if n, _ := strconv.Atoi(d); n <= 20 {
			return 2
		}
	}
	return 1
}

// normaliseCopies writes a copies cell as "1 bản chính" or "1 bản chính, 1 bản sao", leaving
// out zero counts when another count is not zero.
func normaliseCopies(s string) string {
	var parts, zero []string
	if m := reCopiesLabelled.FindStringSubmatch(s); m != nil {
		s = m[1] + " bản chính," + m[2] + " bản sao"
	}
	for _, m := range reCopiesPart.FindAllStringSubmatch(s, -1) {
		n, _ := strconv.Atoi(m[1])
		p := strconv.Itoa(n) + " bản " + m[2]
		if n == 0 {
			zero = append(zero, p)
			continue
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		parts = zero
	}
	return strings.Join(parts, ", ")
}

// splitForm separates a template file name glued to the end of a paper name: "Tờ khai đăng
// kýMẫu 01.docx" → ("Tờ khai đăng ký", "Mẫu 01.docx"). Several templates are joined by "; ".
func splitForm(s string) (name, form string) {
	s = strings.TrimSpace(s)
	locs := reFormExt.FindAllStringIndex(s, -1)
	if len(locs) == 0 {
		return s, ""
	}
	last := locs[len(locs)-1]
	if last[1] != len(s) {
		return s, "" // an extension inside the name, not a template cell
	}
	start := formStart(s[:locs[0][0]])
	name = strings.TrimSpace(s[:start])
	formText := s[start:]
	// Several templates: cut after each extension.
	var forms []string
	prev := 0
	for _, l := range reFormExt.FindAllStringIndex(formText, -1) {
		forms = append(forms, strings.TrimSpace(formText[prev:l[1]]))
		prev = l[1]
	}
	return name, strings.Join(forms, "; ")
}

// formStart finds where the template cell starts in the text before its first extension: at
// the first point where two words are glued without a space ("nhậnMẫu", ").Mẫu", "(theo
// mẫu)12.1"), else at the last word.
func formStart(s string) int {
	rs := []rune(s)
	offset := 0
	for i := 0; i < len(rs); i++ {
		if i > 0 {
			prev, cur := rs[i-1], rs[i]
			glued := false
			switch {
			case unicode.IsLower(prev) && unicode.IsUpper(cur):
				glued = true
			case unicode.IsLower(prev) && unicode.IsDigit(cur) && i+1 < len(rs) && (rs[i+1] == '-' || rs[i+1] == '.' || unicode.IsDigit(rs[i+1])) && i+2 < len(rs) && !unicode.IsSpace(rs[i+2]):
				glued = true
			case strings.ContainsRune(".;)", prev) && (unicode.IsUpper(cur) || unicode.IsDigit(cur) && i >= 2 && !unicode.IsDigit(rs[i-2])):
				glued = true
			case prev == ',' && unicode.IsDigit(cur) && i >= 2 && unicode.IsLetter(rs[i-2]):
				glued = true
			case unicode.IsUpper(prev) && unicode.IsUpper(cur) && i+1 < len(rs) && unicode.IsLower(rs[i+1]) && i >= 2 && unicode.IsUpper(rs[i-2]) && i+2 < len(rs) && unicode.IsLower(rs[i+2]):
				glued = true // "NĐ-CPMus03..." → the template starts at "M"
			}
			if glued {
				return offset
			}
		}
		offset += utf8.RuneLen(rs[i])
	}
	if i := strings.LastIndexByte(s, ' '); i >= 0 {
		return i + 1
	}
	return 0
}
