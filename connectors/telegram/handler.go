// Package telegram connects a Telegram bot to the assistant.
//
// Telegram posts updates to POST /connectors/telegram/webhook with the secret given to
// setWebhook in X-Telegram-Bot-Api-Secret-Token; the handler compares it in constant time,
// answers 200 at once and queues the message. A worker claims the update_id in the store (so
// a redelivery, even after a restart, is answered once), shows "typing…" (sendChatAction,
// renewed every 4 seconds until the answer goes out), asks the assistant and sends the answer
// with sendMessage in HTML parse mode, split under Telegram's 4,096-character limit without
// breaking a tag or an entity, with the sources as numbered links. Only private chats are
// answered. 429 replies are retried after the retry_after Telegram gives; a bot the user
// blocked gets its reply marked undelivered for operators.
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

// MaxText is the longest text message Telegram accepts, in characters.
const MaxText = 4096

const (
	jobTimeout  = 3 * time.Minute // asking the assistant and sending the reply
	typingEvery = 4 * time.Second // "typing…" lasts 5 s
)

// Assistant answers questions; the assistant package's Assistant satisfies it.
type Assistant interface {
	Ask(ctx context.Context, req assistant.Request, onDelta func(string)) (assistant.Reply, error)
}

// Store is the part of knowledge.ConversationStore the connector uses.
type Store interface {
	ClaimEvent(ctx context.Context, channel, eventID string) (bool, error)
	Message(ctx context.Context, id string) (knowledge.Message, error)
	UpdateMessage(ctx context.Context, m knowledge.Message) error
}

// Handler receives Telegram updates and answers them through the Bot API.
type Handler struct {
	cfg         Config
	asst        Assistant
	store       Store
	logger      *slog.Logger
	client      *Client
	queue       *connectors.Queue
	hc          *http.Client
	retry       connectors.Retry
	typingEvery time.Duration
}

// Option changes a Handler's defaults; for tests and benchmarks.
type Option func(*Handler)

// WithHTTPClient sets the client used to call the Bot API (default: 15 s timeout).
func WithHTTPClient(hc *http.Client) Option { return func(h *Handler) { h.hc = hc } }

// WithRetry sets the retry policy for Bot API calls (default connectors.DefaultRetry).
func WithRetry(r connectors.Retry) Option { return func(h *Handler) { h.retry = r } }

// WithTypingInterval sets how often "typing…" is renewed (default 4 s).
func WithTypingInterval(d time.Duration) Option { return func(h *Handler) { h.typingEvery = d } }

// New returns a handler for the enabled configuration cfg and starts its cfg.Workers workers;
// Close stops them.
func New(cfg Config, asst Assistant, store Store, logger *slog.Logger, opts ...Option) (*Handler, error) {
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
	h := &Handler{cfg: cfg, asst: asst, store: store, logger: logger,
		hc: &http.Client{Timeout: 15 * time.Second}, retry: connectors.DefaultRetry, typingEvery: typingEvery}
	for _, o := range opts {
		o(h)
	}
	if cfg.UserKeyDerived {
		logger.Warn("ASSISTANT_USER_KEY_SECRET is unset: user keys derive from the bot secrets and change if they are rotated")
	}
	h.client = NewClient(cfg, h.hc, h.retry)
	h.queue = connectors.NewQueue(connectors.Telegram, cfg.Workers, cfg.QueueSize, logger)
	return h, nil
}

// Close stops accepting updates and waits for the queued ones to be answered, or for ctx to
// end (then in-flight work is cancelled and ctx.Err() returned).
func (h *Handler) Close(ctx context.Context) error { return h.queue.Close(ctx) }

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
		connectors.Accepted(w)
		return
	}
	if err := h.queue.Push(msg.UserKey, func(ctx context.Context) { h.process(ctx, msg) }); err != nil {
		connectors.Unavailable(w)
		return
	}
	connectors.Accepted(w)
	h.logger.Debug("telegram webhook: queued", slog.Any("msg", msg), slog.Duration("ack", time.Since(start)))
}

