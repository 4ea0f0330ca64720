package assistant

import (
	"encoding/json"
	"strings"

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
var followUpOpeners = []string{"con", "the con", "vay con", "con ve", "the", "vay", "va", "nhung", "con neu", "neu", "thu tuc nay", "cai nay", "cai do", "no"}

// followUpClosers end such questions ("… thì sao?", "… nữa không?").
var followUpClosers = []string{"thi sao", "the nao", "nua khong", "nua", "thi the nao", "ra sao"}

// resolved is a question understood in the light of the conversation.
type resolved struct {
	Text     string // the question as asked
	Context  string // the previous question, for a follow-up
	Cues     Cues
	FollowUp bool
}

// resolve decides whether q continues the conversation in m and carries its cues forward.
func resolve(q string, cues Cues, m memory, a *vietnamese.Analyzer) resolved {
	r := resolved{Text: q, Cues: cues}
	if m.Question == "" {
		return r
	}
	key := keyText(q)
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
	for _, t := range a.Terms(q) {
		if t.Class == vietnamese.Folded && !t.Stop && !isCueWord(t.Text) {
			content++
		}
	}
	if !(opener || closer || content <= 2) {
		return r
	}
	r.FollowUp = true
	r.Context = m.Question
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
	return r
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
	m.Question = truncateRunes(MaskPersonalData(text), 400)
	m.Locality, m.Level, m.Year, m.Channel = r.Cues.Locality, r.Cues.Level, r.Cues.Year, r.Cues.Channel
	m.Intents = r.Cues.Intents
	if docs != nil {
		m.Documents = docs
	}
}
