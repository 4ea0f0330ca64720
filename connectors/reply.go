package connectors

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// Source is one source an answer cites, as the connectors show it: its number in the answer,
// its title and source name (what to call it) and its link.
type Source struct {
	N      int
	Title  string
	Source string
	URL    string
}

// Sources returns the sources of an answer's citations once each, in the order of their
// numbers. It is the one place where the connectors read the assistant's citations.
func Sources(cites []knowledge.Citation) []Source {
	out := make([]Source, 0, len(cites))
	for _, c := range cites {
		out = append(out, Source{N: c.N, Title: c.Title, Source: c.Source, URL: c.URL})
	}
	slices.SortStableFunc(out, func(a, b Source) int { return cmp.Compare(a.N, b.N) })
	return slices.CompactFunc(out, func(a, b Source) bool { return a.N == b.N })
}

// Text is a message written for a platform: plain text, or, when HTML is set, Telegram's HTML
// parse mode.
type Text struct {
	Body string
	HTML bool
}

// Split cuts the text into messages of at most limit (as counted by Length): with Split, or
// with SplitHTML for HTML, so that every message stays well formed.
func (t Text) Split(limit int) []Text {
	split := Split
	if t.HTML {
		split = SplitHTML
	}
	parts := split(t.Body, limit)
	out := make([]Text, len(parts))
	for i, p := range parts {
		out[i] = Text{Body: p, HTML: t.HTML}
	}
	return out
}

// PlainText renders an answer and its sources (as Sources returns them) as plain text, for
// platforms that show no markup (Messenger, Zalo): the answer, then one line per source,
// "[1] Title — URL".
func PlainText(answer string, sources []Source) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(answer))
	if len(sources) == 0 {
		return b.String()
	}
	b.WriteString("\n\n" + SourcesHeading + ":")
	for _, s := range sources {
		b.WriteString("\n[" + strconv.Itoa(s.N) + "] " + ShortTitle(Title(s), 80))
		if s.URL != "" {
			b.WriteString(" — " + s.URL)
		}
	}
	return b.String()
}

// Title is what to call a source: its title, else its source name.
func Title(s Source) string {
	if t := strings.TrimSpace(s.Title); t != "" {
		return t
	}
	if n := strings.TrimSpace(s.Source); n != "" {
		return n
	}
	return "Tài liệu " + strconv.Itoa(s.N)
}

// ShortTitle shortens title to at most n runes, at a word boundary, with an ellipsis.
func ShortTitle(title string, n int) string {
	title = strings.Join(strings.Fields(title), " ")
	if utf8.RuneCountInString(title) <= n {
		return title
	}
	head := strings.TrimSuffix(vietnamese.Truncate(title, n-1), "…")
	return strings.TrimRightFunc(head, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }) + "…"
}

// CardText writes the procedure an answer is about at a glance, for platforms that show text
// only: the time and fee of each way to submit and where to submit ("" without a card, or
// when it says nothing of the kind). The answer itself states what was asked.
func CardText(c *assistant.Card) string {
	if c == nil {
		return ""
	}
	var lines []string
	for _, ch := range c.Channels {
		var parts []string
		for _, v := range []string{ch.Time, ch.Fee} {
			if v != "" {
				parts = append(parts, v)
			}
		}
		if len(parts) > 0 {
			lines = append(lines, "- "+ch.Name+": "+strings.Join(parts, "; "))
		}
	}
	if c.Place != "" {
		lines = append(lines, "Nơi nộp: "+ShortTitle(c.Place, 160))
	}
	if len(lines) == 0 {
		return ""
	}
	return "Tóm tắt thủ tục:\n" + strings.Join(lines, "\n")
}
