package extract

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/trolyao/trolyao/knowledge/layout"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// finish fills the metadata of a non-procedure document from its title and body.
func finish(doc *Document, name string) {
	if doc.Title == "" {
		doc.Title = fallbackTitle(name, doc.Blocks)
	}
	doc.Title = strings.TrimRight(doc.Title, " :")
	body := bodyText(doc.Blocks)
	all := doc.Title + "\n" + body
	if doc.Kind == "" {
		doc.Kind = detectKind(doc.Title, doc.Blocks)
	}
	if doc.Number == "" {
		doc.Number = detectNumber(doc.Title, body)
	}
	if doc.Dates == nil {
		doc.Dates = detectDates(all, doc.Number)
	}
	if doc.Issuer == "" || doc.Locality == "" {
		issuer, locality := detectIssuerLocality(doc.Title, body)
		if doc.Issuer == "" {
			doc.Issuer = issuer
		}
		if doc.Locality == "" {
			doc.Locality = locality
		}
	}
}

// bodyText joins the text of the blocks, one per line.
func bodyText(blocks []layout.Block) string {
	var b strings.Builder
	for _, bl := range blocks {
		if bl.Marker != "" {
			b.WriteString(bl.Marker)
			b.WriteByte(' ')
		}
		b.WriteString(bl.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// reGeneratedName matches file names that carry no meaning: hashes, numbers, "document1".
var reGeneratedName = regexp.MustCompile(`^(?i)([0-9_\-. ]*[0-9a-f]{8,}|[0-9_\-. ]+|(document|untitled|tai lieu|new|scan|file)[0-9_\-. ]*)$`)

// fallbackTitle derives a title when the content has none: the file name when it means
// something, else the start of the first paragraph.
func fallbackTitle(name string, blocks []layout.Block) string {
	base := strings.TrimSuffix(path.Base(name), path.Ext(name))
	base = layout.Clean(strings.NewReplacer("_", " ", "-", " ").Replace(base))
	if base != "" && !reGeneratedName.MatchString(strings.ReplaceAll(base, " ", "_")) && !reGeneratedName.MatchString(base) {
		return base
	}
	for _, b := range blocks {
		if b.Text == "" {
			continue
		}
		first := b.Text
		if i := sentenceEnd(first); i > 0 {
			first = first[:i]
		}
		return vietnamese.Truncate(strings.TrimRight(first, ".:;"), 160)
	}
	return base
}

// sentenceEnd returns the byte index just after the first sentence of s, or -1.
func sentenceEnd(s string) int {
	for i := 0; i < len(s)-1; i++ {
		if (s[i] == '.' || s[i] == '?' || s[i] == '!') && s[i+1] == ' ' {
			if i+2 < len(s) && unicode.IsUpper(layout.FirstRune(s[i+2:])) {
				return i + 1
			}
		}
	}
	return -1
}

var (
	reFAQQuestion = regexp.MustCompile(`(?m)^(?:\S+\s)?(hoi|cau hoi|question|q)\s*\d*\s*[:.)]`)
	reFAQAnswer   = regexp.MustCompile(`(?m)^(?:\S+\s)?(dap|tra loi|answer|a)\s*\d*\s*[:.)]`)
	rePlanWords   = regexp.MustCompile(`\b(ke hoach|chuong trinh|de an|muc tieu|chi tieu|chuyen doi so|chinh quyen so|chinh phu so|chinh quyen dien tu|chien luoc|lo trinh|giai doan 20\d\d|nhiem vu trong tam|giai phap)\b`)
)

// detectKind classifies a document: questions and answers make a FAQ (marked "Hỏi:"/"Đáp:",
// or headings that are questions each followed by its answer), planning vocabulary a plan,
// anything else is other.
func detectKind(title string, blocks []layout.Block) string {
	var lines []string
	// Question-and-answer pairs: a short question (a heading or a line ending with "?")
	// followed by its answer.
	pairs, headings, headingQuestions := 0, 0, 0
	for i, b := range blocks {
		lines = append(lines, layout.Fold(strings.TrimSpace(b.Marker+" "+b.Text)))
		question := strings.HasSuffix(strings.TrimSpace(b.Text), "?") && len([]rune(b.Text)) <= 200
		answered := i+1 < len(blocks) && blocks[i+1].Kind != layout.Heading && !strings.HasSuffix(strings.TrimSpace(blocks[i+1].Text), "?")
		if b.Kind == layout.Heading {
			headings++
		}
		if question && answered {
			pairs++
			if b.Kind == layout.Heading {
				headingQuestions++
			}
		}
	}
	if headingQuestions >= 1 && headingQuestions*2 >= headings || pairs >= 2 && pairs*3 >= len(blocks) {
		return KindFAQ
	}
	joined := strings.Join(lines, "\n")
	q := len(reFAQQuestion.FindAllString(joined, -1))
	a := len(reFAQAnswer.FindAllString(joined, -1))
	if q >= 2 && a >= 2 || q >= 1 && a >= 1 && len(blocks) <= 6 {
		return KindFAQ
	}
	ft := layout.Fold(title)
	if rePlanWords.MatchString(ft) {
		return KindPlan
	}
	hits := map[string]bool{}
	for _, m := range rePlanWords.FindAllString(joined, -1) {
		hits[m] = true
	}
	if len(hits) >= 3 {
		return KindPlan
	}
	return KindOther
}

// reIssuingPhrase finds the number a document is about: "ban hành Kế hoạch số 12/KH-UBND",
// "Quyết định số 2870/QĐ-BKHCN ban hành", "Kế hoạch số 2663/KH-UBND".
var reIssuingPhrase = regexp.MustCompile(`(?i)(?:ban hành|ra|ký|phê duyệt)\s+(?:kế hoạch|quyết định|chương trình|đề án|nghị quyết|chỉ thị|thông tư|nghị định|công văn|văn bản)\s+(?:số\s+)?(\d[^\s,;()]*)|(?:kế hoạch|quyết định)\s+số\s+(\d[^\s,;()]*)`)

// detectNumber picks the document's own number: one in the title, one introduced by an
// issuing phrase, else the first one in the text.
func detectNumber(title, body string) string {
	if m := vietnamese.DocumentNumber(title); m != "" {
		return m
	}
	for _, m := range reIssuingPhrase.FindAllStringSubmatch(body, -1) {
		for _, g := range m[1:] {
			if n := vietnamese.DocumentNumber(g); n != "" {
				return n
			}
		}
	}
	return vietnamese.DocumentNumber(body)
}

// reDateWords reads a date in words, at the start of the text it is given: findDates tries it
// only where "ngày" begins a word, which costs far less than scanning with it.
var reDateWords = regexp.MustCompile(`^(?i)ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+((?:19|20)\d{2})\b`)

// dateMatch is one date found in a text.
type dateMatch struct {
	iso   string
	start int
}

// findDates returns the valid dates in s in order of appearance: "11/6/2022", "09.04.2020",
// "ngày 15 tháng 5 năm 2021".
func findDates(s string) []dateMatch {
	var out []dateMatch
	add := func(d, mo, y, start int) {
		if mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(mo, y) {
			out = append(out, dateMatch{fmt.Sprintf("%04d-%02d-%02d", y, mo, d), start})
		}
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || i > 0 && isWordByte(s[i-1]) {
			continue
		}
		if d, mo, y, ok := numericDateAt(s, i); ok {
			add(d, mo, y, i)
		}
	}
	if strings.Contains(s, "tháng") {
		for i := 0; i < len(s); {
			k := indexWordNgay(s[i:])
			if k < 0 {
				break
			}
			at := i + k
			m := reDateWords.FindStringSubmatchIndex(s[at:])
			if m == nil {
				i = at + 1
				continue
			}
			d, _ := strconv.Atoi(s[at+m[2] : at+m[3]])
			mo, _ := strconv.Atoi(s[at+m[4] : at+m[5]])
			y, _ := strconv.Atoi(s[at+m[6] : at+m[7]])
			add(d, mo, y, at)
			i = at + m[1]
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	}
	return out
}

// indexWordNgay returns the index of the first "ngày", in any letter case, that does not follow
// an ASCII letter, digit or underscore, or -1.
func indexWordNgay(s string) int {
	const word = "ngày" // 5 bytes in every letter case
	for i := 0; i+len(word) <= len(s); i++ {
		if c := s[i]; c != 'n' && c != 'N' {
			continue
		}
		if i > 0 && (isASCIIWordByte(s[i-1])) {
			continue
		}
		if strings.EqualFold(s[i:i+len(word)], word) {
			return i
		}
	}
	return -1
}

// isASCIIWordByte reports the bytes regexp's \b counts as word characters.
func isASCIIWordByte(b byte) bool {
	return isDigit(b) || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_'
}

// isWordByte reports ASCII letters and digits and the bytes of multi-byte letters.
func isWordByte(b byte) bool {
	return isDigit(b) || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
}

// numericDateAt reads "d/m/yyyy" (separators / . -, a space allowed around them) at s[i].
func numericDateAt(s string, i int) (d, mo, y int, ok bool) {
	num := func(min, max int) (int, bool) {
		j := i
		for j < len(s) && isDigit(s[j]) && j-i < max {
			j++
		}
		if j-i < min || j < len(s) && isDigit(s[j]) {
			return 0, false
		}
		n, _ := strconv.Atoi(s[i:j])
		i = j
		return n, true
	}
	sep := func() bool {
		if i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) || (s[i] != '/' && s[i] != '.' && s[i] != '-') {
			return false
		}
		i++
		if i < len(s) && s[i] == ' ' {
			i++
		}
		return true
	}
	if d, ok = num(1, 2); !ok || !sep() {
		return 0, 0, 0, false
	}
	if mo, ok = num(1, 2); !ok || !sep() {
		return 0, 0, 0, false
	}
	if y, ok = num(4, 4); !ok || y < 1900 || y > 2099 {
		return 0, 0, 0, false
	}
	if i < len(s) && isWordByte(s[i]) {
		return 0, 0, 0, false
	}
	return d, mo, y, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// detectDates lists the distinct dates of a text, the issue date first: the date written
// next to the document's number ("số 2663/KH-UBND ngày 11/6/2022", "ngày 11/11/2021, ...
// Quyết định số 2870/QĐ-BKHCN").
func detectDates(s, number string) []string {
	found := findDates(s)
	if len(found) == 0 {
		return nil
	}
	issue := -1
	if number != "" {
		if at := strings.Index(s, number); at >= 0 {
			best := 1 << 30
			for i, d := range found {
				dist := d.start - (at + len(number))
				if dist < 0 {
					dist = at - d.start
				}
				if dist >= 0 && dist <= 120 && dist < best && !strings.ContainsAny(between(s, at, d.start), ".\n") {
					best, issue = dist, i
				}
			}
		}
	}
	var out []string
	seen := map[string]bool{}
	if issue >= 0 {
		out = append(out, found[issue].iso)
		seen[found[issue].iso] = true
	}
	for _, d := range found {
		if !seen[d.iso] {
			seen[d.iso] = true
			out = append(out, d.iso)
		}
	}
	return out
}

// between returns the text between two byte offsets, in either order.
func between(s string, a, b int) string {
	if a > b {
		a, b = b, a
	}
	return s[a:b]
}

// ministries are national issuing bodies, longest names first where one contains another.
var ministries = []string{
	"Bộ Nông nghiệp và Phát triển nông thôn", "Bộ Nông nghiệp và Môi trường",
	"Bộ Lao động - Thương binh và Xã hội", "Bộ Văn hóa, Thể thao và Du lịch",
	"Bộ Tài nguyên và Môi trường", "Bộ Thông tin và Truyền thông", "Bộ Khoa học và Công nghệ",
	"Bộ Giáo dục và Đào tạo", "Bộ Kế hoạch và Đầu tư", "Bộ Giao thông vận tải",
	"Bộ Dân tộc và Tôn giáo", "Bộ Công Thương", "Bộ Công an", "Bộ Quốc phòng", "Bộ Ngoại giao",
	"Bộ Nội vụ", "Bộ Tư pháp", "Bộ Tài chính", "Bộ Xây dựng", "Bộ Y tế",
	"Ngân hàng Nhà nước Việt Nam", "Thanh tra Chính phủ", "Văn phòng Chính phủ",
	"Thủ tướng Chính phủ", "Chính phủ", "Quốc hội",
}

// departments are the names of provincial departments (Sở), longest first.
var departments = []string{
	"Lao động - Thương binh và Xã hội", "Văn hóa, Thể thao và Du lịch", "Nông nghiệp và Phát triển nông thôn",
	"Nông nghiệp và Môi trường", "Tài nguyên và Môi trường", "Thông tin và Truyền thông",
	"Khoa học và Công nghệ", "Giáo dục và Đào tạo", "Kế hoạch và Đầu tư", "Giao thông vận tải",
	"Văn hóa và Thể thao", "Dân tộc và Tôn giáo", "Công Thương", "Tài chính", "Xây dựng", "Nội vụ",
	"Tư pháp", "Y tế", "Ngoại vụ", "Du lịch",
}

// reIssueVerb follows an issuer that issued the document.
var reIssueVerb = regexp.MustCompile(`^[\s,)(]*(?:\(\p{Lu}+\)\s*)?(?:vừa|đã|mới|chính thức|đã chính thức)?\s*(?:ban hành|ra quyết định|ký|phê duyệt|triển khai|ra|công bố|xây dựng)\b`)

// issuerCandidate is one issuing body named in the text.
type issuerCandidate struct {
	name     string
	province *province
	pos      int
	score    int
}

// detectIssuerLocality finds the issuing body ("UBND tỉnh Đồng Nai", "Sở Khoa học và Công
// nghệ tỉnh Hưng Yên", "Bộ Khoa học và Công nghệ") and the province the document is about.
func detectIssuerLocality(title, body string) (issuer, locality string) {
	all := title + "\n" + body
	loc := detectLocality(title, body)
	var cands []issuerCandidate
	add := func(name string, p *province, start, end int, weight int) {
		score := weight
		if reIssueVerb.MatchString(all[end:min(len(all), end+60)]) {
			score += 4
		}
		if start < len(title) {
			score += 2
		}
		for i := range cands {
			if cands[i].name == name {
				cands[i].score += score
				return
			}
		}
		cands = append(cands, issuerCandidate{name, p, start, score})
	}

	toks := tokenize(all)
	mentions := findProvinces(all)
	provinceAt := func(offset int) (*province, int) {
		for _, m := range mentions {
			if m.start >= offset && m.start-offset <= 14 {
				return m.p, m.end
			}
		}
		return nil, 0
	}
	for i, t := range toks {
		switch {
		case t.text == "UBND" || (t.folded == "uy" && i+3 < len(toks) && toks[i+1].folded == "ban" && toks[i+2].folded == "nhan" && toks[i+3].folded == "dan"):
			j := i + 1
			if t.text != "UBND" {
				j = i + 4
			}
			if j < len(toks) && toks[j].text == "UBND" { // "Ủy ban nhân dân (UBND) tỉnh"
				j++
			}
			if j >= len(toks) {
				continue
			}
			unit := toks[j].folded
			if unit != "tinh" && unit != "thanh" && unit != "tp" {
				continue
			}
			p, end := provinceAt(toks[j].start)
			if p == nil && loc != "" && (unit == "tinh" || unit == "thanh") {
				p = provinceByName(loc) // "UBND tỉnh vừa ban hành" in a document about one province
				end = toks[j].end
				if unit == "thanh" && j+1 < len(toks) {
					end = toks[j+1].end
				}
			}
			if p == nil {
				continue
			}
			add("UBND "+p.unitPrefix()+" "+p.name, p, t.start, end, 2)
		case t.text == "Sở":
			rest := all[t.end:]
			for _, d := range departments {
				if !strings.HasPrefix(strings.TrimSpace(rest), d) {
					continue
				}
				after := t.end + strings.Index(rest, d) + len(d)
				p, end := provinceAt(after)
				if p == nil && loc != "" {
					p = provinceByName(loc)
					end = after
				}
				if p == nil {
					break
				}
				add("Sở "+d+" "+p.unitPrefix()+" "+p.name, p, t.start, end, 2)
				break
			}
		}
	}
	for _, m := range ministries {
		for off := 0; ; {
			i := strings.Index(all[off:], m)
			if i < 0 {
				break
			}
			start := off + i
			off = start + len(m)
			if strings.HasPrefix(all[off:], " ") && unicode.IsLower(layout.FirstRune(all[off+1:])) && m == "Chính phủ" {
				continue
			}
			if m == "Chính phủ" && start >= len("Thủ tướng ") && strings.HasSuffix(all[:start], "Thủ tướng ") {
				continue
			}
			if strings.HasSuffix(all[:start], "Bộ trưởng ") {
				add(m, nil, start, off, 3)
				continue
			}
			add(m, nil, start, off, 1)
		}
	}
	if len(cands) == 0 {
		return "", loc
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		return cands[i].pos < cands[j].pos
	})
	best := cands[0]
	if best.score < 2 {
		return "", loc
	}
	if best.province == nil && loc != "" {
		// A ministry's document stays national unless the province is prominent.
		if !strings.Contains(layout.Fold(title), layout.Fold(loc)) && countMentions(mentions, loc) < 3 {
			loc = ""
		}
	}
	return best.name, loc
}

func countMentions(ms []provinceMention, name string) int {
	n := 0
	for _, m := range ms {
		if m.p.name == name {
			n++
		}
	}
	return n
}

// detectLocality picks the province a document is about, by position (the title counts most)
// and frequency; "" when no province is named clearly enough.
func detectLocality(title, body string) string {
	type score struct {
		n     int
		first int
	}
	scores := map[string]*score{}
	add := func(ms []provinceMention, weight, base int) {
		for _, m := range ms {
			w := weight
			if m.prefixed {
				w++
			}
			s := scores[m.p.name]
			if s == nil {
				s = &score{first: base + m.start}
				scores[m.p.name] = s
			}
			s.n += w
		}
	}
	add(findProvinces(title), 4, 0)
	add(findProvinces(body), 1, len(title)+1)
	best, bestScore, bestFirst := "", 0, 0
	for name, s := range scores {
		if s.n > bestScore || s.n == bestScore && s.first < bestFirst {
			best, bestScore, bestFirst = name, s.n, s.first
		}
	}
	if bestScore < 2 {
		return ""
	}
	return best
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }
