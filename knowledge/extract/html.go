package extract

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/trolyao/trolyao/knowledge/layout"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// reNoiseAttr matches class and id values of page furniture: menus, sharing widgets, comment
// boxes, related-article lists, counters, advertising.
var reNoiseAttr = regexp.MustCompile(`(?i)(^|[\s_-])(nav|navbar|menu|breadcrumbs?|header|footer|sidebar|aside|share|sharing|social|addthis|comments?|binh-?luan|related|lien-?quan|tin-?khac|other-?news|more-?news|counter|visitors?|thong-?ke|luot-?xem|advert|ads?|banner|popup|modal|cookie|print|toolbar|tags?|rating|danh-?gia|widget|login|search|pagination|pager)($|[\s_-])`)

// dropTags are elements that never hold article text.
var dropTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Nav: true, atom.Header: true,
	atom.Footer: true, atom.Aside: true, atom.Form: true, atom.Iframe: true, atom.Svg: true,
	atom.Button: true, atom.Select: true, atom.Input: true, atom.Textarea: true, atom.Template: true,
	atom.Head: true, atom.Object: true, atom.Embed: true, atom.Canvas: true, atom.Figcaption: true,
}

// parseHTML extracts the main content of a web page.
func parseHTML(data []byte) (*Document, error) {
	s, err := decodeHTML(data)
	if err != nil {
		return nil, err
	}
	root, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return nil, fmt.Errorf("%w: HTML: %v", ErrMalformed, err)
	}
	pageTitle := htmlTitle(root)
	prune(root)
	main := mainContent(root)
	var w htmlWalker
	w.walk(main, 0)
	blocks := w.blocks

	// Headline: the first h1 in the content, else the page title without the site name.
	title := ""
	for i, b := range blocks {
		if b.Kind == layout.Heading && b.Level == 1 {
			title = b.Text
			blocks = append(blocks[:i:i], blocks[i+1:]...)
			break
		}
	}
	if title == "" {
		title = pageTitle
	}
	return &Document{Title: title, Blocks: cleanBlocks(title, blocks)}, nil
}

// decodeHTML decodes a page: a charset declared in a meta tag wins over sniffing for
// Windows-1258 pages; otherwise the text rules apply.
func decodeHTML(data []byte) (string, error) {
	head := bytes.ToLower(data[:min(len(data), 2048)])
	if bytes.Contains(head, []byte("charset=windows-1258")) || bytes.Contains(head, []byte(`charset="windows-1258"`)) {
		if s, err := decodeText(data); err == nil {
			return s, nil
		}
	}
	return decodeText(data)
}

// htmlTitle returns the og:title or <title> of a page, without a " - Site" suffix.
func htmlTitle(n *html.Node) string {
	var title, og string
	var find func(*html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Title:
				if title == "" {
					title = layout.Clean(textOf(n))
				}
			case atom.Meta:
				if attr(n, "property") == "og:title" || attr(n, "name") == "title" {
					og = layout.Clean(attr(n, "content"))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(n)
	if og != "" {
		title = og
	}
	for _, sep := range []string{" | ", " - ", " – ", " :: "} {
		if i := strings.LastIndex(title, sep); i > 20 {
			title = title[:i]
		}
	}
	return title
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// prune removes page furniture from the tree.
func prune(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if c.Type == html.CommentNode || c.Type == html.ElementNode && isFurniture(c) {
			n.RemoveChild(c)
		} else {
			prune(c)
		}
		c = next
	}
}

func isFurniture(n *html.Node) bool {
	if dropTags[n.DataAtom] {
		return true
	}
	if n.DataAtom == atom.Body || n.DataAtom == atom.Html || n.DataAtom == atom.Article || n.DataAtom == atom.Main {
		return false
	}
	if strings.EqualFold(attr(n, "hidden"), "hidden") || strings.Contains(strings.ReplaceAll(attr(n, "style"), " ", ""), "display:none") {
		return true
	}
	if role := attr(n, "role"); role == "navigation" || role == "banner" || role == "contentinfo" || role == "complementary" {
		return true
	}
	return reNoiseAttr.MatchString(attr(n, "class")) || reNoiseAttr.MatchString(attr(n, "id"))
}

// mainContent picks the element holding the article: an <article> or <main>, else the
// element whose paragraphs carry the most text that is not link text.
func mainContent(root *html.Node) *html.Node {
	var best *html.Node
	bestLen := 0
	var find func(*html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.DataAtom == atom.Article || n.DataAtom == atom.Main) {
			if l := len(textOf(n)); l > bestLen {
				best, bestLen = n, l
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(root)
	if best != nil && bestLen > 200 {
		return best
	}
	// Score containers by the text of their direct paragraph-like children.
	scores := map[*html.Node]int{}
	var score func(*html.Node)
	score = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.P, atom.Li, atom.H1, atom.H2, atom.H3, atom.Td, atom.Blockquote, atom.Pre:
				l := len(layout.Clean(textOf(n))) - 2*linkTextLen(n)
				if n.Parent != nil && l > 0 {
					scores[n.Parent] += l
					if gp := n.Parent.Parent; gp != nil {
						scores[gp] += l / 2
					}
				}
			case atom.Div, atom.Section:
				if own := ownText(n); own > 80 {
					scores[n] += own - 2*linkTextLen(n)/4
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			score(c)
		}
	}
	score(root)
	bestScore := 0
	for n, s := range scores {
		if s > bestScore || s == bestScore && best != nil && depth(n) > depth(best) {
			best, bestScore = n, s
		}
	}
	if best == nil {
		return root
	}
	// Keep the headline when it sits just outside the densest container.
	for p := best.Parent; p != nil && p.DataAtom != atom.Body; p = p.Parent {
		if hasH1(p) && !hasH1(best) && len(textOf(p)) < len(textOf(best))*2 {
			best = p
			break
		}
	}
	return best
}

func depth(n *html.Node) int {
	d := 0
	for ; n != nil; n = n.Parent {
		d++
	}
	return d
}

func hasH1(n *html.Node) bool {
	if n.Type == html.ElementNode && n.DataAtom == atom.H1 {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if hasH1(c) {
			return true
		}
	}
	return false
}

// ownText is the length of the text directly inside n, not in child elements.
func ownText(n *html.Node) int {
	l := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			l += len(strings.TrimSpace(c.Data))
		}
	}
	return l
}

// textOf returns all text under n.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && n.DataAtom == atom.Br:
			b.WriteString("\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && isBlockElement(n.DataAtom) {
			b.WriteString("\n")
		}
	}
	walk(n)
	return b.String()
}

