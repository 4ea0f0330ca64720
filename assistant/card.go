package assistant

import (
	"regexp"
	"strings"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/procedure"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// Card is a procedure at a glance, shown beside the sentence that answers the question: who
// handles it, the time and fee of each way to submit, the papers, where to submit, whether
// it can be done online and where. Clients render it their way; the answer text states what
// was asked without it.
type Card struct {
	N          int // the number under which the answer cites the procedure
	Title      string
	Level      string // "Cấp xã", as the record gives it
	Agency     string
	Place      string // where applications are received
	Channels   []CardChannel
	Papers     []string // the papers of the first case, "name (copies)"
	MorePapers int      // papers of other cases or beyond the list, not shown
	Online     bool     // it can be submitted online
	URL        string   // the procedure's page on the portal, to read it in full and submit
	Source     string
	DocumentID string
}

// CardChannel is one way to submit, with its time and fee in plain words ("7 ngày làm việc",
// "15.000 đồng", "Miễn phí"); "" when the record does not say.
type CardChannel struct {
	Name, Time, Fee string
}

// maxCardPapers bounds the papers a card lists.
const maxCardPapers = 8

// cardFor returns the procedure an answer is about, with its card: the first document it
// cites, when that is a procedure record among the evidence; nil otherwise.
func cardFor(cites []knowledge.Citation, ev []evidence) (*knowledge.Document, *Card) {
	if len(cites) == 0 {
		return nil, nil
	}
	first := cites[0]
	for _, e := range ev {
		if e.doc == nil || e.doc.ID != first.DocumentID || e.doc.Procedure == nil {
			continue
		}
		return e.doc, newCard(e.doc, first.N)
	}
	return nil, nil
}

func newCard(d *knowledge.Document, n int) *Card {
	p := d.Procedure
	c := &Card{N: n, Title: d.Title, Level: strings.TrimSpace(p.Level), Agency: strings.TrimSpace(firstNonEmpty(p.Agency, p.Authority)),
		Place: vietnamese.Truncate(strings.TrimSpace(p.Address), 200), URL: firstNonEmpty(d.URL, p.URL), Source: d.Source, DocumentID: d.ID}
	if procedure.NoInformation(c.Place) {
		c.Place = ""
	}
	for _, ch := range p.Channels {
		c.Channels = append(c.Channels, CardChannel{Name: ch.Name, Time: timeText(ch), Fee: feeText(ch)})
		if ch.Name == procedure.ChannelOnline {
			c.Online = true
		}
	}
	for gi, g := range p.PaperGroups {
		for _, paper := range g.Papers {
			if gi > 0 || len(c.Papers) == maxCardPapers {
				c.MorePapers++
				continue
			}
			line := vietnamese.Truncate(strings.TrimSpace(paper.Name), 160)
			if paper.Copies != "" {
				line += " (" + paper.Copies + ")"
			}
			c.Papers = append(c.Papers, line)
		}
	}
	return c
}

// reTimeUnit finds a unit the portal writes with a capital after a number: "7 Ngày làm việc".
var reTimeUnit = regexp.MustCompile(`(\d)\s+(Ngày|Giờ|Tháng|Tuần|Phút|Năm)`)

// lowerTimeUnits writes such units in lower case, as Vietnamese prose does.
func lowerTimeUnits(s string) string {
	return reTimeUnit.ReplaceAllStringFunc(s, func(m string) string {
		i := strings.LastIndexAny(m, " \t")
		return m[:i+1] + strings.ToLower(m[i+1:])
	})
}

// Portal wording a procedure's passages keep beside the cleaned figures, for search: the fee
// as the portal wrote it ("(Lệ phí : 150.000 Đồng(Mức thu…))", "; mức ghi trên Cổng: …").
var (
	reRawFee       = regexp.MustCompile(`\(\s*(?:Phí, lệ phí|Lệ phí|Phí)\s*:\s*[\d.,]+\s*(?:Việt Nam Đồng|Đồng|đồng|VNĐ)\s*`)
	rePortalAmount = regexp.MustCompile(`;\s*mức ghi trên Cổng:[^;\n]*?(?:\s-\s|;|\n|$)`)
)

// displaySnippet is a passage as a source card shows it: without the portal's raw fee wording
// repeating the amount it states, and with its time units in lower case.
func displaySnippet(s string) string {
	s = rePortalAmount.ReplaceAllStringFunc(s, func(m string) string {
		switch {
		case strings.HasSuffix(m, " - "):
			return " - "
		case strings.HasSuffix(m, ";"):
			return ";"
		case strings.HasSuffix(m, "\n"):
			return "\n"
		}
		return ""
	})
	s = reRawFee.ReplaceAllString(s, "(")
	for strings.Contains(s, "((") || strings.Contains(s, "))") || strings.Contains(s, "()") {
		s = strings.NewReplacer("((", "(", "))", ")", " ()", "", "()", "").Replace(s)
	}
	return lowerTimeUnits(s)
}
