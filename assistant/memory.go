package assistant

import (
	"encoding/json"
	"strings"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// memory is what a session remembers between turns, stored as the session's State.
type memory struct {
	Question  string   `json:"question,omitempty"` // the last question as resolved (masked)
	Locality  string   `json:"locality,omitempty"`
	Level     string   `json:"level,omitempty"`
	Year      string   `json:"year,omitempty"`
	Channel   string   `json:"channel,omitempty"`
	Intents   []Intent `json:"intents,omitempty"`
	Documents []string `json:"documents,omitempty"` // documents the last grounded answer cited
	// Choices are the procedures the last answer offered to choose from, for Asked: the
	// question (in standard words, masked) they were offered for.
	Choices []memoryChoice `json:"choices,omitempty"`
	Asked   string         `json:"asked,omitempty"`
}

// memoryChoice is a knowledge.Choice as the session's state keeps it.
type memoryChoice struct {
	N          int    `json:"n"`
	Title      string `json:"title"`
	Source     string `json:"source,omitempty"`
	DocumentID string `json:"document_id"`
}

// offer records the choices offered for question.
func (m *memory) offer(question string, choices []knowledge.Choice) {
	m.Asked, m.Choices = vietnamese.Truncate(question, 400), make([]memoryChoice, len(choices))
	for i, c := range choices {
		m.Choices[i] = memoryChoice(c)
	}
}

// choices returns the choices offered last, if any.
func (m memory) choices() []knowledge.Choice {
	out := make([]knowledge.Choice, len(m.Choices))
	for i, c := range m.Choices {
		out[i] = knowledge.Choice(c)
	}
	return out
}

func loadMemory(state json.RawMessage) memory {
	var m memory
	if len(state) > 0 {
		_ = json.Unmarshal(state, &m) // a state we cannot read is a conversation without memory
	}
	return m
}

func (m memory) state() json.RawMessage {
	b, _ := json.Marshal(m)
	return b
}

// followUpOpeners start questions that continue the previous one ("còn cấp xã?", "thế còn
// trực tiếp thì sao?"); matched on the key.
var followUpOpeners = []string{"con", "the con", "vay con", "con ve", "the", "vay", "va", "nhung", "con neu", "neu", "thu tuc nay", "cai nay", "cai do", "no", "xong", "sau do", "vay thi", "the thi"}

// followUpClosers end such questions ("… thì sao?", "… nữa không?").
var followUpClosers = []string{"thi sao", "the nao", "nua khong", "nua", "thi the nao", "ra sao"}

// maxShortFollowUpWords is the longest question, in words, that continues the conversation
// for asking what procedures answer (a fee, papers, where) whatever its other words.
const maxShortFollowUpWords = 10

// resolved is a question understood in the light of the conversation.
type resolved struct {
	Text    string // the question as asked
	Key     string // keyText(Text)
	Context string // the previous question, for a follow-up
	// Q is Text with Context, analysed once for every step of the answer.
	Q        *knowledge.Question
	Cues     Cues
	FollowUp bool
	// TopicDocs are the documents the previous answer cited, for a follow-up ("mất bao lâu?",
	// "còn cấp xã?", "bao lâu thì có mã"): it is answered from them unless it names another
	// procedure.
	TopicDocs []string
	// Topicless is set for a question that asks what procedures are asked (a fee, a time,
	// papers) about no topic it names. Plan questions without one ("tỷ lệ hồ sơ trực tuyến cấp
	// xã?") are left to the search: a province's own assistant may hold one plan.
	Topicless bool

	searchQ *knowledge.Question // see search
}

// resolve decides whether q continues the conversation in m and carries its cues forward.
func resolve(q *knowledge.Question, cues Cues, m memory) resolved {
	key := keyText(q.Text)
	r := resolved{Text: q.Text, Key: key, Q: q, Cues: cues}
	terms := q.Terms()
	topicless := topicWords(key, terms) == 0
	r.Topicless = topicless && procedureIntent(cues)
	if m.Question == "" {
		return r
	}
	opener, closer := false, false
	for _, o := range followUpOpeners {
		if strings.HasPrefix(key, " "+o+" ") {
			opener = true
			break
		}
	}
	for _, c := range followUpClosers {
		if strings.HasSuffix(key, " "+c+" ") {
			closer = true
			break
		}
	}
	// Words of the question beyond stop words and the cues it states: few means the question
	// leans on the previous one for its topic.
	content := 0
	for _, t := range terms {
		if t.Class == vietnamese.Folded && !t.Stop && !isCueWord(t.Text) {
			content++
		}
	}
	// A question naming no topic at all ("nộp trực tuyến thì lệ phí bao nhiêu?", "cần giấy tờ
	// gì?") asks about the previous one's, and so does a short one asking what procedures
	// answer in words of its own ("hồ sơ gửi về đâu", "báo cáo làm theo mẫu số mấy"): it is
	// answered from the procedure under discussion unless it names another (namesAnother).
	short := len(m.Documents) > 0 && procedureIntent(cues) && len(strings.Fields(key)) <= maxShortFollowUpWords
	if !(opener || closer || content <= 2 || topicless || short) {
		return r
	}
	r.continues(m)
	return r
}

// continues makes r a follow-up of the conversation in m: it is asked about the documents the
// last answer cited (unless it names another place) with the last question as context, and the
// cues it does not state are the last question's.
func (r *resolved) continues(m memory) {
	cues := r.Cues
	r.FollowUp = true
	newPlace := cues.Locality != "" && vietnamese.Key(cues.Locality) != vietnamese.Key(m.Locality)
	if len(m.Documents) > 0 && !newPlace {
		r.TopicDocs = m.Documents
	}
	r.Context = m.Question
	r.Q = r.Q.WithContext(m.Question)
	if r.Cues.Locality == "" {
		r.Cues.Locality = m.Locality
	}
	if r.Cues.Year == "" {
		r.Cues.Year = m.Year
	}
	if r.Cues.Level == "" {
		r.Cues.Level = m.Level
	}
	if r.Cues.Channel == "" {
		r.Cues.Channel = m.Channel
	}
	if len(r.Cues.Intents) == 0 {
		r.Cues.Intents = m.Intents
	}
}

// askingWords say what is asked about a topic rather than the topic: "nộp", "làm", "cần",
// "tiền"; the words of the intent phrases a question holds count too.
var askingWords = map[string]bool{
	"nop": true, "lam": true, "can": true, "tien": true, "ngay": true, "mat": true, "duoc": true, "khong": true,
	"sao": true, "ho": true, "thu": true, "tuc": true, "nay": true, "do": true, "di": true, "a": true, "nhe": true,
	"oi": true, "con": true, "vay": true, "the": true, "thi": true, "muon": true, "xin": true, "hoi": true,
}

// topicWords counts the words of a question (its key and terms) that name a topic: content
// words that state no cue (level, channel), no intent ("lệ phí", "bao lâu", "giấy tờ") and
// are no asking words.
func topicWords(key string, terms []vietnamese.Term) int {
	intent := map[string]bool{}
	for _, ip := range intentPhrases {
		for _, p := range ip.phrases {
			if hasPhrase(key, p) {
				for _, w := range strings.Fields(p) {
					intent[w] = true
				}
			}
		}
	}
	n := 0
	for _, t := range terms {
		if t.Class != vietnamese.Folded || t.Stop || t.Part || isCueWord(t.Text) || intent[t.Text] || askingWords[t.Text] {
			continue
		}
		n++
	}
	return n
}

// isCueWord reports words that only state a cue (level, channel) rather than a topic.
func isCueWord(fold string) bool {
	switch fold {
	case "cap", "xa", "huyen", "tinh", "so", "bo", "phuong", "quan", "truc", "tuyen", "tiep", "buu", "chinh", "online", "nam":
		return true
	}
	return false
}

// remember records the resolved question for the next turn.
func (m *memory) remember(r resolved, docs []string) {
	text := r.Text
	if r.FollowUp && r.Context != "" {
		text = r.Context + " " + r.Text
	}
	m.Question = vietnamese.Truncate(MaskPersonalData(text), 400)
	m.Locality, m.Level, m.Year, m.Channel = r.Cues.Locality, r.Cues.Level, r.Cues.Year, r.Cues.Channel
	m.Intents = r.Cues.Intents
	if docs != nil {
		m.Documents = docs
	}
	m.Choices, m.Asked = nil, ""
}

// search returns the question retrieval searches for: the question itself, with the document
// number its cues read added when the question's wording lost it. The addition is analysed
// once per answer, however many searches the answer makes.
func (r *resolved) search(index *knowledge.Index) *knowledge.Question {
	if r.Cues.Number == "" || strings.Contains(r.Text, r.Cues.Number) {
		return r.Q
	}
	if r.searchQ == nil {
		r.searchQ = index.Question(r.Text+" "+r.Cues.Number, r.Context)
	}
	return r.searchQ
}
