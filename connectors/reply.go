package connectors

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge"
)

// Sources returns the citations of an answer once each, in the order of their numbers.
func Sources(cites []knowledge.Citation) []knowledge.Citation {
	out := slices.Clone(cites)
	slices.SortStableFunc(out, func(a, b knowledge.Citation) int { return cmp.Compare(a.N, b.N) })
	return slices.CompactFunc(out, func(a, b knowledge.Citation) bool { return a.N == b.N })
}

// PlainText renders an answer and its sources as plain text, for platforms that show no
// markup (Messenger, Zalo): the answer, then one line per source, "[1] Title — URL".
func PlainText(answer string, cites []knowledge.Citation) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(answer))
	src := Sources(cites)
	if len(src) == 0 {
		return b.String()
	}
	b.WriteString("\n\n" + SourcesHeading + ":")
	for _, c := range src {
		b.WriteString("\n[" + strconv.Itoa(c.N) + "] " + ShortTitle(Title(c), 80))
		if c.URL != "" {
			b.WriteString(" — " + c.URL)
		}
	}
	return b.String()
}

// Title is what to call a source: its title, else its source name.
func Title(c knowledge.Citation) string {
	if t := strings.TrimSpace(c.Title); t != "" {
		return t
	}
	if s := strings.TrimSpace(c.Source); s != "" {
		return s
	}
	return "Tài liệu " + strconv.Itoa(c.N)
}

// ShortTitle shortens title to at most n runes, at a word boundary, with an ellipsis.
func ShortTitle(title string, n int) string {
	title = strings.Join(strings.Fields(title), " ")
	if utf8.RuneCountInString(title) <= n {
		return title
	}
	cut, runes := 0, 0
	for i := range title {
		if runes == n-1 {
			cut = i
			break
		}
		runes++
	}
	head := title[:cut]
	if sp := strings.LastIndexFunc(head, unicode.IsSpace); sp > len(head)/2 {
		head = head[:sp]
	}
	return strings.TrimRightFunc(head, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }) + "…"
}
