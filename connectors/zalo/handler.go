// Package zalo connects a Zalo Official Account to the assistant.
//
// Zalo posts OA events to POST /connectors/zalo/webhook. The handler checks the
// X-ZEvent-Signature header (mac = hex SHA-256 of app id + raw body + timestamp + OA secret
// key, the timestamp being the event's own, in milliseconds) and the event's age, answers 200
// at once and queues the user's message. A worker then claims the message id in the store (so
// a redelivery, even after a restart, is answered once), asks the assistant and sends the
// answer with the customer-service message API, split under Zalo's 2,000-character limit with
// the sources as "[1] Title — URL" lines. An expired access token is refreshed and the rotated
// refresh token persisted. A reply Zalo refuses (the user has not interacted in the last 7
// days, blocked the OA, ...) is not retried: the assistant's message is marked undelivered
// for operators.
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
// where store is the knowledge.ConversationStore and asst the assistant.
package zalo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/connectors"
	"github.com/trolyao/trolyao/knowledge"
)

// MaxText is the longest text message Zalo accepts, in characters.
const MaxText = 2000

// jobTimeout bounds the work for one message: asking the assistant and sending the reply.
const jobTimeout = 3 * time.Minute

// Assistant answers questions; the assistant package's Assistant satisfies it.
type Assistant interface {
	Ask(ctx context.Context, req assistant.Request, onDelta func(string)) (assistant.Reply, error)
}

// Store is the part of knowledge.ConversationStore the connector uses.
type Store interface {
	TokenStore
	ClaimEvent(ctx context.Context, channel, eventID string) (bool, error)
	Message(ctx context.Context, id string) (knowledge.Message, error)
	UpdateMessage(ctx context.Context, m knowledge.Message) error
}

// Handler receives Zalo OA webhook events and answers them through the OA API.
type Handler struct {
	cfg    Config
	asst   Assistant
	store  Store
	logger *slog.Logger
	client *Client
	queue  *connectors.Queue
	now    func() time.Time
	hc     *http.Client
	retry  connectors.Retry
}

// Option changes a Handler's defaults; for tests and benchmarks.
type Option func(*Handler)

// WithHTTPClient sets the client used to call Zalo (default: 15 s timeout).
func WithHTTPClient(hc *http.Client) Option { return func(h *Handler) { h.hc = hc } }

// WithRetry sets the retry policy for Zalo API calls (default connectors.DefaultRetry).
func WithRetry(r connectors.Retry) Option { return func(h *Handler) { h.retry = r } }

// WithClock sets the clock used to judge event timestamps.
func WithClock(now func() time.Time) Option { return func(h *Handler) { h.now = now } }

// New returns a handler for the enabled configuration cfg and starts its cfg.Workers workers;
// Close stops them.
func New(cfg Config, asst Assistant, store Store, logger *slog.Logger, opts ...Option) (*Handler, error) {
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
	h := &Handler{cfg: cfg, asst: asst, store: store, logger: logger, now: time.Now,
		hc: &http.Client{Timeout: 15 * time.Second}, retry: connectors.DefaultRetry}
	for _, o := range opts {
		o(h)
	}
	if cfg.UserKeyDerived {
		logger.Warn("ASSISTANT_USER_KEY_SECRET is unset: user keys derive from the OA secret key and change if it is rotated")
	}
	h.client = NewClient(cfg, h.hc, store, h.retry, logger)
	h.queue = connectors.NewQueue(connectors.Zalo, cfg.Workers, cfg.QueueSize, logger)
	return h, nil
}

// Close stops accepting events and waits for the queued ones to be answered, or for ctx to
// end (then in-flight work is cancelled and ctx.Err() returned).
func (h *Handler) Close(ctx context.Context) error { return h.queue.Close(ctx) }

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
	if err := h.queue.Push(msg.UserKey, func(ctx context.Context) { h.process(ctx, msg) }); err != nil {
		connectors.Unavailable(w)
		return
	}
	connectors.Accepted(w)
	h.logger.Debug("zalo webhook: queued", slog.Any("msg", msg), slog.Duration("ack", time.Since(start)))
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

