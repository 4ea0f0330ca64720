package assistant

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/procedure"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// Answers from a procedure's structured record.

// procedureAnswer answers from a procedure's structured record: the fee or processing time per
// channel, the papers, the place, the steps…, or the passage sentences when the question asks
// something the record has no field for.
func (c composer) procedureAnswer(r resolved, ev []evidence, audience Audience) draft {
	var d draft
	lead := ev[0]
	p := lead.doc.Procedure
	name := p.Name
	if name == "" {
		name = lead.doc.Title
	}
	// The passage of the lead document that best fits the question, to cite.
	cite := func(section string) int {
		best := lead.result
		for _, e := range ev {
			if e.result.Doc.ID == lead.result.Doc.ID && strings.HasPrefix(e.result.Chunk.Section, section) {
				best = e.result
				break
			}
		}
		return d.cite(best, "")
	}
	intents := r.Cues.Intents
	fields := 0
	// A sentence of the passages that states what the question asks, beyond the record's
	// fields ("trước khi hết hạn 15 ngày…").
	cands := c.sentences(r, recordEvidence(ev), lead.doc.Title)
	sentence, sentenceRes, strong := bestSentence(cands)
	if strong && (fieldSection(intents, sentenceRes.Chunk.Section) || fieldAnswers(intents, p)) {
		strong = false // the structured field below says it better
	}
	if strong {
		n := d.cite(sentenceRes, sentence)
		d.lines = append(d.lines, fmt.Sprintf("%s [%d]", sentence, n))
		// A record often says the same thing in two fields, each with its own detail (the
		// conditions name the application, the channel note names it differently): a close
		// second from another field is shown too.
		if s, ok := runnerUp(cands); ok && !fieldSection(intents, s.res.Chunk.Section) {
			d.lines = append(d.lines, fmt.Sprintf("%s [%d]", s.text, d.cite(s.res, s.text)))
		}
	}
	for _, in := range intents {
		switch in {
		case IntentFee:
			fields += c.channelLines(&d, p, r.Cues.Channel, "Lệ phí", feeText, true, cite(procedure.SectionChannels))
		case IntentTime:
			fields += c.channelLines(&d, p, r.Cues.Channel, "Thời hạn giải quyết", timeText, false, cite(procedure.SectionChannels))
		case IntentPapers:
			fields += c.papersLines(&d, p, cite(procedure.SectionPapers))
		case IntentPlace:
			if added := c.placeLines(&d, p, cite(procedure.SectionAgency)); added > 0 {
				fields += added
				// The record's steps often say more precisely where to hand it in.
				supporting(&d, cands, reSubmitPlace, sentence)
			}
		case IntentSteps:
			fields += c.listLines(&d, "Trình tự thực hiện:", p.Steps, 5, cite(procedure.SectionSteps))
		case IntentOnline:
			if added := c.onlineLines(&d, p, cite(procedure.SectionChannels)); added > 0 {
				fields += added
				// Where to do it online: the portal, application or address the record names.
				supporting(&d, cands, reOnlinePlace, sentence)
			}
		case IntentConditions:
			if p.Conditions != "" && !procedure.NoInformation(p.Conditions) {
				d.lines = append(d.lines, fmt.Sprintf("Yêu cầu, điều kiện: %s [%d]", vietnamese.Truncate(p.Conditions, 300), cite(procedure.SectionConditions)))
				fields++
			}
		case IntentResult:
			fields += c.listLines(&d, "Kết quả:", p.Results, 4, cite(procedure.SectionResults))
		case IntentLegal:
			var docs []string
			for _, l := range p.LegalBasis {
				docs = append(docs, strings.TrimSpace(l.Title))
			}
			fields += c.listLines(&d, "Căn cứ pháp lý:", docs, 5, cite(procedure.SectionLegal))
		case IntentSubjects:
			if p.Subjects != "" {
				d.lines = append(d.lines, fmt.Sprintf("Đối tượng thực hiện: %s [%d]", p.Subjects, cite(procedure.SectionSubjects)))
				fields++
			}
		}
		if fields > 0 && len(d.lines) >= 2 {
			break
		}
	}
	if fields == 0 && !strong {
		// Nothing specific asked (or the record lacks it): a short overview.
		n := cite(procedure.SectionChannels)
		if sentence != "" && len(intents) > 0 {
			d.lines = append(d.lines, fmt.Sprintf("%s [%d]", sentence, d.cite(sentenceRes, sentence)))
		}
		d.lines = append(d.lines, overview(p, n)...)
	}
	title := fmt.Sprintf("Thủ tục «%s»", name)
	if p.Level != "" {
		title += " (" + strings.ToLower(p.Level) + ")"
	}
	d.lines = append([]string{title + ":"}, d.lines...)
	if r.Cues.Level == "" {
		// A question naming no level learns where else the same procedure is done.
		if twins := levelTwins(ev); len(twins) > 0 {
			var levels []string
			for _, t := range twins {
				levels = append(levels, fmt.Sprintf("%s [%d]", t.level, d.cite(t.result, "")))
			}
			d.lines = append(d.lines, "Thủ tục này cũng được thực hiện ở "+joinVietnamese(levels)+".")
		}
	}
	if alt := alternatives(ev); len(alt) > 0 {
		var names []string
		for _, a := range alt {
			names = append(names, fmt.Sprintf("«%s» [%d]", a.result.Doc.Title, d.cite(a.result, "")))
		}
		d.lines = append(d.lines, "Thủ tục liên quan: "+strings.Join(names, "; ")+".")
	}
	if audience == Citizen && p.URL != "" {
		d.lines = append(d.lines, "Chi tiết và nộp hồ sơ: "+p.URL)
	}
	return d
}

