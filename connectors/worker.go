package connectors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
)

// Platform is one messaging platform as the Worker sees it: the transport under the pipeline.
// It says what it is called and how long a message may be, writes an answer in its own
// markup and sends one message to a user. It does not receive: the platform package's
// webhook handler does, and pushes what it verified and parsed to the Worker. Platforms with
// a typing indicator also implement Typer, those with commands of their own Commander.
type Platform interface {
	// Name is the channel, as stored in sessions and event claims ("zalo").
	Name() string
	// TextLimit is the longest message the platform accepts, as counted by Length.
	TextLimit() int
	// Render writes an answer and its sources in the platform's markup. The Worker renders a
	// handover notice with no sources.
	Render(answer string, sources []Source) Text
	// Send sends one message to the user with the raw platform id userID: a part of a rendered
	// answer, or a plain-text notice. Errors that retrying cannot cure come back at once;
	// those saying the user cannot be reached wrap ErrUndeliverable.
	Send(ctx context.Context, userID string, t Text) error
}

// Typer is a Platform with a typing indicator: Typing shows it once (one attempt), and the
// Worker renews it every TypingEvery while the assistant works.
type Typer interface {
	Typing(ctx context.Context, userID string) error
	TypingEvery() time.Duration
}

// Commander is a Platform with commands of its own (Telegram's /start and /help): Command
// returns the notice answering text, and true, when text is such a command; the Worker then
// sends the notice instead of asking the assistant.
type Commander interface {
	Command(text string) (notice string, ok bool)
}

// Assistant is what the Worker needs of the assistant, which owns the conversations:
// *assistant.Assistant satisfies it.
type Assistant interface {
	Ask(ctx context.Context, req assistant.Request, onDelta func(string)) (assistant.Reply, error)
	MarkUndelivered(ctx context.Context, messageID, detail string) error
}

// EventClaimer claims a platform event once, so that a delivery is answered once even when
// the platform sends it again after a restart; the conversation store satisfies it.
type EventClaimer interface {
	ClaimEvent(ctx context.Context, channel, eventID string) (bool, error)
}

// jobTimeout bounds the work for one message: asking the assistant and sending the reply.
const jobTimeout = 3 * time.Minute

// Worker answers one platform's messages: the pipeline every connector shares. For each
// message pushed it claims the event (a redelivery is ignored), answers an attachment without
// text with TextOnly and a platform command with its notice, shows the typing indicator while
// it asks the assistant, renders the answer and sends it split under the platform's limit,
// the last part with a button for each choice the answer offers when the platform has them
// (Chooser).
// A reply the platform does not take is marked undelivered for operators; a question the
// assistant could not answer gets a short notice.
type Worker struct {
	platform Platform
	name     string
	audience assistant.Audience
	locality string
	asst     Assistant
	claims   EventClaimer
	logger   *slog.Logger
	queue    *Queue
	secret   string // seals the users' addresses (see SealAddress)
}

// NewWorker starts cfg.Workers goroutines answering the messages of p, with room for
// cfg.QueueSize waiting ones, asked with cfg's audience and locality; Close stops them.
func NewWorker(p Platform, cfg Config, asst Assistant, claims EventClaimer, logger *slog.Logger) *Worker {
	return &Worker{platform: p, name: p.Name(), audience: cfg.Audience, locality: cfg.Locality,
		asst: asst, claims: claims, logger: logger, queue: NewQueue(p.Name(), cfg.Workers, cfg.QueueSize, logger), secret: cfg.UserKeySecret}
}

// Push queues m without blocking; one user's messages are answered in the order pushed. It
// returns ErrQueueFull (the webhook answers 503 so that the platform delivers again) or
// ErrQueueClosed.
func (w *Worker) Push(m Message) error {
	return w.queue.Push(m.UserKey, func(ctx context.Context) { w.process(ctx, m) })
}

// Close stops accepting messages and waits for the queued ones to be answered, or for ctx to
// end (then in-flight work is cancelled and ctx.Err() returned).
func (w *Worker) Close(ctx context.Context) error { return w.queue.Close(ctx) }

