package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/trolyao/trolyao/knowledge"
)

// eventRetention is how long ClaimEvent remembers a platform event.
const eventRetention = 30 * 24 * time.Hour

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, sess *knowledge.Session) error {
	if sess.ID == "" {
		sess.ID = uuid.NewString()
	}
	if len(sess.State) == 0 {
		sess.State = json.RawMessage(`{}`)
	}
	if sess.Audience == "" {
		sess.Audience = "citizen"
	}
	ts := now()
	err := s.write(ctx, false, func(tx writeTx) error {
		_, err := tx.ExecContext(ctx, insertSession, sess.ID, sess.Channel, sess.UserKey, sess.Audience, string(sess.State), sess.Operator, sess.Address, ts, ts)
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	sess.CreatedAt, sess.UpdatedAt = fromMicro(ts), fromMicro(ts)
	return nil
}

const insertSession = `INSERT INTO sessions (id, channel, user_key, audience, state, operator, address, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

const selectSession = `SELECT id, channel, user_key, audience, state, operator, address, human_requested, created_at, updated_at FROM sessions`

func scanSession(row rowScanner) (knowledge.Session, error) {
	var sess knowledge.Session
	var state string
	var requested, created, updated int64
	if err := row.Scan(&sess.ID, &sess.Channel, &sess.UserKey, &sess.Audience, &state, &sess.Operator, &sess.Address, &requested, &created, &updated); err != nil {
		return knowledge.Session{}, mapErr(err)
	}
	sess.State = json.RawMessage(state)
	if requested != 0 {
		sess.HumanRequested = fromMicro(requested)
	}
	sess.CreatedAt, sess.UpdatedAt = fromMicro(created), fromMicro(updated)
	return sess, nil
}

// Session returns a session by ID.
func (s *Store) Session(ctx context.Context, id string) (knowledge.Session, error) {
	sess, err := scanSession(s.queryRow(ctx, selectSession+` WHERE id = ?`, id))
	if err != nil {
		return knowledge.Session{}, fmt.Errorf("sqlite: session: %w", err)
	}
	return sess, nil
}

// SessionByUser returns the session of a platform user on a channel.
func (s *Store) SessionByUser(ctx context.Context, channel, userKey string) (knowledge.Session, error) {
	if userKey == "" {
		return knowledge.Session{}, fmt.Errorf("sqlite: session by user: %w", knowledge.ErrNotFound)
	}
	sess, err := scanSession(s.queryRow(ctx, selectSession+` WHERE channel = ? AND user_key = ?`, channel, userKey))
	if err != nil {
		return knowledge.Session{}, fmt.Errorf("sqlite: session by user: %w", err)
	}
	return sess, nil
}

// UpdateSession saves a session's audience, state and address.
func (s *Store) UpdateSession(ctx context.Context, sess knowledge.Session) error {
	if err := s.write(ctx, false, func(tx writeTx) error { return updateSessionTx(ctx, tx, sess, now()) }); err != nil {
		return fmt.Errorf("sqlite: update session: %w", err)
	}
	return nil
}

// SetOperator hands a session from one operator ("" for the assistant) to another.
func (s *Store) SetOperator(ctx context.Context, id, from, to string) error {
	err := s.write(ctx, false, func(tx writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET operator = ?, human_requested = CASE WHEN ? = '' THEN human_requested ELSE 0 END,
			updated_at = ? WHERE id = ? AND operator = ?`, to, to, now(), id, from)
		if err != nil {
			return mapErr(err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sessions WHERE id = ?)`, id).Scan(&exists); err != nil {
			return mapErr(err)
		}
		if exists {
			return knowledge.ErrConflict
		}
		return knowledge.ErrNotFound
	})
	if err != nil {
		return fmt.Errorf("sqlite: set operator of %s: %w", id, err)
	}
	return nil
}

// RequestHuman records when the person asked for staff; an earlier request is kept.
func (s *Store) RequestHuman(ctx context.Context, id string, at time.Time) error {
	err := s.write(ctx, false, func(tx writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET human_requested = CASE WHEN human_requested = 0 THEN ? ELSE human_requested END,
			updated_at = ? WHERE id = ?`, at.UnixMicro(), now(), id)
		if err != nil {
			return mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return knowledge.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: request human for %s: %w", id, err)
	}
	return nil
}

