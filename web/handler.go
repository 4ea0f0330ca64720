package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
)

// Config holds the web layer's settings. Zero fields take the defaults given in their comments.
type Config struct {
	// MaxQueryRunes bounds a search query (2000).
	MaxQueryRunes int

	// Title names the assistant on the page and in the widget ("Trợ lý ảo dịch vụ công").
	Title string
	// Color is the page's accent colour, "#rgb" or "#rrggbb" ("#a61b1b"); text on it is black
	// or white, whichever contrasts more.
	Color string
	// Hotline is where to call when the assistant cannot help, shown by the widget when the
	// assistant cannot be loaded ("Tổng đài dịch vụ công 1900 1096", as ASSISTANT_HOTLINE);
	// its first phone number becomes a tel: link.
	Hotline string
	// PrivacyURL is the operator's privacy notice (https://…), linked under the input box;
	// none when empty.
	PrivacyURL string
	// Starters are suggested first questions shown on an empty conversation.
	Starters []string
	// AllowedOrigins lists the other origins ("https://portal.example.gov.vn") allowed to open
	// the websocket and to frame the page (the widget). The page's own origin always is.
	AllowedOrigins []string

	// MaxConnsPerIP bounds the open websockets of one client address (20); -1 disables it.
	MaxConnsPerIP int
	// MessageRate is the sustained rate of chat and feedback frames one client address may send,
	// per second (0.5), with MessageBurst frames at once (10); -1 disables the limit.
	MessageRate  float64
	MessageBurst int
	// RealIPHeader names the header a trusted reverse proxy sets to the client address
	// ("X-Forwarded-For" or "X-Real-IP"; its last value is used). Empty: the peer address.
	RealIPHeader string

	// IdleTimeout closes a websocket after this long without a chat or feedback frame (15m).
	IdleTimeout time.Duration
	// MaxLifetime closes a websocket this long after it opened (4h); the page reconnects.
	MaxLifetime time.Duration
	// PingInterval is how often the server pings (25s); a client that has not answered within
	// twice that is dropped. Idle and lifetime limits are checked at the same ticks.
	PingInterval time.Duration
	// WriteTimeout bounds every websocket write (10s).
	WriteTimeout time.Duration
	// SendQueue is how many frames may wait for a slow client before it is disconnected (32).
	SendQueue int
	// MaxFrameBytes is the largest frame a client may send (16 KiB); larger ones close the
	// connection with 1009.
	MaxFrameBytes int64
	// HistoryLimit is how many messages are replayed when a conversation resumes (50).
	HistoryLimit int

	// AnswerTimeout bounds one answer, which runs on even when its client disconnects (2m);
	// keep it above the language model's timeout.
	AnswerTimeout time.Duration
	// MaxAnswers bounds the answers produced at once (64); the others wait their turn.
	MaxAnswers int

	// DebugVars serves GET /debug/vars (memory statistics, connection counts) to loopback
	// clients only. Off by default.
	DebugVars bool
}

// defaultHotline is the hotline of the national public-service portal, used when
// Config.Hotline is empty.
const defaultHotline = "Tổng đài dịch vụ công 1900 1096"

var colorPattern = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// Validate reports settings New cannot use; call it where the configuration is read.
func (c Config) Validate() error {
	var errs []error
	if c.Color != "" && !colorPattern.MatchString(c.Color) {
		errs = append(errs, fmt.Errorf("colour %q is not #rgb or #rrggbb", c.Color))
	}
	for _, o := range c.AllowedOrigins {
		if _, ok := parseOrigin(o); !ok {
			errs = append(errs, fmt.Errorf("allowed origin %q is not scheme://host[:port]", o))
		}
	}
	if c.PrivacyURL != "" {
		if u, err := url.Parse(c.PrivacyURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("privacy notice %q is not an http(s) address", c.PrivacyURL))
		}
	}
	if c.MaxFrameBytes != 0 && c.MaxFrameBytes < 1024 {
		errs = append(errs, fmt.Errorf("max frame bytes %d is below 1024", c.MaxFrameBytes))
	}
	if c.MessageRate < 0 && c.MessageRate != -1 {
		errs = append(errs, fmt.Errorf("message rate %g is negative", c.MessageRate))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("web: %w", err)
	}
	return nil
}

