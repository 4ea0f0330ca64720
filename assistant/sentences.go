package assistant

import (
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/procedure"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// Scoring the sentences of passages against a question.

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
	rePercent = regexp.MustCompile(`\d+(?:[.,]\d+)?\s?%`)
	reNumber  = regexp.MustCompile(`\d`)
	// Words are bounded by what is no letter or digit: Go's \b knows ASCII letters only, and
	// would never find "Sở" or "quý" as words.
	reAgency = regexp.MustCompile(`(?:^|[^\p{L}\p{N}])(?:Sở|Bộ|UBND|Ủy ban|Ban|Trung tâm|Cục|Vụ|Công an|Tòa án|Chi cục|Phòng|Văn phòng|Cổng|Hội đồng)(?:$|[^\p{L}\p{N}])`)
	reWhen   = regexp.MustCompile(`\b(?:19|20)\d\d\b|\d{1,2}/\d{1,2}/\d{4}|(?:^|[^\p{L}\p{N}])(?:ngày|tháng|quý)(?:$|[^\p{L}\p{N}])`)
	// reSubmitPlace matches a sentence saying where an application is handed in.
	reSubmitVerb  = regexp.MustCompile(`(?i)nộp|gửi|tiếp nhận|đăng nhập|khai báo|đăng ký`)
	reSubmitPlace = regexp.MustCompile(`(?i)(?:nộp|gửi|tiếp nhận)[^.;]{0,80}(?:tại|đến|về|qua|cho)\s`)
	reDuration    = regexp.MustCompile(`(?i)\d+\s*(?:ngày|tháng|năm|giờ|tuần)`)
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
			if vietnamese.TypedDocumentNumber(s) != "" {
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
			if len(procedure.Amounts(s)) > 0 && strings.Contains(vietnamese.Key(s), "dong") || strings.Contains(vietnamese.Key(s), "mien phi") {
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
		out = append(out, sentenceCand{text: vietnamese.Truncate(p.text, 400), res: p.res, score: score, hasTarget: target, terms: p.terms})
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