// process answers one message; it runs on a queue worker.
func (w *Worker) process(ctx context.Context, m Message) {
	ctx, cancel := context.WithTimeout(ctx, jobTimeout)
	defer cancel()
	start := time.Now()
	log := w.logger.With(slog.Any("incoming", m))
	first, err := w.claims.ClaimEvent(ctx, w.name, m.EventID)
	if err != nil {
		log.Error(w.name+": claim event", slog.Any("error", err))
		return
	}
	if !first {
		log.Info(w.name + ": duplicate delivery ignored")
		return
	}
	if m.Kind == KindUnsupported {
		w.notify(ctx, log, m, TextOnly)
		return
	}
	if c, ok := w.platform.(Commander); ok {
		if notice, ok := c.Command(m.Text); ok {
			w.notify(ctx, log, m, notice)
			return
		}
	}
	addr, err := SealAddress(w.secret, w.name, m.UserID)
	if err != nil {
		log.Warn(w.name+": address not sealed; operators will not reach this user", slog.Any("error", err))
	}
	stopTyping := w.typing(ctx, m.UserID)
	reply, err := w.asst.Ask(ctx, assistant.Request{
		Message:  m.Text,
		Channel:  w.name,
		UserKey:  m.UserKey,
		Address:  addr,
		Audience: w.audience,
		Locality: w.locality,
	}, nil)
	stopTyping()
	if err != nil {
		log.Error(w.name+": assistant failed", slog.Any("error", err))
		w.notify(ctx, log, m, failureText(err))
		return
	}
	sources := Sources(reply.Citations)
	answer := reply.Answer
	if reply.Handover {
		sources = nil // the operator answers; only the notice goes out
	} else if card := CardText(reply.Card); card != "" {
		answer += "\n\n" + card
	}
	text := w.platform.Render(answer, sources)
	if text.Body == "" {
		log.Info(w.name+": nothing to send", slog.Bool("handover", reply.Handover))
		return
	}
	parts := text.Split(w.platform.TextLimit())
	choices := Choices(reply.Choices)
	chooser, buttons := w.platform.(Chooser)
	sent := 0
	for i, p := range parts {
		if buttons && len(choices) > 0 && i == len(parts)-1 {
			err = chooser.SendChoices(ctx, m.UserID, p, choices)
		} else {
			err = w.platform.Send(ctx, m.UserID, p)
		}
		if err != nil {
			break
		}
		sent++
	}
	if err != nil {
		// A user who cannot be reached is an expected outcome; anything else (the API kept
		// failing, a request refused, a revoked token) needs an operator.
		level := slog.LevelError
		if errors.Is(err, ErrUndeliverable) {
			level = slog.LevelWarn
		}
		log.Log(ctx, level, w.name+": reply not delivered", slog.String("message_id", reply.MessageID),
			slog.Int("parts_sent", sent), slog.Int("parts", len(parts)), slog.Any("error", err))
		w.undelivered(ctx, log, reply.MessageID, fmt.Sprintf("%s: %d of %d parts sent: %v", w.name, sent, len(parts), err))
		return
	}
	log.Info(w.name+": reply sent", slog.String("message_id", reply.MessageID), slog.Int("parts", len(parts)),
		slog.Bool("handover", reply.Handover), slog.Duration("queued", start.Sub(m.ReceivedAt)),
		slog.Duration("took", time.Since(start)))
}

// Windower is a Platform that limits when a business may write to a user (Messenger's 24-hour
// window, Zalo's free replies); the others accept messages at any time.
type Windower interface {
	Window(lastFromUser time.Time, sentSince int, now time.Time) assistant.Window
}

// OperatorLabel opens what an operator writes, on platforms where the assistant and staff
// write from the same account.
const OperatorLabel = "Cán bộ hỗ trợ: "

// Deliver sends an operator's message or a takeover notice to the user of sess, whose sealed
// address the session keeps: the Worker is the assistant's Deliverer for its platform.
func (w *Worker) Deliver(ctx context.Context, sess knowledge.Session, role, text string) error {
	userID, err := OpenAddress(w.secret, w.name, sess.Address)
	if err != nil {
		return fmt.Errorf("the user's address cannot be read (the user-key secret changed?): %w", err)
	}
	if role == knowledge.RoleOperator {
		text = OperatorLabel + text
	}
	parts := w.platform.Render(text, nil).Split(w.platform.TextLimit())
	for i, p := range parts {
		if err := w.platform.Send(ctx, userID, p); err != nil {
			return fmt.Errorf("%d of %d parts sent: %w", i, len(parts), err)
		}
	}
	w.logger.Info(w.name+": staff message sent", slog.String("user_key", ShortKey(sess.UserKey)), slog.String("role", role), slog.Int("parts", len(parts)))
	return nil
}

// Window is the platform's, or always open.
func (w *Worker) Window(last time.Time, sentSince int, now time.Time) assistant.Window {
	if wd, ok := w.platform.(Windower); ok {
		return wd.Window(last, sentSince, now)
	}
	return assistant.Window{Open: true, FreeLeft: -1}
}

// typing shows the platform's typing indicator until the returned stop is called; platforms
// without one get a stop that does nothing.
func (w *Worker) typing(ctx context.Context, userID string) (stop func()) {
	t, ok := w.platform.(Typer)
	if !ok {
		return func() {}
	}
	return KeepTyping(ctx, t.TypingEvery(), func(ctx context.Context) error { return t.Typing(ctx, userID) })
}

// notify sends a short plain-text notice that has no assistant message behind it.
func (w *Worker) notify(ctx context.Context, log *slog.Logger, m Message, notice string) {
	if err := w.platform.Send(ctx, m.UserID, Text{Body: notice}); err != nil {
		log.Warn(w.name+": notice not delivered", slog.Any("error", err))
	}
}

// undelivered marks the assistant's message undelivered, with why, for operators; it has 10
// seconds even when the job's time is up.
func (w *Worker) undelivered(ctx context.Context, log *slog.Logger, messageID, detail string) {
	if messageID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := w.asst.MarkUndelivered(ctx, messageID, detail); err != nil {
		log.Error(w.name+": record undelivered reply", slog.String("message_id", messageID), slog.Any("error", err))
	}
}

// failureText is the notice for an assistant error.
func failureText(err error) string {
	switch {
	case errors.Is(err, assistant.ErrTooLarge):
		return TooLong
	case errors.Is(err, assistant.ErrInvalidRequest):
		return Empty
	}
	return TryLater
}

// vietnam is the time zone notes to operators are written in.
var vietnam = time.FixedZone("ICT", 7*3600)

// VietnamTime writes t as operators read it: "14:05 ngày 04/12/2026" (UTC+7).
func VietnamTime(t time.Time) string { return t.In(vietnam).Format("15:04 ngày 02/01/2006") }
