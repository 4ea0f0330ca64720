// Package telegram connects a Telegram bot to the assistant.
//
// Telegram posts updates to POST /connectors/telegram/webhook with the secret given to
// setWebhook in X-Telegram-Bot-Api-Secret-Token; the handler compares it in constant time,
// answers 200 at once and pushes the message to a connectors.Worker. The worker claims the
// update_id in the store (so a redelivery, even after a restart, is answered once), answers
// /start and /help with a welcome, shows "typing…" (sendChatAction, renewed every 4 seconds
// until the answer goes out), asks the assistant and sends the answer through this package's
// Platform: sendMessage in HTML parse mode (plain text when Telegram cannot parse it), split
// under Telegram's 4,096-character limit without breaking a tag or an entity, with the
// sources as numbered links and an answer's choices as inline buttons (a press comes back as a
// callback_query update, answered in the webhook's reply, and is read as the choice's number). Only private chats are answered. 429 replies are retried after
// the retry_after Telegram gives; a bot the user blocked gets its reply marked undelivered for
// operators.
//
// Wiring, in cmd/assistant's run:
//
//	tcfg, err := telegram.LoadConfig(getenv)
//	if err != nil { return err }
//	if tcfg.Enabled() {
//		th, err := telegram.New(tcfg, asst, store, logger)
//		if err != nil { return err }
//		th.Register(mux)
//		defer th.Close(shutdownCtx) // drains the queue
//	}
//
// On shutdown, stop the HTTP server first (no new deliveries), then call Close: it waits for
// the queued messages to be answered, or cancels them when its context ends.
//
// The webhook is registered with Telegram once, by hand (see docs/connectors-telegram.md).
package telegram