func linkTextLen(n *html.Node) int {
	l := 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.A {
			l += len(layout.Clean(textOf(n)))
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return l
}

func isBlockElement(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Main, atom.H1, atom.H2, atom.H3, atom.H4,
		atom.H5, atom.H6, atom.Li, atom.Ul, atom.Ol, atom.Table, atom.Tr, atom.Td, atom.Th, atom.Blockquote,
		atom.Pre, atom.Dl, atom.Dt, atom.Dd, atom.Figure, atom.Center:
		return true
	}
	return false
}

// htmlWalker turns the content tree into blocks.
type htmlWalker struct {
	blocks []layout.Block
	inline strings.Builder // text of the current run of inline content
}

// flush emits pending inline text as paragraphs (one per line break).
func (w *htmlWalker) flush() {
	text := w.inline.String()
	w.inline.Reset()
	for _, l := range strings.Split(text, "\n") {
		if l = layout.Clean(l); l != "" {
			w.blocks = append(w.blocks, layout.Block{Kind: layout.Paragraph, Text: l})
		}
	}
}

func (w *htmlWalker) walk(n *html.Node, listDepth int) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode:
			w.inline.WriteString(c.Data)
		case c.Type != html.ElementNode:
		case c.DataAtom == atom.Br:
			w.inline.WriteString("\n")
		case c.DataAtom == atom.Img:
		case headingLevel(c.DataAtom) > 0:
			w.flush()
			if t := layout.Clean(textOf(c)); t != "" {
				w.blocks = append(w.blocks, layout.Block{Kind: layout.Heading, Level: headingLevel(c.DataAtom), Text: t})
			}
		case c.DataAtom == atom.Ul || c.DataAtom == atom.Ol:
			w.flush()
			w.list(c, listDepth)
		case c.DataAtom == atom.Table:
			w.flush()
			w.table(c)
		case c.DataAtom == atom.P:
			w.flush()
			w.walk(c, listDepth)
			w.flush()
		case isBlockElement(c.DataAtom):
			w.flush()
			w.walk(c, listDepth)
			w.flush()
		default:
			w.walk(c, listDepth)
		}
	}
}

