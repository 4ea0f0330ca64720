package assistant

import "github.com/trolyao/trolyao/knowledge/procedure"

// Suggested next questions: after an answer about a procedure, the facets of its record the
// question did not ask about, as a person would ask them next. They are follow-ups, answered
// from the same procedure.

// maxSuggestions bounds the next questions suggested.
const maxSuggestions = 3

// suggestionFacets are the facets suggested, in order, with the question asking each.
var suggestionFacets = []struct {
	intent   Intent
	question string
	has      func(*procedure.Record) bool
}{
	{IntentPapers, "Cần chuẩn bị giấy tờ gì?", func(p *procedure.Record) bool { return len(p.PaperGroups) > 0 }},
	{IntentFee, "Lệ phí bao nhiêu?", func(p *procedure.Record) bool {
		return anyChannel(p, func(c procedure.Channel) bool { return c.Free || c.Fee != "" })
	}},
	{IntentTime, "Mất bao lâu thì có kết quả?", func(p *procedure.Record) bool {
		return anyChannel(p, func(c procedure.Channel) bool { return c.Time != "" })
	}},
	{IntentPlace, "Nộp hồ sơ ở đâu?", func(p *procedure.Record) bool { return p.Address != "" && !procedure.NoInformation(p.Address) }},
	{IntentOnline, "Có nộp trực tuyến được không?", func(p *procedure.Record) bool { return len(p.Channels) > 0 }},
	{IntentResult, "Làm xong thì nhận được giấy gì?", func(p *procedure.Record) bool { return len(p.Results) > 0 }},
}

// suggestions returns up to maxSuggestions next questions about the procedure p for a
// question with cues c: the facets it has that c did not ask about.
func suggestions(p *procedure.Record, c Cues) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, f := range suggestionFacets {
		if len(out) == maxSuggestions {
			break
		}
		if c.Has(f.intent) || !f.has(p) {
			continue
		}
		out = append(out, f.question)
	}
	return out
}

func anyChannel(p *procedure.Record, ok func(procedure.Channel) bool) bool {
	for _, c := range p.Channels {
		if ok(c) {
			return true
		}
	}
	return false
}
