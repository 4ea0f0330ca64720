package assistant

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/procedure"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// evidence is a retrieved passage with the document it belongs to.
type evidence struct {
	result   knowledge.Result
	doc      *knowledge.Document // full document (with Procedure) for the leading results
	passages []knowledge.Chunk   // all the passages of the lead procedure
	extra    bool                // a passage of the lead document that retrieval did not return
}

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
		N: n, Source: r.Doc.Source, Title: r.Doc.Title, Snippet: truncateRunes(snippet, 400), URL: r.Doc.URL,
		Score: r.Score, DocumentID: r.Doc.ID, ChunkID: r.Chunk.ID, Section: r.Chunk.Section,
	})
	d.byChunk[r.Chunk.ID] = n
	return n
}

func (d *draft) text() string { return strings.TrimSpace(strings.Join(d.lines, "\n")) }

// composer builds extractive answers: the sentences or structured fields of the retrieved
// passages that answer the question, each marked with its citation.
type composer struct {
	analyzer *vietnamese.Analyzer
	pieces   *pieceCache // nil: no caching
}

// weights returns the IDF-free weights of the question's content terms (context terms count
// less), used to score sentences.
func (c composer) weights(r resolved) map[string]float64 {
	w := map[string]float64{}
	add := func(terms []vietnamese.Term, scale float64) {
		for _, t := range terms {
			if t.Stop || t.Part || t.Class == vietnamese.Exact || (t.Class == vietnamese.Expansion && vietnamese.HasMarks(t.Text)) {
				continue
			}
			v := 1.0
			switch t.Class {
			case vietnamese.Bigram:
				v = 1.5
			case vietnamese.Expansion:
				v = 0.7
			}
			w[t.Text] = max(w[t.Text], v*scale)
		}
	}
	add(r.Q.Terms(), 1)
	if r.Context != "" {
		add(r.Q.ContextTerms(), 0.3)
	}
	return w
}

// compose writes the answer for the evidence, best first.
func (c composer) compose(r resolved, ev []evidence, audience Audience) draft {
	lead := ev[0]
	if lead.doc != nil && lead.doc.Procedure != nil {
		return c.procedureAnswer(r, ev, audience)
	}
	return c.passageAnswer(r, ev, audience)
}

// --- procedures -----------------------------------------------------------------------------

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
			fields += c.placeLines(&d, p, cite(procedure.SectionAgency))
		case IntentSteps:
			fields += c.listLines(&d, "Trình tự thực hiện:", p.Steps, 5, cite(procedure.SectionSteps))
		case IntentOnline:
			fields += c.onlineLines(&d, p, cite(procedure.SectionChannels))
		case IntentConditions:
			if p.Conditions != "" && !noInfo(p.Conditions) {
				d.lines = append(d.lines, fmt.Sprintf("Yêu cầu, điều kiện: %s [%d]", truncateRunes(p.Conditions, 300), cite(procedure.SectionConditions)))
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
		case in == IntentConditions && p.Conditions != "" && !noInfo(p.Conditions),
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

// timeText is a channel's processing time as the record gives it. Some records give a number
// without its unit ("1"): that is said rather than guessed.
func timeText(ch procedure.Channel) string {
	t := strings.TrimSpace(ch.Time)
	if reBareNumber.MatchString(t) {
		return t + " (hồ sơ thủ tục không ghi đơn vị thời gian)"
	}
	return t
}

// noInfo reports whether a record's field says it has nothing to say ("Không có thông tin").
func noInfo(s string) bool {
	k := vietnamese.Key(strings.TrimSpace(s))
	return k == "" || k == "khong co thong tin" || k == "khong" || k == "khong quy dinh"
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
	return truncateRunes(note, 160)
}

var reMoneyGroups = regexp.MustCompile(`\d{1,3}(?:[.,]\d{3})+|\d+`)

// feeText renders a channel's fee for citizens: "Miễn phí", or the amounts in the Vietnamese
// style ("10.000 đồng"), or the portal's wording when it has no amount.
func feeText(ch procedure.Channel) string {
	if ch.Free {
		return "Miễn phí"
	}
	var amounts []string
	for _, a := range ch.FeeAmounts {
		amounts = append(amounts, formatVND(a))
	}
	if len(amounts) > 0 && len(amounts) <= 3 {
		return strings.Join(amounts, "; ")
	}
	return truncateRunes(strings.TrimSpace(ch.Fee), 120)
}

// formatVND writes an amount of đồng with dot thousands separators: 10000 → "10.000 đồng".
func formatVND(a int64) string {
	s := strconv.FormatInt(a, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return b.String() + " đồng"
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
			d.lines = append(d.lines, "• "+truncateRunes(g.Case, 120)+":")
		}
		for _, paper := range g.Papers {
			if shown >= maxPapers {
				break
			}
			line := "- " + truncateRunes(paper.Name, 160)
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
		line = "Nơi thực hiện: " + agency + "; địa chỉ tiếp nhận: " + truncateRunes(address, 200)
	case agency != "":
		line = "Nơi thực hiện: " + agency
	case address != "":
		line = "Địa chỉ tiếp nhận: " + truncateRunes(address, 200)
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
		if it = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(it), "-+•*")); it != "" && !noInfo(it) {
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
		d.lines = append(d.lines, "- "+truncateRunes(it, 180))
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
			parts = append(parts, "lệ phí "+truncateRunes(f, 80))
		}
		if len(parts) > 0 {
			out = append(out, fmt.Sprintf("- %s: %s [%d]", ch.Name, strings.Join(parts, ", "), n))
		}
	}
	return out
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" && !noInfo(s) {
			return s
		}
	}
	return ""
}