// list emits the items of a <ul> or <ol>, nested lists one level deeper.
func (w *htmlWalker) list(n *html.Node, depth int) {
	ordered := n.DataAtom == atom.Ol
	num := 1
	if s, err := strconv.Atoi(attr(n, "start")); err == nil && ordered {
		num = s
	}
	for li := n.FirstChild; li != nil; li = li.NextSibling {
		if li.Type != html.ElementNode || li.DataAtom != atom.Li {
			continue
		}
		// The item's own text, nested lists excluded.
		var own strings.Builder
		var nested []*html.Node
		for c := li.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && (c.DataAtom == atom.Ul || c.DataAtom == atom.Ol) {
				nested = append(nested, c)
				continue
			}
			own.WriteString(textOf(&html.Node{Type: html.DocumentNode, FirstChild: cloneShallow(c)}))
		}
		text := layout.Clean(own.String())
		marker := "-"
		if ordered {
			marker = strconv.Itoa(num) + "."
			num++
		}
		if m, _, rest := layout.SplitMarker(text); m != "" {
			marker, text = m, rest
		}
		if text != "" {
			w.blocks = append(w.blocks, layout.Block{Kind: layout.ListItem, Level: depth, Marker: marker, Text: text})
		}
		for _, l := range nested {
			w.list(l, depth+1)
		}
	}
}

// cloneShallow returns a node sharing n's children but not its siblings, so textOf reads n
// alone.
func cloneShallow(n *html.Node) *html.Node {
	c := *n
	c.NextSibling, c.PrevSibling, c.Parent = nil, nil, nil
	return &c
}

// table emits one TableRow per row; with a header row, cells read "Header: value; ...".
func (w *htmlWalker) table(t *html.Node) {
	var rows [][]string
	var header []string
	var walk func(*html.Node, bool)
	walk = func(n *html.Node, inHead bool) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Table:
				continue // nested tables are flattened into their cell
			case atom.Thead:
				walk(c, true)
			case atom.Tr:
				var cells []string
				allTH := true
				for td := c.FirstChild; td != nil; td = td.NextSibling {
					if td.Type == html.ElementNode && (td.DataAtom == atom.Td || td.DataAtom == atom.Th) {
						cells = append(cells, layout.Clean(textOf(td)))
						if td.DataAtom != atom.Th {
							allTH = false
						}
					}
				}
				if len(cells) == 0 {
					continue
				}
				if (inHead || allTH) && header == nil && len(rows) == 0 {
					header = cells
					continue
				}
				rows = append(rows, cells)
			default:
				walk(c, inHead)
			}
		}
	}
	walk(t, false)
	for _, r := range rows {
		if text := tableRowText(header, r); text != "" {
			w.blocks = append(w.blocks, layout.Block{Kind: layout.TableRow, Text: text})
		}
	}
	if len(rows) == 0 && header != nil {
		w.blocks = append(w.blocks, layout.Block{Kind: layout.TableRow, Text: tableRowText(nil, header)})
	}
}

// tableRowText joins a row's cells: "Header: value; Header: value" with a header row, else
// "value; value". Empty cells are left out.
func tableRowText(header, cells []string) string {
	var parts []string
	for i, c := range cells {
		if c == "" {
			continue
		}
		if i < len(header) && header[i] != "" {
			parts = append(parts, header[i]+": "+c)
		} else {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, "; ")
}

func headingLevel(a atom.Atom) int {
	switch a {
	case atom.H1:
		return 1
	case atom.H2:
		return 2
	case atom.H3:
		return 3
	case atom.H4:
		return 4
	case atom.H5:
		return 5
	case atom.H6:
		return 6
	}
	return 0
}

// cleanBlocks applies the plain-text noise rules to blocks from a structured format: page
// noise lines go, a related-articles heading ends the body, repeats of the title and of
// earlier blocks go, closing bylines go, and unmarked paragraphs get numbering detected.
func cleanBlocks(title string, blocks []layout.Block) []layout.Block {
	var out []layout.Block
	for _, b := range blocks {
		k := layout.ClassifyNoise(b.Text)
		if k == layout.NoiseCut && len(out) > 0 {
			break
		}
		if k != layout.NoiseNone && k != layout.NoiseByline {
			continue
		}
		b.Text = layout.StripSourceTag(b.Text)
		if b.Kind == layout.Paragraph {
			if m, f, rest := layout.SplitMarker(b.Text); f != "" {
				b.Kind, b.Marker, b.Text = layout.ListItem, m, rest
			}
		}
		out = append(out, b)
	}
	for len(out) > 0 {
		last := out[len(out)-1]
		if last.Kind == layout.Paragraph && (layout.ClassifyNoise(last.Text) == layout.NoiseByline || layout.LooksLikeByline(last.Text)) {
			out = out[:len(out)-1]
			continue
		}
		break
	}
	var texts []string
	for _, b := range out {
		texts = append(texts, b.Text)
	}
	d := newDedup(diacriticRich(texts), title)
	kept := out[:0]
	for _, b := range out {
		if b.Kind == layout.TableRow || b.Kind == layout.ListItem && len(b.Text) < 40 || d.keep(b.Text) {
			kept = append(kept, b)
		}
	}
	return kept
}
