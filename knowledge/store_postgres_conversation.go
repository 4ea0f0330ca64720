package knowledge

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgSessionColumns are read by every query that returns a session, in the order of
// pgScanSession.
const pgSessionColumns = `id, channel, user_key, audience, state, operator, created_at, updated_at`

func pgScanSession(row pgx.Row) (Session, error) {
	var sess Session
	var state []byte
	err := row.Scan(&sess.ID, &sess.Channel, &sess.UserKey, &sess.Audience, &state, &sess.Operator, &sess.CreatedAt, &sess.UpdatedAt)
	if len(state) > 0 {
		sess.State = json.RawMessage(state)
	}
	return sess, err
}

// pgState returns the JSON of a session's state, "{}" when it has none.
func pgState(state json.RawMessage) string {
	if len(state) == 0 {
		return `{}`
	}
	return string(state)
}

const pgCreateSession = `
INSERT INTO sessions (id, channel, user_key, audience, state, operator)
VALUES (COALESCE($1::uuid, gen_random_uuid()), $2, $3, $4, $5, $6)
RETURNING id, created_at, updated_at`

// CreateSession stores a new session, assigning its ID (when empty) and timestamps; ErrConflict
// when the channel already has a session for the same user.
func (s *PostgresStore) CreateSession(ctx context.Context, sess *Session) error {
	if sess.ID != "" && !pgIsUUID(sess.ID) {
		return fmt.Errorf("postgres: create session: %w: ID %q is not a UUID", ErrInvalid, sess.ID)
	}
	if sess.Audience == "" {
		sess.Audience = "citizen"
	}
	err := s.pool.QueryRow(ctx, pgCreateSession, pgStringOrNil(sess.ID), sess.Channel, sess.UserKey, sess.Audience,
		pgState(sess.State), sess.Operator).Scan(&sess.ID, &sess.CreatedAt, &sess.UpdatedAt)
	if err != nil {
		return pgDBError("create session", err)
	}
	return nil
}

const pgSessionByID = `SELECT ` + pgSessionColumns + ` FROM sessions WHERE id = $1`

// Session returns the session with the given ID, or ErrNotFound.
func (s *PostgresStore) Session(ctx context.Context, id string) (Session, error) {
	if !pgIsUUID(id) {
		return Session{}, fmt.Errorf("postgres: session %s: %w", id, ErrNotFound)
	}
	sess, err := pgScanSession(s.pool.QueryRow(ctx, pgSessionByID, id))
	if err != nil {
		return Session{}, pgDBError("session "+id, err)
	}
	return sess, nil
}

const pgSessionByUser = `SELECT ` + pgSessionColumns + ` FROM sessions WHERE channel = $1 AND user_key = $2 AND user_key <> ''`

// SessionByUser returns the session of a platform user on a channel, or ErrNotFound.
func (s *PostgresStore) SessionByUser(ctx context.Context, channel, userKey string) (Session, error) {
	sess, err := pgScanSession(s.pool.QueryRow(ctx, pgSessionByUser, channel, userKey))
	if err != nil {
		return Session{}, pgDBError("session by user", err)
	}
	return sess, nil
}

const pgUpdateSession = `UPDATE sessions SET audience = $2, state = $3, operator = $4, updated_at = now() WHERE id = $1`

