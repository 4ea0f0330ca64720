package console

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/web"
)

// The console API's sign-in: POST /api/v1/auth/login {"username","password"} →
// {"token","expires_at"}; the token goes in "Authorization: Bearer …" until it expires or
// POST /api/v1/auth/logout revokes it. No token → 401; a role without the right → 403.

// Sign-in settings.
const (
	// TokenLifetime is how long a token lasts from sign-in.
	TokenLifetime = 12 * time.Hour
	// Sign-in attempts are throttled per address and per account name: loginBurst at once,
	// then one every loginEvery.
	loginBurst = 5
	loginEvery = 12 * time.Second
	// maxThrottled bounds the throttling state kept (the oldest is dropped beyond it).
	maxThrottled = 10000
)

// API serves the console's API. It is safe for concurrent use.
type API struct {
	accounts *Accounts
	store    knowledge.OperatorStore
	logger   *slog.Logger
	now      func() time.Time

	mu       sync.Mutex
	limiters map[string]*rate.Limiter // "addr:…" and "name:…"

	// ingester and docs serve the FAQ routes (WithFAQ); nil: none.
	ingester *knowledge.Ingester
	docs     FAQStore
	// transcripts serves the conversation routes (WithConversations); nil: none.
	transcripts TranscriptStore
	// takeover serves the takeover routes and the events stream (WithTakeover); nil: none.
	takeover Takeover
	// realIPHeader names the header a trusted reverse proxy sets to the client address.
	realIPHeader string
}

// NewAPI returns the console API over store.
func NewAPI(store knowledge.OperatorStore, logger *slog.Logger) *API {
	return &API{accounts: NewAccounts(store), store: store, logger: logger, now: time.Now, limiters: map[string]*rate.Limiter{}}
}

// WithRealIPHeader reads the client address from the header a trusted reverse proxy sets
// (web.Config.RealIPHeader), for throttling and the audit log.
func (a *API) WithRealIPHeader(header string) *API {
	a.realIPHeader = header
	return a
}

// Register adds the API's routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/auth/login", a.handleLogin)
	mux.HandleFunc("POST /api/v1/auth/logout", a.authed(RoleViewer, a.handleLogout))
	mux.HandleFunc("GET /api/v1/auth/me", a.authed(RoleViewer, a.handleMe))
	mux.HandleFunc("GET /api/v1/operators", a.authed(RoleAdmin, a.handleOperators))
	mux.HandleFunc("GET /api/v1/audit", a.authed(RoleAdmin, a.handleAudit))
	mux.HandleFunc("POST /api/v1/operators/{name}/unlock", a.authed(RoleAdmin, a.handleUnlock))
	mux.HandleFunc("GET /api/v1/dashboard", a.authed(RoleViewer, a.handleDashboard))
	mux.HandleFunc("GET /api/v1/dashboard.csv", a.authed(RoleViewer, a.handleDashboardCSV))
	mux.HandleFunc("GET /api/v1/unanswered", a.authed(RoleViewer, a.handleUnanswered))
	mux.HandleFunc("POST /api/v1/unanswered/dismiss", a.authed(RoleEditor, a.handleDismiss))
	a.registerFAQ(mux)
	a.registerDocuments(mux)
	a.registerConversations(mux)
	a.registerTakeover(mux)
	a.registerPages(mux)
}

// roleRank orders the roles: a role may do what the roles below it may.
var roleRank = map[string]int{RoleViewer: 1, RoleEditor: 2, RoleAdmin: 3}

type operatorKey struct{}

