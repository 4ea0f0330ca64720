package assistant

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// Takeover: an operator joins a conversation, the assistant stops answering there, the
// operator's messages reach the person on the channel they came from, and the operator hands
// the conversation back. A person who asks for a member of staff ("gặp cán bộ", the web
// chat's button) enters the queue that the console shows.

// Errors of takeover.
var (
	// ErrTakenOver: another operator holds the conversation.
	ErrTakenOver = errors.New("conversation taken over by another operator")
	// ErrNotHolder: the operator does not hold the conversation (take it over first).
	ErrNotHolder = errors.New("conversation not held by this operator")
	// ErrWindowClosed: the platform no longer lets the conversation receive a message (the
	// person has to write again first).
	ErrWindowClosed = errors.New("platform reply window closed")
	// ErrNotDelivered: the platform refused or failed to take the message; it is stored,
	// marked undelivered.
	ErrNotDelivered = errors.New("message not delivered")
)

// Notices to the person, in Vietnamese.
const (
	NoticeJoined    = "Cán bộ hỗ trợ đã tham gia cuộc trò chuyện và sẽ trả lời bạn trực tiếp."
	NoticeLeft      = "Cán bộ hỗ trợ đã rời cuộc trò chuyện. Trợ lý ảo tiếp tục hỗ trợ bạn."
	NoticeRequested = "Tôi đã chuyển yêu cầu của bạn tới cán bộ hỗ trợ. Cán bộ sẽ trả lời bạn ngay tại đây; trong lúc chờ, bạn vẫn có thể hỏi tôi."
)

// Deliverer sends what an operator writes, and the takeover notices, to a person on a
// messaging channel, where nothing reaches the person except through the platform's API. The
// web chat needs none: its open sockets follow the assistant's events, and a browser that
// comes back sees the conversation's history.
type Deliverer interface {
	// Deliver sends text, a message of role (knowledge.RoleOperator or RoleNotice), to the
	// person of sess (through sess.Address). Its errors are shown to the operator.
	Deliver(ctx context.Context, sess knowledge.Session, role, text string) error
	// Window says whether the platform lets the conversation receive a message at now, given
	// when the person last wrote and how many messages were sent to them since.
	Window(lastFromPerson time.Time, sentSince int, now time.Time) Window
}

// Window is what a platform allows a conversation now.
type Window struct {
	Open bool
	// Until is when it closes; zero when the platform sets no limit.
	Until time.Time
	// FreeLeft is how many more messages are free before the platform counts them as paid
	// ones; -1 when the platform does not count.
	FreeLeft int
	// Note explains the window to the operator, in Vietnamese.
	Note string
}

// Event is something that happened in a conversation, for the console and the web chat's
// open sockets. Text is what the person receives (an operator's message as written); the
// stored message is masked.
type Event struct {
	Kind      string // EventMessage, EventHumanRequested, EventTakenOver, EventHandedBack
	SessionID string
	Channel   string
	Operator  string
	Message   *knowledge.Message
	At        time.Time
}

// Event kinds.
const (
	EventMessage        = "message"         // a message was added: the person's, an operator's or a notice
	EventHumanRequested = "human_requested" // the person asked for a member of staff
	EventTakenOver      = "taken_over"      // an operator took the conversation over
	EventHandedBack     = "handed_back"     // the operator handed it back to the assistant
)

// events fans events out to subscribers without ever blocking the assistant: a subscriber
// that does not keep up loses events (and is told so by a full buffer), it never slows others.
type events struct {
	mu   sync.Mutex
	subs map[chan Event]struct{}
}

// Subscribe returns a channel receiving the events from now on (buffer of them held for a
// slow reader, the rest dropped) and a function that ends the subscription.
func (a *Assistant) Subscribe(buffer int) (<-chan Event, func()) {
	if buffer < 1 {
		buffer = 1
	}
	ch := make(chan Event, buffer)
	a.events.mu.Lock()
	if a.events.subs == nil {
		a.events.subs = map[chan Event]struct{}{}
	}
	a.events.subs[ch] = struct{}{}
	a.events.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			a.events.mu.Lock()
			delete(a.events.subs, ch)
			a.events.mu.Unlock()
		})
	}
}

func (a *Assistant) publish(e Event) {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	a.events.mu.Lock()
	defer a.events.mu.Unlock()
	for ch := range a.events.subs {
		select {
		case ch <- e:
		default:
		}
	}
}

// SetDeliverer makes d the way operators' messages reach people on channel; cmd sets one per
// messaging connector at start.
func (a *Assistant) SetDeliverer(channel string, d Deliverer) {
	a.deliverMu.Lock()
	defer a.deliverMu.Unlock()
	if a.deliverers == nil {
		a.deliverers = map[string]Deliverer{}
	}
	a.deliverers[channel] = d
}

func (a *Assistant) deliverer(channel string) Deliverer {
	a.deliverMu.RLock()
	defer a.deliverMu.RUnlock()
	return a.deliverers[channel]
}