// parseOrigin returns an origin as the browser sends it (lowercase scheme://host[:port]).
func parseOrigin(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return "", false
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), true
}

// withDefaults fills zero fields and drops invalid ones (which Validate reports), logging them.
func (c Config) withDefaults(logger *slog.Logger) Config {
	if err := c.Validate(); err != nil {
		logger.Error("invalid web settings ignored", slog.Any("error", err))
	}
	setDefault(&c.MaxQueryRunes, 2000)
	if c.Title = strings.TrimSpace(c.Title); c.Title == "" {
		c.Title = "Trợ lý ảo dịch vụ công"
	}
	if !colorPattern.MatchString(c.Color) {
		c.Color = "#a61b1b"
	}
	if c.Hotline = strings.TrimSpace(c.Hotline); c.Hotline == "" {
		c.Hotline = defaultHotline
	}
	var origins []string
	for _, o := range c.AllowedOrigins {
		if o, ok := parseOrigin(o); ok {
			origins = append(origins, o)
		}
	}
	c.AllowedOrigins = origins
	var starters []string
	for _, s := range c.Starters {
		if s = strings.TrimSpace(s); s != "" {
			starters = append(starters, s)
		}
	}
	c.Starters = starters
	setDefault(&c.MaxConnsPerIP, 20)
	setDefault(&c.MessageRate, 0.5)
	setDefault(&c.MessageBurst, 10)
	setDefault(&c.IdleTimeout, 15*time.Minute)
	setDefault(&c.MaxLifetime, 4*time.Hour)
	setDefault(&c.PingInterval, 25*time.Second)
	setDefault(&c.WriteTimeout, 10*time.Second)
	setDefault(&c.SendQueue, 32)
	setDefault(&c.MaxFrameBytes, 16<<10)
	c.MaxFrameBytes = max(c.MaxFrameBytes, 1024)
	setDefault(&c.HistoryLimit, 50)
	setDefault(&c.AnswerTimeout, 2*time.Minute)
	setDefault(&c.MaxAnswers, 64)
	return c
}

func setDefault[T int | int64 | float64 | time.Duration](v *T, def T) {
	if *v == 0 {
		*v = def
	}
}

// Assistant answers questions, streaming the answer text to onDelta, and keeps the
// conversations. *assistant.Assistant is the implementation; tests wrap it to slow or flood
// the stream.
type Assistant interface {
	Ask(ctx context.Context, req assistant.Request, onDelta func(string)) (assistant.Reply, error)
	StartConversation(ctx context.Context, channel string, audience assistant.Audience) (string, error)
	CheckConversation(ctx context.Context, id string) error
	History(ctx context.Context, sessionID string, limit int) ([]knowledge.Message, error)
	HistoryCards(ctx context.Context, msgs []knowledge.Message) map[string]*assistant.Card
	Message(ctx context.Context, id string) (knowledge.Message, error)
	Rate(ctx context.Context, r assistant.Rating) error
	DeleteConversation(ctx context.Context, id string) error
	// RequestHuman queues the conversation for a member of staff (the page's button).
	RequestHuman(ctx context.Context, id string) (knowledge.Message, error)
	// Subscribe follows the conversations' events: what operators write reaches open sockets.
	Subscribe(buffer int) (<-chan assistant.Event, func())
}

