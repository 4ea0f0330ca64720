package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/trolyao/trolyao/knowledge"
)

// sessionColumns are read by every query that returns a session, in the order of
// scanSession.
const sessionColumns = `id, channel, user_key, audience, state, operator, address, human_requested, created_at, updated_at`

func scanSession(row pgx.Row) (knowledge.Session, error) {
	var sess knowledge.Session
	var state []byte
	var requested *time.Time
	err := row.Scan(&sess.ID, &sess.Channel, &sess.UserKey, &sess.Audience, &state, &sess.Operator, &sess.Address, &requested, &sess.CreatedAt, &sess.UpdatedAt)
	if len(state) > 0 {
		sess.State = json.RawMessage(state)
	}
	if requested != nil {
		sess.HumanRequested = *requested
	}
	return sess, err
}

// state returns the JSON of a session's state, "{}" when it has none.
func state(state json.RawMessage) string {
	if len(state) == 0 {
		return `{}`
	}
	return string(state)
}

const createSession = `
INSERT INTO sessions (id, channel, user_key, audience, state, operator, address)
VALUES (COALESCE($1::uuid, gen_random_uuid()), $2, $3, $4, $5, $6, $7)
RETURNING id, created_at, updated_at`

// CreateSession stores a new session, assigning its ID (when empty) and timestamps; ErrConflict
// when the channel already has a session for the same user.
func (s *Store) CreateSession(ctx context.Context, sess *knowledge.Session) error {
	if sess.ID != "" && !isUUID(sess.ID) {
		return fmt.Errorf("postgres: create session: %w: ID %q is not a UUID", knowledge.ErrInvalid, sess.ID)
	}
	if sess.Audience == "" {
		sess.Audience = "citizen"
	}
	err := s.pool.QueryRow(ctx, createSession, stringOrNil(sess.ID), sess.Channel, sess.UserKey, sess.Audience,
		state(sess.State), sess.Operator, sess.Address).Scan(&sess.ID, &sess.CreatedAt, &sess.UpdatedAt)
	if err != nil {
		return dbError("create session", err)
	}
	return nil
}

const sessionByID = `SELECT ` + sessionColumns + ` FROM sessions WHERE id = $1`

// Session returns the session with the given ID, or ErrNotFound.
func (s *Store) Session(ctx context.Context, id string) (knowledge.Session, error) {
	if !isUUID(id) {
		return knowledge.Session{}, fmt.Errorf("postgres: session %s: %w", id, knowledge.ErrNotFound)
	}
	sess, err := scanSession(s.pool.QueryRow(ctx, sessionByID, id))
	if err != nil {
		return knowledge.Session{}, dbError("session "+id, err)
	}
	return sess, nil
}

const sessionByUser = `SELECT ` + sessionColumns + ` FROM sessions WHERE channel = $1 AND user_key = $2 AND user_key <> ''`

// SessionByUser returns the session of a platform user on a channel, or ErrNotFound.
func (s *Store) SessionByUser(ctx context.Context, channel, userKey string) (knowledge.Session, error) {
	sess, err := scanSession(s.pool.QueryRow(ctx, sessionByUser, channel, userKey))
	if err != nil {
		return knowledge.Session{}, dbError("session by user", err)
	}
	return sess, nil
}

const updateSession = `UPDATE sessions SET audience = $2, state = $3, address = CASE WHEN $4 = '' THEN address ELSE $4 END,
	updated_at = now() WHERE id = $1`

