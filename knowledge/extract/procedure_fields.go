package extract

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge/layout"
)

// noInfo is what the portal writes in an empty table cell.
const noInfo = "Không có thông tin"

// ---- Trình tự thực hiện -------------------------------------------------------------------

// stepMarker is a "Bước N" marker: where it starts (at its bullet, if any) and its number.
type stepMarker struct {
	start, n int
}

// stepMarkers finds the "Bước N" markers that stand at the start of the text, after white space
// or after punctuation (".", ";", ":"), possibly behind a bullet. It scans for the word instead
// of running a regular expression at every position: procedure texts are long.
func stepMarkers(text string) []stepMarker {
	var out []stepMarker
	for from := 0; from < len(text); {
		i := indexStepWord(text[from:])
		if i < 0 {
			break
		}
		pos := from + i
		from = pos + len("Bước")
		// The number: optional spaces, then one or two digits.
		j := from
		for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
			j++
		}
		k := j
		for k < len(text) && k-j < 3 && text[k] >= '0' && text[k] <= '9' {
			k++
		}
		if k == j || k-j > 2 {
			continue
		}
		n, _ := strconv.Atoi(text[j:k])
		// What precedes: optional spaces and a bullet, then the start, a space or punctuation.
		start := pos
		b := strings.TrimRight(text[:pos], " \t")
		if strings.HasSuffix(b, "-") || strings.HasSuffix(b, "+") || strings.HasSuffix(b, "•") {
			_, size := utf8.DecodeLastRuneInString(b)
			start = len(b) - size
			b = strings.TrimRight(b[:start], " \t")
			if len(b) == start && start > 0 && !strings.ContainsRune("\n.;:", rune(b[len(b)-1])) {
				continue // a bullet glued to a word
			}
		} else if start > 0 && len(b) == start && !strings.ContainsRune("\n.;:", rune(b[len(b)-1])) {
			continue // "…xBước": no space or punctuation before
		}
		out = append(out, stepMarker{start: start, n: n})
	}
	return out
}

// indexStepWord returns the index of the first "Bước" or "BƯỚC" in s, or -1.
func indexStepWord(s string) int {
	i, j := strings.Index(s, "Bước"), strings.Index(s, "BƯỚC")
	switch {
	case i < 0:
		return j
	case j < 0 || i < j:
		return i
	}
	return j
}

// parseSteps splits trinh_tu_thuc_hien into steps: at "Bước 1", "Bước 2", ... when the
// numbers run in order, else at the items of the outermost list, else at paragraphs.
func parseSteps(s string) []string {
	if isBlank(s) {
		return nil
	}
	text := strings.Join(layout.CleanLines(s), "\n")
	if steps := splitNumberedSteps(text); len(steps) >= 2 {
		return steps
	}
	paras := layout.Paragraphs(layout.NonEmpty(strings.Split(text, "\n")))
	top := ""
	for _, p := range paras {
		if _, f, _ := layout.SplitMarker(p); f != "" {
			top = f
			break
		}
	}
	var steps []string
	for _, p := range paras {
		_, f, _ := layout.SplitMarker(p)
		if len(steps) == 0 || top == "" || f == top {
			steps = append(steps, p)
			continue
		}
		steps[len(steps)-1] += " " + p
	}
	return steps
}

// splitNumberedSteps splits text at "Bước 1", "Bước 2", ... in order.
func splitNumberedSteps(text string) []string {
	var cuts []int // start of each step's marker
	want := 1
	for _, m := range stepMarkers(text) {
		if m.n != want {
			continue
		}
		cuts = append(cuts, m.start)
		want++
	}
	if len(cuts) < 2 {
		return nil
	}
	var steps []string
	if pre := layout.Clean(text[:cuts[0]]); pre != "" && !isBlank(pre) && layout.FoldKey(pre) != "trinh tu thuc hien" {
		steps = append(steps, pre)
	}
	for i, c := range cuts {
		end := len(text)
		if i+1 < len(cuts) {
			end = cuts[i+1]
		}
		step := layout.Clean(text[c:end])
		step = strings.TrimLeft(step, "-+• ")
		steps = append(steps, step)
	}
	return steps
}

