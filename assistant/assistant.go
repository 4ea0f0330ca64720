package assistant

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/tmc/langchaingo/llms"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/procedure"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// Config holds the assistant's settings.
type Config struct {
	// MaxMessageRunes is the longest question accepted; longer ones get ErrTooLarge.
	MaxMessageRunes int
	// MinRelevance is the relevance threshold: one of the leading passages must cover at least
	// this share of the question (knowledge.Result.Relevance), or the assistant says it does not
	// know.
	MinRelevance float64
	// Organization names the body running the assistant in its replies ("UBND tỉnh …").
	Organization string
	// Hotline and Portal tell people where to ask what the assistant cannot answer.
	Hotline string
	Portal  string
	// LLMTimeout bounds a language-model answer; past it the extractive answer is used.
	LLMTimeout time.Duration
	// Passages is how many passages are retrieved per question.
	Passages int
	// Vocabulary is how people write beside how the records say it; nil: the shipped one.
	Vocabulary *Vocabulary
}

// DefaultConfig returns the settings used when none are given.
func DefaultConfig() Config {
	return Config{
		MaxMessageRunes: 2000,
		MinRelevance:    0.35,
		Hotline:         "Tổng đài dịch vụ công 1900 1096",
		Portal:          "https://dichvucong.gov.vn",
		LLMTimeout:      30 * time.Second,
		Passages:        8,
	}
}

// Store is what the assistant keeps in the knowledge base's store: the conversations it owns,
// and the documents it answers from. knowledge.Store implements it.
type Store interface {
	Document(ctx context.Context, id string) (knowledge.Document, error)
	DocumentChunks(ctx context.Context, documentID string) ([]knowledge.Chunk, error)

	CreateSession(ctx context.Context, s *knowledge.Session) error
	Session(ctx context.Context, id string) (knowledge.Session, error)
	SessionByUser(ctx context.Context, channel, userKey string) (knowledge.Session, error)
	RecordTurn(ctx context.Context, s *knowledge.Session, msgs ...*knowledge.Message) error
	FinishMessage(ctx context.Context, m knowledge.Message, s *knowledge.Session) error
	Messages(ctx context.Context, sessionID string, limit int) ([]knowledge.Message, error)
	Message(ctx context.Context, id string) (knowledge.Message, error)
	SetMessageStatus(ctx context.Context, id, status, detail string) error
	AddMessage(ctx context.Context, m *knowledge.Message) error
	SetOperator(ctx context.Context, id, from, to string) error
	RequestHuman(ctx context.Context, id string, at time.Time) error
	AddFeedback(ctx context.Context, f knowledge.Feedback) error
	DeleteSession(ctx context.Context, id string) error
}

// Assistant answers questions from the knowledge base and owns the conversations. It is safe
// for concurrent use.
type Assistant struct {
	cfg      Config
	index    *knowledge.Index
	store    Store
	model    llms.Model // nil: extractive answers only
	analyzer *vietnamese.Analyzer
	compose  composer
	vocab    *Vocabulary
	logger   *slog.Logger

	docMu sync.Mutex
	docs  map[string]cachedDoc // full documents of recent results, by ID

	events     events
	deliverMu  sync.RWMutex
	deliverers map[string]Deliverer // by channel: how operators' messages reach people
}

type cachedDoc struct {
	doc     knowledge.Document
	version int
	at      time.Time
	chunks  []knowledge.Chunk // loaded on first need: the lead procedure's passages
}

// New returns an assistant answering from index, with its conversations and documents in
// store and questions analysed by analyzer (the index's own). model may be nil: answers are
// then extractive.
func New(cfg Config, index *knowledge.Index, store Store, analyzer *vietnamese.Analyzer, model llms.Model, logger *slog.Logger) *Assistant {
	def := DefaultConfig()
	if cfg.MaxMessageRunes <= 0 {
		cfg.MaxMessageRunes = def.MaxMessageRunes
	}
	if cfg.Passages <= 0 {
		cfg.Passages = def.Passages
	}
	if cfg.LLMTimeout <= 0 {
		cfg.LLMTimeout = def.LLMTimeout
	}
	if cfg.Vocabulary == nil {
		cfg.Vocabulary = DefaultVocabulary()
	}
	return &Assistant{
		cfg: cfg, index: index, store: store, model: model, analyzer: analyzer, vocab: cfg.Vocabulary,
		compose: composer{analyzer: analyzer, pieces: &pieceCache{m: map[string][]sentencePiece{}}}, logger: logger, docs: map[string]cachedDoc{},
	}
}