// DeleteSession removes a session; its messages and their feedback go with it (ON DELETE
// CASCADE).
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	err := s.write(ctx, false, func(tx writeTx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
		if err != nil {
			return mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return knowledge.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete session %s: %w", id, err)
	}
	return nil
}

// RecordTurn creates or saves a session and appends messages, in one transaction.
func (s *Store) RecordTurn(ctx context.Context, sess *knowledge.Session, msgs ...*knowledge.Message) error {
	if sess.ID == "" {
		sess.ID = uuid.NewString()
	}
	if len(sess.State) == 0 {
		sess.State = json.RawMessage(`{}`)
	}
	if sess.Audience == "" {
		sess.Audience = "citizen"
	}
	isNew := sess.CreatedAt.IsZero()
	ts := now()
	err := s.write(ctx, false, func(tx writeTx) error {
		if isNew {
			if _, err := tx.ExecContext(ctx, insertSession, sess.ID, sess.Channel, sess.UserKey, sess.Audience, string(sess.State), sess.Operator, sess.Address, ts, ts); err != nil {
				return mapErr(err)
			}
		} else if err := updateSessionTx(ctx, tx, *sess, ts); err != nil {
			return err
		}
		for _, m := range msgs {
			m.SessionID = sess.ID
			if err := addMessageTx(ctx, tx, m, ts); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: record turn: %w", err)
	}
	if isNew {
		sess.CreatedAt = fromMicro(ts)
	}
	sess.UpdatedAt = fromMicro(ts)
	return nil
}

// FinishMessage updates a message and, when sess is not nil, saves the session.
func (s *Store) FinishMessage(ctx context.Context, m knowledge.Message, sess *knowledge.Session) error {
	err := s.write(ctx, false, func(tx writeTx) error {
		if err := updateMessageTx(ctx, tx, m); err != nil {
			return err
		}
		if sess != nil {
			return updateSessionTx(ctx, tx, *sess, now())
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: finish message: %w", err)
	}
	return nil
}

func updateSessionTx(ctx context.Context, tx writeTx, sess knowledge.Session, ts int64) error {
	if len(sess.State) == 0 {
		sess.State = json.RawMessage(`{}`)
	}
	res, err := tx.ExecContext(ctx, `UPDATE sessions SET audience = ?, state = ?, address = CASE WHEN ? = '' THEN address ELSE ? END,
		updated_at = ? WHERE id = ?`, sess.Audience, string(sess.State), sess.Address, sess.Address, ts, sess.ID)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return knowledge.ErrNotFound
	}
	return nil
}

func addMessageTx(ctx context.Context, tx writeTx, m *knowledge.Message, ts int64) error {
	if m.ID == "" {
		m.ID = uuid.NewString()
	}
	if m.Status == "" {
		m.Status = knowledge.StatusComplete
	}
	cites, choices, err := encodeMessage(*m)
	if err != nil {
		return err
	}
	var seq int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM messages WHERE session_id = ?`, m.SessionID).Scan(&seq); err != nil {
		return mapErr(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO messages (id, session_id, seq, role, text, grounded, citations, status, detail, created_at, choices)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.ID, m.SessionID, seq, m.Role, m.Text, m.Grounded, cites, m.Status, m.Detail, ts, choices); err != nil {
		return mapErr(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sessions SET updated_at = ? WHERE id = ?`, ts, m.SessionID); err != nil {
		return mapErr(err)
	}
	m.Seq, m.CreatedAt = seq, fromMicro(ts)
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

func updateMessageTx(ctx context.Context, tx writeTx, m knowledge.Message) error {
	cites, choices, err := encodeMessage(m)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE messages SET text = ?, grounded = ?, citations = ?, status = ?, detail = ?, choices = ? WHERE id = ?`,
		m.Text, m.Grounded, cites, m.Status, m.Detail, choices, m.ID)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return knowledge.ErrNotFound
	}
	return nil
}

// AddMessage appends a message to its session.
func (s *Store) AddMessage(ctx context.Context, m *knowledge.Message) error {
	err := s.write(ctx, false, func(tx writeTx) error { return addMessageTx(ctx, tx, m, now()) })
	if err != nil {
		return fmt.Errorf("sqlite: add message: %w", err)
	}
	return nil
}

// UpdateMessage replaces a message's content and status.
func (s *Store) UpdateMessage(ctx context.Context, m knowledge.Message) error {
	if err := s.write(ctx, false, func(tx writeTx) error { return updateMessageTx(ctx, tx, m) }); err != nil {
		return fmt.Errorf("sqlite: update message: %w", err)
	}
	return nil
}

// SetMessageStatus changes a message's Status and Detail, or returns ErrNotFound.
func (s *Store) SetMessageStatus(ctx context.Context, id, status, detail string) error {
	err := s.write(ctx, false, func(tx writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE messages SET status = ?, detail = ? WHERE id = ?`, status, detail, id)
		if err != nil {
			return mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return knowledge.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: set message status: %w", err)
	}
	return nil
}

const selectMessage = `SELECT id, session_id, seq, role, text, grounded, citations, status, detail, created_at, choices,
	COALESCE((SELECT rating FROM feedback WHERE message_id = messages.id), '') FROM messages`

func scanMessage(row rowScanner) (knowledge.Message, error) {
	var m knowledge.Message
	var cites, choices string
	var created int64
	if err := row.Scan(&m.ID, &m.SessionID, &m.Seq, &m.Role, &m.Text, &m.Grounded, &cites, &m.Status, &m.Detail, &created, &choices, &m.Rating); err != nil {
		return knowledge.Message{}, mapErr(err)
	}
	var err error
	if m.Citations, err = knowledge.DecodeCitations([]byte(cites)); err != nil {
		return knowledge.Message{}, fmt.Errorf("decode citations: %w", err)
	}
	if m.Choices, err = knowledge.DecodeChoices([]byte(choices)); err != nil {
		return knowledge.Message{}, fmt.Errorf("decode choices: %w", err)
	}
	m.CreatedAt = fromMicro(created)
	return m, nil
}

// Message returns one message.
func (s *Store) Message(ctx context.Context, id string) (knowledge.Message, error) {
	m, err := scanMessage(s.queryRow(ctx, selectMessage+` WHERE id = ?`, id))
	if err != nil {
		return knowledge.Message{}, fmt.Errorf("sqlite: message: %w", err)
	}
	return m, nil
}

// Messages returns the last limit messages of a session in order.
func (s *Store) Messages(ctx context.Context, sessionID string, limit int) ([]knowledge.Message, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.query(ctx, `SELECT * FROM (`+selectMessage+` WHERE session_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq`, sessionID, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: messages: %w", mapErr(err))
	}
	defer rows.Close()
	var out []knowledge.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: messages: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: messages: %w", err)
	}
	return out, nil
}

// AddFeedback records or replaces the rating of a message.
func (s *Store) AddFeedback(ctx context.Context, f knowledge.Feedback) error {
	err := s.write(ctx, false, func(tx writeTx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO feedback (message_id, rating, comment, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (message_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, created_at = excluded.created_at`,
			f.MessageID, f.Rating, f.Comment, now())
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: add feedback: %w", err)
	}
	return nil
}

// ClaimEvent records a platform event and reports whether it is new.
func (s *Store) ClaimEvent(ctx context.Context, channel, eventID string) (bool, error) {
	var first bool
	err := s.write(ctx, false, func(tx writeTx) error {
		ts := now()
		res, err := tx.ExecContext(ctx, `INSERT INTO connector_events (channel, event_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, channel, eventID, ts)
		if err != nil {
			return mapErr(err)
		}
		n, _ := res.RowsAffected()
		first = n == 1
		if first && ts%64 == 0 { // forget old claims now and then
			_, err = tx.ExecContext(ctx, `DELETE FROM connector_events WHERE created_at < ?`, ts-eventRetention.Microseconds())
		}
		return mapErr(err)
	})
	if err != nil {
		return false, fmt.Errorf("sqlite: claim event: %w", err)
	}
	return first, nil
}

// Setting returns a stored connector setting.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("sqlite: setting %s: %w", key, knowledge.ErrNotFound)
		}
		return "", fmt.Errorf("sqlite: setting %s: %w", key, err)
	}
	return v, nil
}

// PutSetting stores a connector setting.
func (s *Store) PutSetting(ctx context.Context, key, value string) error {
	err := s.write(ctx, false, func(tx writeTx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, now())
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: put setting %s: %w", key, err)
	}
	return nil
}