// ---- Cách thức thực hiện ------------------------------------------------------------------

// channelNames are the submission channels the portal knows, longest first.
var channelNames = []string{"Dịch vụ bưu chính", "Trực tuyến", "Trực tiếp"}

var (
	reChannelHeader = regexp.MustCompile(`^\s*Hình thức nộp\s*Thời gian\s*Phí, lệ phí\s*Mô tả`)
	reTimeUnit      = regexp.MustCompile(`^(\d+(?:[.,]\d+)?(?:\s*-\s*\d+(?:[.,]\d+)?)?) ?(Ngày làm việc|Giờ làm việc|Ngày|Giờ|Tháng|Năm|Tuần|Phút)`)
	reTimeDigits    = regexp.MustCompile(`^\d+`)
	reAmountDigits  = regexp.MustCompile(`^[\d,]+`)
	reCurrency      = regexp.MustCompile(`^\s?(Việt Nam Đồng|VNĐ|Đồng|đồng|USD)`)
	reAmount        = regexp.MustCompile(`^(\d{1,3}(?:,\d{3})+|\d+)\s?(Việt Nam Đồng|VNĐ|Đồng|đồng|USD)`)
	reNoteAmount    = regexp.MustCompile(`(?:Lệ phí|Phí|lệ phí|phí)\s*:?\s*(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:/\s*[^\s()]+\s*)?(?:Việt Nam Đồng|VNĐ|vnđ|Đồng|đồng|đ\b)`)
)

// channelHead is the start of one channel row: its name, time and fee cells.
type channelHead struct {
	name, time, fee string
	timeDigits      string // time written without a unit, glued to a numeric fee: split later
	feeDigits       string // the amount's digits (with timeDigits in front when glued)
	currency        string
	start, end      int // byte range of the head in the cell text
}

// parseChannelHead reads "<name><time><fee>" at s[at:], or reports false.
func parseChannelHead(s string, at int) (channelHead, bool) {
	h := channelHead{start: at}
	rest := s[at:]
	for _, n := range channelNames {
		if strings.HasPrefix(rest, n) {
			h.name = n
			break
		}
	}
	if h.name == "" {
		return h, false
	}
	pos := at + len(h.name)
	rest = s[pos:]
	switch {
	case strings.HasPrefix(rest, noInfo):
		pos += len(noInfo)
	case strings.HasPrefix(rest, "Không quy định"):
		h.time = "Không quy định"
		pos += len(h.time)
	case strings.HasPrefix(rest, "Không") && (strings.HasPrefix(rest[len("Không"):], noInfo) || strings.HasPrefix(rest[len("Không"):], "Miễn phí")):
		h.time = "Không"
		pos += len("Không")
	default:
		if m := reTimeUnit.FindString(rest); m != "" {
			h.time = m
			pos += len(m)
			break
		}
		m := reTimeDigits.FindString(rest)
		if m == "" {
			// A time written as words: "Không phải trả kết quả cho người nộp thuế".
			t := freeTextTime(rest)
			if t == "" {
				return h, false
			}
			h.time = t
			pos += len(t)
			break
		}
		after := rest[len(m):]
		if strings.HasPrefix(after, "Miễn phí") || strings.HasPrefix(after, noInfo) {
			h.time = m
			pos += len(m)
			break
		}
		// Digits glued to a numeric fee: "1100 VNĐ" is time 1 and fee 100 VNĐ. Find where the
		// amount ends; the split is chosen once the remark is known.
		digits := reAmountDigits.FindString(rest)
		cur := reCurrency.FindStringSubmatch(rest[len(digits):])
		if cur == nil {
			if strings.HasPrefix(after, ",") {
				return h, false
			}
			h.time = m
			pos += len(m)
			break
		}
		h.timeDigits = m
		h.feeDigits = digits
		h.currency = cur[1]
		h.end = pos + len(digits) + len(cur[0])
		return h, true
	}
	rest = s[pos:]
	switch {
	case strings.HasPrefix(rest, "Miễn phí"):
		h.fee = "Miễn phí"
	case strings.HasPrefix(rest, noInfo):
		h.fee = noInfo
	default:
		m := reAmount.FindStringSubmatch(rest)
		if m == nil {
			if h.time == "" {
				return h, false
			}
			// A time without a fee column.
			h.end = pos
			return h, true
		}
		h.fee = m[0]
		h.feeDigits = m[1]
		h.currency = m[2]
	}
	h.end = pos + len(h.fee)
	if h.fee == noInfo {
		h.fee = ""
	}
	return h, true
}

