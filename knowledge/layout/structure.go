package layout

import (
	"regexp"
	"strings"
	"unicode"
)

// markerPattern recognises one family of numbering at the start of a paragraph.
type markerPattern struct {
	family string
	re     *regexp.Regexp // group 1 is the marker as written, group 2 the rest
	strong bool           // always a heading when the text is short (Chương, Điều, ...)
	first  string         // the runes a match can begin with: other paragraphs skip re
}

const (
	digits      = "0123456789"
	lowerLetter = "abcdefghijklmnopqrstuvwxyzđ"
	bullets     = "•·●○■□▪◦➢➤►✓"
)

// markerPatterns are tried in order; the first match wins.
var markerPatterns = []markerPattern{
	{"phan", regexp.MustCompile(`^((?:Phần|PHẦN) (?:[IVXLC]+|\d+))[.:]?(?:\s+|$)(.*)$`), true, "P"},
	{"chuong", regexp.MustCompile(`^((?:Chương|CHƯƠNG) (?:[IVXLC]+|\d+))[.:]?(?:\s+|$)(.*)$`), true, "C"},
	{"muc", regexp.MustCompile(`^((?:Mục|MỤC) (?:[IVXLC]+|\d+))[.:]?(?:\s+|$)(.*)$`), true, "M"},
	{"dieu", regexp.MustCompile(`^((?:Điều|ĐIỀU) \d+[a-zđ]?)[.:]?(?:\s+|$)(.*)$`), true, "Đ"},
	{"khoan", regexp.MustCompile(`^(Khoản \d+)[.:]?(?:\s+|$)(.*)$`), false, "K"},
	{"buoc", regexp.MustCompile(`^(?:[-+•]\s*)?((?:Bước|BƯỚC) ?\d+)\s*[.:)\-–]?(?:\s+|$)(.*)$`), false, "-+•B"},
	{"roman", regexp.MustCompile(`^([IVX]{1,5}[.)])\s+(.*)$`), false, "IVX"},
	{"arabic4", regexp.MustCompile(`^(\d{1,2}\.\d{1,2}\.\d{1,2}\.\d{1,2}\.?)\s+(.*)$`), false, digits},
	{"arabic3", regexp.MustCompile(`^(\d{1,2}\.\d{1,2}\.\d{1,2}\.?)\s+(.*)$`), false, digits},
	{"arabic2", regexp.MustCompile(`^(\d{1,2}\.\d{1,2}\.)\s+(.*)$|^(\d{1,2}\.\d{1,2})\s+(\p{Lu}.*)$`), false, digits},
	{"arabic.", regexp.MustCompile(`^(\d{1,2}\.)\s+(.*)$`), false, digits},
	{"arabic)", regexp.MustCompile(`^(\d{1,2}\))\s*(\S.*)$`), false, digits},
	{"alpha)", regexp.MustCompile(`^([a-zđ]\))\s*(\S.*)$`), false, lowerLetter},
	{"alpha.", regexp.MustCompile(`^([a-zđ]\.)\s+(.*)$`), false, lowerLetter},
	{"(num)", regexp.MustCompile(`^(\(\d{1,2}\))\s*(\S.*)$`), false, "("},
	{"(roman)", regexp.MustCompile(`^(\((?:i|ii|iii|iv|v|vi|vii|viii|ix|x)\))\s*(\S.*)$`), false, "("},
	{"(alpha)", regexp.MustCompile(`^(\([a-zđ]\))\s*(\S.*)$`), false, "("},
	{"-", regexp.MustCompile(`^([-–—])\s*(\S.*)$`), false, "-–—"},
	{"+", regexp.MustCompile(`^(\+)\s*(\S.*)$`), false, "+"},
	{"•", regexp.MustCompile(`^([•·●○■□▪◦➢➤►✓])\s*(\S.*)$`), false, bullets},
	{"*", regexp.MustCompile(`^(\*)\s+(\S.*)$`), false, "*"},
}

