package knowledge

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Session is one conversation with one person on one channel.
type Session struct {
	ID       string // assigned by the store when empty
	Channel  string // "web", "api", "zalo", "messenger", "telegram"
	UserKey  string // the platform user, pseudonymised (a keyed hash), "" for web sessions
	Audience string // "citizen" or "staff"
	// State is the assistant's memory of the conversation (carried entities and topic), as JSON.
	State json.RawMessage
	// Operator is set while an operator has taken the conversation over by hand (SetOperator
	// changes it; saving a session leaves it as stored).
	Operator string
	// Address is where a messaging platform user can be reached outside a reply to their own
	// message (an operator writing during a takeover): the connector's sealed form of the
	// platform id, never the id itself. "" for web sessions.
	Address string
	// HumanRequested is when the person asked for a member of staff, zero when they have not or
	// an operator has since taken the conversation over (RequestHuman and SetOperator change it).
	HumanRequested time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Message roles.
const (
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleOperator  = "operator" // a member of staff writing during a takeover
	RoleNotice    = "notice"   // a notice to the person: staff joined or left, a request queued
)

// Message statuses.
const (
	StatusComplete    = "complete"    // the message is final
	StatusStreaming   = "streaming"   // an answer being produced
	StatusUndelivered = "undelivered" // a reply the platform could no longer accept
)

// Citation is a passage an answer rests on, numbered as in the answer text. It has no wire
// form of its own: stores keep it as EncodeCitations writes it, and each channel (web, the
// connectors) has its own.
type Citation struct {
	N          int
	Source     string
	Title      string
	Snippet    string
	URL        string
	Score      float64
	DocumentID string
	ChunkID    int64
	Section    string
}

// storedCitation is the stored form of a Citation. Its field names are those of every message
// stored so far: renaming a Citation field changes nothing stored.
type storedCitation struct {
	N          int     `json:"n"`
	Source     string  `json:"source"`
	Title      string  `json:"title"`
	Snippet    string  `json:"snippet"`
	URL        string  `json:"url,omitempty"`
	Score      float64 `json:"score"`
	DocumentID string  `json:"document_id,omitempty"`
	ChunkID    int64   `json:"chunk_id,omitempty"`
	Section    string  `json:"section,omitempty"`
}

// Choice is one procedure an answer offers to choose from, numbered as in the answer text.
type Choice struct {
	N          int
	Title      string
	Source     string
	DocumentID string
}

// storedChoice is the stored form of a Choice.
type storedChoice struct {
	N          int    `json:"n"`
	Title      string `json:"title"`
	Source     string `json:"source"`
	DocumentID string `json:"document_id"`
}

// EncodeChoices returns the stored form of a message's choices: a JSON array ("[]" for none),
// the same for every store.
func EncodeChoices(cs []Choice) ([]byte, error) {
	out := make([]storedChoice, len(cs))
	for i, c := range cs {
		out[i] = storedChoice(c)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode choices: %w", err)
	}
	return b, nil
}

// DecodeChoices reads what EncodeChoices wrote; empty input is no choices.
func DecodeChoices(b []byte) ([]Choice, error) {
	var in []storedChoice
	if len(b) > 0 {
		if err := json.Unmarshal(b, &in); err != nil {
			return nil, fmt.Errorf("decode choices: %w", err)
		}
	}
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]Choice, len(in))
	for i, c := range in {
		out[i] = Choice(c)
	}
	return out, nil
}

// EncodeCitations returns the stored form of a message's citations: a JSON array ("[]" for
// none), the same for every store.
func EncodeCitations(cs []Citation) ([]byte, error) {
	out := make([]storedCitation, len(cs))
	for i, c := range cs {
		out[i] = storedCitation(c)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode citations: %w", err)
	}
	return b, nil
}

// DecodeCitations reads what EncodeCitations wrote; empty input is no citations.
func DecodeCitations(b []byte) ([]Citation, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var in []storedCitation
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("decode citations: %w", err)
	}
	if in == nil {
		return nil, nil
	}
	out := make([]Citation, len(in))
	for i, c := range in {
		out[i] = Citation(c)
	}
	return out, nil
}