// Conversation returns a conversation for the console: any channel's, platform users'
// included. ErrUnknownSession when there is none.
func (a *Assistant) Conversation(ctx context.Context, id string) (knowledge.Session, error) {
	sess, err := a.store.Session(ctx, id)
	if errors.Is(err, knowledge.ErrNotFound) {
		return sess, fmt.Errorf("%w: %s", ErrUnknownSession, id)
	}
	if err != nil {
		return sess, fmt.Errorf("conversation: %w", err)
	}
	return sess, nil
}

// ReplyWindow says what the conversation's platform allows now; a channel without a
// Deliverer (the web chat, the API) is always open.
func (a *Assistant) ReplyWindow(ctx context.Context, sess knowledge.Session) (Window, error) {
	d := a.deliverer(sess.Channel)
	if d == nil {
		return Window{Open: true, FreeLeft: -1}, nil
	}
	msgs, err := a.store.Messages(ctx, sess.ID, 200)
	if err != nil {
		return Window{}, fmt.Errorf("reply window: %w", err)
	}
	var last time.Time
	sent := 0
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == knowledge.RoleUser {
			last = msgs[i].CreatedAt
			break
		}
		if msgs[i].Status != knowledge.StatusUndelivered {
			sent++
		}
	}
	return d.Window(last, sent, time.Now()), nil
}

// TakeOver gives the conversation to operator: the assistant stops answering there and the
// person is told that a member of staff has joined. It returns ErrTakenOver when another
// operator holds it (taking it over again oneself is not an error) and ErrUnknownSession.
func (a *Assistant) TakeOver(ctx context.Context, id, operator string) error {
	sess, err := a.Conversation(ctx, id)
	if err != nil {
		return err
	}
	if sess.Operator == operator {
		return nil
	}
	if err := a.store.SetOperator(ctx, id, "", operator); errors.Is(err, knowledge.ErrConflict) {
		return fmt.Errorf("%w: %s", ErrTakenOver, id)
	} else if err != nil {
		return fmt.Errorf("take over: %w", err)
	}
	sess.Operator = operator
	a.publish(Event{Kind: EventTakenOver, SessionID: id, Channel: sess.Channel, Operator: operator})
	a.notice(ctx, sess, NoticeJoined)
	a.logger.InfoContext(ctx, "conversation taken over", slog.String("session", id), slog.String("operator", operator))
	return nil
}

// HandBack returns the conversation to the assistant, which answers the person's next
// message with the operator's turns in the conversation's history. ErrNotHolder when operator
// does not hold it.
func (a *Assistant) HandBack(ctx context.Context, id, operator string) error {
	sess, err := a.Conversation(ctx, id)
	if err != nil {
		return err
	}
	if err := a.store.SetOperator(ctx, id, operator, ""); errors.Is(err, knowledge.ErrConflict) {
		return fmt.Errorf("%w: %s", ErrNotHolder, id)
	} else if err != nil {
		return fmt.Errorf("hand back: %w", err)
	}
	sess.Operator = ""
	a.publish(Event{Kind: EventHandedBack, SessionID: id, Channel: sess.Channel, Operator: operator})
	a.notice(ctx, sess, NoticeLeft)
	a.logger.InfoContext(ctx, "conversation handed back", slog.String("session", id), slog.String("operator", operator))
	return nil
}

// MaxOperatorRunes bounds one operator message.
const MaxOperatorRunes = 4000

// WriteAsOperator sends text from operator, who holds the conversation, to the person on
// their channel, and stores it (masked) in the conversation. It returns ErrInvalidRequest for
// empty or oversized text, ErrNotHolder, ErrWindowClosed (nothing stored) and ErrNotDelivered
// (stored, marked undelivered, with the platform's reason).
func (a *Assistant) WriteAsOperator(ctx context.Context, id, operator, text string) (knowledge.Message, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "" || !utf8.ValidString(text):
		return knowledge.Message{}, fmt.Errorf("%w: text is empty or not valid UTF-8", ErrInvalidRequest)
	case utf8.RuneCountInString(text) > MaxOperatorRunes:
		return knowledge.Message{}, fmt.Errorf("%w: text is longer than %d characters", ErrInvalidRequest, MaxOperatorRunes)
	}
	sess, err := a.Conversation(ctx, id)
	if err != nil {
		return knowledge.Message{}, err
	}
	if sess.Operator != operator {
		return knowledge.Message{}, fmt.Errorf("%w: %s", ErrNotHolder, id)
	}
	win, err := a.ReplyWindow(ctx, sess)
	if err != nil {
		return knowledge.Message{}, err
	}
	if !win.Open {
		return knowledge.Message{}, fmt.Errorf("%w: %s", ErrWindowClosed, win.Note)
	}
	m := knowledge.Message{SessionID: id, Role: knowledge.RoleOperator, Text: MaskPersonalData(text), Status: knowledge.StatusComplete}
	if err := a.store.AddMessage(ctx, &m); err != nil {
		return knowledge.Message{}, fmt.Errorf("write as operator: %w", err)
	}
	if err := a.deliver(ctx, sess, &m, text); err != nil {
		return m, err
	}
	return m, nil
}

