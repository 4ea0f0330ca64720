// Package messenger connects a Facebook Page's Messenger inbox to the assistant.
//
// Meta checks the subscription with GET /connectors/messenger/webhook (hub.mode,
// hub.verify_token, hub.challenge) and posts events to POST /connectors/messenger/webhook,
// signed in X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the app secret). The handler
// verifies the signature before reading anything, answers 200 at once and pushes each user
// message to a connectors.Worker. The worker claims the message id (mid) in the store, so a
// redelivery, even after a restart, is answered once; shows the typing indicator; asks the
// assistant; and sends the answer through this package's Platform, the Send API as
// messaging_type RESPONSE, split under Messenger's 2,000-character limit with the sources as
// "[1] Title — URL" lines. The Page's own messages (is_echo) are ignored. A reply outside the
// 24-hour window (error 10/2018278) is not retried: the assistant marks its message
// undelivered for operators.
//
// Wiring, in cmd/assistant's run:
//
//	mcfg, err := messenger.LoadConfig(getenv)
//	if err != nil { return err }
//	if mcfg.Enabled() {
//		mh, err := messenger.New(mcfg, asst, store, logger)
//		if err != nil { return err }
//		mh.Register(mux)
//		defer mh.Close(shutdownCtx) // drains the queue
//	}
//
// On shutdown, stop the HTTP server first (no new deliveries), then call Close: it waits for
// the queued messages to be answered, or cancels them when its context ends.
package messenger

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/connectors"
)

// Handler receives Messenger webhook events and answers them through the Send API.
type Handler struct {
	cfg    Config
	logger *slog.Logger
	worker *connectors.Worker
	hc     *http.Client
	retry  connectors.Retry
}

// Option changes a Handler's defaults; for tests and benchmarks.
type Option func(*Handler)

// WithHTTPClient sets the client used to call the Graph API (default: 15 s timeout).
func WithHTTPClient(hc *http.Client) Option { return func(h *Handler) { h.hc = hc } }

// WithRetry sets the retry policy for Send API calls (default connectors.DefaultRetry()).
func WithRetry(r connectors.Retry) Option { return func(h *Handler) { h.retry = r } }

// New returns a handler for the enabled configuration cfg, answering with asst and claiming
// events in store, and starts its cfg.Workers workers; Close stops them.
func New(cfg Config, asst connectors.Assistant, store connectors.EventClaimer, logger *slog.Logger, opts ...Option) (*Handler, error) {
	if !cfg.Enabled() {
		return nil, errors.New("messenger: connector not configured")
	}
	if asst == nil || store == nil || logger == nil {
		return nil, errors.New("messenger: assistant, store and logger are required")
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = connectors.DefaultMaxBody
	}
	if cfg.UserKeySecret == "" {
		cfg.DeriveUserKeySecret(connectors.Messenger, cfg.AppSecret)
	}
	logger = logger.With(slog.String("connector", connectors.Messenger))
	h := &Handler{cfg: cfg, logger: logger,
		hc: &http.Client{Timeout: 15 * time.Second}, retry: connectors.DefaultRetry()}
	for _, o := range opts {
		o(h)
	}
	if cfg.UserKeyDerived {
		logger.Warn("ASSISTANT_USER_KEY_SECRET is unset: user keys derive from the app secret and change if it is rotated")
	}
	h.worker = connectors.NewWorker(platform{NewClient(cfg, h.hc, h.retry)}, cfg.Config, asst, store, logger)
	return h, nil
}

// Deliverer is how operators' messages reach this platform's users during a takeover; the
// server gives it to the assistant (SetDeliverer).
func (h *Handler) Deliverer() assistant.Deliverer { return h.worker }

// Close stops accepting events and waits for the queued ones to be answered, or for ctx to
// end (then in-flight work is cancelled and ctx.Err() returned).
func (h *Handler) Close(ctx context.Context) error { return h.worker.Close(ctx) }

// verifySubscription handles GET /connectors/messenger/webhook: Meta's subscription check.
func (h *Handler) verifySubscription(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("hub.mode") != "subscribe" ||
		subtle.ConstantTimeCompare([]byte(q.Get("hub.verify_token")), []byte(h.cfg.VerifyToken)) != 1 {
		h.logger.Warn("messenger: subscription check refused", slog.String("mode", q.Get("hub.mode")))
		http.Error(w, "verification failed", http.StatusForbidden)
		return
	}
	h.logger.Info("messenger: subscription verified")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(q.Get("hub.challenge")))
}

