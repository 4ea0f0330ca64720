package web

import (
	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
)

// Citation is one source an answer cites, as the chat API and the websocket frames show it
// (PROTOCOL.md): the wire format clients rely on, kept apart from how the knowledge base
// stores citations.
type Citation struct {
	N          int     `json:"n"`
	Source     string  `json:"source"`
	Title      string  `json:"title"`
	Snippet    string  `json:"snippet"`
	URL        string  `json:"url,omitempty"`
	Score      float64 `json:"score"`
	DocumentID string  `json:"document_id,omitempty"`
	ChunkID    int64   `json:"chunk_id,omitempty"`
	Section    string  `json:"section,omitempty"`
}

// citations converts the assistant's citations to their wire form: the one place where web
// reads knowledge.Citation. The result is never nil, so that a reply without sources says
// "citations":[].
func citations(cs []knowledge.Citation) []Citation {
	out := make([]Citation, 0, len(cs))
	for _, c := range cs {
		out = append(out, Citation{N: c.N, Source: c.Source, Title: c.Title, Snippet: c.Snippet, URL: c.URL,
			Score: c.Score, DocumentID: c.DocumentID, ChunkID: c.ChunkID, Section: c.Section})
	}
	return out
}

// Choice is one procedure an answer offers to choose from (PROTOCOL.md): the person answers
// with its number.
type Choice struct {
	N          int    `json:"n"`
	Title      string `json:"title"`
	Source     string `json:"source"`
	DocumentID string `json:"document_id"`
}

// choices converts the assistant's choices to their wire form; nil when there are none, so
// that replies without choices are unchanged.
func choices(cs []knowledge.Choice) []Choice {
	if len(cs) == 0 {
		return nil
	}
	out := make([]Choice, len(cs))
	for i, c := range cs {
		out[i] = Choice{N: c.N, Title: c.Title, Source: c.Source, DocumentID: c.DocumentID}
	}
	return out
}

// Card is a procedure at a glance beside an answer about it (PROTOCOL.md): who handles it, the
// time and fee of each way to submit, the papers, where to submit, whether and where it can be
// done online.
type Card struct {
	N          int           `json:"n"` // the citation number of the procedure in the answer
	Title      string        `json:"title"`
	Level      string        `json:"level,omitempty"`
	Agency     string        `json:"agency,omitempty"`
	Place      string        `json:"place,omitempty"`
	Channels   []CardChannel `json:"channels"`
	Papers     []string      `json:"papers"`
	MorePapers int           `json:"more_papers,omitempty"`
	Online     bool          `json:"online"`
	URL        string        `json:"url,omitempty"`
	Source     string        `json:"source"`
	DocumentID string        `json:"document_id"`
}

// CardChannel is one way to submit with its time and fee in plain words ("" when not given).
type CardChannel struct {
	Name string `json:"name"`
	Time string `json:"time,omitempty"`
	Fee  string `json:"fee,omitempty"`
}

// card converts the assistant's card to its wire form; nil when there is none.
func card(c *assistant.Card) *Card {
	if c == nil {
		return nil
	}
	out := &Card{N: c.N, Title: c.Title, Level: c.Level, Agency: c.Agency, Place: c.Place, Channels: make([]CardChannel, len(c.Channels)),
		Papers: append([]string{}, c.Papers...), MorePapers: c.MorePapers, Online: c.Online, URL: c.URL, Source: c.Source, DocumentID: c.DocumentID}
	for i, ch := range c.Channels {
		out.Channels[i] = CardChannel{Name: ch.Name, Time: ch.Time, Fee: ch.Fee}
	}
	return out
}