// freeTextTime returns a time cell written as words, up to a fee cell ("Miễn phí", "Không có
// thông tin" or an amount), or "" when there is none within a short distance.
func freeTextTime(rest string) string {
	limit := min(len(rest), 160)
	for i := 1; i < limit; i++ {
		if !utf8.RuneStart(rest[i]) {
			continue
		}
		tail := rest[i:]
		if strings.HasPrefix(tail, "Miễn phí") || strings.HasPrefix(tail, noInfo) || reAmount.MatchString(tail) && !isDigit(rest[i-1]) {
			t := rest[:i]
			for _, n := range channelNames {
				if strings.Contains(t, n) {
					return ""
				}
			}
			if !unicode.IsUpper(layout.FirstRune(t)) {
				return ""
			}
			return t
		}
	}
	return ""
}

// parseChannels reads cach_thuc_thuc_hien: a flattened table of channel, time, fee and
// description cells.
func parseChannels(s string) []Channel {
	s = layout.Clean(s)
	if loc := reChannelHeader.FindStringIndex(s); loc != nil {
		s = s[loc[1]:]
	}
	if isBlank(s) {
		return nil
	}
	// Find the channel rows: a channel name directly followed by a time or fee cell. A name
	// inside a parenthesised fee remark does not start a row.
	var heads []channelHead
	for i := 0; i < len(s); {
		h, ok := parseChannelHead(s, i)
		if !ok {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			continue
		}
		heads = append(heads, h)
		i = h.end
		if i < len(s) && s[i] == '(' {
			if close := matchParen(s, i); close > 0 {
				i = close + 1
			}
		}
	}
	if len(heads) == 0 {
		return []Channel{{Note: s}}
	}
	var out []Channel
	for k, h := range heads {
		end := len(s)
		if k+1 < len(heads) {
			end = heads[k+1].start
		}
		tail := s[h.end:end]
		note, desc := "", tail
		if strings.HasPrefix(tail, "(") {
			if close := matchParen(tail, 0); close > 0 {
				note, desc = tail[1:close], tail[close+1:]
			} else {
				note, desc = tail[1:], ""
			}
		}
		note, desc = strings.TrimSpace(note), strings.TrimSpace(desc)
		if h.timeDigits != "" {
			h.time, h.fee, h.feeDigits = splitTimeFee(h.feeDigits, len(h.timeDigits), h.currency, note+" "+desc)
		}
		c := Channel{Name: h.name, Time: strings.TrimSpace(h.time), Fee: h.fee}
		for _, part := range []string{note, desc} {
			if part == "" || isBlank(part) {
				continue
			}
			if c.Note != "" && !layout.EndsSentence(c.Note) {
				c.Note += "."
			}
			c.Note = strings.TrimSpace(c.Note + " " + part)
		}
		c.FeeAmounts = feeAmounts(h.feeDigits, h.currency, note+" "+desc)
		c.Free = len(c.FeeAmounts) == 0 && (c.Fee == "Miễn phí" || c.Fee == "Không")
		out = append(out, c)
	}
	return out
}

