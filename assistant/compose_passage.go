package assistant

import (
	"fmt"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge/extract"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// Answers that quote the passages' sentences.

// passageAnswer quotes the sentences (or the clauses of long sentences) that best answer the
// question, from the leading passages.
func (c composer) passageAnswer(r resolved, ev []evidence, audience Audience) draft {
	var d draft
	cands := c.sentences(r, ev, "")
	if len(cands) == 0 {
		n := d.cite(ev[0].result, "")
		d.lines = append(d.lines, fmt.Sprintf("%s [%d]", vietnamese.Truncate(ev[0].result.Chunk.Text, 350), n))
		return d
	}
	best := cands[0]
	// The answer keeps to one subject: a question naming a place is answered from that place's
	// document when one of its sentences fits nearly as well, and the sentences added come from
	// the same document, unless the question compares or lists.
	if loc := vietnamese.Key(r.Cues.Locality); loc != "" && vietnamese.Key(best.res.Doc.Locality) != loc {
		for _, s := range cands[1:] {
			if s.score < 0.6*cands[0].score {
				break
			}
			if vietnamese.Key(s.res.Doc.Locality) == loc {
				best = s
				break
			}
		}
	}
	several := r.Cues.Has(IntentList) || hasPhrase(r.Key, "so sanh") || len(extract.Localities(r.Text)) > 1
	chosen := []sentenceCand{best}
	budget := 420 - utf8.RuneCountInString(best.text)
	for _, s := range cands {
		if len(chosen) == 3 || budget < 60 {
			break
		}
		// A comparison takes the other documents' sentences more readily.
		least := 0.75
		if several && s.res.Doc.ID != best.res.Doc.ID {
			least = 0.5
		}
		if s.text == best.text || s.score < least*best.score || utf8.RuneCountInString(s.text) > budget || overlaps(chosen, s) {
			continue
		}
		if !several && s.res.Doc.ID != best.res.Doc.ID {
			continue
		}
		// A second sentence must add something the question asks for.
		if !s.hasTarget && best.hasTarget {
			continue
		}
		chosen = append(chosen, s)
		budget -= utf8.RuneCountInString(s.text)
	}
	if audience == Staff {
		if ref := documentRef(ev, best.res.Doc.ID); ref != "" {
			d.lines = append(d.lines, ref+":")
		}
	}
	for _, s := range chosen {
		n := d.cite(s.res, s.text)
		d.lines = append(d.lines, fmt.Sprintf("%s [%d]", s.text, n))
	}
	return d
}

// documentRef names the document a passage comes from for civil servants: its number and
// issuer when known.
func documentRef(ev []evidence, docID string) string {
	for _, e := range ev {
		if e.result.Doc.ID != docID || e.doc == nil {
			continue
		}
		d := e.doc
		switch {
		case d.Number != "" && d.Issuer != "":
			return fmt.Sprintf("Theo văn bản số %s (%s)", d.Number, d.Issuer)
		case d.Number != "":
			return fmt.Sprintf("Theo văn bản số %s", d.Number)
		case d.Issuer != "":
			return fmt.Sprintf("Theo %s", d.Issuer)
		}
	}
	return ""
}