// Ask answers one question. onDelta, when not nil, receives the answer text as it is produced
// (in order; the final Reply.Answer is authoritative). It returns ErrInvalidRequest,
// ErrTooLarge or ErrUnknownSession for bad requests, and wraps storage errors otherwise; model
// errors never fail a question (the extractive answer is used instead).
func (a *Assistant) Ask(ctx context.Context, req Request, onDelta func(string)) (Reply, error) {
	msg := strings.TrimSpace(req.Message)
	if msg == "" {
		return Reply{}, fmt.Errorf("%w: message is empty", ErrInvalidRequest)
	}
	if n := utf8.RuneCountInString(msg); n > a.cfg.MaxMessageRunes {
		return Reply{}, fmt.Errorf("%w: %d characters, the limit is %d", ErrTooLarge, n, a.cfg.MaxMessageRunes)
	}
	if !utf8.ValidString(msg) {
		return Reply{}, fmt.Errorf("%w: message is not valid UTF-8", ErrInvalidRequest)
	}
	if req.Audience != "" {
		if _, err := ParseAudience(string(req.Audience)); err != nil {
			return Reply{}, err
		}
	}
	sess, err := a.session(ctx, req)
	if err != nil {
		return Reply{}, err
	}
	masked := MaskPersonalData(msg)
	user := &knowledge.Message{Role: knowledge.RoleUser, Text: masked, Status: knowledge.StatusComplete}
	audience := Audience(sess.Audience)
	if sess.Operator != "" || asksForStaff(msg) {
		// The operator answers, or the person asked for one: the question is recorded for the
		// console, and only a request for staff gets a notice.
		if err := a.recordTurn(ctx, &sess, req, user); err != nil {
			return Reply{}, err
		}
		a.publish(Event{Kind: EventMessage, SessionID: sess.ID, Channel: sess.Channel, Operator: sess.Operator, Message: user})
		if sess.Operator != "" {
			return Reply{SessionID: sess.ID, Handover: true}, nil
		}
		notice, err := a.requestHuman(ctx, sess)
		if err != nil {
			return Reply{}, fmt.Errorf("ask: %w", err)
		}
		return Reply{SessionID: sess.ID, MessageID: notice.ID, Answer: notice.Text, HumanRequested: true}, nil
	}
	// The question and a placeholder for the answer are stored before answering, in one write:
	// a client that reconnects meanwhile sees the question and an answer being written.
	reply := &knowledge.Message{ID: uuid.NewString(), Role: knowledge.RoleAssistant, Status: knowledge.StatusStreaming}
	if err := a.recordTurn(ctx, &sess, req, user, reply); err != nil {
		return Reply{}, err
	}
	if req.OnStart != nil {
		req.OnStart(sess.ID, reply.ID)
	}

	start := time.Now()
	mem := loadMemory(sess.State)
	// The question is read in standard words (chat forms written out) from here on. Personal
	// data, markup and attempts to change the assistant's instructions are not what the
	// question is about: it is answered without them.
	std := a.vocab.Standard(msg)
	question := questionText(withoutPlaceholders(a.vocab.Standard(masked)))
	chosen := ""
	if len(mem.Choices) > 0 {
		// A reply to the choices offered answers the question they were offered for.
		if n := pickChoice(std, mem.choices(), a.analyzer); n > 0 {
			chosen, question, std = mem.Choices[n-1].DocumentID, mem.Asked, mem.Asked
		}
	}
	cues := ExtractCues(std)
	if req.Locality != "" && cues.Locality == "" {
		cues.Locality = req.Locality
	}
	ans, r := a.answer(ctx, question, cues, mem, audience, onDelta, chosen)
	if cues.Injection {
		a.logger.InfoContext(ctx, "instruction-changing request answered as a question", slog.String("session", sess.ID))
	}

	reply.Text, reply.Grounded, reply.Citations, reply.Choices, reply.Status = ans.text, ans.grounded, ans.citations, ans.choices, knowledge.StatusComplete
	var save *knowledge.Session
	switch {
	case len(ans.choices) > 0:
		mem.offer(question, ans.choices)
		save = &sess
	case ans.remember:
		var docs []string
		for _, c := range ans.citations {
			docs = append(docs, c.DocumentID)
		}
		mem.remember(r, docs)
		save = &sess
	case len(mem.Choices) > 0: // the choices were not taken up
		mem.Choices, mem.Asked = nil, ""
		save = &sess
	}
	if save != nil {
		sess.State = mem.state()
	}
	if err := a.store.FinishMessage(ctx, *reply, save); err != nil {
		return Reply{}, fmt.Errorf("ask: %w", err)
	}
	a.publish(Event{Kind: EventMessage, SessionID: sess.ID, Channel: sess.Channel, Message: user})
	a.publish(Event{Kind: EventMessage, SessionID: sess.ID, Channel: sess.Channel, Message: reply})
	a.logger.DebugContext(ctx, "answered", slog.String("session", sess.ID), slog.String("message", reply.ID),
		slog.Bool("grounded", ans.grounded), slog.Int("citations", len(ans.citations)), slog.Duration("took", time.Since(start)))
	return Reply{SessionID: sess.ID, MessageID: reply.ID, Answer: ans.text, Grounded: ans.grounded, Citations: ans.citations, Choices: ans.choices, Card: ans.card, Suggestions: ans.suggested}, nil
}