import (
	"context"
	"crypto/subtle"
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

// Handler receives Telegram updates and answers them through the Bot API.
type Handler struct {
	cfg         Config
	logger      *slog.Logger
	worker      *connectors.Worker
	hc          *http.Client
	retry       connectors.Retry
	typingEvery time.Duration
}

// Option changes a Handler's defaults; for tests and benchmarks.
type Option func(*Handler)

// WithHTTPClient sets the client used to call the Bot API (default: 15 s timeout).
func WithHTTPClient(hc *http.Client) Option { return func(h *Handler) { h.hc = hc } }

// WithRetry sets the retry policy for Bot API calls (default connectors.DefaultRetry()).
func WithRetry(r connectors.Retry) Option { return func(h *Handler) { h.retry = r } }

// WithTypingInterval sets how often "typing…" is renewed (default 4 s).
func WithTypingInterval(d time.Duration) Option { return func(h *Handler) { h.typingEvery = d } }

// New returns a handler for the enabled configuration cfg, answering with asst and claiming
// events in store, and starts its cfg.Workers workers; Close stops them.
func New(cfg Config, asst connectors.Assistant, store connectors.EventClaimer, logger *slog.Logger, opts ...Option) (*Handler, error) {
	if !cfg.Enabled() {
		return nil, errors.New("telegram: connector not configured")
	}
	if asst == nil || store == nil || logger == nil {
		return nil, errors.New("telegram: assistant, store and logger are required")
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = connectors.DefaultMaxBody
	}
	if cfg.UserKeySecret == "" {
		cfg.DeriveUserKeySecret(connectors.Telegram, cfg.WebhookSecret+cfg.BotToken)
	}
	logger = logger.With(slog.String("connector", connectors.Telegram))
	h := &Handler{cfg: cfg, logger: logger,
		hc: &http.Client{Timeout: 15 * time.Second}, retry: connectors.DefaultRetry(), typingEvery: typingEvery}
	for _, o := range opts {
		o(h)
	}
	if cfg.UserKeyDerived {
		logger.Warn("ASSISTANT_USER_KEY_SECRET is unset: user keys derive from the bot secrets and change if they are rotated")
	}
	p := platform{client: NewClient(cfg, h.hc, h.retry), typingEvery: h.typingEvery, logger: logger}
	h.worker = connectors.NewWorker(p, cfg.Config, asst, store, logger)
	return h, nil
}

// Deliverer is how operators' messages reach this platform's users during a takeover; the
// server gives it to the assistant (SetDeliverer).
func (h *Handler) Deliverer() assistant.Deliverer { return h.worker }

// Close stops accepting updates and waits for the queued ones to be answered, or for ctx to
// end (then in-flight work is cancelled and ctx.Err() returned).
func (h *Handler) Close(ctx context.Context) error { return h.worker.Close(ctx) }

// update is a Telegram Update; only the fields the connector reads.
type update struct {
	UpdateID int64 `json:"update_id"`
	Message  *struct {
		MessageID int64 `json:"message_id"`
		From      *struct {
			ID    int64 `json:"id"`
			IsBot bool  `json:"is_bot"`
		} `json:"from"`
		Chat struct {
			ID   int64  `json:"id"`
			Type string `json:"type"`
		} `json:"chat"`
		Text    string `json:"text"`
		Caption string `json:"caption"`
	} `json:"message"`
	// CallbackQuery is a press on an inline button of one of the bot's messages.
	CallbackQuery *struct {
		ID   string `json:"id"`
		From struct {
			ID    int64 `json:"id"`
			IsBot bool  `json:"is_bot"`
		} `json:"from"`
		Message *struct {
			Chat struct {
				ID   int64  `json:"id"`
				Type string `json:"type"`
			} `json:"chat"`
		} `json:"message"`
		Data string `json:"data"`
	} `json:"callback_query"`
}

// webhook handles POST /connectors/telegram/webhook.
func (h *Handler) webhook(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, ok := connectors.ReadBody(w, r, h.cfg.MaxBody)
	if !ok {
		h.logger.Warn("telegram webhook: unreadable or oversized body", slog.Int64("content_length", r.ContentLength))
		return
	}
	secret := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
	if subtle.ConstantTimeCompare([]byte(secret), []byte(h.cfg.WebhookSecret)) != 1 {
		h.logger.Warn("telegram webhook: bad or missing secret token")
		http.Error(w, "invalid secret token", http.StatusUnauthorized)
		return
	}
	var u update
	if err := json.Unmarshal(body, &u); err != nil || u.UpdateID == 0 {
		h.logger.Warn("telegram webhook: malformed update", slog.Any("error", err))
		http.Error(w, "malformed update", http.StatusBadRequest)
		return
	}
	msg, ok := h.message(u)
	if !ok {
		h.logger.Debug("telegram webhook: update ignored", slog.Int64("update_id", u.UpdateID))
		h.accept(w, u)
		return
	}
	if err := h.worker.Push(msg); err != nil {
		connectors.Unavailable(w)
		return
	}
	h.accept(w, u)
	h.logger.Debug("telegram webhook: queued", slog.Any("incoming", msg), slog.Duration("ack", time.Since(start)))
}

// accept acknowledges an update. A button press is answered in the acknowledgement itself
// with answerCallbackQuery, as the Bot API allows for webhooks, so that the user's client
// stops showing its progress bar without a call of its own.
func (h *Handler) accept(w http.ResponseWriter, u update) {
	if u.CallbackQuery == nil || u.CallbackQuery.ID == "" {
		connectors.Accepted(w)
		return
	}
	body, err := connectors.JSON(map[string]string{"method": "answerCallbackQuery", "callback_query_id": u.CallbackQuery.ID})
	if err != nil {
		connectors.Accepted(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// message turns an update into a queued message; false for what the connector ignores:
// edited messages, channel posts, group chats, bots, other update types. A press on a choice
// button is the message choosing it (connectors.ChoiceText).
func (h *Handler) message(u update) (connectors.Message, bool) {
	if cq := u.CallbackQuery; cq != nil {
		n, ok := connectors.ParseChoicePayload(cq.Data)
		if !ok || cq.From.IsBot || cq.Message == nil || cq.Message.Chat.Type != "private" {
			return connectors.Message{}, false
		}
		return connectors.Message{
			Channel:    connectors.Telegram,
			EventID:    strconv.FormatInt(u.UpdateID, 10),
			UserID:     strconv.FormatInt(cq.Message.Chat.ID, 10),
			UserKey:    connectors.UserKey(h.cfg.UserKeySecret, connectors.Telegram, strconv.FormatInt(cq.From.ID, 10)),
			Kind:       connectors.KindText,
			Text:       connectors.ChoiceText(n),
			ReceivedAt: time.Now(),
		}, true
	}
	m := u.Message
	if m == nil || m.From == nil || m.From.IsBot || m.Chat.Type != "private" {
		return connectors.Message{}, false
	}
	chat := strconv.FormatInt(m.Chat.ID, 10)
	msg := connectors.Message{
		Channel:    connectors.Telegram,
		EventID:    strconv.FormatInt(u.UpdateID, 10),
		UserID:     chat, // in a private chat, the chat id is the user's id
		UserKey:    connectors.UserKey(h.cfg.UserKeySecret, connectors.Telegram, strconv.FormatInt(m.From.ID, 10)),
		Kind:       connectors.KindText,
		Text:       strings.TrimSpace(m.Text),
		ReceivedAt: time.Now(),
	}
	if msg.Text == "" {
		msg.Text = strings.TrimSpace(m.Caption) // a photo or document with a caption
	}
	if msg.Text == "" {
		msg.Kind = connectors.KindUnsupported
	}
	return msg, true
}

// String describes the handler without its secrets.
func (h *Handler) String() string {
	return "telegram.Handler" + strings.TrimPrefix(h.cfg.String(), "telegram")
}
