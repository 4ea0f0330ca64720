package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trolyao/trolyao/knowledge"
)

const operatorColumns = `id, name, role, password_hash, disabled, created_at, updated_at, failed_logins, locked_until`

// CreateOperator stores a new console account.
func (s *Store) CreateOperator(ctx context.Context, o *knowledge.Operator) error {
	err := s.pool.QueryRow(ctx, `INSERT INTO operators (name, role, password_hash, disabled) VALUES ($1, $2, $3, $4)
		RETURNING id, created_at, updated_at`, o.Name, o.Role, o.PasswordHash, o.Disabled).Scan(&o.ID, &o.CreatedAt, &o.UpdatedAt)
	if err != nil {
		return dbError("create operator "+o.Name, err)
	}
	return nil
}

func scanOperator(row pgx.Row) (knowledge.Operator, error) {
	var o knowledge.Operator
	var locked *time.Time
	err := row.Scan(&o.ID, &o.Name, &o.Role, &o.PasswordHash, &o.Disabled, &o.CreatedAt, &o.UpdatedAt, &o.FailedLogins, &locked)
	if locked != nil {
		o.LockedUntil = *locked
	}
	return o, err
}

// OperatorByName returns a console account.
func (s *Store) OperatorByName(ctx context.Context, name string) (knowledge.Operator, error) {
	o, err := scanOperator(s.pool.QueryRow(ctx, `SELECT `+operatorColumns+` FROM operators WHERE name = $1`, name))
	if err != nil {
		return knowledge.Operator{}, dbError("operator "+name, err)
	}
	return o, nil
}

// Operators lists the console accounts by name.
func (s *Store) Operators(ctx context.Context) ([]knowledge.Operator, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+operatorColumns+` FROM operators ORDER BY name`)
	if err != nil {
		return nil, dbError("operators", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (knowledge.Operator, error) { return scanOperator(row) })
	if err != nil {
		return nil, dbError("operators", err)
	}
	return out, nil
}

