package extract

import (
	"regexp"
	"strings"

	"github.com/trolyao/trolyao/knowledge/layout"
)

var (
	reMDHeading   = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*$`)
	reMDList      = regexp.MustCompile(`^(\s*)([-*+]|\d{1,3}[.)])\s+(.*)$`)
	reMDTableSep  = regexp.MustCompile(`^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$`)
	reMDImage     = regexp.MustCompile(`!\[[^\]]*\]\([^)]*\)`)
	reMDLink      = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	reMDRefLink   = regexp.MustCompile(`\[([^\]]+)\]\[[^\]]*\]`)
	reMDAutoLink  = regexp.MustCompile(`<(https?://[^>]+)>`)
	reMDEmphasis  = regexp.MustCompile(`(\*\*\*|\*\*|\*|~~)([^*~\s](?:.*?[^*~\s])?)(\*\*\*|\*\*|\*|~~)`)
	reMDUnderline = regexp.MustCompile(`(^|[\s(])(__|_)([^_\s](?:[^_]*[^_\s])?)(__|_)($|[\s).,;:!?])`)
	reMDCode      = regexp.MustCompile("`([^`]*)`")
	reMDHTMLTag   = regexp.MustCompile(`</?[a-zA-Z][^>]*>`)
	reMDSetext1   = regexp.MustCompile(`^=+\s*$`)
	reMDSetext2   = regexp.MustCompile(`^-+\s*$`)
	reMDRefTarget = regexp.MustCompile(`^\s*\[[^\]]+\]:\s*\S+`)
)

// parseMarkdown reads a Markdown file: ATX and setext headings, lists with nesting, tables
// (one TableRow per row), paragraphs; emphasis, link and image syntax is removed, link text
// kept.
func parseMarkdown(data []byte) (*Document, error) {
	s, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(layout.Visible(s), "\n")
	var (
		blocks []layout.Block
		para   []string
		table  [][]string
		fence  bool
	)
	flushPara := func() {
		if len(para) > 0 {
			for _, p := range layout.Paragraphs(layout.NonEmpty(para)) {
				blocks = append(blocks, layout.Block{Kind: layout.Paragraph, Text: p})
			}
			para = nil
		}
	}
	flushTable := func() {
		if len(table) == 0 {
			return
		}
		header := table[0]
		rows := table[1:]
		if len(rows) == 0 {
			rows, header = table, nil
		}
		for _, r := range rows {
			if t := tableRowText(header, r); t != "" {
				blocks = append(blocks, layout.Block{Kind: layout.TableRow, Text: t})
			}
		}
		table = nil
	}
	for i := 0; i < len(lines); i++ {
		raw := strings.TrimRight(lines[i], " ")
		trimmed := strings.TrimSpace(raw)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			flushPara()
			flushTable()
			fence = !fence
			continue
		}
		if fence {
			if t := layout.Clean(raw); t != "" {
				blocks = append(blocks, layout.Block{Kind: layout.Paragraph, Text: t})
			}
			continue
		}
		if strings.HasPrefix(trimmed, "|") || (len(table) > 0 && strings.Contains(trimmed, "|")) {
			flushPara()
			if reMDTableSep.MatchString(trimmed) {
				continue
			}
			table = append(table, mdCells(trimmed))
			continue
		}
		flushTable()
		switch {
		case trimmed == "":
			flushPara()
		case reMDRefTarget.MatchString(trimmed):
		case reMDHeading.MatchString(trimmed):
			flushPara()
			m := reMDHeading.FindStringSubmatch(trimmed)
			if t := mdInline(m[2]); t != "" {
				blocks = append(blocks, layout.Block{Kind: layout.Heading, Level: len(m[1]), Text: t})
			}
		case len(para) == 1 && reMDSetext1.MatchString(trimmed):
			blocks = append(blocks, layout.Block{Kind: layout.Heading, Level: 1, Text: mdInline(para[0])})
			para = nil
		case len(para) == 1 && reMDSetext2.MatchString(trimmed):
			blocks = append(blocks, layout.Block{Kind: layout.Heading, Level: 2, Text: mdInline(para[0])})
			para = nil
		case reMDList.MatchString(raw):
			flushPara()
			m := reMDList.FindStringSubmatch(raw)
			indent := len(strings.ReplaceAll(m[1], "\t", "    "))
			text := mdInline(m[3])
			// Continuation lines indented under the item belong to it.
			for i+1 < len(lines) {
				next := lines[i+1]
				nt := strings.TrimSpace(next)
				if nt == "" || reMDList.MatchString(next) || !strings.HasPrefix(next, " ") && !strings.HasPrefix(next, "\t") {
					break
				}
				text = layout.CollapseSpaces(text + " " + mdInline(nt))
				i++
			}
			marker := m[2]
			if marker == "*" || marker == "+" {
				marker = "-"
			}
			if mk, _, rest := layout.SplitMarker(text); mk != "" && marker == "-" {
				marker, text = mk, rest
			}
			if text != "" {
				blocks = append(blocks, layout.Block{Kind: layout.ListItem, Level: indent / 2, Marker: marker, Text: text})
			}
		case strings.HasPrefix(trimmed, ">"):
			para = append(para, mdInline(strings.TrimLeft(trimmed, "> ")))
		case reMDSetext2.MatchString(trimmed) || trimmed == "***" || trimmed == "___":
			flushPara()
		default:
			para = append(para, mdInline(trimmed))
		}
	}
	flushPara()
	flushTable()

	title := ""
	for i, b := range blocks {
		if b.Kind == layout.Heading && b.Level == 1 {
			title = b.Text
			blocks = append(blocks[:i:i], blocks[i+1:]...)
			break
		}
		if b.Kind != layout.Heading {
			break
		}
	}
	return &Document{Title: title, Blocks: cleanBlocks(title, blocks)}, nil
}

// mdCells splits a table row into its cells.
func mdCells(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimPrefix(row, "|")
	row = strings.TrimSuffix(row, "|")
	var cells []string
	for _, c := range strings.Split(row, "|") {
		cells = append(cells, mdInline(c))
	}
	return cells
}

// mdInline removes inline Markdown syntax: images, links (text kept), emphasis, code spans,
// HTML tags and escapes.
func mdInline(s string) string {
	s = reMDImage.ReplaceAllString(s, "")
	s = reMDLink.ReplaceAllString(s, "$1")
	s = reMDRefLink.ReplaceAllString(s, "$1")
	s = reMDAutoLink.ReplaceAllString(s, "$1")
	s = reMDCode.ReplaceAllString(s, "$1")
	for i := 0; i < 3; i++ {
		s = reMDEmphasis.ReplaceAllString(s, "$2")
		s = reMDUnderline.ReplaceAllString(s, "$1$3$5")
	}
	s = reMDHTMLTag.ReplaceAllString(s, "")
	s = strings.NewReplacer(`\*`, "*", `\_`, "_", `\#`, "#", `\|`, "|", `\[`, "[", `\]`, "]", "&nbsp;", " ", "&amp;", "&").Replace(s)
	return layout.Clean(s)
}