// Handler serves the assistant over HTTP and websockets.
type Handler struct {
	cfg       Config
	assistant Assistant
	index     *knowledge.Index
	logger    *slog.Logger

	upgrader websocket.Upgrader
	page     *page
	clients  *clients

	mu        sync.Mutex
	sockets   map[*socket]struct{}
	bySession map[string]map[*socket]struct{} // sockets by the conversation they show
	closing   bool
	unfollow  func()         // ends the subscription to the assistant's events
	conns     sync.WaitGroup // open sockets

	streams       streams
	answers       sync.WaitGroup // running answers
	answerSlots   chan struct{}
	answerCtx     context.Context
	cancelAnswers context.CancelFunc
	answered      atomic.Int64
}

// New returns a handler; register its routes on a mux with Register and stop it with Close.
// Settings Validate rejects are logged and replaced by their defaults.
func New(cfg Config, asst Assistant, index *knowledge.Index, logger *slog.Logger) *Handler {
	cfg = cfg.withDefaults(logger)
	h := &Handler{
		cfg: cfg, assistant: asst, index: index, logger: logger,
		clients:     newClients(cfg.MaxConnsPerIP, cfg.MessageRate, cfg.MessageBurst),
		sockets:     map[*socket]struct{}{},
		bySession:   map[string]map[*socket]struct{}{},
		streams:     streams{bySession: map[string]*stream{}},
		answerSlots: make(chan struct{}, cfg.MaxAnswers),
	}
	h.answerCtx, h.cancelAnswers = context.WithCancel(context.Background())
	h.upgrader = websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   1024,
		WriteBufferSize:  4096,
		WriteBufferPool:  writeBufferPool,
		CheckOrigin:      h.checkOrigin,
	}
	h.page = newPage(cfg)
	events, unfollow := asst.Subscribe(256)
	h.unfollow = unfollow
	go h.follow(events)
	return h
}

// follow forwards to the open sockets of each conversation what a member of staff writes
// there and when one joins or leaves, until the subscription ends.
func (h *Handler) follow(events <-chan assistant.Event) {
	for e := range events {
		var f []byte
		switch {
		case e.Kind == assistant.EventMessage && e.Message != nil && (e.Message.Role == knowledge.RoleOperator || e.Message.Role == knowledge.RoleNotice):
			m := e.Message
			f = frame(staffFrame{Type: "staff_message", ID: m.ID, Role: m.Role, Text: m.Text, CreatedAt: m.CreatedAt})
		case e.Kind == assistant.EventTakenOver || e.Kind == assistant.EventHandedBack:
			f = frame(takeoverFrame{Type: "takeover", Active: e.Kind == assistant.EventTakenOver})
		default:
			continue
		}
		h.mu.Lock()
		for s := range h.bySession[e.SessionID] {
			s.enqueue(f)
		}
		h.mu.Unlock()
	}
}

// showing records that socket s shows conversation id ("" for none), for follow.
func (h *Handler) showing(s *socket, old, id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if set := h.bySession[old]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(h.bySession, old)
		}
	}
	if id == "" {
		return
	}
	set := h.bySession[id]
	if set == nil {
		set = map[*socket]struct{}{}
		h.bySession[id] = set
	}
	set[s] = struct{}{}
}

// writeBufferPool lends write buffers to sockets only while they write, so an idle socket
// holds none.
var writeBufferPool = &sync.Pool{}

// Close stops accepting websockets, closes the open ones with 1001 (going away) and waits
// until they are gone and the answers still running are stored, or until ctx ends, when it
// cancels those answers and returns ctx's error. Call it after http.Server.Shutdown, which
// does not track websockets.
func (h *Handler) Close(ctx context.Context) error {
	h.mu.Lock()
	h.closing = true
	h.unfollow()
	for s := range h.sockets {
		s.close(websocket.CloseGoingAway, "server shutting down")
	}
	h.mu.Unlock()
	done := make(chan struct{})
	go func() {
		h.conns.Wait()
		h.answers.Wait()
		close(done)
	}()
	select {
	case <-done:
		h.cancelAnswers()
		return nil
	case <-ctx.Done():
		h.cancelAnswers()
		return fmt.Errorf("web: close: %w", ctx.Err())
	}
}
