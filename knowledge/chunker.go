package knowledge

import (
	"strings"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge/extract"
	"github.com/trolyao/trolyao/knowledge/layout"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// SectionSep joins the headings of a section path.
const SectionSep = " › "

// Chunker cuts an extracted document into passages along its structure: a passage never spans
// two sections, never cuts a sentence, keeps a list's introduction with its first items, and
// carries its document title and section path so that it can be found by them.
type Chunker struct {
	analyzer *vietnamese.Analyzer
	// Target is the passage size the chunker aims for, MaxRunes the size it splits above
	// (a single sentence longer than MaxRunes stays whole), in runes.
	Target, MaxRunes int
}

// NewChunker returns a chunker with passages of about 700 runes, split above 1,100.
func NewChunker(a *vietnamese.Analyzer) *Chunker {
	return &Chunker{analyzer: a, Target: 700, MaxRunes: 1100}
}

// piece is a unit the chunker packs: a block's text (with its marker) or a sentence of a long
// block.
type piece struct {
	text  string
	runes int
	// intro is set on a block that introduces what follows (it ends with a colon).
	intro bool
}

// Chunks cuts doc into passages with analysed head and body terms.
func (c *Chunker) Chunks(doc *extract.Document) []Chunk {
	var (
		out     []Chunk
		path    []string // heading texts by level
		levels  []int
		pending []piece
		size    int
		heads   = map[string]string{} // head terms by section: every passage of a section shares them
	)
	section := func() string { return strings.Join(path, SectionSep) }
	flush := func() {
		if len(pending) == 0 {
			return
		}
		var b strings.Builder
		for i, p := range pending {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(p.text)
		}
		out = append(out, c.chunk(doc.Title, section(), b.String(), heads))
		pending, size = pending[:0], 0
	}
	add := func(p piece) {
		// Close the passage when it is full, unless the last piece introduces this one.
		if size > 0 && size+p.runes > c.Target && !(len(pending) > 0 && pending[len(pending)-1].intro && size < c.MaxRunes) {
			flush()
		}
		pending = append(pending, p)
		size += p.runes
		if size >= c.MaxRunes {
			flush()
		}
	}
	for _, bl := range doc.Blocks {
		if bl.Kind == layout.Heading {
			flush()
			level := max(bl.Level, 1)
			for len(levels) > 0 && levels[len(levels)-1] >= level {
				levels, path = levels[:len(levels)-1], path[:len(path)-1]
			}
			levels, path = append(levels, level), append(path, headingText(bl))
			continue
		}
		text := blockText(bl)
		n := utf8.RuneCountInString(text)
		if n <= c.MaxRunes {
			add(piece{text: text, runes: n, intro: strings.HasSuffix(text, ":")})
			continue
		}
		for _, s := range vietnamese.Sentences(text) {
			add(piece{text: s, runes: utf8.RuneCountInString(s)})
		}
	}
	flush()
	if len(out) == 0 && doc.Title != "" {
		out = append(out, c.chunk(doc.Title, "", doc.Title, heads))
	}
	return out
}

func (c *Chunker) chunk(title, section, text string, heads map[string]string) Chunk {
	head, ok := heads[section]
	if !ok {
		h := title
		if section != "" {
			h += "\n" + section
		}
		head = vietnamese.IndexText(c.analyzer.Terms(h))
		heads[section] = head
	}
	return Chunk{
		Section:   section,
		Text:      text,
		HeadTerms: head,
		BodyTerms: vietnamese.IndexText(c.analyzer.Terms(text)),
	}
}

func headingText(bl layout.Block) string {
	if bl.Marker != "" {
		return bl.Marker + " " + bl.Text
	}
	return bl.Text
}

// blockText renders a block as one line of a passage.
func blockText(bl layout.Block) string {
	switch bl.Kind {
	case layout.ListItem:
		indent := strings.Repeat("  ", bl.Level)
		if bl.Marker == "" {
			return indent + "- " + bl.Text
		}
		return indent + bl.Marker + " " + bl.Text
	default:
		if bl.Marker != "" {
			return bl.Marker + " " + bl.Text
		}
		return bl.Text
	}
}