// --- passages -------------------------------------------------------------------------------

// passageAnswer quotes the sentences (or the clauses of long sentences) that best answer the
// question, from the leading passages.
func (c composer) passageAnswer(r resolved, ev []evidence, audience Audience) draft {
	var d draft
	cands := c.sentences(r, ev, "")
	if len(cands) == 0 {
		n := d.cite(ev[0].result, "")
		d.lines = append(d.lines, fmt.Sprintf("%s [%d]", truncateRunes(ev[0].result.Chunk.Text, 350), n))
		return d
	}
	best := cands[0]
	chosen := []sentenceCand{best}
	budget := 420 - utf8.RuneCountInString(best.text)
	for _, s := range cands[1:] {
		if len(chosen) == 3 || budget < 60 {
			break
		}
		if s.score < 0.75*best.score || utf8.RuneCountInString(s.text) > budget || overlaps(chosen, s) {
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

type sentenceCand struct {
	text      string
	res       knowledge.Result
	score     float64
	hasTarget bool // states the kind of thing asked (a figure, a number, an agency…)
	terms     map[string]bool
}

func overlaps(chosen []sentenceCand, s sentenceCand) bool {
	for _, c := range chosen {
		if c.text == s.text || strings.Contains(c.text, s.text) || strings.Contains(s.text, c.text) {
			return true
		}
		shared, n := 0, 0
		for t := range s.terms {
			n++
			if c.terms[t] {
				shared++
			}
		}
		if n > 0 && float64(shared)/float64(n) > 0.8 {
			return true
		}
	}
	return false
}

// bestSentence returns the best sentence and whether it answers strongly: it states what is
// asked and matches most of the question's words beyond the title.
func bestSentence(cands []sentenceCand) (string, knowledge.Result, bool) {
	if len(cands) == 0 {
		return "", knowledge.Result{}, false
	}
	b := cands[0]
	return b.text, b.res, b.hasTarget && b.score >= 0.55
}

// runnerUp returns the best sentence from a section other than the best sentence's when it
// scores nearly as well and states what is asked.
func runnerUp(cands []sentenceCand) (sentenceCand, bool) {
	if len(cands) < 2 {
		return sentenceCand{}, false
	}
	best := cands[0]
	for _, s := range cands[1:] {
		if s.score < 0.9*best.score {
			break
		}
		if s.res.Chunk.Section != best.res.Chunk.Section && s.hasTarget && !overlaps([]sentenceCand{best}, s) {
			return s, true
		}
	}
	return sentenceCand{}, false
}

var (
	rePercent  = regexp.MustCompile(`\d+(?:[.,]\d+)?\s?%`)
	reNumber   = regexp.MustCompile(`\d`)
	reAgency   = regexp.MustCompile(`\b(?:Sở|Bộ|UBND|Ủy ban|Ban|Trung tâm|Cục|Vụ|Công an|Tòa án|Chi cục|Phòng|Văn phòng|Cổng|Hội đồng)\b`)
	reWhen     = regexp.MustCompile(`\b(?:19|20)\d\d\b|\d{1,2}/\d{1,2}/\d{4}|\bngày\b|\btháng\b|\bquý\b`)
	reDuration = regexp.MustCompile(`(?i)\d+\s*(?:ngày|tháng|năm|giờ|tuần)`)
	// reOnlinePlace matches where things are done online: applications, portals, web addresses.
	reOnlinePlace = regexp.MustCompile(`(?i)ứng dụng|VNeID|cổng dịch vụ công|cổng thông tin|trang thông tin|website|https?://|\.gov\.vn`)
)

// hasTarget reports whether a sentence states the kind of thing the intents ask for.
func hasTarget(s string, intents []Intent) bool {
	if len(intents) == 0 {
		return true
	}
	for _, in := range intents {
		switch in {
		case IntentPercent:
			if rePercent.MatchString(s) {
				return true
			}
		case IntentNumber:
			if reNumber.MatchString(s) {
				return true
			}
		case IntentDocument:
			if reDocNumber.MatchString(s) {
				return true
			}
		case IntentAgency, IntentPlace:
			if reAgency.MatchString(s) || in == IntentPlace && reOnlinePlace.MatchString(s) {
				return true
			}
		case IntentWhen:
			if reWhen.MatchString(s) {
				return true
			}
		case IntentTime:
			if reDuration.MatchString(s) {
				return true
			}
		case IntentFee:
			if reMoneyGroups.MatchString(s) && strings.Contains(vietnamese.Key(s), "dong") || strings.Contains(vietnamese.Key(s), "mien phi") {
				return true
			}
		case IntentList:
			if strings.ContainsAny(s, ":;,") {
				return true
			}
		default:
			return true
		}
	}
	return false
}

// sentences scores every sentence (long ones as their clauses) of the passages. A question
// word counts by how rare it is among these sentences: words of the document's own name or
// place appear everywhere and do not pick a sentence; the words of what is asked do.
func (c composer) sentences(r resolved, ev []evidence, title string) []sentenceCand {
	weights := c.weights(r)
	// Words naming a passage's document (its title, issuer, place) identify the document, not
	// the sentence within it.
	docTerms := map[string]map[string]bool{}
	own := func(e evidence) map[string]bool {
		if m, ok := docTerms[e.result.Doc.ID]; ok {
			return m
		}
		name := e.result.Doc.Title + " " + e.result.Doc.Locality + " " + title
		if e.doc != nil {
			name += " " + e.doc.Issuer
		}
		m := map[string]bool{}
		for _, t := range c.analyzer.Terms(name) {
			m[t.Text] = true
		}
		docTerms[e.result.Doc.ID] = m
		return m
	}
	type piece struct {
		text  string
		key   string // keyText(text)
		res   knowledge.Result
		rank  int
		terms map[string]bool
		order []string
		own   map[string]bool
	}
	var pieces []piece
	seen := map[string]bool{}
	df := map[string]int{}
	retrieved := 0
	for i, e := range ev {
		rank := i
		if e.extra {
			// Passages retrieval did not return rank just below the last one that it did.
			rank = min(retrieved, 6)
		} else if retrieved++; i >= 6 {
			continue
		}
		for _, sp := range c.split(e.result.Chunk.Text) {
			if seen[sp.text] {
				continue
			}
			seen[sp.text] = true
			for t := range sp.terms {
				if _, ok := weights[t]; ok {
					df[t]++
				}
			}
			pieces = append(pieces, piece{text: sp.text, key: sp.key, res: e.result, rank: rank, terms: sp.terms, order: sp.order, own: own(e)})
		}
	}
	// Sums of weights run in a fixed order: floating-point addition in map order gives equal
	// sentences slightly different scores from one run to the next, and so another order.
	weightOrder := slices.Sorted(maps.Keys(weights))
	n := float64(len(pieces))
	idf := func(t string) float64 { return math.Log(1 + n/float64(1+df[t])) }
	totals := map[string]float64{} // by document: the weight a sentence could match
	for _, p := range pieces {
		if _, ok := totals[p.res.Doc.ID]; ok {
			continue
		}
		var total float64
		for _, t := range weightOrder {
			if w := weights[t]; !p.own[t] && w >= 1 {
				total += w * idf(t)
			}
		}
		totals[p.res.Doc.ID] = max(total, 1)
	}
	asked := qualifiedNumbers(r.Key)
	// Retrieval's order counts: across documents fully, within one document (where the
	// sentence's own match says more than its passage's rank) half as much.
	step := 0.04
	if len(ev) > 0 && len(sameDocument(ev, ev[0].result.Doc.ID)) == len(ev) {
		step = 0.02
	}
	levelKey := ""
	if r.Cues.Level != "" {
		levelKey = "cap_" + vietnamese.Key(r.Cues.Level)
	}
	out := make([]sentenceCand, 0, len(pieces))
	for _, p := range pieces {
		var matched float64
		for _, t := range p.order {
			if w, ok := weights[t]; ok && !p.own[t] {
				matched += w * idf(t)
			}
		}
		score := matched / totals[p.res.Doc.ID]
		target := hasTarget(p.text, r.Cues.Intents)
		if target {
			score += 0.25
		}
		if levelKey != "" {
			if p.terms[levelKey] {
				score += 0.3
			} else if mentionsOtherLevel(p.terms, levelKey) {
				score -= 0.1
			}
		}
		if r.Cues.Year != "" && strings.Contains(p.text, r.Cues.Year) {
			score += 0.1
		}
		agree, differ := 0, 0
		if len(asked) > 0 {
			agree, differ = numberAgreement(asked, qualifiedNumbers(p.key))
		}
		// A sentence giving another figure for what the question qualifies ("mức độ 2" for
		// "mức độ 1") is about something else, however many words it shares.
		score += 0.15 * float64(agree)
		score *= math.Pow(0.6, float64(differ))
		if countsFocus(p.key, r.Cues.Focus) {
			score += 0.4
		}
		score *= 1 - step*float64(p.rank)
		if l := utf8.RuneCountInString(p.text); l > 350 {
			score *= 350 / float64(l)
		}
		out = append(out, sentenceCand{text: truncateRunes(p.text, 400), res: p.res, score: score, hasTarget: target, terms: p.terms})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	return out
}

// sentencePiece is a sentence of a passage (a clause of a long one), analysed once.
type sentencePiece struct {
	text  string
	key   string          // keyText(text)
	terms map[string]bool // its analyzer terms; shared, read-only
	order []string        // the same terms in their first order: scores sum over them in a fixed order
}

// pieceCache keeps the analysed sentences of recently quoted passages: popular procedures
// are asked about again and again, and analysing their records costs more than the rest of
// composing an answer.
type pieceCache struct {
	mu sync.Mutex
	m  map[string][]sentencePiece // by passage text
}

// pieceCacheSize bounds the passages kept (about 15 kB each); the cache empties when full.
const pieceCacheSize = 1024

// split returns a passage's sentences, long ones as their clauses, without those written to
// steer an AI.
func (c composer) split(text string) []sentencePiece {
	if c.pieces != nil {
		c.pieces.mu.Lock()
		sp, ok := c.pieces.m[text]
		c.pieces.mu.Unlock()
		if ok {
			return sp
		}
	}
	var out []sentencePiece
	for _, sent := range vietnamese.Sentences(text) {
		parts := []string{sent}
		if utf8.RuneCountInString(sent) > 280 {
			parts = vietnamese.Clauses(sent, 40)
		}
		for _, p := range parts {
			p = strings.TrimSpace(strings.TrimLeft(p, "-•+* "))
			if p == "" {
				continue
			}
			key := keyText(p)
			if instructionKey(key) {
				continue
			}
			terms := map[string]bool{}
			var order []string
			for _, t := range c.analyzer.Terms(p) {
				if !terms[t.Text] {
					terms[t.Text] = true
					order = append(order, t.Text)
				}
			}
			out = append(out, sentencePiece{text: p, key: key, terms: terms, order: order})
		}
	}
	if c.pieces != nil {
		c.pieces.mu.Lock()
		if len(c.pieces.m) >= pieceCacheSize {
			clear(c.pieces.m)
		}
		c.pieces.m[text] = out
		c.pieces.mu.Unlock()
	}
	return out
}

// countsFocus reports whether a sentence gives a number of the thing a count question asks
// about: "7 nhóm nhiệm vụ" for "bao nhiêu nhóm nhiệm vụ", "bảy nhóm" too. key is the
// sentence's keyText.
func countsFocus(key string, focus []string) bool {
	if len(focus) == 0 {
		return false
	}
	words := strings.Fields(key)
	for i := 0; i+1 < len(words); i++ {
		if !isNumberWord(words[i]) {
			continue
		}
		for j := i + 1; j <= i+2 && j < len(words); j++ {
			if words[j] == focus[0] && (len(focus) == 1 || j+1 >= len(words) || words[j+1] == focus[1]) {
				return true
			}
		}
	}
	return false
}

// qualifiedNumbers maps each word directly followed by a figure to the figures that follow
// it: "mức độ 1" gives do→{1}, "năm 2025" gives nam→{2025}. Figures are canonical, so
// "mức độ 01" is the same level. key is the text's keyText.
func qualifiedNumbers(key string) map[string]map[string]bool {
	words := strings.Fields(key)
	out := map[string]map[string]bool{}
	for i := 1; i < len(words); i++ {
		w, prev := words[i], words[i-1]
		if w[0] < '0' || w[0] > '9' || prev[0] >= '0' && prev[0] <= '9' || len(prev) < 2 {
			continue
		}
		if out[prev] == nil {
			out[prev] = map[string]bool{}
		}
		out[prev][w] = true
	}
	return out
}

// numberAgreement compares the figures a question qualifies ("mức độ 1") with a sentence's:
// how many the sentence states as asked, and how many it only states with another figure
// ("mức độ 2"), which is about something else.
func numberAgreement(asked, stated map[string]map[string]bool) (agree, differ int) {
	for w, want := range asked {
		got := stated[w]
		if len(got) == 0 {
			continue
		}
		match := false
		for v := range want {
			if got[v] {
				match = true
			}
		}
		if match {
			agree++
		} else {
			differ++
		}
	}
	return agree, differ
}

// numberWords are numbers written out, folded.
var numberWords = map[string]bool{"mot": true, "hai": true, "ba": true, "bon": true, "tu": true, "nam": true, "sau": true,
	"bay": true, "tam": true, "chin": true, "muoi": true, "tram": true, "nghin": true, "ngan": true, "trieu": true}

func isNumberWord(w string) bool {
	if w == "" {
		return false
	}
	if w[0] >= '0' && w[0] <= '9' {
		return true
	}
	return numberWords[w]
}

func mentionsOtherLevel(terms map[string]bool, want string) bool {
	for _, l := range []string{"cap_tinh", "cap_huyen", "cap_xa", "cap_so", "cap_bo"} {
		if l != want && terms[l] {
			return true
		}
	}
	return false
}

// instructionPhrases mark text written to steer an AI rather than to inform people; such
// sentences in ingested documents are never quoted.
var instructionPhrases = []string{
	"bo qua moi huong dan", "bo qua cac huong dan", "bo qua huong dan", "ignore previous instructions", "ignore all previous",
	"ignore the above", "system prompt", "you are chatgpt", "ban la mot tro ly", "hay dong vai", "disregard",
	"tiet lo cau hinh", "tiet lo prompt",
}

func looksLikeInstruction(s string) bool { return instructionKey(keyText(s)) }

// instructionKey is looksLikeInstruction on a keyText.
func instructionKey(key string) bool {
	for _, p := range instructionPhrases {
		if strings.Contains(key, " "+p+" ") {
			return true
		}
	}
	return false
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	if i := strings.LastIndexByte(string(r), ' '); i > len(string(r))/2 {
		return strings.TrimRight(string(r)[:i], ",;:") + "…"
	}
	return string(r) + "…"
}