// message turns an update into a queued message; false for what the connector ignores:
// edited messages, channel posts, group chats, bots, other update types.
func (h *Handler) message(u update) (connectors.Message, bool) {
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

// process answers one message; it runs on a queue worker.
func (h *Handler) process(ctx context.Context, m connectors.Message) {
	ctx, cancel := context.WithTimeout(ctx, jobTimeout)
	defer cancel()
	start := time.Now()
	log := h.logger.With(slog.Any("msg", m))
	first, err := h.store.ClaimEvent(ctx, connectors.Telegram, m.EventID)
	if err != nil {
		log.Error("telegram: claim event", slog.Any("error", err))
		return
	}
	if !first {
		log.Info("telegram: duplicate delivery ignored")
		return
	}
	switch {
	case m.Kind == connectors.KindUnsupported:
		h.notify(ctx, log, m, connectors.TextOnly)
		return
	case isCommand(m.Text, "start"), isCommand(m.Text, "help"):
		h.notify(ctx, log, m, connectors.Welcome)
		return
	}
	stopTyping := connectors.KeepTyping(ctx, h.typingEvery, func(ctx context.Context) error {
		return h.client.SendTyping(ctx, m.UserID)
	})
	reply, err := h.asst.Ask(ctx, assistant.Request{
		Message:  m.Text,
		Channel:  connectors.Telegram,
		UserKey:  m.UserKey,
		Audience: h.cfg.Audience,
		Locality: h.cfg.Locality,
	}, nil)
	stopTyping()
	if err != nil {
		log.Error("telegram: assistant failed", slog.Any("error", err))
		h.notify(ctx, log, m, failureText(err))
		return
	}
	text := Render(reply.Answer, reply.Citations)
	if reply.Handover {
		text = escape(strings.TrimSpace(reply.Answer)) // the operator answers; only the notice goes out
	}
	if text == "" {
		log.Info("telegram: nothing to send", slog.Bool("handover", reply.Handover))
		return
	}
	pieces := connectors.SplitHTML(text, MaxText)
	sent := 0
	for _, p := range pieces {
		if err = h.sendHTML(ctx, m.UserID, p); err != nil {
			break
		}
		sent++
	}
	if err != nil {
		log.Warn("telegram: reply not delivered", slog.String("message_id", reply.MessageID),
			slog.Int("parts_sent", sent), slog.Int("parts", len(pieces)), slog.Any("error", err))
		h.undelivered(ctx, log, reply.MessageID, fmt.Sprintf("telegram: %d of %d parts sent: %v", sent, len(pieces), err))
		return
	}
	log.Info("telegram: reply sent", slog.String("message_id", reply.MessageID), slog.Int("parts", len(pieces)),
		slog.Bool("handover", reply.Handover), slog.Duration("queued", start.Sub(m.ReceivedAt)),
		slog.Duration("took", time.Since(start)))
}

// sendHTML sends one piece of HTML, falling back to plain text if Telegram cannot parse it.
func (h *Handler) sendHTML(ctx context.Context, chatID, piece string) error {
	_, err := h.client.SendMessage(ctx, chatID, piece)
	if apiErr, ok := errors.AsType[*APIError](err); ok && apiErr.Code == http.StatusBadRequest &&
		strings.Contains(apiErr.Description, "can't parse entities") {
		h.logger.Warn("telegram: HTML refused, sending plain text", slog.String("error", apiErr.Description))
		_, err = h.client.SendPlain(ctx, chatID, plain(piece))
	}
	return err
}

// notify sends a short notice that has no assistant message behind it.
func (h *Handler) notify(ctx context.Context, log *slog.Logger, m connectors.Message, text string) {
	if _, err := h.client.SendPlain(ctx, m.UserID, text); err != nil {
		log.Warn("telegram: notice not delivered", slog.Any("error", err))
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
		log.Error("telegram: record undelivered reply", slog.String("message_id", messageID), slog.Any("error", err))
	}
}

// isCommand reports whether text is the bot command /name (possibly /name@botname args).
func isCommand(text, name string) bool {
	cmd, _, _ := strings.Cut(text, " ")
	cmd, _, _ = strings.Cut(cmd, "@")
	return cmd == "/"+name
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
func (h *Handler) String() string {
	return "telegram.Handler" + strings.TrimPrefix(h.cfg.String(), "telegram")
}