// warmQuestion is what Warm asks: common words of procedure questions.
const warmQuestion = "Thủ tục đăng ký thường trú cần giấy tờ gì, lệ phí bao nhiêu?"

// Warm answers one question without recording it or calling a language model, so that the
// first citizen does not wait for what the first answer through each path costs: both halves
// of a search planned on the store's connections, a procedure record read and its sentences
// analysed. A knowledge base without an answer to it is warmed as far as it goes.
func (a *Assistant) Warm(ctx context.Context) {
	r := resolve(a.index.Question(a.vocab.Official(warmQuestion), ""), ExtractCues(warmQuestion), memory{})
	results, err := a.retrieve(ctx, &r, Citizen, nil)
	if err != nil || len(results) == 0 {
		return
	}
	if ev := a.evidence(ctx, results); len(ev) > 0 {
		a.compose.compose(r, ev, Citizen)
	}
}

// answer is what the assistant says to one question.
type answer struct {
	text      string
	grounded  bool
	citations []knowledge.Citation
	choices   []knowledge.Choice // procedures to choose from, when the question is unclear
	card      *Card              // the procedure the answer is about, at a glance
	suggested []string           // next questions about it
	remember  bool               // the question becomes the conversation's topic
}

// answer answers msg, or, when chosen names a document (a choice the person picked), answers
// it from that document.
func (a *Assistant) answer(ctx context.Context, msg string, cues Cues, mem memory, audience Audience, onDelta func(string), chosen string) (answer, resolved) {
	emit := func(ans answer) answer {
		if onDelta != nil && ans.text != "" {
			streamWords(ans.text, onDelta)
		}
		return ans
	}
	q := a.index.Question(a.vocab.Official(msg), "")
	if focus := askOf(msg, a.analyzer); focus != "" {
		q = q.WithFocus(a.vocab.Official(focus))
	}
	if chosen != "" {
		mem = memory{} // the question was asked afresh
	}
	r := resolve(q, cues, mem)
	if chosen != "" {
		r.TopicDocs, r.Topicless = []string{chosen}, false
	}
	if (cues.Greeting || cues.Thanks) && !hasContent(a.analyzer, msg) {
		return emit(answer{text: smallTalk(cues, a.cfg)}), r
	}
	if r.Topicless && r.Context == "" {
		return emit(answer{text: clarify(audience)}), r
	}
	if cues.Status && chosen == "" {
		return emit(answer{text: statusReply(a.cfg)}), r
	}
	// A follow-up is answered from what the previous answer cited, unless it names another
	// procedure or those documents have nothing for it (or are gone): then it is searched for
	// as usual.
	var results, topic []knowledge.Result
	onTopic := false
	if len(r.TopicDocs) > 0 {
		var err error
		topic, err = a.retrieveTopic(ctx, &r, audience)
		if err == nil && len(topic) > 0 && (topic[0].Lexical > 0 || chosen != "") {
			results, onTopic = topic, true
		}
	}
	var err error
	if !onTopic || !r.Topicless && chosen == "" {
		var all []knowledge.Result
		all, err = a.retrieve(ctx, &r, audience, nil)
		if err == nil && (!onTopic || a.namesAnother(all, r)) {
			results, onTopic = all, false
		}
	}
	if err != nil {
		a.logger.ErrorContext(ctx, "retrieval failed", slog.Any("error", err))
		return emit(answer{text: unavailable(a.cfg)}), r
	}
	if faq, ok := a.faqAnswer(results, r); ok {
		return emit(faq), r
	}
	if !onTopic && !(a.relevant(results, r.Key) && namesProcedure(results)) {
		if fr, fresults, ok := a.backToTopic(ctx, r, topic, mem, audience); ok {
			r, results, onTopic = fr, fresults, true
		}
	}
	results = preferAgeFit(results, r.Cues)
	results = preferNamedProcedure(results)
	results = preferAskedAction(results, r.Cues)
	if !onTopic && (!a.relevant(results, r.Key) || !namesProcedure(results)) {
		if choices := offerChoices(results, r); choices != nil {
			return emit(answer{text: choicesText(choices), choices: choices}), r
		}
		return emit(answer{text: refusal(a.cfg, audience), remember: false}), r
	}
	ev := a.evidence(ctx, results)
	d := a.compose.compose(r, ev, audience)
	for n, text := range d.unquoted {
		d.citations[n-1].Snippet = vietnamese.Truncate(a.index.Snippet(ctx, text, r.Q), 400)
	}
	for i := range d.citations {
		d.citations[i].Snippet = displaySnippet(d.citations[i].Snippet)
	}
	ans := answer{text: d.text(), grounded: len(d.citations) > 0, citations: d.citations, remember: true}
	if a.model != nil {
		if llmAns, ok := a.generate(ctx, r, ev, audience, onDelta); ok {
			llmAns.card, llmAns.suggested = a.aboutProcedure(llmAns.citations, ev, r.Cues)
			return llmAns, r
		}
	}
	ans.card, ans.suggested = a.aboutProcedure(ans.citations, ev, r.Cues)
	return emit(ans), r
}