// supporting adds to d the best of the record's sentences that matches re, says how an
// application is handed in and fits the question nearly as well as the best sentence, unless
// the answer already quotes it (skip).
func supporting(d *draft, cands []sentenceCand, re *regexp.Regexp, skip string) {
	for _, s := range cands {
		if s.score < 0.6*cands[0].score || s.score <= 0 {
			break // the others fit the question too little to be worth saying
		}
		if s.text == skip || !re.MatchString(s.text) || !reSubmitVerb.MatchString(s.text) {
			continue
		}
		text := vietnamese.Truncate(s.text, 300)
		d.lines = append(d.lines, fmt.Sprintf("%s [%d]", text, d.cite(s.res, text)))
		return
	}
}

// recordEvidence is the lead document's evidence: its retrieved passages in rank order, then
// its other passages.
func recordEvidence(ev []evidence) []evidence {
	lead := ev[0]
	out := sameDocument(ev, lead.result.Doc.ID)
	have := map[int64]bool{}
	for _, e := range out {
		have[e.result.Chunk.ID] = true
	}
	for _, ch := range lead.passages {
		if have[ch.ID] {
			continue
		}
		res := lead.result
		res.Chunk = ch
		out = append(out, evidence{result: res, extra: true})
	}
	return out
}

// sameDocument returns the evidence from one document, in rank order.
func sameDocument(ev []evidence, docID string) []evidence {
	var out []evidence
	for _, e := range ev {
		if e.result.Doc.ID == docID {
			out = append(out, e)
		}
	}
	return out
}

// fieldSection reports whether a passage's section is the one a structured field renders for
// the intents (fees and times come from "Cách thức thực hiện").
func fieldSection(intents []Intent, section string) bool {
	for _, in := range intents {
		switch in {
		case IntentFee, IntentTime, IntentOnline:
			if strings.HasPrefix(section, procedure.SectionChannels) {
				return true
			}
		case IntentPapers:
			if strings.HasPrefix(section, procedure.SectionPapers) {
				return true
			}
		case IntentSteps:
			if strings.HasPrefix(section, procedure.SectionSteps) {
				return true
			}
		}
	}
	return false
}

