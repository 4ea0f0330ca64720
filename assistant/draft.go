package assistant

import (
	"strings"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// draft is an answer being composed: text with [n] markers and the citations they refer to.
type draft struct {
	lines     []string
	citations []knowledge.Citation
	byChunk   map[int64]int
	// unquoted holds the passage text of citations that still need a snippet, by number.
	unquoted map[int]string
}

// cite returns the citation number of a passage, adding it when new.
func (d *draft) cite(r knowledge.Result, snippet string) int {
	if d.byChunk == nil {
		d.byChunk = map[int64]int{}
	}
	if n, ok := d.byChunk[r.Chunk.ID]; ok {
		return n
	}
	n := len(d.citations) + 1
	if snippet == "" {
		snippet = r.Snippet
	}
	if snippet == "" {
		if d.unquoted == nil {
			d.unquoted = map[int]string{}
		}
		d.unquoted[n] = r.Chunk.Text
	}
	d.citations = append(d.citations, knowledge.Citation{
		N: n, Source: r.Doc.Source, Title: r.Doc.Title, Snippet: vietnamese.Truncate(snippet, 400), URL: r.Doc.URL,
		Score: r.Score, DocumentID: r.Doc.ID, ChunkID: r.Chunk.ID, Section: r.Chunk.Section,
	})
	d.byChunk[r.Chunk.ID] = n
	return n
}

func (d *draft) text() string { return strings.TrimSpace(strings.Join(d.lines, "\n")) }