// aboutProcedure returns, for an answer about a procedure, its card and the questions to ask
// next about it.
func (a *Assistant) aboutProcedure(cites []knowledge.Citation, ev []evidence, c Cues) (*Card, []string) {
	doc, card := cardFor(cites, ev)
	if card == nil {
		return nil, nil
	}
	return card, suggestions(doc.Procedure, c)
}

// retrieve searches the knowledge base with the question's cues as soft preferences, within
// docs when given.
func (a *Assistant) retrieve(ctx context.Context, r *resolved, audience Audience, docs []string) ([]knowledge.Result, error) {
	q := knowledge.Query{Question: r.search(a.index), K: a.cfg.Passages, Locality: r.Cues.Locality, PerDocument: 3, SkipSnippets: true}
	q.Filters.DocumentIDs = docs
	if procedureIntent(r.Cues) {
		q.Kinds = []knowledge.Kind{knowledge.KindProcedure, knowledge.KindFAQ}
		q.Sections = intentSections(r.Cues.Intents)
	} else if audience == Staff {
		q.Kinds = []knowledge.Kind{knowledge.KindPlan, knowledge.KindOther, knowledge.KindFAQ}
	}
	return a.index.Search(ctx, q)
}

// backToTopic answers, from the procedure under discussion, a short question that asks
// something procedures answer (a fee, a time, papers, where, online) when the knowledge base
// as a whole has nothing for it: "nộp qua VNeID được không?", "bao lâu thì họ xuống kiểm tra?"
// continue the conversation even with words of their own. topic is what the documents cited
// last gave for r when r was read as a follow-up already.
func (a *Assistant) backToTopic(ctx context.Context, r resolved, topic []knowledge.Result, mem memory, audience Audience) (resolved, []knowledge.Result, bool) {
	if len(mem.Documents) == 0 || !procedureIntent(r.Cues) || len(strings.Fields(r.Key)) > maxFollowUpWords {
		return r, nil, false
	}
	if r.FollowUp {
		return r, topic, len(topic) > 0
	}
	r.continues(mem)
	if len(r.TopicDocs) == 0 {
		return r, nil, false
	}
	results, err := a.retrieveTopic(ctx, &r, audience)
	if err != nil || len(results) == 0 || results[0].Lexical == 0 {
		return r, nil, false
	}
	return r, results, true
}