// authed runs h for a request with a live token of an enabled operator whose role is at least
// min: 401 without one, 403 below the role.
func (a *API) authed(min string, h func(http.ResponseWriter, *http.Request, knowledge.Operator)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, fromCookie := requestToken(r)
		if token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="console"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "sign in first (POST /api/v1/auth/login)")
			return
		}
		if fromCookie && !safeMethod(r.Method) && !validCSRF(token, r.Header.Get(CSRFHeader)) {
			// A console page sends the token it was given at sign-in; another site's form
			// cannot (and SameSite=Strict keeps the cookie from it in the first place).
			writeError(w, http.StatusForbidden, "csrf", "missing or wrong "+CSRFHeader+" header")
			return
		}
		o, err := a.store.OperatorByToken(r.Context(), tokenHash(token), a.now())
		if errors.Is(err, knowledge.ErrNotFound) || err == nil && o.Disabled {
			w.Header().Set("WWW-Authenticate", `Bearer realm="console", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "the token is unknown, expired or revoked")
			return
		}
		if err != nil {
			a.logger.ErrorContext(r.Context(), "console: check token", slog.Any("error", err))
			writeError(w, http.StatusInternalServerError, "internal", "the token could not be checked")
			return
		}
		if roleRank[o.Role] < roleRank[min] {
			writeError(w, http.StatusForbidden, "forbidden", "your role ("+o.Role+") may not do this")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), operatorKey{}, o)), o)
	}
}

// Console sessions: a browser signs in with {"cookie": true} and gets its token in an
// HttpOnly, SameSite=Strict cookie (Secure behind TLS) instead of in the reply, with a CSRF
// token that state-changing requests carry in a header. API clients use bearer tokens.
const (
	SessionCookie = "trolyao_console"
	CSRFHeader    = "X-CSRF-Token"
)

// requestToken returns the request's token: the bearer token, else the session cookie's
// (fromCookie).
func requestToken(r *http.Request) (token string, fromCookie bool) {
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return strings.TrimSpace(t), false
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		return c.Value, true
	}
	return "", false
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// csrfToken is the CSRF token of a session: derived from its token, so nothing more is
// stored and it ends with the session.
func csrfToken(token string) string {
	mac := hmac.New(sha256.New, []byte(token))
	mac.Write([]byte("trolyao console csrf"))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func validCSRF(token, got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(csrfToken(token)), []byte(got)) == 1
}

// secure reports whether the browser reached the console over TLS (directly or through the
// trusted proxy), so that the session cookie is marked Secure.
func (a *API) secure(r *http.Request) bool {
	return r.TLS != nil || a.realIPHeader != "" && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (a *API) handleLogin(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
		Cookie   bool   `json:"cookie"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil || in.Username == "" || in.Password == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", `want {"username", "password"}`)
		return
	}
	addr := a.address(r)
	name := strings.ToLower(strings.TrimSpace(in.Username))
	if wait, ok := a.allow("addr:"+addr, "name:"+name); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		writeError(w, http.StatusTooManyRequests, "rate_limited", "too many sign-in attempts; wait a moment")
		a.logger.WarnContext(r.Context(), "console: sign-in throttled", slog.String("address", addr))
		return
	}
	o, err := a.accounts.Authenticate(r.Context(), name, in.Password)
	if errors.Is(err, ErrLocked) {
		writeError(w, http.StatusLocked, "account_locked", "the account is locked after too many wrong passwords; try again later or ask an admin to unlock it")
		return
	}
	if errors.Is(err, ErrBadCredentials) {
		a.logger.InfoContext(r.Context(), "console: sign-in refused", slog.String("address", addr))
		writeError(w, http.StatusUnauthorized, "bad_credentials", "wrong name or password")
		return
	}
	if err != nil {
		a.logger.ErrorContext(r.Context(), "console: sign in", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "internal", "sign-in failed")
		return
	}
	token, err := newToken()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "sign-in failed")
		return
	}
	t := knowledge.OperatorToken{Hash: tokenHash(token), OperatorID: o.ID, ExpiresAt: a.now().Add(TokenLifetime)}
	if err := a.store.CreateOperatorToken(r.Context(), &t); err != nil {
		a.logger.ErrorContext(r.Context(), "console: store token", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "internal", "sign-in failed")
		return
	}
	a.audit(r, o.Name, "auth.login", o.Name)
	if in.Cookie {
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", Expires: t.ExpiresAt,
			HttpOnly: true, Secure: a.secure(r), SameSite: http.SameSiteStrictMode})
		writeJSON(w, http.StatusOK, map[string]any{"csrf_token": csrfToken(token), "expires_at": t.ExpiresAt.UTC().Format(time.RFC3339),
			"username": o.Name, "role": o.Role})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": token, "expires_at": t.ExpiresAt.UTC().Format(time.RFC3339), "role": o.Role})
}