// UpdateSession saves the session's Audience, State and Operator, or returns ErrNotFound.
func (s *PostgresStore) UpdateSession(ctx context.Context, sess Session) error {
	if !pgIsUUID(sess.ID) {
		return fmt.Errorf("postgres: update session %s: %w", sess.ID, ErrNotFound)
	}
	tag, err := s.pool.Exec(ctx, pgUpdateSession, sess.ID, sess.Audience, pgState(sess.State), sess.Operator)
	if err != nil {
		return pgDBError("update session "+sess.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: update session %s: %w", sess.ID, ErrNotFound)
	}
	return nil
}

// pgAddMessage takes the session's next sequence number by incrementing last_seq, which locks
// the session row: concurrent messages of one session get distinct, increasing numbers. No row
// comes back when the session does not exist.
const pgAddMessage = `
WITH s AS (
	UPDATE sessions SET last_seq = last_seq + 1, updated_at = now()
	WHERE id = $2
	RETURNING id, last_seq
)
INSERT INTO messages (id, session_id, seq, role, text, grounded, citations, status, detail)
SELECT COALESCE($1::uuid, gen_random_uuid()), s.id, s.last_seq, $3, $4, $5, $6, $7, $8
FROM s
RETURNING id, seq, created_at`

// AddMessage appends a message to its session, assigning ID (when empty), Seq and CreatedAt;
// ErrNotFound when the session does not exist. An empty Status means StatusComplete.
func (s *PostgresStore) AddMessage(ctx context.Context, m *Message) error {
	if !pgIsUUID(m.SessionID) {
		return fmt.Errorf("postgres: add message: session %s: %w", m.SessionID, ErrNotFound)
	}
	if m.ID != "" && !pgIsUUID(m.ID) {
		return fmt.Errorf("postgres: add message: %w: ID %q is not a UUID", ErrInvalid, m.ID)
	}
	if m.Status == "" {
		m.Status = StatusComplete
	}
	cites, err := pgCitations(m.Citations)
	if err != nil {
		return fmt.Errorf("postgres: add message: %w", err)
	}
	err = s.pool.QueryRow(ctx, pgAddMessage, pgStringOrNil(m.ID), m.SessionID, m.Role, m.Text, m.Grounded, cites,
		m.Status, m.Detail).Scan(&m.ID, &m.Seq, &m.CreatedAt)
	if err != nil {
		return pgDBError("add message", err)
	}
	return nil
}

// pgCitations returns the JSON of citations, an empty array when there are none.
func pgCitations(c []Citation) (string, error) {
	if len(c) == 0 {
		return `[]`, nil
	}
	b, err := json.Marshal(c)
	return string(b), err
}

const pgUpdateMessage = `UPDATE messages SET text = $2, grounded = $3, citations = $4, status = $5, detail = $6 WHERE id = $1`

// UpdateMessage replaces the Text, Grounded, Citations, Status and Detail of a message, or
// returns ErrNotFound.
func (s *PostgresStore) UpdateMessage(ctx context.Context, m Message) error {
	if !pgIsUUID(m.ID) {
		return fmt.Errorf("postgres: update message %s: %w", m.ID, ErrNotFound)
	}
	cites, err := pgCitations(m.Citations)
	if err != nil {
		return fmt.Errorf("postgres: update message: %w", err)
	}
	tag, err := s.pool.Exec(ctx, pgUpdateMessage, m.ID, m.Text, m.Grounded, cites, m.Status, m.Detail)
	if err != nil {
		return pgDBError("update message "+m.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: update message %s: %w", m.ID, ErrNotFound)
	}
	return nil
}

const pgSetMessageStatus = `UPDATE messages SET status = $2, detail = $3 WHERE id = $1`

// SetMessageStatus changes a message's Status and Detail, or returns ErrNotFound.
func (s *PostgresStore) SetMessageStatus(ctx context.Context, id, status, detail string) error {
	if !pgIsUUID(id) {
		return fmt.Errorf("postgres: set message status %s: %w", id, ErrNotFound)
	}
	tag, err := s.pool.Exec(ctx, pgSetMessageStatus, id, status, detail)
	if err != nil {
		return pgDBError("set message status "+id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: set message status %s: %w", id, ErrNotFound)
	}
	return nil
}

// pgMessageColumns are read by every query that returns a message, in the order of
// pgScanMessage.
const pgMessageColumns = `id, session_id, seq, role, text, grounded, citations, status, detail, created_at`

func pgScanMessage(row pgx.Row) (Message, error) {
	var m Message
	var cites []byte
	if err := row.Scan(&m.ID, &m.SessionID, &m.Seq, &m.Role, &m.Text, &m.Grounded, &cites, &m.Status, &m.Detail, &m.CreatedAt); err != nil {
		return Message{}, err
	}
	if err := json.Unmarshal(cites, &m.Citations); err != nil {
		return Message{}, fmt.Errorf("citations of message %s: %w", m.ID, err)
	}
	return m, nil
}

const pgMessageByID = `SELECT ` + pgMessageColumns + ` FROM messages WHERE id = $1`

// Message returns one message, or ErrNotFound.
func (s *PostgresStore) Message(ctx context.Context, id string) (Message, error) {
	if !pgIsUUID(id) {
		return Message{}, fmt.Errorf("postgres: message %s: %w", id, ErrNotFound)
	}
	m, err := pgScanMessage(s.pool.QueryRow(ctx, pgMessageByID, id))
	if err != nil {
		return Message{}, pgDBError("message "+id, err)
	}
	return m, nil
}

// pgMessages takes the last $2 messages (all when $2 is NULL) and returns them in order.
const pgMessages = `
SELECT ` + pgMessageColumns + ` FROM (
	SELECT ` + pgMessageColumns + ` FROM messages WHERE session_id = $1 ORDER BY seq DESC LIMIT $2
) m
ORDER BY seq`

// Messages returns the last limit messages of a session in order (all when limit <= 0).
func (s *PostgresStore) Messages(ctx context.Context, sessionID string, limit int) ([]Message, error) {
	if !pgIsUUID(sessionID) {
		return []Message{}, nil // no such session
	}
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, pgMessages, sessionID, lim)
	if err != nil {
		return nil, pgDBError("messages", err)
	}
	msgs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Message, error) { return pgScanMessage(row) })
	if err != nil {
		return nil, pgDBError("messages", err)
	}
	return msgs, nil
}