// maxFollowUpWords is the longest question, in words, read as continuing the conversation when
// it has words of its own: a longer one tells a new story.
const maxFollowUpWords = 14

// retrieveTopic searches the documents the last answer cited for a follow-up. The first of
// them is what that answer was about (the others were quoted beside it): its passages come
// first whenever it has any for the question.
func (a *Assistant) retrieveTopic(ctx context.Context, r *resolved, audience Audience) ([]knowledge.Result, error) {
	results, err := a.retrieve(ctx, r, audience, r.TopicDocs)
	if err != nil || len(r.TopicDocs) < 2 {
		return results, err
	}
	subject := r.TopicDocs[0]
	if !slices.ContainsFunc(results, func(res knowledge.Result) bool { return res.Doc.ID == subject && res.Lexical > 0 }) {
		return results, nil
	}
	slices.SortStableFunc(results, func(x, y knowledge.Result) int {
		switch {
		case x.Doc.ID == subject && y.Doc.ID != subject:
			return -1
		case x.Doc.ID != subject && y.Doc.ID == subject:
			return 1
		}
		return 0
	})
	return results, nil
}

// namesAnother reports whether a follow-up with words of its own moves to another procedure:
// the search's best result is a procedure the previous answer did not cite, whose name the
// question gives in good part, and which answers it.
func (a *Assistant) namesAnother(results []knowledge.Result, r resolved) bool {
	if len(results) == 0 {
		return false
	}
	top := results[0]
	return !slices.Contains(r.TopicDocs, top.Doc.ID) && top.Doc.Kind == knowledge.KindProcedure &&
		top.TitleCoverage >= 0.5 && a.relevant(results, r.Key)
}

// intentSections are the sections of a procedure record that answer the intents.
func intentSections(intents []Intent) []string {
	var out []string
	for _, i := range intents {
		switch i {
		case IntentFee, IntentTime, IntentOnline:
			out = append(out, procedure.SectionChannels)
		case IntentPapers:
			out = append(out, procedure.SectionPapers)
		case IntentPlace:
			out = append(out, procedure.SectionAgency, procedure.SectionAddress)
		case IntentSteps:
			out = append(out, procedure.SectionSteps)
		case IntentConditions:
			out = append(out, procedure.SectionConditions)
		case IntentResult:
			out = append(out, procedure.SectionResults)
		case IntentLegal:
			out = append(out, procedure.SectionLegal)
		case IntentSubjects:
			out = append(out, procedure.SectionSubjects)
		}
	}
	return out
}

func procedureIntent(c Cues) bool {
	for _, i := range c.Intents {
		switch i {
		case IntentFee, IntentTime, IntentPapers, IntentPlace, IntentSteps, IntentOnline, IntentConditions, IntentResult, IntentLegal, IntentSubjects:
			return true
		}
	}
	return false
}

// relevant decides whether the knowledge base answers the question (by its key): the
// retrieved passages of one of the leading documents must together cover enough of it.
func (a *Assistant) relevant(results []knowledge.Result, key string) bool {
	for i, r := range results {
		if i == 3 {
			break
		}
		// A question that names a document by its number ("kế hoạch 2663") is about it.
		if r.Lexical > 0 && namesDocumentNumber(r.Doc.Number, key) {
			return true
		}
		if r.Lexical > 0 && r.DocRelevance >= a.cfg.MinRelevance*titleAllowance(r) {
			return true
		}
		// A long message that tells a situation first is about what it asks: the document must
		// cover most of the ask, and something of the rest.
		if r.Lexical > 0 && r.DocFocusRelevance >= max(a.cfg.MinRelevance, focusRelevance) && r.DocRelevance >= a.cfg.MinRelevance/2 {
			return true
		}
		// A question that names a procedure in full is about it, whatever else it says
		// ("chuyển hộ khẩu đi nơi khác thì xóa đăng ký thường trú mất mấy ngày?").
		if r.Doc.Kind == knowledge.KindProcedure && r.TitleCoverage >= 0.8 {
			return true
		}
	}
	return false
}