// splitTimeFee splits digits glued across the time and fee cells ("1100 VNĐ", "120,000
// VNĐ"): the split whose amount the remark repeats (as written or in thousands) wins, else
// the shortest time. joined holds all the digits, lead the number of leading plain digits.
func splitTimeFee(joined string, lead int, currency, remark string) (time, fee, amount string) {
	type split struct{ time, amount string }
	var splits []split
	for k := 1; k <= lead && k < len(joined); k++ {
		a := joined[k:]
		if a[0] == '0' || a[0] == ',' {
			continue
		}
		if m := reAmount.FindStringSubmatch(a + " " + currency); m == nil || m[1] != a {
			continue
		}
		splits = append(splits, split{joined[:k], a})
	}
	if len(splits) == 0 {
		return "", joined + " " + currency, joined
	}
	mentioned := map[int64]bool{}
	for _, n := range remarkNumbers(remark) {
		mentioned[n] = true
	}
	best := splits[0]
	for _, sp := range splits {
		n := parseAmount(sp.amount)
		if mentioned[n] || mentioned[n*1000] {
			best = sp
			break
		}
	}
	return best.time, best.amount + " " + currency, best.amount
}

// reRemarkNumber finds numbers in a remark, with dot or comma thousands separators.
var reRemarkNumber = regexp.MustCompile(`\d{1,3}(?:[.,]\d{3})+|\d+`)

func remarkNumbers(s string) []int64 {
	var out []int64
	for _, m := range reRemarkNumber.FindAllString(s, -1) {
		out = append(out, parseAmount(m))
	}
	return out
}

// parseAmount reads "10,000", "10.000" or "10000" as 10000; 0 when it is not a number.
func parseAmount(s string) int64 {
	s = strings.NewReplacer(",", "", ".", "").Replace(s)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// feeAmounts returns the amounts in đồng of a fee cell and of the "Phí: ..." and "Lệ phí:
// ..." items of its remark, without repeats. An amount the portal wrote in thousands
// ("20 VNĐ" with the remark "20.000 đồng/lần") is scaled to đồng.
func feeAmounts(digits, currency, remark string) []int64 {
	var out []int64
	seen := map[int64]bool{}
	add := func(n int64) {
		if n > 0 && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if digits != "" && currency != "USD" {
		n := parseAmount(digits)
		if n > 0 && n < 1000 {
			for _, m := range remarkNumbers(remark) {
				if m == n*1000 {
					n = m
					break
				}
			}
		}
		add(n)
	}
	for _, m := range reNoteAmount.FindAllStringSubmatch(remark, -1) {
		add(parseAmount(m[1]))
	}
	return out
}

// matchParen returns the index of the parenthesis closing the one at s[open], or -1.
func matchParen(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// formatVND writes an amount the Vietnamese way: 10000 → "10.000".
func formatVND(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ---- Thành phần hồ sơ ---------------------------------------------------------------------

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

// ---- Kết quả xử lý --------------------------------------------------------------------------

var reResultCode = regexp.MustCompile(`Mã\s*:\s*KQ(?:\.[A-Z]?\d+)+`)

// parseResults reads ket_qua_xu_ly: result names each followed by "Mã: KQ...", then the
// portal's keyword, description and agency picker, of which only a real description is kept.
func parseResults(s string) []string {
	s = layout.Clean(s)
	tail := ""
	if i := strings.Index(s, "Từ khóa"); i >= 0 {
		s, tail = s[:i], s[i:]
	} else if i := strings.Index(s, "Chọn cơ quan thực hiện"); i >= 0 {
		s = s[:i]
	}
	var out []string
	for _, part := range reResultCode.Split(s, -1) {
		if part = strings.TrimSpace(part); part != "" && !isBlank(part) {
			out = append(out, part)
		}
	}
	if i := strings.Index(tail, "Mô tả"); i >= 0 {
		desc := tail[i+len("Mô tả"):]
		if j := strings.Index(desc, "Chọn cơ quan thực hiện"); j >= 0 {
			desc = desc[:j]
		}
		if desc = strings.TrimSpace(desc); !isBlank(desc) {
			out = append(out, desc)
		}
	}
	return out
}

// ---- Căn cứ pháp lý -------------------------------------------------------------------------

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
	return vietnameseSyllable.MatchString(w)
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