// UpdateSession saves the session's Audience, State and Address (when not empty), or returns
// ErrNotFound.
func (s *Store) UpdateSession(ctx context.Context, sess knowledge.Session) error {
	if !isUUID(sess.ID) {
		return fmt.Errorf("postgres: update session %s: %w", sess.ID, knowledge.ErrNotFound)
	}
	tag, err := s.pool.Exec(ctx, updateSession, sess.ID, sess.Audience, state(sess.State), sess.Address)
	if err != nil {
		return dbError("update session "+sess.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: update session %s: %w", sess.ID, knowledge.ErrNotFound)
	}
	return nil
}

// SetOperator hands a session from one operator ("" for the assistant) to another, in one
// statement: of two operators taking the same conversation, one gets ErrConflict.
func (s *Store) SetOperator(ctx context.Context, id, from, to string) error {
	if !isUUID(id) {
		return fmt.Errorf("postgres: set operator of %s: %w", id, knowledge.ErrNotFound)
	}
	var exists, changed bool
	err := s.pool.QueryRow(ctx, `WITH u AS (
			UPDATE sessions SET operator = $3, human_requested = CASE WHEN $3 = '' THEN human_requested END, updated_at = now()
			WHERE id = $1 AND operator = $2 RETURNING 1)
		SELECT EXISTS (SELECT 1 FROM sessions WHERE id = $1), EXISTS (SELECT 1 FROM u)`, id, from, to).Scan(&exists, &changed)
	switch {
	case err != nil:
		return dbError("set operator of "+id, err)
	case changed:
		return nil
	case exists:
		return fmt.Errorf("postgres: set operator of %s: %w", id, knowledge.ErrConflict)
	}
	return fmt.Errorf("postgres: set operator of %s: %w", id, knowledge.ErrNotFound)
}

// RequestHuman records when the person asked for staff; an earlier request is kept.
func (s *Store) RequestHuman(ctx context.Context, id string, at time.Time) error {
	if !isUUID(id) {
		return fmt.Errorf("postgres: request human for %s: %w", id, knowledge.ErrNotFound)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE sessions SET human_requested = COALESCE(human_requested, $2), updated_at = now() WHERE id = $1`, id, at)
	if err != nil {
		return dbError("request human for "+id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: request human for %s: %w", id, knowledge.ErrNotFound)
	}
	return nil
}

// DeleteSession removes a session; its messages and their feedback go with it (ON DELETE
// CASCADE).
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if !isUUID(id) {
		return fmt.Errorf("postgres: delete session %s: %w", id, knowledge.ErrNotFound)
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id)
	if err != nil {
		return dbError("delete session "+id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: delete session %s: %w", id, knowledge.ErrNotFound)
	}
	return nil
}

// addMessage takes the session's next sequence number by incrementing last_seq, which locks
// the session row: concurrent messages of one session get distinct, increasing numbers. No row
// comes back when the session does not exist.
const addMessage = `
WITH s AS (
	UPDATE sessions SET last_seq = last_seq + 1, updated_at = now()
	WHERE id = $2
	RETURNING id, last_seq
)
INSERT INTO messages (id, session_id, seq, role, text, grounded, citations, status, detail, choices)
SELECT COALESCE($1::uuid, gen_random_uuid()), s.id, s.last_seq, $3, $4, $5, $6, $7, $8, $9
FROM s
RETURNING id, seq, created_at`

// AddMessage appends a message to its session, assigning ID (when empty), Seq and CreatedAt;
// ErrNotFound when the session does not exist. An empty Status means StatusComplete.
func (s *Store) AddMessage(ctx context.Context, m *knowledge.Message) error {
	if !isUUID(m.SessionID) {
		return fmt.Errorf("postgres: add message: session %s: %w", m.SessionID, knowledge.ErrNotFound)
	}
	if m.ID != "" && !isUUID(m.ID) {
		return fmt.Errorf("postgres: add message: %w: ID %q is not a UUID", knowledge.ErrInvalid, m.ID)
	}
	if m.Status == "" {
		m.Status = knowledge.StatusComplete
	}
	cites, choices, err := encodeMessage(*m)
	if err != nil {
		return fmt.Errorf("postgres: add message: %w", err)
	}
	err = s.pool.QueryRow(ctx, addMessage, stringOrNil(m.ID), m.SessionID, m.Role, m.Text, m.Grounded, cites,
		m.Status, m.Detail, choices).Scan(&m.ID, &m.Seq, &m.CreatedAt)
	if err != nil {
		return dbError("add message", err)
	}
	return nil
}

// encodeMessage returns the stored form of a message's citations and choices
// (knowledge.EncodeCitations, knowledge.EncodeChoices).
func encodeMessage(m knowledge.Message) (citations, choices string, err error) {
	c, err := knowledge.EncodeCitations(m.Citations)
	if err != nil {
		return "", "", err
	}
	ch, err := knowledge.EncodeChoices(m.Choices)
	return string(c), string(ch), err
}

const updateMessage = `UPDATE messages SET text = $2, grounded = $3, citations = $4, status = $5, detail = $6, choices = $7 WHERE id = $1`

// UpdateMessage replaces the Text, Grounded, Citations, Status and Detail of a message, or
// returns ErrNotFound.
func (s *Store) UpdateMessage(ctx context.Context, m knowledge.Message) error {
	if !isUUID(m.ID) {
		return fmt.Errorf("postgres: update message %s: %w", m.ID, knowledge.ErrNotFound)
	}
	cites, choices, err := encodeMessage(m)
	if err != nil {
		return fmt.Errorf("postgres: update message: %w", err)
	}
	tag, err := s.pool.Exec(ctx, updateMessage, m.ID, m.Text, m.Grounded, cites, m.Status, m.Detail, choices)
	if err != nil {
		return dbError("update message "+m.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: update message %s: %w", m.ID, knowledge.ErrNotFound)
	}
	return nil
}

const setMessageStatus = `UPDATE messages SET status = $2, detail = $3 WHERE id = $1`

// SetMessageStatus changes a message's Status and Detail, or returns ErrNotFound.
func (s *Store) SetMessageStatus(ctx context.Context, id, status, detail string) error {
	if !isUUID(id) {
		return fmt.Errorf("postgres: set message status %s: %w", id, knowledge.ErrNotFound)
	}
	tag, err := s.pool.Exec(ctx, setMessageStatus, id, status, detail)
	if err != nil {
		return dbError("set message status "+id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: set message status %s: %w", id, knowledge.ErrNotFound)
	}
	return nil
}

// messageColumns are read by every query that returns a message, in the order of
// scanMessage.
const messageColumns = `id, session_id, seq, role, text, grounded, citations, status, detail, created_at, choices, rating`

// messageRows are the messages with their rating, for the queries that read messageColumns.
const messageRows = `(SELECT m.*, COALESCE(f.rating, '') AS rating FROM messages m LEFT JOIN feedback f ON f.message_id = m.id) messages`

func scanMessage(row pgx.Row) (knowledge.Message, error) {
	var m knowledge.Message
	var cites, choices []byte
	if err := row.Scan(&m.ID, &m.SessionID, &m.Seq, &m.Role, &m.Text, &m.Grounded, &cites, &m.Status, &m.Detail, &m.CreatedAt, &choices, &m.Rating); err != nil {
		return knowledge.Message{}, err
	}
	var err error
	if m.Citations, err = knowledge.DecodeCitations(cites); err != nil {
		return knowledge.Message{}, fmt.Errorf("citations of message %s: %w", m.ID, err)
	}
	if m.Choices, err = knowledge.DecodeChoices(choices); err != nil {
		return knowledge.Message{}, fmt.Errorf("choices of message %s: %w", m.ID, err)
	}
	return m, nil
}

const messageByID = `SELECT ` + messageColumns + ` FROM ` + messageRows + ` WHERE id = $1`

// Message returns one message, or ErrNotFound.
func (s *Store) Message(ctx context.Context, id string) (knowledge.Message, error) {
	if !isUUID(id) {
		return knowledge.Message{}, fmt.Errorf("postgres: message %s: %w", id, knowledge.ErrNotFound)
	}
	m, err := scanMessage(s.pool.QueryRow(ctx, messageByID, id))
	if err != nil {
		return knowledge.Message{}, dbError("message "+id, err)
	}
	return m, nil
}

// messages takes the last $2 messages (all when $2 is NULL) and returns them in order.
const messages = `
SELECT ` + messageColumns + ` FROM (
	SELECT ` + messageColumns + ` FROM ` + messageRows + ` WHERE session_id = $1 ORDER BY seq DESC LIMIT $2
) m
ORDER BY seq`

// Messages returns the last limit messages of a session in order (all when limit <= 0).
func (s *Store) Messages(ctx context.Context, sessionID string, limit int) ([]knowledge.Message, error) {
	if !isUUID(sessionID) {
		return []knowledge.Message{}, nil // no such session
	}
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, messages, sessionID, lim)
	if err != nil {
		return nil, dbError("messages", err)
	}
	msgs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (knowledge.Message, error) { return scanMessage(row) })
	if err != nil {
		return nil, dbError("messages", err)
	}
	return msgs, nil
}

const addFeedback = `
INSERT INTO feedback (message_id, rating, comment) VALUES ($1, $2, $3)
ON CONFLICT (message_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, created_at = now()`

// AddFeedback records feedback on a message, replacing an earlier rating of it; ErrNotFound
// when the message does not exist, ErrInvalid for a rating other than "up" or "down".
func (s *Store) AddFeedback(ctx context.Context, f knowledge.Feedback) error {
	if !isUUID(f.MessageID) {
		return fmt.Errorf("postgres: add feedback: message %s: %w", f.MessageID, knowledge.ErrNotFound)
	}
	if _, err := s.pool.Exec(ctx, addFeedback, f.MessageID, f.Rating, f.Comment); err != nil {
		return dbError("add feedback", err)
	}
	return nil
}

const (
	claimEvent  = `INSERT INTO connector_events (channel, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`
	purgeEvents = `DELETE FROM connector_events WHERE created_at < now() - $1::interval`
)

// purgeInterval is how often ClaimEvent forgets the claims older than eventRetention.
const (
	purgeInterval  = time.Hour
	eventRetention = 30 * 24 * time.Hour
)

// ClaimEvent records that a platform event was received and reports whether this is the first
// time. About once an hour it also deletes the claims older than 30 days.
func (s *Store) ClaimEvent(ctx context.Context, channel, eventID string) (bool, error) {
	tag, err := s.pool.Exec(ctx, claimEvent, channel, eventID)
	if err != nil {
		return false, dbError("claim event", err)
	}
	now := time.Now().Unix()
	if last := s.lastPurge.Load(); now-last >= int64(purgeInterval/time.Second) && s.lastPurge.CompareAndSwap(last, now) {
		if _, err := s.pool.Exec(ctx, purgeEvents, eventRetention); err != nil {
			// The claim itself succeeded; the next purge will catch up.
			s.logger.Warn("purge connector events", slog.Any("error", err))
		}
	}
	return tag.RowsAffected() == 1, nil
}

const setting = `SELECT value FROM settings WHERE key = $1`

// Setting returns a stored connector setting, or ErrNotFound.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	if err := s.pool.QueryRow(ctx, setting, key).Scan(&v); err != nil {
		return "", dbError("setting "+key, err)
	}
	return v, nil
}

const putSetting = `
INSERT INTO settings (key, value) VALUES ($1, $2)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()`

// PutSetting stores a connector setting.
func (s *Store) PutSetting(ctx context.Context, key, value string) error {
	if _, err := s.pool.Exec(ctx, putSetting, key, value); err != nil {
		return dbError("put setting "+key, err)
	}
	return nil
}