// focusRelevance is the least share of a long message's ask that a document must cover to
// answer it (see askOf), when the message as a whole is covered less than MinRelevance.
const focusRelevance = 0.5

// namesDocumentNumber reports whether a question, by its key, gives a document's number, in
// full ("2663/KH-UBND") or by its serial part ("kế hoạch 2663"), with at least three digits.
func namesDocumentNumber(number, key string) bool {
	number = strings.TrimSpace(number)
	if number == "" {
		return false
	}
	if strings.Contains(key, keyText(number)) {
		return true
	}
	serial, _, _ := strings.Cut(number, "/")
	if len(serial) < 3 || strings.IndexFunc(serial, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return false
	}
	return strings.Contains(key, " "+serial+" ")
}

// titleAllowance scales the relevance threshold for a question that names a good part of a
// procedure's title: it asks about that procedure even when it adds circumstances the record
// does not word ("con tôi 15 tuổi", "lần đầu"). Naming 30% of the title or less changes
// nothing; the share needed falls linearly to 40% of the threshold at 80% of the title, from
// where the title alone decides.
func titleAllowance(r knowledge.Result) float64 {
	if r.Doc.Kind != knowledge.KindProcedure || r.TitleCoverage <= 0.3 {
		return 1
	}
	return 1 - 0.6*min(r.TitleCoverage-0.3, 0.5)/0.5
}

// Age conditions in procedure titles, matched on a title's key: "dưới 14 tuổi", "chưa đủ 14
// tuổi", "từ đủ 14 tuổi trở lên", "trên 60 tuổi", "từ 6 đến dưới 14 tuổi".
var (
	reAgeRange = regexp.MustCompile(` tu (\d{1,3}) (?:den|toi) (duoi )?(\d{1,3}) tuoi `)
	reAgeBelow = regexp.MustCompile(` (?:duoi|chua du) (\d{1,3}) tuoi `)
	reAgeFrom  = regexp.MustCompile(` (?:(?:tu du|tu|du) (\d{1,3}) tuoi|(\d{1,3}) tuoi tro len) `)
	reAgeAbove = regexp.MustCompile(` tren (\d{1,3}) tuoi `)
)

// ageFits reports whether age meets the age condition a procedure's title states, and whether
// it states one.
func ageFits(title string, age int) (fits, stated bool) {
	key := keyText(title)
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	if m := reAgeRange.FindStringSubmatch(key); m != nil {
		hi := num(m[3])
		if m[2] != "" {
			return age >= num(m[1]) && age < hi, true
		}
		return age >= num(m[1]) && age <= hi, true
	}
	if m := reAgeBelow.FindStringSubmatch(key); m != nil {
		return age < num(m[1]), true
	}
	if m := reAgeFrom.FindStringSubmatch(key); m != nil {
		return age >= num(m[1]+m[2]), true
	}
	if m := reAgeAbove.FindStringSubmatch(key); m != nil {
		return age > num(m[1]), true
	}
	return true, false
}

// preferAgeFit ranks lower the procedures whose title states an age condition that the age in
// the question does not meet: a 15-year-old's identity card is "… cho người từ đủ 14 tuổi trở
// lên", not "… cho người dưới 14 tuổi", however close their passages score.
func preferAgeFit(results []knowledge.Result, c Cues) []knowledge.Result {
	if !c.AgeGiven {
		return results
	}
	changed := false
	for i := range results {
		if results[i].Doc.Kind != knowledge.KindProcedure {
			continue
		}
		if fits, stated := ageFits(results[i].Doc.Title, c.Age); stated && !fits {
			results[i].Score /= 2
			changed = true
		}
	}
	if changed {
		sort.SliceStable(results, func(i, j int) bool { return results[i].Score > results[j].Score })
	}
	return results
}

// namesProcedure guards answers built from a procedure record: when the best passage belongs
// to a procedure, the question must name it (a good part of its title) or match the passage
// closely. Citizens ask about procedures by their names; a question that only shares common
// words with a procedure ("số điện thoại", "bão") is about something else.
func namesProcedure(results []knowledge.Result) bool {
	lead := results[0]
	if lead.Doc.Kind != knowledge.KindProcedure || lead.TitleCoverage >= 0.3 {
		return true
	}
	return lead.DocRelevance >= 0.6
}

