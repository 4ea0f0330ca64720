package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	sqlite "modernc.org/sqlite"

	"github.com/trolyao/trolyao/knowledge"
)

// CreateOperator stores a new console account.
func (s *Store) CreateOperator(ctx context.Context, o *knowledge.Operator) error {
	id, ts := uuid.NewString(), now()
	err := s.write(ctx, false, func(tx writeTx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO operators (id, name, role, password_hash, disabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, o.Name, o.Role, o.PasswordHash, o.Disabled, ts, ts)
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: create operator %s: %w", o.Name, err)
	}
	o.ID, o.CreatedAt, o.UpdatedAt = id, fromMicro(ts), fromMicro(ts)
	return nil
}

const selectOperator = `SELECT id, name, role, password_hash, disabled, created_at, updated_at, failed_logins, locked_until FROM operators`

func scanOperator(row rowScanner) (knowledge.Operator, error) {
	var o knowledge.Operator
	var created, updated, locked int64
	if err := row.Scan(&o.ID, &o.Name, &o.Role, &o.PasswordHash, &o.Disabled, &created, &updated, &o.FailedLogins, &locked); err != nil {
		return knowledge.Operator{}, mapErr(err)
	}
	o.CreatedAt, o.UpdatedAt = fromMicro(created), fromMicro(updated)
	if locked != 0 {
		o.LockedUntil = fromMicro(locked)
	}
	return o, nil
}

// OperatorByName returns a console account.
func (s *Store) OperatorByName(ctx context.Context, name string) (knowledge.Operator, error) {
	o, err := scanOperator(s.queryRow(ctx, selectOperator+` WHERE name = ?`, name))
	if err != nil {
		return knowledge.Operator{}, fmt.Errorf("sqlite: operator %s: %w", name, err)
	}
	return o, nil
}

// Operators lists the console accounts by name.
func (s *Store) Operators(ctx context.Context) ([]knowledge.Operator, error) {
	rows, err := s.query(ctx, selectOperator+` ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: operators: %w", mapErr(err))
	}
	defer rows.Close()
	var out []knowledge.Operator
	for rows.Next() {
		o, err := scanOperator(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: operators: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: operators: %w", err)
	}
	return out, nil
}

// UpdateOperator saves an account's role, password hash and disabled flag.
func (s *Store) UpdateOperator(ctx context.Context, o knowledge.Operator) error {
	err := s.write(ctx, false, func(tx writeTx) error {
		var locked int64
		if !o.LockedUntil.IsZero() {
			locked = o.LockedUntil.UnixMicro()
		}
		res, err := tx.ExecContext(ctx, `UPDATE operators SET role = ?, password_hash = ?, disabled = ?, failed_logins = ?, locked_until = ?, updated_at = ?
			WHERE id = ?`, o.Role, o.PasswordHash, o.Disabled, o.FailedLogins, locked, now(), o.ID)
		if err != nil {
			return mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return knowledge.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: update operator %s: %w", o.Name, err)
	}
	return nil
}

// AppendAudit adds an entry to the audit log.
func (s *Store) AppendAudit(ctx context.Context, e *knowledge.AuditEntry) error {
	ts := now()
	if !e.At.IsZero() {
		ts = e.At.UnixMicro()
	}
	err := s.write(ctx, false, func(tx writeTx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO audit_log (actor, action, target, detail, address, at) VALUES (?, ?, ?, ?, ?, ?)`,
			e.Actor, e.Action, e.Target, e.Detail, e.Address, ts)
		if err != nil {
			return mapErr(err)
		}
		e.ID, err = res.LastInsertId()
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: append audit: %w", err)
	}
	e.At = fromMicro(ts)
	return nil
}

