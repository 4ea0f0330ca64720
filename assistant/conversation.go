package assistant

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/trolyao/trolyao/knowledge"
)

// The assistant owns conversations: channels start them, continue them through Ask, replay
// their history, rate answers and report replies they could not deliver through the methods
// below, never through the store.

// ErrUnknownMessage: the message ID names no message of the conversation.
var ErrUnknownMessage = errors.New("unknown message")

// StartConversation stores a new conversation on channel ("web", "api") for audience (""
// gives Citizen) and returns its ID; Ask continues it.
func (a *Assistant) StartConversation(ctx context.Context, channel string, audience Audience) (string, error) {
	aud, err := ParseAudience(string(audience))
	if err != nil {
		return "", err
	}
	sess := knowledge.Session{Channel: channel, Audience: string(aud)}
	if err := a.store.CreateSession(ctx, &sess); err != nil {
		return "", fmt.Errorf("start conversation: %w", err)
	}
	return sess.ID, nil
}

// CheckConversation reports whether id names a conversation that a browser may continue: it
// returns ErrUnknownSession when there is none, and also for a messaging platform user's
// conversation, which is never shown anywhere else.
func (a *Assistant) CheckConversation(ctx context.Context, id string) error {
	sess, err := a.store.Session(ctx, id)
	if errors.Is(err, knowledge.ErrNotFound) || err == nil && sess.UserKey != "" {
		return fmt.Errorf("%w: %s", ErrUnknownSession, id)
	}
	if err != nil {
		return fmt.Errorf("conversation: %w", err)
	}
	return nil
}

// DeleteConversation erases a conversation a browser holds, with its messages and their
// ratings: a person asking that what they wrote be removed. It returns ErrUnknownSession when
// there is none (a messaging platform user's conversation is not a browser's to erase).
func (a *Assistant) DeleteConversation(ctx context.Context, id string) error {
	if err := a.CheckConversation(ctx, id); err != nil {
		return err
	}
	if err := a.store.DeleteSession(ctx, id); errors.Is(err, knowledge.ErrNotFound) {
		return fmt.Errorf("%w: %s", ErrUnknownSession, id)
	} else if err != nil {
		return fmt.Errorf("delete conversation: %w", err)
	}
	a.logger.InfoContext(ctx, "conversation deleted at the person's request", slog.String("session", id))
	return nil
}

// HistoryCards returns, for the answers among msgs that are about a procedure, that
// procedure's card, by message ID: a replayed conversation shows the cards its answers had.
// A procedure deleted since is left out.
func (a *Assistant) HistoryCards(ctx context.Context, msgs []knowledge.Message) map[string]*Card {
	out := map[string]*Card{}
	docs := map[string]*knowledge.Document{}
	for _, m := range msgs {
		if m.Role != knowledge.RoleAssistant || len(m.Citations) == 0 || len(m.Choices) > 0 {
			continue
		}
		id := m.Citations[0].DocumentID
		d, seen := docs[id]
		if !seen {
			if doc, err := a.store.Document(ctx, id); err == nil && doc.Procedure != nil {
				d = &doc
			}
			docs[id] = d
		}
		if d != nil {
			out[m.ID] = newCard(d, m.Citations[0].N)
		}
	}
	return out
}

// History returns the last limit messages of a conversation in order (all when limit <= 0).
func (a *Assistant) History(ctx context.Context, sessionID string, limit int) ([]knowledge.Message, error) {
	msgs, err := a.store.Messages(ctx, sessionID, limit)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return msgs, nil
}

// Message returns one message as stored now (an answer the history showed being written may
// have been completed since), or ErrUnknownMessage.
func (a *Assistant) Message(ctx context.Context, id string) (knowledge.Message, error) {
	m, err := a.store.Message(ctx, id)
	if errors.Is(err, knowledge.ErrNotFound) {
		return knowledge.Message{}, fmt.Errorf("%w: %s", ErrUnknownMessage, id)
	}
	if err != nil {
		return knowledge.Message{}, fmt.Errorf("message: %w", err)
	}
	return m, nil
}

// Rating is a person's judgement of one answer.
type Rating struct {
	MessageID string
	Rating    string // "up" or "down"
	Comment   string // optional; stored with personal data masked
	// SessionID, when set, is the conversation the rater is in: only its answers may be rated.
	SessionID string
}

// MaxCommentRunes bounds a rating's comment.
const MaxCommentRunes = 2000