// UpdateOperator saves an account's role, password hash and disabled flag.
func (s *Store) UpdateOperator(ctx context.Context, o knowledge.Operator) error {
	if !isUUID(o.ID) {
		return fmt.Errorf("postgres: update operator %s: %w", o.Name, knowledge.ErrNotFound)
	}
	var locked *time.Time
	if !o.LockedUntil.IsZero() {
		locked = &o.LockedUntil
	}
	tag, err := s.pool.Exec(ctx, `UPDATE operators SET role = $2, password_hash = $3, disabled = $4, failed_logins = $5, locked_until = $6,
		updated_at = now() WHERE id = $1`, o.ID, o.Role, o.PasswordHash, o.Disabled, o.FailedLogins, locked)
	if err != nil {
		return dbError("update operator "+o.Name, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: update operator %s: %w", o.Name, knowledge.ErrNotFound)
	}
	return nil
}

// AppendAudit adds an entry to the audit log.
func (s *Store) AppendAudit(ctx context.Context, e *knowledge.AuditEntry) error {
	var at any
	if !e.At.IsZero() {
		at = e.At
	}
	err := s.pool.QueryRow(ctx, `INSERT INTO audit_log (actor, action, target, detail, address, at) VALUES ($1, $2, $3, $4, $5, COALESCE($6::timestamptz, now()))
		RETURNING id, at`, e.Actor, e.Action, e.Target, e.Detail, e.Address, at).Scan(&e.ID, &e.At)
	if err != nil {
		return dbError("append audit", err)
	}
	return nil
}

// Audit returns the last entries of the audit log, newest first.
func (s *Store) Audit(ctx context.Context, limit int) ([]knowledge.AuditEntry, error) {
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, `SELECT id, actor, action, target, detail, address, at FROM audit_log ORDER BY id DESC LIMIT $1::bigint`, lim)
	if err != nil {
		return nil, dbError("audit", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (knowledge.AuditEntry, error) {
		var e knowledge.AuditEntry
		err := row.Scan(&e.ID, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.Address, &e.At)
		return e, err
	})
	if err != nil {
		return nil, dbError("audit", err)
	}
	return out, nil
}

// CreateOperatorToken stores a signed-in operator's token by its hash.
func (s *Store) CreateOperatorToken(ctx context.Context, t *knowledge.OperatorToken) error {
	if !isUUID(t.OperatorID) {
		return fmt.Errorf("postgres: create operator token: %w", knowledge.ErrNotFound)
	}
	err := s.pool.QueryRow(ctx, `INSERT INTO operator_tokens (hash, operator_id, expires_at) VALUES ($1, $2, $3) RETURNING created_at`,
		t.Hash, t.OperatorID, t.ExpiresAt).Scan(&t.CreatedAt)
	if err != nil {
		return dbError("create operator token", err)
	}
	return nil
}

// OperatorByToken returns the operator of a live token.
func (s *Store) OperatorByToken(ctx context.Context, hash string, at time.Time) (knowledge.Operator, error) {
	o, err := scanOperator(s.pool.QueryRow(ctx, `SELECT o.id, o.name, o.role, o.password_hash, o.disabled, o.created_at, o.updated_at,
			o.failed_logins, o.locked_until
		FROM operator_tokens t JOIN operators o ON o.id = t.operator_id WHERE t.hash = $1 AND NOT t.revoked AND t.expires_at > $2`, hash, at))
	if err != nil {
		return knowledge.Operator{}, dbError("operator by token", err)
	}
	return o, nil
}

// RevokeOperatorToken ends a token.
func (s *Store) RevokeOperatorToken(ctx context.Context, hash string) error {
	if _, err := s.pool.Exec(ctx, `UPDATE operator_tokens SET revoked = true WHERE hash = $1`, hash); err != nil {
		return dbError("revoke operator token", err)
	}
	return nil
}

// MissedTurns returns the questions answered badly since a time, newest first.
func (s *Store) MissedTurns(ctx context.Context, since time.Time, limit int) ([]knowledge.MissedTurn, error) {
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, `SELECT u.text, se.channel, a.created_at, a.grounded, a.choices <> '[]'::jsonb, COALESCE(f.rating, '')
		FROM messages a
		JOIN messages u ON u.session_id = a.session_id AND u.seq = a.seq - 1 AND u.role = 'user'
		JOIN sessions se ON se.id = a.session_id
		LEFT JOIN feedback f ON f.message_id = a.id
		WHERE a.role = 'assistant' AND a.status = 'complete' AND a.created_at >= $1
			AND (NOT a.grounded OR a.choices <> '[]'::jsonb OR f.rating = 'down')
		ORDER BY a.created_at DESC LIMIT $2::bigint`, since, lim)
	if err != nil {
		return nil, dbError("missed turns", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (knowledge.MissedTurn, error) {
		var m knowledge.MissedTurn
		err := row.Scan(&m.Question, &m.Channel, &m.At, &m.Grounded, &m.Choices, &m.Rating)
		return m, err
	})
	if err != nil {
		return nil, dbError("missed turns", err)
	}
	return out, nil
}

// DismissMissed records that a group of missed questions was dealt with.
func (s *Store) DismissMissed(ctx context.Context, key, by string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO missed_dismissed (key, dismissed_by, dismissed_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET dismissed_by = excluded.dismissed_by, dismissed_at = excluded.dismissed_at`, key, by, at)
	if err != nil {
		return dbError("dismiss missed", err)
	}
	return nil
}

// DismissedMissed returns when each dismissed group was dismissed.
func (s *Store) DismissedMissed(ctx context.Context) (map[string]time.Time, error) {
	rows, err := s.pool.Query(ctx, `SELECT key, dismissed_at FROM missed_dismissed`)
	if err != nil {
		return nil, dbError("dismissed missed", err)
	}
	out := map[string]time.Time{}
	for rows.Next() {
		var k string
		var at time.Time
		if err := rows.Scan(&k, &at); err != nil {
			rows.Close()
			return nil, dbError("dismissed missed", err)
		}
		out[k] = at
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("dismissed missed", err)
	}
	return out, nil
}

// AnswerStats counts the answers given since a time, by day (UTC+7) and channel.
func (s *Store) AnswerStats(ctx context.Context, since time.Time) ([]knowledge.DayStats, error) {
	rows, err := s.pool.Query(ctx, `SELECT to_char((a.created_at AT TIME ZONE 'UTC') + interval '7 hours', 'YYYY-MM-DD') AS day, se.channel,
			count(*)::int, count(*) FILTER (WHERE a.grounded)::int, count(*) FILTER (WHERE a.choices <> '[]'::jsonb)::int,
			count(*) FILTER (WHERE f.rating = 'up')::int, count(*) FILTER (WHERE f.rating = 'down')::int
		FROM messages a JOIN sessions se ON se.id = a.session_id LEFT JOIN feedback f ON f.message_id = a.id
		WHERE a.role = 'assistant' AND a.status IN ('complete', 'undelivered') AND a.created_at >= $1
		GROUP BY day, se.channel ORDER BY day, se.channel`, since)
	if err != nil {
		return nil, dbError("answer stats", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (knowledge.DayStats, error) {
		var d knowledge.DayStats
		err := row.Scan(&d.Date, &d.Channel, &d.Questions, &d.Grounded, &d.Choices, &d.Up, &d.Down)
		return d, err
	})
	if err != nil {
		return nil, dbError("answer stats", err)
	}
	return out, nil
}

// Conversations lists the conversations active since a time, the latest first.
func (s *Store) Conversations(ctx context.Context, f knowledge.ConversationFilter) ([]knowledge.ConversationSummary, error) {
	var lim any
	if f.Limit > 0 {
		lim = f.Limit
	}
	rows, err := s.pool.Query(ctx, `SELECT * FROM (
		SELECT se.id::text, se.channel, se.operator, se.human_requested, se.created_at, max(m.created_at) AS last_at, count(m.id)::int,
			COALESCE((SELECT text FROM messages q WHERE q.session_id = se.id AND q.role = 'user' ORDER BY q.seq LIMIT 1), ''),
			EXISTS (SELECT 1 FROM feedback fb JOIN messages fm ON fm.id = fb.message_id WHERE fm.session_id = se.id AND fb.rating = 'down') AS down,
			EXISTS (SELECT 1 FROM feedback fb JOIN messages fm ON fm.id = fb.message_id WHERE fm.session_id = se.id AND fb.rating = 'up') AS up
		FROM sessions se JOIN messages m ON m.session_id = se.id
		WHERE ($1 = '' OR se.channel = $1) AND (NOT $5 OR se.human_requested IS NOT NULL OR se.operator <> '')
			AND ($6 = '' OR EXISTS (SELECT 1 FROM messages t WHERE t.session_id = se.id AND lower(t.text) LIKE $7))
		GROUP BY se.id HAVING max(m.created_at) >= $2
	) c WHERE ($3 = '' OR $3 = 'down' AND down OR $3 = 'up' AND up)
	ORDER BY last_at DESC LIMIT $4::bigint`, f.Channel, f.Since, f.Rating, lim, f.Waiting, f.Text, knowledge.LikePattern(f.Text))
	if err != nil {
		return nil, dbError("conversations", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (knowledge.ConversationSummary, error) {
		var c knowledge.ConversationSummary
		var requested *time.Time
		err := row.Scan(&c.SessionID, &c.Channel, &c.Operator, &requested, &c.CreatedAt, &c.LastAt, &c.Messages, &c.FirstQuestion, &c.RatedDown, &c.RatedUp)
		if requested != nil {
			c.HumanRequested = *requested
		}
		return c, err
	})
	if err != nil {
		return nil, dbError("conversations", err)
	}
	return out, nil
}
