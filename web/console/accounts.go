// Package console is the operators' console: accounts with roles, their passwords and the
// audit trail of what they change. (Its pages and API build on this.)
package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/trolyao/trolyao/knowledge"
)

// Roles an operator may have.
const (
	RoleAdmin  = "admin"  // everything, accounts included
	RoleEditor = "editor" // the knowledge base, FAQ, conversations and takeovers
	RoleViewer = "viewer" // read only
)

// ValidRole reports whether r is a role.
func ValidRole(r string) bool { return r == RoleAdmin || r == RoleEditor || r == RoleViewer }

// Errors of the accounts.
var (
	// ErrBadCredentials: the name is unknown, the account disabled or the password wrong
	// (which one is not said).
	ErrBadCredentials = errors.New("wrong name or password")
	// ErrLocked: too many wrong passwords; the account is locked for a while (LockoutTime) or
	// until an admin unlocks it.
	ErrLocked = errors.New("account locked after too many wrong passwords")
	// ErrWeakPassword: the password is too short.
	ErrWeakPassword = fmt.Errorf("%w: the password must have at least %d characters", knowledge.ErrInvalid, MinPasswordLength)
)

// Lockout: after MaxFailedLogins wrong passwords in a row an account is locked for
// LockoutTime, or until an admin unlocks it.
const (
	MaxFailedLogins = 10
	LockoutTime     = 30 * time.Minute
)

// MinPasswordLength is the shortest password accepted, in characters.
const MinPasswordLength = 12

// reName is what an account name may be: a login, not a person's full name.
var reName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// Argon2id parameters (OWASP's recommendation: 19 MiB, 2 passes, 1 lane).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// HashPassword returns the encoded argon2id hash of a password:
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" (base64, no padding).
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches an encoded hash of HashPassword (with the
// parameters the hash records, so that they can be raised later).
func VerifyPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var memory uint32
	var passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil || memory == 0 || passes == 0 || threads == 0 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, passes, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when a name is unknown, so that an unknown name takes as long
// to refuse as a wrong password.
var dummyHash, _ = HashPassword("not a password of anyone")

// Accounts manages the console's accounts over a store, recording every change in the audit
// log.
type Accounts struct {
	store knowledge.OperatorStore
	now   func() time.Time
}

// NewAccounts returns the accounts kept in store.
func NewAccounts(store knowledge.OperatorStore) *Accounts {
	return &Accounts{store: store, now: time.Now}
}

// Actor is who makes a change and from where: an operator's name and address, or the server's
// shell.
type Actor struct {
	Name, Address string
}

// Shell is the actor of commands run on the server (assistant operators …).
var Shell = Actor{Name: "shell"}

// Create adds an account. The name is a login (lower case letters, digits, ".", "_", "-"),
// the role one of the roles, the password at least MinPasswordLength characters.
func (a *Accounts) Create(ctx context.Context, by Actor, name, role, password string) (knowledge.Operator, error) {
	name = strings.TrimSpace(name)
	if !reName.MatchString(name) {
		return knowledge.Operator{}, fmt.Errorf("%w: account name %q: 2 to 64 lower-case letters, digits, '.', '_' or '-'", knowledge.ErrInvalid, name)
	}
	if !ValidRole(role) {
		return knowledge.Operator{}, fmt.Errorf("%w: role %q (admin, editor, viewer)", knowledge.ErrInvalid, role)
	}
	hash, err := checkedHash(password)
	if err != nil {
		return knowledge.Operator{}, err
	}
	o := knowledge.Operator{Name: name, Role: role, PasswordHash: hash}
	if err := a.store.CreateOperator(ctx, &o); err != nil {
		return knowledge.Operator{}, err
	}
	return o, a.audit(ctx, by, "operator.create", name, "role "+role)
}

// List returns the accounts by name.
func (a *Accounts) List(ctx context.Context) ([]knowledge.Operator, error) {
	return a.store.Operators(ctx)
}

// SetDisabled disables an account (it can no longer sign in) or enables it again.
func (a *Accounts) SetDisabled(ctx context.Context, by Actor, name string, disabled bool) error {
	o, err := a.store.OperatorByName(ctx, name)
	if err != nil {
		return err
	}
	o.Disabled = disabled
	if err := a.store.UpdateOperator(ctx, o); err != nil {
		return err
	}
	action := "operator.enable"
	if disabled {
		action = "operator.disable"
	}
	return a.audit(ctx, by, action, name, "")
}

// ResetPassword gives an account a new password.
func (a *Accounts) ResetPassword(ctx context.Context, by Actor, name, password string) error {
	o, err := a.store.OperatorByName(ctx, name)
	if err != nil {
		return err
	}
	if o.PasswordHash, err = checkedHash(password); err != nil {
		return err
	}
	if err := a.store.UpdateOperator(ctx, o); err != nil {
		return err
	}
	return a.audit(ctx, by, "operator.reset-password", name, "")
}

// Authenticate returns the enabled account with this name and password, or ErrBadCredentials
// (ErrLocked while the account is locked). Wrong passwords are counted: the
// MaxFailedLogins-th locks the account for LockoutTime; a sign-in resets the count.
func (a *Accounts) Authenticate(ctx context.Context, name, password string) (knowledge.Operator, error) {
	o, err := a.store.OperatorByName(ctx, strings.TrimSpace(name))
	if errors.Is(err, knowledge.ErrNotFound) {
		VerifyPassword(dummyHash, password)
		return knowledge.Operator{}, ErrBadCredentials
	}
	if err != nil {
		return knowledge.Operator{}, err
	}
	now := a.now()
	if o.LockedUntil.After(now) {
		return knowledge.Operator{}, ErrLocked
	}
	if !VerifyPassword(o.PasswordHash, password) {
		o.FailedLogins++
		locked := o.FailedLogins >= MaxFailedLogins
		if locked {
			o.LockedUntil, o.FailedLogins = now.Add(LockoutTime), 0
		}
		if err := a.store.UpdateOperator(ctx, o); err != nil {
			return knowledge.Operator{}, err
		}
		if locked {
			_ = a.audit(ctx, Actor{Name: o.Name}, "operator.locked", o.Name, strconv.Itoa(MaxFailedLogins)+" wrong passwords")
		}
		return knowledge.Operator{}, ErrBadCredentials
	}
	if o.Disabled {
		return knowledge.Operator{}, ErrBadCredentials
	}
	if o.FailedLogins > 0 || !o.LockedUntil.IsZero() {
		o.FailedLogins, o.LockedUntil = 0, time.Time{}
		if err := a.store.UpdateOperator(ctx, o); err != nil {
			return knowledge.Operator{}, err
		}
	}
	return o, nil
}

// Unlock lifts an account's lockout.
func (a *Accounts) Unlock(ctx context.Context, by Actor, name string) error {
	o, err := a.store.OperatorByName(ctx, name)
	if err != nil {
		return err
	}
	o.FailedLogins, o.LockedUntil = 0, time.Time{}
	if err := a.store.UpdateOperator(ctx, o); err != nil {
		return err
	}
	return a.audit(ctx, by, "operator.unlock", name, "")
}

func checkedHash(password string) (string, error) {
	if utf8.RuneCountInString(strings.TrimSpace(password)) < MinPasswordLength {
		return "", ErrWeakPassword
	}
	return HashPassword(password)
}

func (a *Accounts) audit(ctx context.Context, by Actor, action, target, detail string) error {
	if err := a.store.AppendAudit(ctx, &knowledge.AuditEntry{Actor: by.Name, Action: action, Target: target, Detail: detail, Address: by.Address}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}