// SplitMarker separates the numbering at the start of a paragraph from its text. It returns
// the marker as written (bullets and dashes normalised to "-" only when they are en or em
// dashes), the marker's family and the rest; family is "" when there is no marker.
func SplitMarker(s string) (marker, family, rest string) {
	if s == "" {
		return "", "", s
	}
	c := FirstRune(s)
	if !unicode.IsUpper(c) && !unicode.IsDigit(c) && !strings.ContainsRune("-–—+•·●○■□▪◦➢➤►✓*(abcdefghiklmnopqrstuvxyđ", c) {
		return "", "", s
	}
	for _, p := range markerPatterns {
		if !strings.ContainsRune(p.first, c) {
			continue
		}
		m := p.re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		marker, rest = m[1], m[2]
		if marker == "" && len(m) > 4 {
			marker, rest = m[3], m[4]
		}
		rest = strings.TrimSpace(rest)
		switch p.family {
		case "-":
			marker = "-"
			// A dash glued to a lowercase word is more likely an interval or a hyphenation.
			if rest == "" || (!strings.HasPrefix(s[len(m[1]):], " ") && StartsLower(rest)) {
				return "", "", s
			}
		case "alpha.", "alpha)":
			// "a. " or "b) " as the start of an ordinary sentence is rare, but a lowercase
			// letter followed by a dot inside an abbreviation is not a marker.
			if rest == "" {
				return "", "", s
			}
		case "buoc", "dieu", "khoan", "chuong", "phan", "muc":
			// keep
		default:
			if rest == "" {
				return "", "", s
			}
		}
		return marker, p.family, rest
	}
	return "", "", s
}

// isStrongFamily reports families that always open a section.
func isStrongFamily(family string) bool {
	for _, p := range markerPatterns {
		if p.family == family {
			return p.strong
		}
	}
	return false
}

// HeadingLike reports whether text reads as a heading: short, no closing punctuation.
func HeadingLike(text string, maxLen int) bool {
	if text == "" || len(text) > maxLen {
		return false
	}
	if EndsSentence(text) || strings.HasSuffix(text, ",") {
		return false
	}
	r := FirstRune(text)
	return unicode.IsUpper(r) || unicode.IsDigit(r) || r == '"' || r == '“'
}

// outline tracks the nesting of numbering families in order of appearance.
type outline struct {
	stack []outlineEntry
}

type outlineEntry struct {
	family  string
	heading bool
}

// enter places family in the outline and returns its depth and the number of heading
// families above it.
func (o *outline) enter(family string, heading bool) (depth, headingsAbove int) {
	idx := -1
	for i, e := range o.stack {
		if e.family == family {
			idx = i
			break
		}
	}
	if idx >= 0 {
		o.stack = o.stack[:idx+1]
		o.stack[idx].heading = heading
	} else {
		o.stack = append(o.stack, outlineEntry{family, heading})
		idx = len(o.stack) - 1
	}
	for _, e := range o.stack[:idx] {
		if e.heading {
			headingsAbove++
		}
	}
	return idx, headingsAbove
}

func (o *outline) reset() { o.stack = o.stack[:0] }

// Structure turns clean paragraphs of running text into blocks: numbered and bulleted items
// become list items or headings with their marker, short unpunctuated lines followed by
// text become headings, everything else paragraphs.
func Structure(paras []string) []Block {
	type item struct {
		marker, family, text string
	}
	items := make([]item, len(paras))
	for i, p := range paras {
		m, f, rest := SplitMarker(p)
		items[i] = item{m, f, rest}
	}
	var (
		blocks []Block
		o      outline
	)
	for i, it := range items {
		var next *item
		if i+1 < len(items) {
			next = &items[i+1]
		}
		if it.family == "" {
			if next != nil && HeadingLike(it.text, 120) && len(Words(it.text)) <= 20 &&
				(next.family != "" || len(next.text) > len(it.text)) && !(i > 0 && strings.HasSuffix(paras[i-1], ":")) &&
				!(next.family == "" && HeadingLike(next.text, 120) && len(next.text) < 60) {
				o.reset()
				blocks = append(blocks, Block{Kind: Heading, Level: 1, Text: it.text})
				continue
			}
			blocks = append(blocks, Block{Kind: Paragraph, Text: it.text})
			continue
		}
		heading := false
		switch {
		case isStrongFamily(it.family):
			heading = len(it.text) <= 200 && !EndsSentence(it.text)
		case it.family == "-" || it.family == "+" || it.family == "•" || it.family == "*":
			heading = false
		case HeadingLike(it.text, 160) && next != nil:
			// A numbered title is a heading when text or deeper items follow, not siblings.
			heading = next.family == "" || (next.family != it.family && o.index(next.family, it.family) > o.index(it.family, ""))
		}
		depth, above := o.enter(it.family, heading)
		if heading {
			blocks = append(blocks, Block{Kind: Heading, Level: depth + 1, Marker: it.marker, Text: it.text})
			continue
		}
		blocks = append(blocks, Block{Kind: ListItem, Level: depth - above, Marker: it.marker, Text: it.text})
	}
	return blocks
}

// index returns the depth family has, or would have if it came next: after the entry for
// parent when parent is set, else at the end of the outline.
func (o *outline) index(family, parent string) int {
	for i, e := range o.stack {
		if e.family == family {
			return i
		}
	}
	if parent != "" {
		return o.index(parent, "") + 1
	}
	return len(o.stack)
}