// RequestHuman puts the conversation in the queue of those asking for a member of staff and
// tells the person so; it returns the notice as stored. A conversation an operator holds is
// left as it is (no notice).
func (a *Assistant) RequestHuman(ctx context.Context, id string) (knowledge.Message, error) {
	sess, err := a.Conversation(ctx, id)
	if err != nil {
		return knowledge.Message{}, err
	}
	if sess.Operator != "" {
		return knowledge.Message{}, nil
	}
	return a.requestHuman(ctx, sess)
}

func (a *Assistant) requestHuman(ctx context.Context, sess knowledge.Session) (knowledge.Message, error) {
	if err := a.store.RequestHuman(ctx, sess.ID, time.Now()); err != nil {
		return knowledge.Message{}, fmt.Errorf("request human: %w", err)
	}
	m := knowledge.Message{SessionID: sess.ID, Role: knowledge.RoleNotice, Text: NoticeRequested, Status: knowledge.StatusComplete}
	if err := a.store.AddMessage(ctx, &m); err != nil {
		return knowledge.Message{}, fmt.Errorf("request human: %w", err)
	}
	// The notice goes back as the reply to the request (not as an event: the person's own
	// client shows it once).
	a.publish(Event{Kind: EventHumanRequested, SessionID: sess.ID, Channel: sess.Channel})
	return m, nil
}

// notice stores a notice in the conversation and delivers it; a notice that cannot be
// delivered is marked so and logged, it fails nothing.
func (a *Assistant) notice(ctx context.Context, sess knowledge.Session, text string) {
	m := knowledge.Message{SessionID: sess.ID, Role: knowledge.RoleNotice, Text: text, Status: knowledge.StatusComplete}
	if err := a.store.AddMessage(ctx, &m); err != nil {
		a.logger.ErrorContext(ctx, "store takeover notice", slog.String("session", sess.ID), slog.Any("error", err))
		return
	}
	if err := a.deliver(ctx, sess, &m, text); err != nil {
		a.logger.WarnContext(ctx, "takeover notice not delivered", slog.String("session", sess.ID), slog.Any("error", err))
	}
}

// deliver sends a stored message (text as written) through the channel's Deliverer, if any,
// and publishes it; a failure marks the message undelivered and returns ErrNotDelivered.
func (a *Assistant) deliver(ctx context.Context, sess knowledge.Session, m *knowledge.Message, text string) error {
	var err error
	if d := a.deliverer(sess.Channel); d != nil {
		if sess.Address == "" {
			err = errors.New("the person's address on the platform is not known (they wrote before takeover was possible)")
		} else {
			err = d.Deliver(ctx, sess, m.Role, text)
		}
	}
	if err != nil {
		m.Status, m.Detail = knowledge.StatusUndelivered, sess.Channel+": "+err.Error()
		if serr := a.store.SetMessageStatus(context.WithoutCancel(ctx), m.ID, m.Status, m.Detail); serr != nil {
			a.logger.ErrorContext(ctx, "record undelivered message", slog.String("message", m.ID), slog.Any("error", serr))
		}
	}
	shown := *m
	shown.Text = text
	a.publish(Event{Kind: EventMessage, SessionID: sess.ID, Channel: sess.Channel, Operator: sess.Operator, Message: &shown})
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotDelivered, err)
	}
	return nil
}

// reAskForStaff matches, in a folded lower-case message, a request to talk to a person: the
// message opens with it or a wish introduces it ("cho tôi gặp cán bộ", "muốn nói chuyện với
// nhân viên", "chuyển sang người thật"), so that a story ("tôi đã gặp cán bộ xã…") is not one.
var reAskForStaff = regexp.MustCompile(`(^|\b(muon|cho|xin|can|duoc|hay|vui long|de nghi|lam on)\s+(toi\s+|minh\s+|em\s+|duoc\s+)?)` +
	`(gap|noi chuyen (voi|cung)|chat (voi|cung)|trao doi (voi|cung)|ket noi (voi|toi)|chuyen (cho|sang|toi|den|qua))\s+` +
	`(mot\s+|1\s+|voi\s+)?(can bo|nhan vien|tong dai vien|tu van vien|nguoi that|nguoi ho tro|nguoi truc|chuyen vien)\b`)

// asksForStaff reports whether a message is a request for a member of staff rather than a
// question: a short message asking to meet, talk to or be passed to a person.
func asksForStaff(msg string) bool {
	k := strings.Join(strings.Fields(vietnamese.Key(msg)), " ")
	if len(strings.Fields(k)) > 16 {
		return false
	}
	return reAskForStaff.MatchString(k)
}