// fieldAnswers reports whether the record has the field that answers a question about
// conditions, subjects, results or legal basis: the field, not a sentence elsewhere that
// shares a word with the question ("hồ sơ không đủ điều kiện"), is the answer.
func fieldAnswers(intents []Intent, p *procedure.Record) bool {
	for _, in := range intents {
		switch {
		case in == IntentConditions && p.Conditions != "" && !procedure.NoInformation(p.Conditions),
			in == IntentSubjects && p.Subjects != "",
			in == IntentResult && len(p.Results) > 0,
			in == IntentLegal && len(p.LegalBasis) > 0:
			return true
		}
	}
	return false
}

// alternatives are other procedures the question may mean: their titles are named by the
// question as fully as the lead's.
func alternatives(ev []evidence) []evidence {
	lead := ev[0].result
	seen := map[string]bool{lead.Doc.ID: true}
	leadBase, _ := splitLevelSuffix(lead.Doc.Title)
	var out []evidence
	for _, e := range ev[1:] {
		r := e.result
		if seen[r.Doc.ID] || r.Doc.Kind != knowledge.KindProcedure {
			continue
		}
		if base, _ := splitLevelSuffix(r.Doc.Title); leadBase != "" && base == leadBase {
			continue // the same procedure at another level: see levelTwins
		}
		seen[r.Doc.ID] = true
		if r.TitleCoverage >= lead.TitleCoverage-0.05 && r.TitleCoverage >= 0.6 && r.Score >= 0.8*lead.Score && r.Doc.Title != lead.Doc.Title {
			out = append(out, e)
		}
		if len(out) == 2 {
			break
		}
	}
	return out
}

// reLevelSuffix matches the portal's way of telling apart one procedure done at several
// levels: "… (thực hiện tại cấp xã)", "… (cấp Bộ)".
var reLevelSuffix = regexp.MustCompile(`(?i)\s*\((?:thực hiện\s+)?(?:tại\s+|ở\s+)?(cấp\s+[^()]+)\)\s*$`)

// splitLevelSuffix returns a procedure title's matching key without its level suffix and the
// level as written ("cấp xã"), or "" and "" when the title has no such suffix.
func splitLevelSuffix(title string) (base, level string) {
	m := reLevelSuffix.FindStringSubmatchIndex(title)
	if m == nil || m[0] == 0 {
		return "", ""
	}
	return vietnamese.Key(title[:m[0]]), strings.ToLower(strings.TrimSpace(title[m[2]:m[3]]))
}

// joinVietnamese joins items as a list is read: "a", "a và b", "a, b và c".
func joinVietnamese(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " và " + items[len(items)-1]
}

// levelTwin is a retrieved procedure that is the lead procedure done at another level.
type levelTwin struct {
	result knowledge.Result
	level  string
}

// levelTwins returns, in rank order, up to three retrieved procedures whose title is the lead
// procedure's title with another level ("Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp
// huyện)" beside "… (thực hiện tại cấp xã)").
func levelTwins(ev []evidence) []levelTwin {
	lead := ev[0].result
	base, level := splitLevelSuffix(lead.Doc.Title)
	if base == "" {
		return nil
	}
	seen := map[string]bool{level: true}
	var out []levelTwin
	for _, e := range ev[1:] {
		r := e.result
		if r.Doc.Kind != knowledge.KindProcedure || r.Doc.ID == lead.Doc.ID {
			continue
		}
		b, l := splitLevelSuffix(r.Doc.Title)
		if b != base || seen[l] {
			continue
		}
		seen[l] = true
		out = append(out, levelTwin{result: r, level: l})
		if len(out) == 3 {
			break
		}
	}
	return out
}

// reBareNumber matches a processing time given as a number alone.
var reBareNumber = regexp.MustCompile(`^\d+(?:[.,]\d+)?$`)

// timeText is a channel's processing time as the record gives it, its unit in lower case ("7
// ngày làm việc"). Some records give a number without its unit ("1"): that is said rather
// than guessed.
func timeText(ch procedure.Channel) string {
	t := strings.TrimSpace(ch.Time)
	if reBareNumber.MatchString(t) {
		return t + " (hồ sơ thủ tục không ghi đơn vị thời gian)"
	}
	return lowerTimeUnits(t)
}