// Audit returns the last entries of the audit log, newest first.
func (s *Store) Audit(ctx context.Context, limit int) ([]knowledge.AuditEntry, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.query(ctx, `SELECT id, actor, action, target, detail, address, at FROM audit_log ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: audit: %w", mapErr(err))
	}
	defer rows.Close()
	var out []knowledge.AuditEntry
	for rows.Next() {
		var e knowledge.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.Address, &at); err != nil {
			return nil, fmt.Errorf("sqlite: audit: %w", mapErr(err))
		}
		e.At = fromMicro(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: audit: %w", err)
	}
	return out, nil
}

// CreateOperatorToken stores a signed-in operator's token by its hash.
func (s *Store) CreateOperatorToken(ctx context.Context, t *knowledge.OperatorToken) error {
	ts := now()
	err := s.write(ctx, false, func(tx writeTx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO operator_tokens (hash, operator_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			t.Hash, t.OperatorID, ts, t.ExpiresAt.UnixMicro())
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: create operator token: %w", err)
	}
	t.CreatedAt = fromMicro(ts)
	return nil
}

// OperatorByToken returns the operator of a live token.
func (s *Store) OperatorByToken(ctx context.Context, hash string, at time.Time) (knowledge.Operator, error) {
	o, err := scanOperator(s.queryRow(ctx, `SELECT o.id, o.name, o.role, o.password_hash, o.disabled, o.created_at, o.updated_at,
			o.failed_logins, o.locked_until
		FROM operator_tokens t JOIN operators o ON o.id = t.operator_id WHERE t.hash = ? AND NOT t.revoked AND t.expires_at > ?`, hash, at.UnixMicro()))
	if err != nil {
		return knowledge.Operator{}, fmt.Errorf("sqlite: operator by token: %w", err)
	}
	return o, nil
}

// RevokeOperatorToken ends a token.
func (s *Store) RevokeOperatorToken(ctx context.Context, hash string) error {
	err := s.write(ctx, false, func(tx writeTx) error {
		_, err := tx.ExecContext(ctx, `UPDATE operator_tokens SET revoked = 1 WHERE hash = ?`, hash)
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: revoke operator token: %w", err)
	}
	return nil
}

// MissedTurns returns the questions answered badly since a time, newest first.
func (s *Store) MissedTurns(ctx context.Context, since time.Time, limit int) ([]knowledge.MissedTurn, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.query(ctx, `SELECT u.text, se.channel, a.created_at, a.grounded, a.choices <> '[]', COALESCE(f.rating, '')
		FROM messages a
		JOIN messages u ON u.session_id = a.session_id AND u.seq = a.seq - 1 AND u.role = 'user'
		JOIN sessions se ON se.id = a.session_id
		LEFT JOIN feedback f ON f.message_id = a.id
		WHERE a.role = 'assistant' AND a.status = 'complete' AND a.created_at >= ?
			AND (NOT a.grounded OR a.choices <> '[]' OR f.rating = 'down')
		ORDER BY a.created_at DESC LIMIT ?`, since.UnixMicro(), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: missed turns: %w", mapErr(err))
	}
	defer rows.Close()
	var out []knowledge.MissedTurn
	for rows.Next() {
		var m knowledge.MissedTurn
		var at int64
		if err := rows.Scan(&m.Question, &m.Channel, &at, &m.Grounded, &m.Choices, &m.Rating); err != nil {
			return nil, fmt.Errorf("sqlite: missed turns: %w", mapErr(err))
		}
		m.At = fromMicro(at)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: missed turns: %w", err)
	}
	return out, nil
}

// DismissMissed records that a group of missed questions was dealt with.
func (s *Store) DismissMissed(ctx context.Context, key, by string, at time.Time) error {
	err := s.write(ctx, false, func(tx writeTx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO missed_dismissed (key, dismissed_by, dismissed_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET dismissed_by = excluded.dismissed_by, dismissed_at = excluded.dismissed_at`, key, by, at.UnixMicro())
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: dismiss missed: %w", err)
	}
	return nil
}

// DismissedMissed returns when each dismissed group was dismissed.
func (s *Store) DismissedMissed(ctx context.Context) (map[string]time.Time, error) {
	rows, err := s.query(ctx, `SELECT key, dismissed_at FROM missed_dismissed`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: dismissed missed: %w", mapErr(err))
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var k string
		var at int64
		if err := rows.Scan(&k, &at); err != nil {
			return nil, fmt.Errorf("sqlite: dismissed missed: %w", mapErr(err))
		}
		out[k] = fromMicro(at)
	}
	return out, rows.Err()
}

