// Package zalo connects a Zalo Official Account to the assistant.
//
// Zalo posts OA events to POST /connectors/zalo/webhook. The handler checks the
// X-ZEvent-Signature header (mac = hex SHA-256 of app id + raw body + timestamp + OA secret
// key, the timestamp being the event's own, in milliseconds) and the event's age, answers 200
// at once and pushes the user's message to a connectors.Worker. The worker claims the message
// id in the store (so a redelivery, even after a restart, is answered once), asks the
// assistant and sends the answer through this package's Platform, the customer-service
// message API, split under Zalo's 2,000-character limit with the sources as
// "[1] Title — URL" lines. An expired access token is refreshed and the rotated refresh token
// persisted. A reply Zalo refuses (the user has not interacted in the last 7 days, blocked the
// OA, ...) is not retried: the assistant marks its message undelivered for operators.
//
// Wiring, in cmd/assistant's run:
//
//	zcfg, err := zalo.LoadConfig(getenv)
//	if err != nil { return err }
//	if zcfg.Enabled() {
//		zh, err := zalo.New(zcfg, asst, store, logger)
//		if err != nil { return err }
//		zh.Register(mux)
//		defer zh.Close(shutdownCtx) // drains the queue
//	}
//
// On shutdown, stop the HTTP server first (no new deliveries), then call Close: it waits for
// the queued messages to be answered, or cancels them when its context ends.
//
// where store is the conversation store (event claims and the rotated tokens) and asst the
// assistant.
package zalo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/connectors"
)

// Store is what the connector keeps in the conversation store: event claims and the rotated
// tokens.
type Store interface {
	connectors.EventClaimer
	TokenStore
}

// Handler receives Zalo OA webhook events and answers them through the OA API.
type Handler struct {
	cfg    Config
	logger *slog.Logger
	worker *connectors.Worker
	now    func() time.Time
	hc     *http.Client
	retry  connectors.Retry
}

// Option changes a Handler's defaults; for tests and benchmarks.
type Option func(*Handler)

// WithHTTPClient sets the client used to call Zalo (default: 15 s timeout).
func WithHTTPClient(hc *http.Client) Option { return func(h *Handler) { h.hc = hc } }

// WithRetry sets the retry policy for Zalo API calls (default connectors.DefaultRetry()).
func WithRetry(r connectors.Retry) Option { return func(h *Handler) { h.retry = r } }

// WithClock sets the clock used to judge event timestamps.
func WithClock(now func() time.Time) Option { return func(h *Handler) { h.now = now } }

// New returns a handler for the enabled configuration cfg and starts its cfg.Workers workers;
// Close stops them.
func New(cfg Config, asst connectors.Assistant, store Store, logger *slog.Logger, opts ...Option) (*Handler, error) {
	if !cfg.Enabled() {
		return nil, errors.New("zalo: connector not configured")
	}
	if asst == nil || store == nil || logger == nil {
		return nil, errors.New("zalo: assistant, store and logger are required")
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = connectors.DefaultMaxBody
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 5 * time.Minute
	}
	if cfg.UserKeySecret == "" {
		cfg.DeriveUserKeySecret(connectors.Zalo, cfg.OASecretKey)
	}
	logger = logger.With(slog.String("connector", connectors.Zalo))
	h := &Handler{cfg: cfg, logger: logger, now: time.Now,
		hc: &http.Client{Timeout: 15 * time.Second}, retry: connectors.DefaultRetry()}
	for _, o := range opts {
		o(h)
	}
	if cfg.UserKeyDerived {
		logger.Warn("ASSISTANT_USER_KEY_SECRET is unset: user keys derive from the OA secret key and change if it is rotated")
	}
	client := NewClient(cfg, h.hc, store, h.retry, logger)
	h.worker = connectors.NewWorker(platform{client}, cfg.Config, asst, store, logger)
	return h, nil
}

// Deliverer is how operators' messages reach this platform's users during a takeover; the
// server gives it to the assistant (SetDeliverer).
func (h *Handler) Deliverer() assistant.Deliverer { return h.worker }

// Close stops accepting events and waits for the queued ones to be answered, or for ctx to
// end (then in-flight work is cancelled and ctx.Err() returned).
func (h *Handler) Close(ctx context.Context) error { return h.worker.Close(ctx) }