func (a *API) handleLogout(w http.ResponseWriter, r *http.Request, o knowledge.Operator) {
	token, fromCookie := requestToken(r)
	if fromCookie {
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: true, Secure: a.secure(r), SameSite: http.SameSiteStrictMode})
	}
	if err := a.store.RevokeOperatorToken(r.Context(), tokenHash(token)); err != nil {
		a.logger.ErrorContext(r.Context(), "console: revoke token", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "internal", "sign-out failed")
		return
	}
	a.audit(r, o.Name, "auth.logout", o.Name)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) handleMe(w http.ResponseWriter, r *http.Request, o knowledge.Operator) {
	out := map[string]string{"username": o.Name, "role": o.Role}
	if token, fromCookie := requestToken(r); fromCookie {
		out["csrf_token"] = csrfToken(token) // a reloaded console page gets it again
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) handleOperators(w http.ResponseWriter, r *http.Request, _ knowledge.Operator) {
	list, err := a.accounts.List(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "the accounts could not be read")
		return
	}
	type account struct {
		Username  string    `json:"username"`
		Role      string    `json:"role"`
		Disabled  bool      `json:"disabled"`
		CreatedAt time.Time `json:"created_at"`
	}
	out := make([]account, 0, len(list))
	for _, o := range list {
		out = append(out, account{o.Name, o.Role, o.Disabled, o.CreatedAt})
	}
	writeJSON(w, http.StatusOK, map[string]any{"operators": out})
}

func (a *API) handleUnlock(w http.ResponseWriter, r *http.Request, o knowledge.Operator) {
	err := a.accounts.Unlock(r.Context(), Actor{Name: o.Name, Address: a.address(r)}, r.PathValue("name"))
	if errors.Is(err, knowledge.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no such operator")
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "the account could not be unlocked")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) handleAudit(w http.ResponseWriter, r *http.Request, _ knowledge.Operator) {
	limit, ok := intParam(w, r, "limit", 100, 1, 1000)
	if !ok {
		return
	}
	entries, err := a.store.Audit(r.Context(), limit)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "the audit log could not be read")
		return
	}
	type entry struct {
		Actor   string    `json:"actor"`
		Action  string    `json:"action"`
		Target  string    `json:"target"`
		Detail  string    `json:"detail,omitempty"`
		Address string    `json:"address,omitempty"`
		At      time.Time `json:"at"`
	}
	out := make([]entry, 0, len(entries))
	for _, e := range entries {
		out = append(out, entry{e.Actor, e.Action, e.Target, e.Detail, e.Address, e.At})
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": out})
}

// allow takes one sign-in attempt from each key's budget, or says how long to wait.
func (a *API) allow(keys ...string) (time.Duration, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	var wait time.Duration
	for _, k := range keys {
		l, ok := a.limiters[k]
		if !ok {
			if len(a.limiters) >= maxThrottled {
				a.limiters = map[string]*rate.Limiter{} // forget everyone rather than grow without bound
			}
			l = rate.NewLimiter(rate.Every(loginEvery), loginBurst)
			a.limiters[k] = l
		}
		res := l.ReserveN(now, 1)
		if d := res.DelayFrom(now); d > 0 {
			res.CancelAt(now)
			wait = max(wait, d)
		}
	}
	return wait, wait == 0
}

func (a *API) audit(r *http.Request, actor, action, target string) {
	e := knowledge.AuditEntry{Actor: actor, Action: action, Target: target, Address: a.address(r)}
	if err := a.store.AppendAudit(r.Context(), &e); err != nil {
		a.logger.ErrorContext(r.Context(), "console: audit", slog.String("action", action), slog.Any("error", err))
	}
}

// address is where a request came from, as the web chat reads it.
func (a *API) address(r *http.Request) string { return web.ClientAddr(r, a.realIPHeader) }

// intParam reads the query parameter name as a whole number within [lo, hi], def when absent;
// it answers 400 itself and reports false when the value is not one.
func intParam(w http.ResponseWriter, r *http.Request, name string, def, lo, hi int) (int, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		writeError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("%s must be %d to %d", name, lo, hi))
		return 0, false
	}
	return n, true
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return hex.EncodeToString(sum[:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
