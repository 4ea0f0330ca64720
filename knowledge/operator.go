package knowledge

import (
	"context"
	"strings"
	"time"
)

// Operator is an account of the operators' console: a civil servant who curates the knowledge
// base and answers citizens by hand. The console decides what each Role may do; the store
// keeps the accounts and the audit log.
type Operator struct {
	ID           string // assigned by the store
	Name         string // unique login name
	Role         string // "admin", "editor" or "viewer"
	PasswordHash string // an encoded argon2id hash, never the password
	Disabled     bool
	// FailedLogins counts the wrong passwords since the last sign-in; past a limit the account
	// is locked until LockedUntil (an admin can lift it sooner).
	FailedLogins int
	LockedUntil  time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// AuditEntry is one change an operator made: who, what, when and from where. The log is
// append-only.
type AuditEntry struct {
	ID      int64  // assigned by the store, increasing
	Actor   string // the operator's name, or "shell" for a command run on the server
	Action  string // "operator.create", "document.update", …
	Target  string // what was changed: a name, a document source, a session ID
	Detail  string // what about it, without secrets or citizens' personal data
	Address string // where the request came from ("" for the shell)
	At      time.Time
}

// OperatorToken is a signed-in operator's bearer token, kept by its hash (the token itself is
// only ever with the client).
type OperatorToken struct {
	Hash       string // hex SHA-256 of the token
	OperatorID string
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// MissedTurn is a question the assistant did not answer well: it refused, asked which
// procedure was meant, or the person rated the answer 👎.
type MissedTurn struct {
	Question string // as stored, personal data masked
	Channel  string
	At       time.Time // when it was answered
	Grounded bool
	Choices  bool   // the answer asked which procedure was meant
	Rating   string // "down" when rated so
}

// DayStats counts one day's answers on one channel, for the operators' dashboard. Days are
// those of Vietnam (UTC+7).
type DayStats struct {
	Date      string // "2026-12-04"
	Channel   string
	Questions int // answers given
	Grounded  int // answers that cite the knowledge base
	Choices   int // answers that asked which procedure was meant
	Up, Down  int // ratings
}

// ConversationSummary is one conversation as the operators' list shows it.
type ConversationSummary struct {
	SessionID string
	Channel   string
	Operator  string // the operator who took it over, "" when none
	// HumanRequested is when the person asked for a member of staff and is still waiting.
	HumanRequested time.Time
	CreatedAt      time.Time
	LastAt         time.Time // its last message
	Messages       int
	FirstQuestion  string
	RatedDown      bool
	RatedUp        bool
}

// ConversationFilter narrows the list: since a time, on a channel, rated up or down.
type ConversationFilter struct {
	Since   time.Time
	Channel string // "" for all
	Rating  string // "up", "down" or "" for all
	// Text keeps the conversations with a message containing it (case is ignored).
	Text string
	// Waiting keeps the conversations whose person asks for staff or that an operator holds.
	Waiting bool
	Limit   int
}

// OperatorStore keeps the console's accounts and its audit log.
type OperatorStore interface {
	// CreateOperator stores a new account, assigning ID and timestamps; ErrConflict when the
	// name is taken.
	CreateOperator(ctx context.Context, o *Operator) error
	// OperatorByName returns an account, or ErrNotFound.
	OperatorByName(ctx context.Context, name string) (Operator, error)
	// Operators lists the accounts by name.
	Operators(ctx context.Context) ([]Operator, error)
	// UpdateOperator saves an account's Role, PasswordHash, Disabled, FailedLogins and
	// LockedUntil, or returns ErrNotFound.
	UpdateOperator(ctx context.Context, o Operator) error
	// CreateOperatorToken stores a token (Hash, OperatorID, ExpiresAt), assigning CreatedAt;
	// ErrNotFound when the operator does not exist.
	CreateOperatorToken(ctx context.Context, t *OperatorToken) error
	// OperatorByToken returns the operator a token hash belongs to, when the token is
	// neither revoked nor past its expiry at now; ErrNotFound otherwise.
	OperatorByToken(ctx context.Context, hash string, now time.Time) (Operator, error)
	// RevokeOperatorToken ends a token; revoking an unknown one does nothing.
	RevokeOperatorToken(ctx context.Context, hash string) error
	// MissedTurns returns, newest first, up to limit questions answered since then that the
	// assistant refused (not grounded), answered with choices, or whose answer was rated down.
	MissedTurns(ctx context.Context, since time.Time, limit int) ([]MissedTurn, error)
	// DismissMissed records that operators dealt with the questions of a group (by its key)
	// at a time; DismissedMissed returns those times by key.
	DismissMissed(ctx context.Context, key, by string, at time.Time) error
	DismissedMissed(ctx context.Context) (map[string]time.Time, error)
	// Conversations lists the conversations active since f.Since, the latest first.
	Conversations(ctx context.Context, f ConversationFilter) ([]ConversationSummary, error)
	// AnswerStats counts the answers given since a time, by day (UTC+7) and channel, oldest
	// first.
	AnswerStats(ctx context.Context, since time.Time) ([]DayStats, error)
	// AppendAudit adds an entry to the audit log, assigning ID and, when zero, At.
	AppendAudit(ctx context.Context, e *AuditEntry) error
	// Audit returns the last limit entries, newest first (all when limit <= 0).
	Audit(ctx context.Context, limit int) ([]AuditEntry, error)
}

// LikePattern returns the SQL LIKE pattern (with '\' as the escape character) matching text
// anywhere, case folded as the stores' lower() folds it: "50%" matches "50%" only.
func LikePattern(text string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(text)) + "%"
}
