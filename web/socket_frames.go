package web

import (
	"encoding/json"
	"time"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
)

// The websocket protocol's frames; PROTOCOL.md describes them for client authors.

// inFrame is any frame a client sends; Type says which fields matter.
type inFrame struct {
	Type      string `json:"type"` // "message", "feedback", "delete_conversation", "request_human" or "ping"
	Text      string `json:"text"`
	SessionID string `json:"session_id"`
	Audience  string `json:"audience"`
	MessageID string `json:"message_id"`
	Rating    string `json:"rating"`
	Comment   string `json:"comment"`
}

type sessionFrame struct {
	Type      string `json:"type"` // "session"
	SessionID string `json:"session_id"`
}

type historyFrame struct {
	Type      string           `json:"type"` // "history"
	SessionID string           `json:"session_id"`
	Messages  []historyMessage `json:"messages"`
}

// historyMessage is one turn of a replayed conversation. Status is "complete", "streaming"
// (its answer follows as delta and answer frames), "interrupted" (it will never complete) or
// "undelivered".
type historyMessage struct {
	ID        string     `json:"id"`
	Role      string     `json:"role"`
	Text      string     `json:"text"`
	Grounded  bool       `json:"grounded,omitempty"`
	Citations []Citation `json:"citations,omitempty"`
	Choices   []Choice   `json:"choices,omitempty"`
	Procedure *Card      `json:"procedure,omitempty"`
	Rating    string     `json:"rating,omitempty"` // the person's rating of an answer: "up" or "down"
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
}

// statusInterrupted marks an answer whose production stopped (the server restarted).
const statusInterrupted = "interrupted"

type deltaFrame struct {
	Type      string `json:"type"` // "delta"
	MessageID string `json:"message_id"`
	Text      string `json:"text"`
}

type answerFrame struct {
	Type string `json:"type"` // "answer"
	ChatReply
}

type errorFrame struct {
	Type      string `json:"type"` // "error"
	Code      string `json:"code"`
	Message   string `json:"message"`
	MessageID string `json:"message_id,omitempty"` // the answer that failed, when one did
}

// deletedFrame confirms that the conversation was erased; a session frame for a new one
// follows.
type deletedFrame struct {
	Type      string `json:"type"` // "conversation_deleted"
	SessionID string `json:"session_id"`
}

type feedbackSavedFrame struct {
	Type      string `json:"type"` // "feedback_saved"
	MessageID string `json:"message_id"`
}

// staffFrame is a message from a member of staff who took the conversation over, or a notice
// (staff joined or left, the request for staff was queued).
type staffFrame struct {
	Type      string    `json:"type"` // "staff_message"
	ID        string    `json:"id"`
	Role      string    `json:"role"` // "operator" or "notice"
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// takeoverFrame says that a member of staff joined (active) or left the conversation.
type takeoverFrame struct {
	Type   string `json:"type"` // "takeover"
	Active bool   `json:"active"`
}

var pongFrame = []byte(`{"type":"pong"}`)

// frame encodes a frame; the frame types cannot fail to encode.
func frame(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("web: encode frame: " + err.Error())
	}
	return b
}

func newErrorFrame(code, msg, messageID string) []byte {
	return frame(errorFrame{Type: "error", Code: code, Message: msg, MessageID: messageID})
}

func newHistoryFrame(sessionID string, msgs []knowledge.Message, cards map[string]*assistant.Card) []byte {
	out := make([]historyMessage, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, historyMessage{ID: m.ID, Role: m.Role, Text: m.Text, Grounded: m.Grounded, Citations: citations(m.Citations),
			Choices: choices(m.Choices), Procedure: card(cards[m.ID]), Rating: m.Rating, Status: m.Status, CreatedAt: m.CreatedAt})
	}
	return frame(historyFrame{Type: "history", SessionID: sessionID, Messages: out})
}