// channelLines writes one line per submission channel with value(ch), or a single line when
// every channel has the same value, then the portal's remark once. It returns 1 when it wrote
// anything.
func (c composer) channelLines(d *draft, p *procedure.Record, want, label string, value func(procedure.Channel) string, withNote bool, n int) int {
	chans := p.Channels
	if want != "" {
		var only []procedure.Channel
		for _, ch := range chans {
			if ch.Name == want {
				only = append(only, ch)
			}
		}
		if len(only) > 0 {
			chans = only
		}
	}
	var vals, notes []string
	same := true
	for _, ch := range chans {
		v := strings.TrimSpace(value(ch))
		if v == "" {
			continue
		}
		if len(vals) > 0 && v != vals[0] {
			same = false
		}
		vals = append(vals, v)
		if note := shortNote(ch.Note); withNote && note != "" && !slices.Contains(notes, note) {
			notes = append(notes, note)
		}
	}
	if len(vals) == 0 {
		return 0
	}
	if same {
		scope := ""
		if len(chans) == 1 {
			scope = " (" + strings.ToLower(chans[0].Name) + ")"
		}
		d.lines = append(d.lines, fmt.Sprintf("%s%s: %s [%d]", label, scope, vals[0], n))
	} else {
		d.lines = append(d.lines, label+":")
		for _, ch := range chans {
			if v := strings.TrimSpace(value(ch)); v != "" {
				d.lines = append(d.lines, fmt.Sprintf("- %s: %s [%d]", ch.Name, v, n))
			}
		}
	}
	if len(notes) == 1 {
		d.lines = append(d.lines, "Ghi chú: "+notes[0])
	}
	return 1
}

// shortNote is the first sentence of a channel remark, without list dashes, or "".
func shortNote(note string) string {
	note = strings.TrimSpace(strings.Trim(strings.TrimSpace(note), "()"))
	note = strings.TrimSpace(strings.TrimLeft(note, "-•+* "))
	if note == "" {
		return ""
	}
	if ss := vietnamese.Sentences(note); len(ss) > 0 {
		note = strings.TrimSpace(strings.TrimLeft(ss[0], "-•+* "))
	}
	return vietnamese.Truncate(note, 160)
}

// feeText renders a channel's fee for citizens: "Miễn phí", or the amounts in the Vietnamese
// style ("10.000 đồng"), or the portal's wording when it has no amount.
func feeText(ch procedure.Channel) string {
	if ch.Free {
		return "Miễn phí"
	}
	var amounts []string
	for _, a := range ch.FeeAmounts {
		amounts = append(amounts, procedure.FormatVND(a))
	}
	if len(amounts) > 0 && len(amounts) <= 3 {
		return strings.Join(amounts, "; ")
	}
	return vietnamese.Truncate(strings.TrimSpace(ch.Fee), 120)
}

func (c composer) papersLines(d *draft, p *procedure.Record, n int) int {
	if len(p.PaperGroups) == 0 {
		return 0
	}
	const maxPapers = 6
	shown, total := 0, 0
	for _, g := range p.PaperGroups {
		total += len(g.Papers)
	}
	d.lines = append(d.lines, fmt.Sprintf("Hồ sơ cần chuẩn bị [%d]:", n))
	for gi, g := range p.PaperGroups {
		if shown >= maxPapers {
			break
		}
		if g.Case != "" && len(p.PaperGroups) > 1 {
			if gi >= 2 {
				break
			}
			d.lines = append(d.lines, "• "+vietnamese.Truncate(g.Case, 120)+":")
		}
		for _, paper := range g.Papers {
			if shown >= maxPapers {
				break
			}
			line := "- " + vietnamese.Truncate(paper.Name, 160)
			if paper.Copies != "" && !strings.HasPrefix(paper.Copies, "0 ") {
				line += " (" + paper.Copies + ")"
			}
			d.lines = append(d.lines, line)
			shown++
		}
	}
	if total > shown {
		d.lines = append(d.lines, fmt.Sprintf("… và %d giấy tờ khác theo từng trường hợp.", total-shown))
	}
	return 1
}