// Rate records a rating; a second rating of the same answer replaces the first. It returns
// ErrInvalidRequest (with what to fix) for a bad rating and ErrUnknownMessage when the message
// is not an answer of the rater's conversation.
func (a *Assistant) Rate(ctx context.Context, r Rating) error {
	switch {
	case r.MessageID == "":
		return fmt.Errorf("%w: message_id is required", ErrInvalidRequest)
	case r.Rating != "up" && r.Rating != "down":
		return fmt.Errorf(`%w: rating must be "up" or "down"`, ErrInvalidRequest)
	case !utf8.ValidString(r.Comment) || utf8.RuneCountInString(r.Comment) > MaxCommentRunes:
		return fmt.Errorf("%w: comment must be valid text of at most %d characters", ErrInvalidRequest, MaxCommentRunes)
	}
	m, err := a.Message(ctx, r.MessageID)
	if err == nil && r.SessionID != "" && m.SessionID != r.SessionID {
		err = fmt.Errorf("%w: %s", ErrUnknownMessage, r.MessageID)
	}
	if err != nil {
		return fmt.Errorf("rate: %w", err)
	}
	if m.Role != knowledge.RoleAssistant {
		return fmt.Errorf("%w: feedback is given on the assistant's answers", ErrInvalidRequest)
	}
	fb := knowledge.Feedback{MessageID: r.MessageID, Rating: r.Rating, Comment: MaskPersonalData(strings.TrimSpace(r.Comment))}
	if err := a.store.AddFeedback(ctx, fb); err != nil {
		return fmt.Errorf("rate: %w", err)
	}
	return nil
}

// MarkUndelivered records that an answer could not be delivered to its platform user, with
// why (shown to operators). A message ID that is empty or names no message is
// ErrUnknownMessage.
func (a *Assistant) MarkUndelivered(ctx context.Context, messageID, detail string) error {
	err := a.store.SetMessageStatus(ctx, messageID, knowledge.StatusUndelivered, detail)
	if errors.Is(err, knowledge.ErrNotFound) {
		return fmt.Errorf("mark undelivered: %w: %s", ErrUnknownMessage, messageID)
	}
	if err != nil {
		return fmt.Errorf("mark undelivered: %w", err)
	}
	return nil
}

// session finds the request's session, or makes a new one that recordTurn stores (its
// CreatedAt is zero until then). A changed audience is saved with the turn.
func (a *Assistant) session(ctx context.Context, req Request) (knowledge.Session, error) {
	var (
		sess knowledge.Session
		err  error
	)
	switch {
	case req.SessionID != "":
		sess, err = a.store.Session(ctx, req.SessionID)
		if errors.Is(err, knowledge.ErrNotFound) {
			return sess, fmt.Errorf("%w: %s", ErrUnknownSession, req.SessionID)
		}
	case req.UserKey != "":
		sess, err = a.store.SessionByUser(ctx, req.Channel, req.UserKey)
		if errors.Is(err, knowledge.ErrNotFound) {
			err = errNoSession
		}
	default:
		err = errNoSession
	}
	if errors.Is(err, errNoSession) {
		aud := req.Audience
		if aud == "" {
			aud = Citizen
		}
		return knowledge.Session{ID: uuid.NewString(), Channel: firstNonEmpty(req.Channel, "api"), UserKey: req.UserKey, Audience: string(aud), Address: req.Address}, nil
	}
	if err != nil {
		return sess, fmt.Errorf("ask: %w", err)
	}
	if req.Audience != "" {
		sess.Audience = string(req.Audience)
	}
	if req.Address != "" {
		sess.Address = req.Address
	}
	return sess, nil
}

// recordTurn stores the session (new or changed) with the turn's first messages. A platform
// user whose first messages race gets one session: the loser finds the winner's and records
// into it.
func (a *Assistant) recordTurn(ctx context.Context, sess *knowledge.Session, req Request, msgs ...*knowledge.Message) error {
	err := a.store.RecordTurn(ctx, sess, msgs...)
	if errors.Is(err, knowledge.ErrConflict) && sess.CreatedAt.IsZero() && req.UserKey != "" {
		existing, lerr := a.store.SessionByUser(ctx, req.Channel, req.UserKey)
		if lerr != nil {
			return fmt.Errorf("ask: %w", lerr)
		}
		*sess = existing
		if req.Address != "" {
			sess.Address = req.Address
		}
		err = a.store.RecordTurn(ctx, sess, msgs...)
	}
	if err != nil {
		return fmt.Errorf("ask: %w", err)
	}
	return nil
}

var errNoSession = errors.New("no session")
