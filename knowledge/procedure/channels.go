package procedure

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge/layout"
)

// noInfo is what the portal writes in an empty table cell.
const noInfo = "Không có thông tin"

// channelNames are the submission channels the portal knows, longest first.
var channelNames = []string{ChannelPostal, ChannelOnline, ChannelInPerson}

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
	for _, n := range Amounts(remark) {
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
			for _, m := range Amounts(remark) {
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