// event is a Zalo OA webhook event; only the fields the connector reads.
type event struct {
	AppID     string `json:"app_id"`
	EventName string `json:"event_name"`
	Sender    struct {
		ID string `json:"id"`
	} `json:"sender"`
	Recipient struct {
		ID string `json:"id"`
	} `json:"recipient"`
	Message struct {
		MsgID       string            `json:"msg_id"`
		Text        string            `json:"text"`
		Attachments []json.RawMessage `json:"attachments"`
	} `json:"message"`
}

// webhook handles POST /connectors/zalo/webhook.
func (h *Handler) webhook(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, ok := connectors.ReadBody(w, r, h.cfg.MaxBody)
	if !ok {
		h.logger.Warn("zalo webhook: unreadable or oversized body", slog.Int64("content_length", r.ContentLength))
		return
	}
	ts, ok := timestamp(body)
	if !ok || !h.verify(r.Header.Get("X-ZEvent-Signature"), body, ts) {
		h.logger.Warn("zalo webhook: bad or missing signature", slog.Bool("has_timestamp", ok))
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	if age, fresh := h.fresh(ts); !fresh {
		h.logger.Warn("zalo webhook: stale event refused", slog.Duration("age", age))
		http.Error(w, "stale event", http.StatusForbidden)
		return
	}
	var ev event
	if err := json.Unmarshal(body, &ev); err != nil {
		h.logger.Warn("zalo webhook: malformed event", slog.Any("error", err))
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	msg, ok := h.message(ev)
	if !ok {
		h.logger.Debug("zalo webhook: event ignored", slog.String("event", ev.EventName))
		connectors.Accepted(w)
		return
	}
	if err := h.worker.Push(msg); err != nil {
		connectors.Unavailable(w)
		return
	}
	connectors.Accepted(w)
	h.logger.Debug("zalo webhook: queued", slog.Any("incoming", msg), slog.Duration("ack", time.Since(start)))
}

// timestamp returns the "timestamp" member of the top-level JSON object in body, as written
// (Zalo sends a string of milliseconds), reading no further than needed: the signature covers
// it, so it is read before the body is trusted.
func timestamp(body []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", false
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return "", false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return "", false
		}
		if k == "timestamp" {
			s := strings.Trim(string(v), `"`)
			if _, err := strconv.ParseInt(s, 10, 64); err != nil {
				return "", false
			}
			return s, true
		}
	}
	return "", false
}

// verify checks header "mac=<hex sha256(app_id + body + timestamp + OA secret key)>".
func (h *Handler) verify(header string, body []byte, ts string) bool {
	got := strings.ToLower(strings.TrimSpace(header))
	got = strings.TrimPrefix(got, "mac=")
	if got == "" {
		return false
	}
	sum := sha256.New()
	sum.Write([]byte(h.cfg.AppID))
	sum.Write(body)
	sum.Write([]byte(ts))
	sum.Write([]byte(h.cfg.OASecretKey))
	want := hex.EncodeToString(sum.Sum(nil))
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// fresh reports whether the event time ts (milliseconds) is within MaxAge of now.
func (h *Handler) fresh(ts string) (time.Duration, bool) {
	ms, _ := strconv.ParseInt(ts, 10, 64)
	age := h.now().Sub(time.UnixMilli(ms))
	return age, age <= h.cfg.MaxAge && age >= -h.cfg.MaxAge
}

// message turns a user event into a queued message; false for events the connector ignores:
// the OA's own messages (oa_send_*), follows, seen and received receipts, and the rest.
func (h *Handler) message(ev event) (connectors.Message, bool) {
	if !strings.HasPrefix(ev.EventName, "user_send_") || ev.Sender.ID == "" || ev.Message.MsgID == "" {
		return connectors.Message{}, false
	}
	m := connectors.Message{
		Channel:    connectors.Zalo,
		EventID:    ev.Message.MsgID,
		UserID:     ev.Sender.ID,
		UserKey:    connectors.UserKey(h.cfg.UserKeySecret, connectors.Zalo, ev.Sender.ID),
		Kind:       connectors.KindText,
		Text:       strings.TrimSpace(ev.Message.Text),
		ReceivedAt: h.now(),
	}
	// user_send_text carries the text; an image, file or link may carry a caption in text.
	if m.Text == "" {
		m.Kind = connectors.KindUnsupported
	}
	return m, true
}

// String describes the handler without its secrets.
func (h *Handler) String() string { return "zalo.Handler" + strings.TrimPrefix(h.cfg.String(), "zalo") }