// preferNamedProcedure brings forward, among procedures ranked close to the first, the one
// whose name the question covers best: a question about marrying a foreigner means "Đăng ký
// kết hôn có yếu tố nước ngoài", not its variant "… tại khu vực biên giới", even when the
// variant's passages rank a little higher.
func preferNamedProcedure(results []knowledge.Result) []knowledge.Result {
	if len(results) < 2 || results[0].Doc.Kind != knowledge.KindProcedure {
		return results
	}
	best := 0
	for i, r := range results {
		if i == 0 || r.Doc.Kind != knowledge.KindProcedure || r.Score < 0.85*results[0].Score {
			continue
		}
		if r.TitleMatch > results[best].TitleMatch+0.05 {
			best = i
		}
	}
	if best == 0 {
		return results
	}
	return documentFirst(results, results[best].Doc.ID)
}

// evidence loads the full documents of the leading results (cached briefly), and all the
// passages of a leading procedure: its record is answered from whichever field says it best,
// retrieved or not.
func (a *Assistant) evidence(ctx context.Context, results []knowledge.Result) []evidence {
	ev := make([]evidence, len(results))
	for i, r := range results {
		ev[i].result = r
		if i < 4 {
			if d, ok := a.document(ctx, r.Doc.ID); ok {
				ev[i].doc = &d
			}
		}
	}
	if len(ev) > 0 && ev[0].doc != nil && ev[0].doc.Procedure != nil {
		ev[0].passages = a.documentChunks(ctx, *ev[0].doc)
	}
	return ev
}

// documentChunks returns a document's passages, cached with the document.
func (a *Assistant) documentChunks(ctx context.Context, d knowledge.Document) []knowledge.Chunk {
	a.docMu.Lock()
	c, ok := a.docs[d.ID]
	a.docMu.Unlock()
	if ok && c.version == d.Version && c.chunks != nil {
		return c.chunks
	}
	chunks, err := a.store.DocumentChunks(ctx, d.ID)
	if err != nil {
		a.logger.WarnContext(ctx, "load passages", slog.String("document", d.ID), slog.Any("error", err))
		return nil
	}
	a.docMu.Lock()
	if c, ok := a.docs[d.ID]; ok && c.version == d.Version {
		c.chunks = chunks
		a.docs[d.ID] = c
	}
	a.docMu.Unlock()
	return chunks
}

const docCacheTTL = 30 * time.Second

func (a *Assistant) document(ctx context.Context, id string) (knowledge.Document, bool) {
	a.docMu.Lock()
	c, ok := a.docs[id]
	a.docMu.Unlock()
	if ok && time.Since(c.at) < docCacheTTL {
		return c.doc, true
	}
	d, err := a.store.Document(ctx, id)
	if err != nil {
		if !errors.Is(err, knowledge.ErrNotFound) {
			a.logger.WarnContext(ctx, "load document", slog.String("document", id), slog.Any("error", err))
		}
		return knowledge.Document{}, false
	}
	a.docMu.Lock()
	if len(a.docs) > 2048 {
		clear(a.docs)
	}
	a.docs[id] = cachedDoc{doc: d, version: d.Version, at: time.Now()}
	a.docMu.Unlock()
	return d, true
}

// streamWords sends text in small groups of words, so that clients show it progressively.
func streamWords(text string, onDelta func(string)) {
	const group = 6
	words := strings.SplitAfter(text, " ")
	for i := 0; i < len(words); i += group {
		onDelta(strings.Join(words[i:min(i+group, len(words))], ""))
	}
}

// hasContent reports whether a message says more than a greeting or thanks.
func hasContent(a *vietnamese.Analyzer, msg string) bool {
	key := keyText(msg)
	for _, p := range append(append([]string{}, greetingPhrases...), thanksPhrases...) {
		key = strings.ReplaceAll(key, " "+p+" ", " ")
	}
	n := 0
	for _, t := range a.Terms(key) {
		if t.Class == vietnamese.Folded && !t.Stop {
			n++
		}
	}
	return n >= 2
}