// Message is one turn of a session. Text is stored with personal data masked.
type Message struct {
	ID        string // assigned by the store when empty
	SessionID string
	Seq       int // order within the session, assigned by the store
	Role      string
	Text      string
	Grounded  bool
	Citations []Citation
	// Choices are the procedures an answer offers to choose from when it cannot tell which one
	// the question is about (it then cites nothing); the next message picks one.
	Choices []Choice
	Status  string
	// Detail records why a message is undelivered, or other operator-facing notes.
	Detail string
	// Rating is the person's rating of an answer ("up", "down"), "" when none (read only:
	// AddFeedback records it).
	Rating    string
	CreatedAt time.Time
}

// Feedback is a person's rating of an answer.
type Feedback struct {
	MessageID string
	Rating    string // "up" or "down"
	Comment   string // masked
	CreatedAt time.Time
}

// ConversationStore persists sessions, messages, feedback and the state of messaging
// connectors.
type ConversationStore interface {
	// CreateSession stores a new session, assigning ID (when empty) and timestamps.
	CreateSession(ctx context.Context, s *Session) error
	// Session returns the session with the given ID, or ErrNotFound.
	Session(ctx context.Context, id string) (Session, error)
	// SessionByUser returns the session of a platform user on a channel, or ErrNotFound.
	SessionByUser(ctx context.Context, channel, userKey string) (Session, error)
	// UpdateSession saves the session's Audience, State and Address (when not empty), or
	// returns ErrNotFound.
	UpdateSession(ctx context.Context, s Session) error
	// SetOperator hands the conversation from operator from ("" for the assistant) to operator
	// to ("" hands it back), clearing HumanRequested when to is not empty. It returns
	// ErrConflict when the conversation is not with from now (another operator took it first)
	// and ErrNotFound when there is no such conversation.
	SetOperator(ctx context.Context, id, from, to string) error
	// RequestHuman records that the person asked for a member of staff at a time (the first
	// request is kept until an operator takes the conversation over), or returns ErrNotFound.
	RequestHuman(ctx context.Context, id string, at time.Time) error
	// DeleteSession removes a session with its messages and their feedback (a person asking
	// that their conversation be erased), or returns ErrNotFound.
	DeleteSession(ctx context.Context, id string) error

	// AddMessage appends a message to its session, assigning ID (when empty), Seq and
	// CreatedAt; ErrNotFound when the session does not exist.
	AddMessage(ctx context.Context, m *Message) error
	// UpdateMessage replaces the Text, Grounded, Citations, Choices, Status and Detail of a
	// message, or returns ErrNotFound.
	UpdateMessage(ctx context.Context, m Message) error
	// SetMessageStatus changes a message's Status and Detail alone (a reply the platform
	// refused becomes StatusUndelivered, with why), or returns ErrNotFound.
	SetMessageStatus(ctx context.Context, id, status, detail string) error
	// Message returns one message, or ErrNotFound.
	Message(ctx context.Context, id string) (Message, error)
	// Messages returns the last limit messages of a session in order (all when limit <= 0).
	Messages(ctx context.Context, sessionID string, limit int) ([]Message, error)

	// RecordTurn stores the start of an exchange in one transaction: the session is created
	// when it is new (CreatedAt zero; its ID may be preset) or saved as UpdateSession saves it, then the messages are appended in order as AddMessage would.
	RecordTurn(ctx context.Context, s *Session, msgs ...*Message) error
	// FinishMessage replaces a message's Text, Grounded, Citations, Choices, Status and Detail and, when
	// s is not nil, saves the session as UpdateSession does, in one transaction.
	FinishMessage(ctx context.Context, m Message, s *Session) error

	// AddFeedback records feedback on an assistant message; ErrNotFound when the message does
	// not exist. A second rating of the same message replaces the first.
	AddFeedback(ctx context.Context, f Feedback) error

	// ClaimEvent records that a platform event was received and reports whether this is the
	// first time (false for a redelivery). Claims older than the retention are forgotten.
	ClaimEvent(ctx context.Context, channel, eventID string) (bool, error)
	// Setting returns a stored connector setting (such as a rotated token), or ErrNotFound.
	Setting(ctx context.Context, key string) (string, error)
	// PutSetting stores a connector setting.
	PutSetting(ctx context.Context, key, value string) error
}
