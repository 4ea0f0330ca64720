package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/trolyao/trolyao/knowledge"
)

// RecordTurn creates (when CreatedAt is zero) or saves the session and appends the messages, in
// one transaction and one round trip.
func (s *Store) RecordTurn(ctx context.Context, sess *knowledge.Session, msgs ...*knowledge.Message) error {
	if sess.ID != "" && !isUUID(sess.ID) {
		return fmt.Errorf("postgres: record turn: %w: session ID %q is not a UUID", knowledge.ErrInvalid, sess.ID)
	}
	if sess.Audience == "" {
		sess.Audience = "citizen"
	}
	cites, choices := make([]string, len(msgs)), make([]string, len(msgs))
	for i, m := range msgs {
		if m.ID != "" && !isUUID(m.ID) {
			return fmt.Errorf("postgres: record turn: %w: message ID %q is not a UUID", knowledge.ErrInvalid, m.ID)
		}
		if m.Status == "" {
			m.Status = knowledge.StatusComplete
		}
		var err error
		if cites[i], choices[i], err = encodeMessage(*m); err != nil {
			return fmt.Errorf("postgres: record turn: %w", err)
		}
	}
	isNew := sess.CreatedAt.IsZero()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if isNew {
			if err := tx.QueryRow(ctx, createSession, stringOrNil(sess.ID), sess.Channel, sess.UserKey, sess.Audience,
				state(sess.State), sess.Operator, sess.Address).Scan(&sess.ID, &sess.CreatedAt, &sess.UpdatedAt); err != nil {
				return err
			}
		} else {
			tag, err := tx.Exec(ctx, updateSession, sess.ID, sess.Audience, state(sess.State), sess.Address)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return knowledge.ErrNotFound
			}
		}
		b := &pgx.Batch{}
		for i, m := range msgs {
			m.SessionID = sess.ID
			b.Queue(addMessage, stringOrNil(m.ID), m.SessionID, m.Role, m.Text, m.Grounded, cites[i], m.Status, m.Detail, choices[i]).
				QueryRow(func(row pgx.Row) error { return row.Scan(&m.ID, &m.Seq, &m.CreatedAt) })
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return dbError("record turn", err)
	}
	return nil
}

// FinishMessage updates a message and, when sess is not nil, saves the session, in one
// transaction.
func (s *Store) FinishMessage(ctx context.Context, m knowledge.Message, sess *knowledge.Session) error {
	if !isUUID(m.ID) {
		return fmt.Errorf("postgres: finish message %s: %w", m.ID, knowledge.ErrNotFound)
	}
	cites, choices, err := encodeMessage(m)
	if err != nil {
		return fmt.Errorf("postgres: finish message: %w", err)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(updateMessage, m.ID, m.Text, m.Grounded, cites, m.Status, m.Detail, choices).Exec(func(tag pgconn.CommandTag) error {
			if tag.RowsAffected() == 0 {
				return knowledge.ErrNotFound
			}
			return nil
		})
		if sess != nil {
			b.Queue(updateSession, sess.ID, sess.Audience, state(sess.State), sess.Address).Exec(func(tag pgconn.CommandTag) error {
				if tag.RowsAffected() == 0 {
					return knowledge.ErrNotFound
				}
				return nil
			})
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return dbError("finish message "+m.ID, err)
	}
	return nil
}