// process answers one message; it runs on a queue worker.
func (h *Handler) process(ctx context.Context, m connectors.Message) {
	ctx, cancel := context.WithTimeout(ctx, jobTimeout)
	defer cancel()
	start := time.Now()
	log := h.logger.With(slog.Any("msg", m))
	first, err := h.store.ClaimEvent(ctx, connectors.Zalo, m.EventID)
	if err != nil {
		log.Error("zalo: claim event", slog.Any("error", err))
		return
	}
	if !first {
		log.Info("zalo: duplicate delivery ignored")
		return
	}
	if m.Kind == connectors.KindUnsupported {
		h.notify(ctx, log, m, connectors.TextOnly)
		return
	}
	reply, err := h.asst.Ask(ctx, assistant.Request{
		Message:  m.Text,
		Channel:  connectors.Zalo,
		UserKey:  m.UserKey,
		Audience: h.cfg.Audience,
		Locality: h.cfg.Locality,
	}, nil)
	if err != nil {
		log.Error("zalo: assistant failed", slog.Any("error", err))
		h.notify(ctx, log, m, failureText(err))
		return
	}
	text := connectors.PlainText(reply.Answer, reply.Citations)
	if reply.Handover {
		text = strings.TrimSpace(reply.Answer) // the operator answers; only the notice goes out
	}
	if text == "" {
		log.Info("zalo: nothing to send", slog.Bool("handover", reply.Handover))
		return
	}
	pieces := connectors.Split(text, MaxText)
	sent, err := h.send(ctx, m.UserID, pieces)
	if err != nil {
		log.Warn("zalo: reply not delivered", slog.String("message_id", reply.MessageID),
			slog.Int("parts_sent", sent), slog.Int("parts", len(pieces)), slog.Any("error", err))
		h.undelivered(ctx, log, reply.MessageID, fmt.Sprintf("zalo: %d of %d parts sent: %v", sent, len(pieces), err))
		return
	}
	log.Info("zalo: reply sent", slog.String("message_id", reply.MessageID), slog.Int("parts", len(pieces)),
		slog.Bool("handover", reply.Handover), slog.Duration("queued", start.Sub(m.ReceivedAt)),
		slog.Duration("took", time.Since(start)))
}

// send sends the pieces in order and returns how many went out.
func (h *Handler) send(ctx context.Context, userID string, pieces []string) (int, error) {
	for i, p := range pieces {
		if _, err := h.client.SendText(ctx, userID, p); err != nil {
			return i, err
		}
	}
	return len(pieces), nil
}

// notify sends a short notice that has no assistant message behind it.
func (h *Handler) notify(ctx context.Context, log *slog.Logger, m connectors.Message, text string) {
	if _, err := h.client.SendText(ctx, m.UserID, text); err != nil {
		log.Warn("zalo: notice not delivered", slog.Any("error", err))
	}
}

// undelivered marks the assistant's message undelivered, with why, for operators.
func (h *Handler) undelivered(ctx context.Context, log *slog.Logger, messageID, detail string) {
	if messageID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	msg, err := h.store.Message(ctx, messageID)
	if err == nil {
		msg.Status, msg.Detail = knowledge.StatusUndelivered, detail
		err = h.store.UpdateMessage(ctx, msg)
	}
	if err != nil {
		log.Error("zalo: record undelivered reply", slog.String("message_id", messageID), slog.Any("error", err))
	}
}

// failureText is the notice for an assistant error.
func failureText(err error) string {
	switch {
	case errors.Is(err, assistant.ErrTooLarge):
		return connectors.TooLong
	case errors.Is(err, assistant.ErrInvalidRequest):
		return connectors.Empty
	}
	return connectors.TryLater
}

// String describes the handler without its secrets.
func (h *Handler) String() string { return "zalo.Handler" + strings.TrimPrefix(h.cfg.String(), "zalo") }