const pgAddFeedback = `
INSERT INTO feedback (message_id, rating, comment) VALUES ($1, $2, $3)
ON CONFLICT (message_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, created_at = now()`

// AddFeedback records feedback on a message, replacing an earlier rating of it; ErrNotFound
// when the message does not exist, ErrInvalid for a rating other than "up" or "down".
func (s *PostgresStore) AddFeedback(ctx context.Context, f Feedback) error {
	if !pgIsUUID(f.MessageID) {
		return fmt.Errorf("postgres: add feedback: message %s: %w", f.MessageID, ErrNotFound)
	}
	if _, err := s.pool.Exec(ctx, pgAddFeedback, f.MessageID, f.Rating, f.Comment); err != nil {
		return pgDBError("add feedback", err)
	}
	return nil
}

const (
	pgClaimEvent  = `INSERT INTO connector_events (channel, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`
	pgPurgeEvents = `DELETE FROM connector_events WHERE created_at < now() - $1::interval`
)

// pgPurgeInterval is how often ClaimEvent forgets the claims older than pgEventRetention.
const (
	pgPurgeInterval  = time.Hour
	pgEventRetention = 30 * 24 * time.Hour
)

// ClaimEvent records that a platform event was received and reports whether this is the first
// time. About once an hour it also deletes the claims older than 30 days.
func (s *PostgresStore) ClaimEvent(ctx context.Context, channel, eventID string) (bool, error) {
	tag, err := s.pool.Exec(ctx, pgClaimEvent, channel, eventID)
	if err != nil {
		return false, pgDBError("claim event", err)
	}
	now := time.Now().Unix()
	if last := s.lastPurge.Load(); now-last >= int64(pgPurgeInterval/time.Second) && s.lastPurge.CompareAndSwap(last, now) {
		if _, err := s.pool.Exec(ctx, pgPurgeEvents, pgEventRetention); err != nil {
			// The claim itself succeeded; the next purge will catch up.
			s.logger.Warn("purge connector events", slog.Any("error", err))
		}
	}
	return tag.RowsAffected() == 1, nil
}

const pgSetting = `SELECT value FROM settings WHERE key = $1`

// Setting returns a stored connector setting, or ErrNotFound.
func (s *PostgresStore) Setting(ctx context.Context, key string) (string, error) {
	var v string
	if err := s.pool.QueryRow(ctx, pgSetting, key).Scan(&v); err != nil {
		return "", pgDBError("setting "+key, err)
	}
	return v, nil
}

const pgPutSetting = `
INSERT INTO settings (key, value) VALUES ($1, $2)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()`

// PutSetting stores a connector setting.
func (s *PostgresStore) PutSetting(ctx context.Context, key, value string) error {
	if _, err := s.pool.Exec(ctx, pgPutSetting, key, value); err != nil {
		return pgDBError("put setting "+key, err)
	}
	return nil
}