// delivery is a Messenger webhook delivery; only the fields the connector reads.
type delivery struct {
	Object string `json:"object"`
	Entry  []struct {
		ID        string      `json:"id"`
		Messaging []messaging `json:"messaging"`
	} `json:"entry"`
}

type messaging struct {
	Sender struct {
		ID string `json:"id"`
	} `json:"sender"`
	Message *struct {
		MID         string            `json:"mid"`
		Text        string            `json:"text"`
		IsEcho      bool              `json:"is_echo"`
		Attachments []json.RawMessage `json:"attachments"`
		QuickReply  *struct {
			Payload string `json:"payload"`
		} `json:"quick_reply"`
	} `json:"message"`
	Postback *struct {
		MID   string `json:"mid"`
		Title string `json:"title"`
	} `json:"postback"`
}

// webhook handles POST /connectors/messenger/webhook.
func (h *Handler) webhook(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, ok := connectors.ReadBody(w, r, h.cfg.MaxBody)
	if !ok {
		h.logger.Warn("messenger webhook: unreadable or oversized body", slog.Int64("content_length", r.ContentLength))
		return
	}
	if !h.verify(r.Header.Get("X-Hub-Signature-256"), body) {
		h.logger.Warn("messenger webhook: bad or missing signature")
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	var d delivery
	if err := json.Unmarshal(body, &d); err != nil {
		h.logger.Warn("messenger webhook: malformed delivery", slog.Any("error", err))
		http.Error(w, "malformed delivery", http.StatusBadRequest)
		return
	}
	if d.Object != "page" {
		h.logger.Debug("messenger webhook: not a page delivery", slog.String("object", d.Object))
		connectors.Accepted(w)
		return
	}
	queued := 0
	for _, e := range d.Entry {
		for _, ev := range e.Messaging {
			msg, ok := h.message(ev)
			if !ok {
				continue
			}
			// A full queue refuses the whole delivery: Meta redelivers it, and the messages
			// already queued are then recognised as duplicates by their mid.
			if err := h.worker.Push(msg); err != nil {
				connectors.Unavailable(w)
				return
			}
			queued++
		}
	}
	connectors.Accepted(w)
	h.logger.Debug("messenger webhook: accepted", slog.Int("queued", queued), slog.Duration("ack", time.Since(start)))
}

// verify checks header "sha256=<hex HMAC-SHA256 of body with the app secret>".
func (h *Handler) verify(header string, body []byte) bool {
	got, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if !ok {
		return false
	}
	sig, err := hex.DecodeString(got)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(h.cfg.AppSecret))
	mac.Write(body)
	return hmac.Equal(sig, mac.Sum(nil))
}

// message turns a messaging event into a queued message; false for what the connector
// ignores: echoes of the Page's own messages, deliveries, reads, reactions.
func (h *Handler) message(ev messaging) (connectors.Message, bool) {
	if ev.Sender.ID == "" {
		return connectors.Message{}, false
	}
	m := connectors.Message{
		Channel:    connectors.Messenger,
		UserID:     ev.Sender.ID,
		UserKey:    connectors.UserKey(h.cfg.UserKeySecret, connectors.Messenger, ev.Sender.ID),
		Kind:       connectors.KindText,
		ReceivedAt: time.Now(),
	}
	switch {
	case ev.Message != nil && !ev.Message.IsEcho && ev.Message.MID != "":
		m.EventID, m.Text = ev.Message.MID, strings.TrimSpace(ev.Message.Text)
		// A quick reply pressed: its payload says which choice, whatever its title shows.
		if qr := ev.Message.QuickReply; qr != nil {
			if n, ok := connectors.ParseChoicePayload(qr.Payload); ok {
				m.Text = connectors.ChoiceText(n)
			}
		}
	case ev.Postback != nil && ev.Postback.MID != "":
		m.EventID, m.Text = ev.Postback.MID, strings.TrimSpace(ev.Postback.Title)
	default:
		return connectors.Message{}, false
	}
	if m.Text == "" {
		m.Kind = connectors.KindUnsupported // an image, sticker, audio...
	}
	return m, true
}

// String describes the handler without its secrets.
func (h *Handler) String() string {
	return "messenger.Handler" + strings.TrimPrefix(h.cfg.String(), "messenger")
}
