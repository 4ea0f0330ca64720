package telegram

import (
	"html"
	"strconv"
	"strings"

	"github.com/trolyao/trolyao/connectors"
)

// escape escapes text for Telegram's HTML parse mode, which knows only &lt; &gt; &amp; and
// &quot;.
var escape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

var escapeAttr = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace

// Render formats an answer and its sources (as connectors.Sources returns them) for
// Telegram's HTML parse mode: the escaped answer, then the sources as numbered links with
// short titles.
func Render(answer string, sources []connectors.Source) string {
	var b strings.Builder
	b.WriteString(escape(strings.TrimSpace(answer)))
	if len(sources) == 0 {
		return b.String()
	}
	b.WriteString("\n\n<b>" + connectors.SourcesHeading + "</b>")
	for _, c := range sources {
		title := escape(connectors.ShortTitle(connectors.Title(c), 60))
		b.WriteString("\n[" + strconv.Itoa(c.N) + "] ")
		if strings.HasPrefix(c.URL, "https://") || strings.HasPrefix(c.URL, "http://") {
			b.WriteString(`<a href="` + escapeAttr(c.URL) + `">` + title + "</a>")
		} else {
			b.WriteString(title)
		}
	}
	return b.String()
}

// plain turns one piece of Telegram HTML back into plain text, for when Telegram refuses its
// markup.
func plain(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		s = s[i+j+1:]
	}
	return html.UnescapeString(b.String())
}