func (c composer) placeLines(d *draft, p *procedure.Record, n int) int {
	agency := firstNonEmpty(p.Agency, p.Authority)
	address := firstNonEmpty(p.Address)
	level := firstNonEmpty(p.Level)
	var line string
	switch {
	case agency != "" && address != "":
		line = "Nơi thực hiện: " + agency + "; địa chỉ tiếp nhận: " + vietnamese.Truncate(address, 200)
	case agency != "":
		line = "Nơi thực hiện: " + agency
	case address != "":
		line = "Địa chỉ tiếp nhận: " + vietnamese.Truncate(address, 200)
	case level != "":
		// The record names no agency: its level still says where to go.
		line = "Nơi thực hiện: cơ quan có thẩm quyền " + strings.ToLower(level) + " (hồ sơ thủ tục không ghi tên cơ quan)"
	default:
		return 0
	}
	d.lines = append(d.lines, fmt.Sprintf("%s [%d]", line, n))
	if ch := channelNames(p); ch != "" {
		d.lines = append(d.lines, "Hình thức nộp: "+ch+".")
	}
	return 1
}

func (c composer) onlineLines(d *draft, p *procedure.Record, n int) int {
	for _, ch := range p.Channels {
		if ch.Name == procedure.ChannelOnline {
			d.lines = append(d.lines, fmt.Sprintf("Có, thủ tục này nộp trực tuyến được (thời hạn %s) [%d]", firstNonEmpty(timeText(ch), "theo quy định"), n))
			return 1
		}
	}
	if len(p.Channels) == 0 {
		return 0
	}
	d.lines = append(d.lines, fmt.Sprintf("Thủ tục này chưa có hình thức nộp trực tuyến; hình thức nộp: %s [%d]", channelNames(p), n))
	return 1
}

func channelNames(p *procedure.Record) string {
	var names []string
	for _, ch := range p.Channels {
		// A channel has a row per case (each with its own time or fee): named once.
		if name := strings.ToLower(strings.TrimSpace(ch.Name)); name != "" && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return strings.Join(names, ", ")
}

func (c composer) listLines(d *draft, label string, items []string, limit int, n int) int {
	var clean []string
	for _, it := range items {
		if it = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(it), "-+•*")); it != "" && !procedure.NoInformation(it) {
			clean = append(clean, it)
		}
	}
	if len(clean) == 0 {
		return 0
	}
	d.lines = append(d.lines, fmt.Sprintf("%s [%d]", label, n))
	for i, it := range clean {
		if i == limit {
			d.lines = append(d.lines, fmt.Sprintf("… (%d mục nữa)", len(clean)-limit))
			break
		}
		d.lines = append(d.lines, "- "+vietnamese.Truncate(it, 180))
	}
	return 1
}

// overview summarises a procedure: where, how and how long.
func overview(p *procedure.Record, n int) []string {
	var out []string
	if a := firstNonEmpty(p.Agency, p.Authority); a != "" {
		out = append(out, fmt.Sprintf("Cơ quan thực hiện: %s [%d]", a, n))
	}
	for i, ch := range p.Channels {
		if i == 3 {
			break
		}
		parts := []string{}
		if t := timeText(ch); t != "" {
			parts = append(parts, "thời hạn "+t)
		}
		if f := feeText(ch); f != "" {
			parts = append(parts, "lệ phí "+vietnamese.Truncate(f, 80))
		}
		if len(parts) > 0 {
			out = append(out, fmt.Sprintf("- %s: %s [%d]", ch.Name, strings.Join(parts, ", "), n))
		}
	}
	return out
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" && !procedure.NoInformation(s) {
			return s
		}
	}
	return ""
}