// AnswerStats counts the answers given since a time, by day (UTC+7) and channel.
func (s *Store) AnswerStats(ctx context.Context, since time.Time) ([]knowledge.DayStats, error) {
	rows, err := s.query(ctx, `SELECT date(a.created_at / 1000000 + 7 * 3600, 'unixepoch') AS day, se.channel, count(*),
			sum(a.grounded), sum(a.choices <> '[]'), sum(f.rating = 'up'), sum(f.rating = 'down')
		FROM messages a JOIN sessions se ON se.id = a.session_id LEFT JOIN feedback f ON f.message_id = a.id
		WHERE a.role = 'assistant' AND a.status IN ('complete', 'undelivered') AND a.created_at >= ?
		GROUP BY day, se.channel ORDER BY day, se.channel`, since.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("sqlite: answer stats: %w", mapErr(err))
	}
	defer rows.Close()
	var out []knowledge.DayStats
	for rows.Next() {
		var d knowledge.DayStats
		var up, down sql.NullInt64
		if err := rows.Scan(&d.Date, &d.Channel, &d.Questions, &d.Grounded, &d.Choices, &up, &down); err != nil {
			return nil, fmt.Errorf("sqlite: answer stats: %w", mapErr(err))
		}
		d.Up, d.Down = int(up.Int64), int(down.Int64)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: answer stats: %w", err)
	}
	return out, nil
}

// Conversations lists the conversations active since a time, the latest first.
func (s *Store) Conversations(ctx context.Context, f knowledge.ConversationFilter) ([]knowledge.ConversationSummary, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.query(ctx, `SELECT se.id, se.channel, se.operator, se.human_requested, se.created_at, max(m.created_at), count(m.id),
			COALESCE((SELECT text FROM messages q WHERE q.session_id = se.id AND q.role = 'user' ORDER BY q.seq LIMIT 1), ''),
			EXISTS (SELECT 1 FROM feedback fb JOIN messages fm ON fm.id = fb.message_id WHERE fm.session_id = se.id AND fb.rating = 'down'),
			EXISTS (SELECT 1 FROM feedback fb JOIN messages fm ON fm.id = fb.message_id WHERE fm.session_id = se.id AND fb.rating = 'up')
		FROM sessions se JOIN messages m ON m.session_id = se.id
		WHERE (? = '' OR se.channel = ?) AND (? = 0 OR se.human_requested <> 0 OR se.operator <> '')
			AND (? = '' OR EXISTS (SELECT 1 FROM messages t WHERE t.session_id = se.id AND unicode_lower(t.text) LIKE ? ESCAPE '\'))
		GROUP BY se.id HAVING max(m.created_at) >= ?
		ORDER BY max(m.created_at) DESC`, f.Channel, f.Channel, f.Waiting, f.Text, knowledge.LikePattern(f.Text), f.Since.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("sqlite: conversations: %w", mapErr(err))
	}
	defer rows.Close()
	var out []knowledge.ConversationSummary
	for rows.Next() {
		var c knowledge.ConversationSummary
		var requested, created, last int64
		if err := rows.Scan(&c.SessionID, &c.Channel, &c.Operator, &requested, &created, &last, &c.Messages, &c.FirstQuestion, &c.RatedDown, &c.RatedUp); err != nil {
			return nil, fmt.Errorf("sqlite: conversations: %w", mapErr(err))
		}
		if requested != 0 {
			c.HumanRequested = fromMicro(requested)
		}
		if f.Rating == "down" && !c.RatedDown || f.Rating == "up" && !c.RatedUp {
			continue
		}
		c.CreatedAt, c.LastAt = fromMicro(created), fromMicro(last)
		out = append(out, c)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: conversations: %w", err)
	}
	return out, nil
}

// unicode_lower is lower() for every script (SQLite's own folds ASCII only), so that
// searching conversations for "giấy" finds "GIẤY".
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("unicode_lower", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		}
		return args[0], nil
	})
}
