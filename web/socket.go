package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
)

// Connection discipline.
const (
	// closeSlow: the client did not read fast enough and its send queue overflowed (1013, try
	// again later).
	closeSlow = websocket.CloseTryAgainLater
	// maxStrikes is how many bad or rate-limited frames a connection may send before it is
	// closed with 1008 (policy violation).
	maxStrikes = 5
	// closeGrace is how long the writer waits for the client's close frame before dropping the
	// TCP connection.
	closeGrace = time.Second
)

// socket is one websocket connection. One goroutine reads (run) and one writes (writeLoop);
// close cancels ctx, which both watch. Every frame to the client goes through send, a bounded
// queue: producers never block on a slow client.
type socket struct {
	h      *Handler
	ws     *websocket.Conn
	client *client
	send   chan []byte
	ctx    context.Context
	cancel context.CancelFunc
	opened time.Time
	active atomic.Int64 // unix nanoseconds of the last chat or feedback frame

	closeOnce sync.Once
	closeCode int
	closeText string

	// Owned by the reading goroutine.
	session string
	sub     *stream // the answer this socket receives, if any
	strikes int
}

// handleSocket upgrades the request and hands the connection to a reading goroutine of its
// own, so that the HTTP server's per-request state (buffers, request, response) is freed
// while the connection stays open.
func (h *Handler) handleSocket(w http.ResponseWriter, r *http.Request) {
	c, ok := h.clients.acquire(ClientAddr(r, h.cfg.RealIPHeader))
	if !ok {
		writeError(w, http.StatusTooManyRequests, "too_many_connections", "too many open connections from this address")
		return
	}
	resume := r.URL.Query().Get("session_id")
	if len(resume) > 128 {
		h.clients.release(c)
		writeError(w, http.StatusBadRequest, "invalid_request", "session_id is too long")
		return
	}
	h.mu.Lock()
	closing := h.closing
	if !closing {
		h.conns.Add(1)
	}
	h.mu.Unlock()
	if closing {
		h.clients.release(c)
		writeError(w, http.StatusServiceUnavailable, "shutting_down", "the server is restarting")
		return
	}
	ws, err := h.upgrader.Upgrade(w, r, nil) // answers the client itself on failure
	if err != nil {
		h.clients.release(c)
		h.conns.Done()
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &socket{h: h, ws: ws, client: c, send: make(chan []byte, h.cfg.SendQueue), ctx: ctx, cancel: cancel, opened: time.Now()}
	s.active.Store(s.opened.UnixNano())
	h.mu.Lock()
	if h.closing {
		s.close(websocket.CloseGoingAway, "server shutting down")
	}
	h.sockets[s] = struct{}{}
	h.mu.Unlock()
	go s.run(resume)
}

// checkOrigin lets browsers connect from the page's own origin and the allowed ones; clients
// that send no Origin (not browsers) are let through.
func (h *Handler) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	o, ok := parseOrigin(origin)
	if !ok {
		return false
	}
	if u := strings.TrimPrefix(strings.TrimPrefix(o, "https://"), "http://"); u == strings.ToLower(r.Host) {
		return true
	}
	for _, a := range h.cfg.AllowedOrigins {
		if o == a {
			return true
		}
	}
	return false
}

// run is the reading goroutine: it starts the writer, greets the client (resuming sessionID
// when given), reads frames until the socket closes, waits for the writer, and releases what
// the socket held.
func (s *socket) run(sessionID string) {
	h := s.h
	defer h.conns.Done()
	defer h.clients.release(s.client)
	defer func() {
		h.showing(s, s.session, "")
		h.mu.Lock()
		delete(h.sockets, s)
		h.mu.Unlock()
	}()
	readerDone, writerDone := make(chan struct{}), make(chan struct{})
	go s.writeLoop(readerDone, writerDone)
	s.greet(sessionID)
	s.readLoop()
	close(readerDone)
	<-writerDone
	if s.sub != nil {
		s.sub.unsubscribe(s)
	}
}

// close records why the socket closes (the first reason wins) and stops both goroutines; the
// writer sends the close frame.
func (s *socket) close(code int, text string) {
	s.closeOnce.Do(func() {
		s.closeCode, s.closeText = code, text
		s.cancel()
	})
}

// enqueue hands a frame to the writer without waiting; a client whose queue is full is
// disconnected.
func (s *socket) enqueue(frame []byte) {
	if !s.offer(frame) {
		s.close(closeSlow, "slow consumer")
	}
}

// offer hands a frame to the writer if its queue has room, reporting whether it had.
func (s *socket) offer(frame []byte) bool {
	select {
	case s.send <- frame:
		return true
	default:
		return false
	}
}

func (s *socket) readLoop() {
	pongWait := 2 * s.h.cfg.PingInterval
	s.ws.SetReadLimit(s.h.cfg.MaxFrameBytes)
	_ = s.ws.SetReadDeadline(time.Now().Add(pongWait))
	s.ws.SetPongHandler(func(string) error { return s.ws.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		typ, data, err := s.ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			var ne net.Error
			switch {
			case errors.Is(err, websocket.ErrReadLimit): // the library has sent 1009
				s.close(websocket.CloseMessageTooBig, "frame too large")
			case errors.As(err, &ce): // the library has answered the client's close frame
				s.close(websocket.CloseNormalClosure, "")
			case errors.As(err, &ne) && ne.Timeout():
				s.close(websocket.CloseGoingAway, "ping timeout")
			default:
				s.close(websocket.CloseAbnormalClosure, "")
			}
			return
		}
		_ = s.ws.SetReadDeadline(time.Now().Add(pongWait))
		if typ != websocket.TextMessage {
			s.strike("bad_frame", "frames are JSON text")
			continue
		}
		s.handle(data)
	}
}

// writeLoop writes queued frames and pings, and checks the idle and lifetime limits at every
// ping. When ctx ends it flushes what is queued (unless the client is the problem), sends the
// close frame, waits briefly for the client's, and closes the connection.
func (s *socket) writeLoop(readerDone <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	defer s.ws.Close()
	cfg := s.h.cfg
	ping := time.NewTicker(cfg.PingInterval)
	defer ping.Stop()
	write := func(msg []byte) error {
		_ = s.ws.SetWriteDeadline(time.Now().Add(cfg.WriteTimeout))
		return s.ws.WriteMessage(websocket.TextMessage, msg)
	}
	for {
		select {
		case msg := <-s.send:
			if err := write(msg); err != nil {
				s.close(websocket.CloseAbnormalClosure, "")
				return
			}
		case now := <-ping.C:
			switch {
			case now.Sub(time.Unix(0, s.active.Load())) > cfg.IdleTimeout:
				s.close(websocket.CloseNormalClosure, "idle")
			case now.Sub(s.opened) > cfg.MaxLifetime:
				s.close(websocket.CloseGoingAway, "lifetime")
			default:
				if err := s.ws.WriteControl(websocket.PingMessage, nil, now.Add(cfg.WriteTimeout)); err != nil {
					s.close(websocket.CloseAbnormalClosure, "")
					return
				}
			}
		case <-s.ctx.Done():
			if s.closeCode == websocket.CloseAbnormalClosure {
				return
			}
			if s.closeCode != closeSlow {
				s.flush(write)
			}
			msg := websocket.FormatCloseMessage(s.closeCode, s.closeText)
			if err := s.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(cfg.WriteTimeout)); err == nil {
				t := time.NewTimer(closeGrace)
				select {
				case <-readerDone:
				case <-t.C:
				}
				t.Stop()
			}
			return
		}
	}
}

// flush writes the frames already queued, so that an error frame precedes the close.
func (s *socket) flush(write func([]byte) error) {
	for {
		select {
		case msg := <-s.send:
			if write(msg) != nil {
				return
			}
		default:
			return
		}
	}
}

// strike answers a bad frame with an error frame and closes the connection with 1008 when
// the client keeps sending them.
func (s *socket) strike(code, msg string) {
	s.enqueue(newErrorFrame(code, msg, ""))
	if s.strikes++; s.strikes >= maxStrikes {
		s.close(websocket.ClosePolicyViolation, "too many bad frames")
	}
}

func (s *socket) handle(data []byte) {
	var f inFrame
	if err := json.Unmarshal(data, &f); err != nil {
		s.strike("bad_frame", "frame is not a JSON object of this protocol")
		return
	}
	switch f.Type {
	case "ping":
		s.enqueue(pongFrame)
	case "message":
		s.onMessage(f)
	case "feedback":
		s.onFeedback(f)
	case "delete_conversation":
		s.onDelete()
	case "request_human":
		s.onRequestHuman(f)
	default:
		s.strike("unknown_type", fmt.Sprintf("unknown frame type %q (message, feedback, delete_conversation, request_human, ping)", f.Type))
	}
}

// onDelete erases the socket's conversation at the person's request, then starts the socket
// on a new one. An answer still being written is not interrupted: the person is asked to wait.
func (s *socket) onDelete() {
	if s.session == "" {
		s.enqueue(newErrorFrame("unknown_session", "there is no conversation to delete", ""))
		return
	}
	if s.h.streams.get(s.session) != nil {
		s.enqueue(newErrorFrame("busy", "an answer is being written; delete the conversation when it is done", ""))
		return
	}
	deleted := s.session
	err := s.h.assistant.DeleteConversation(s.ctx, deleted)
	if err != nil && !errors.Is(err, assistant.ErrUnknownSession) {
		s.h.logger.Error("delete conversation", slog.Any("error", err))
		s.enqueue(newErrorFrame("internal", "the conversation could not be deleted", ""))
		return
	}
	if s.sub != nil {
		s.sub.unsubscribe(s)
		s.sub = nil
	}
	s.setSession("")
	s.enqueue(frame(deletedFrame{Type: "conversation_deleted", SessionID: deleted}))
	s.enqueue(frame(sessionFrame{Type: "session"}))
}

// greet sends the session frame and, when the client resumes a conversation, its history,
// then subscribes the socket to the answer still being produced for it, if any.
func (s *socket) greet(sessionID string) {
	if sessionID == "" {
		s.enqueue(frame(sessionFrame{Type: "session"}))
		return
	}
	err := s.h.assistant.CheckConversation(s.ctx, sessionID)
	if errors.Is(err, assistant.ErrUnknownSession) {
		s.enqueue(newErrorFrame("unknown_session", "no such conversation; a new one starts", ""))
		s.enqueue(frame(sessionFrame{Type: "session"}))
		return
	}
	if err == nil {
		err = s.resume(sessionID)
	}
	if err != nil {
		s.h.logger.Error("resume conversation", slog.Any("error", err))
		s.enqueue(newErrorFrame("internal", "the conversation could not be loaded", ""))
		s.enqueue(frame(sessionFrame{Type: "session"}))
	}
}

// resume replays a session's history and subscribes to its answer in progress. A message the
// history shows streaming is either that answer (its frames follow) or one whose production
// ended: it is read again, complete or interrupted.
func (s *socket) resume(sessionID string) error {
	msgs, err := s.h.assistant.History(s.ctx, sessionID, s.h.cfg.HistoryLimit)
	if err != nil {
		return err
	}
	s.setSession(sessionID)
	hello := frame(sessionFrame{Type: "session", SessionID: sessionID})
	st := s.h.streams.get(sessionID)
	for i, m := range msgs {
		if m.Status != knowledge.StatusStreaming || (st != nil && i == len(msgs)-1) {
			continue
		}
		if m, err = s.h.assistant.Message(s.ctx, m.ID); err != nil {
			return fmt.Errorf("history: %w", err)
		}
		if m.Status == knowledge.StatusStreaming {
			m.Status = statusInterrupted
		}
		msgs[i] = m
	}
	history := newHistoryFrame(sessionID, msgs, s.h.assistant.HistoryCards(s.ctx, msgs))
	if st == nil {
		s.enqueue(hello)
		s.enqueue(history)
		return nil
	}
	st.subscribe(s, hello, history)
	s.sub = st
	return nil
}

func (s *socket) onMessage(f inFrame) {
	now := time.Now()
	s.active.Store(now.UnixNano())
	if !s.client.allow(now) {
		s.strike("rate_limited", "too many messages; wait a moment")
		return
	}
	text := strings.TrimSpace(f.Text)
	if text == "" {
		s.enqueue(newErrorFrame("invalid_request", "text is required", ""))
		return
	}
	aud, err := assistant.ParseAudience(f.Audience)
	if err != nil {
		s.enqueue(newErrorFrame("invalid_request", `audience must be "citizen" or "staff"`, ""))
		return
	}
	if f.SessionID != "" && f.SessionID != s.session {
		if s.session != "" {
			s.enqueue(newErrorFrame("invalid_request", "session_id is not this connection's conversation", ""))
			return
		}
		if err := s.h.assistant.CheckConversation(s.ctx, f.SessionID); err != nil {
			if errors.Is(err, assistant.ErrUnknownSession) {
				s.enqueue(newErrorFrame("unknown_session", "no such conversation", ""))
				return
			}
			s.internal("load session", err)
			return
		}
		s.setSession(f.SessionID)
		s.enqueue(frame(sessionFrame{Type: "session", SessionID: s.session}))
	}
	if s.session == "" {
		id, err := s.h.assistant.StartConversation(s.ctx, "web", aud)
		if err != nil {
			s.internal("create session", err)
			return
		}
		s.setSession(id)
		s.enqueue(frame(sessionFrame{Type: "session", SessionID: s.session}))
	}
	st, ok := s.h.streams.start(s.session, s)
	if !ok {
		s.enqueue(newErrorFrame("busy", "the previous answer is still being written", ""))
		return
	}
	if s.sub != nil {
		s.sub.unsubscribe(s)
	}
	s.sub = st
	s.h.answers.Add(1)
	go s.h.answer(st, assistant.Request{Message: text, SessionID: s.session, Audience: aud, Channel: "web"})
}

// setSession makes id the conversation the socket shows (owned by the reading goroutine) and
// tells the handler, which forwards staff messages to it.
func (s *socket) setSession(id string) {
	old := s.session
	s.session = id
	s.h.showing(s, old, id)
}

// onRequestHuman queues the conversation for a member of staff (starting one when the socket
// has none); the notice comes back as a staff_message frame.
func (s *socket) onRequestHuman(f inFrame) {
	now := time.Now()
	s.active.Store(now.UnixNano())
	if !s.client.allow(now) {
		s.strike("rate_limited", "too many messages; wait a moment")
		return
	}
	if s.session == "" {
		aud, err := assistant.ParseAudience(f.Audience)
		if err != nil {
			s.enqueue(newErrorFrame("invalid_request", `audience must be "citizen" or "staff"`, ""))
			return
		}
		id, err := s.h.assistant.StartConversation(s.ctx, "web", aud)
		if err != nil {
			s.internal("create session", err)
			return
		}
		s.setSession(id)
		s.enqueue(frame(sessionFrame{Type: "session", SessionID: s.session}))
	}
	m, err := s.h.assistant.RequestHuman(s.ctx, s.session)
	if err != nil {
		s.internal("request human", err)
		return
	}
	if m.ID != "" {
		s.enqueue(frame(staffFrame{Type: "staff_message", ID: m.ID, Role: m.Role, Text: m.Text, CreatedAt: m.CreatedAt}))
	}
}

func (s *socket) onFeedback(f inFrame) {
	now := time.Now()
	s.active.Store(now.UnixNano())
	if !s.client.allow(now) {
		s.strike("rate_limited", "too many messages; wait a moment")
		return
	}
	err := s.h.rate(s.ctx, feedbackRequest{MessageID: f.MessageID, Rating: f.Rating, Comment: f.Comment}, s.session)
	if err == nil {
		s.enqueue(frame(feedbackSavedFrame{Type: "feedback_saved", MessageID: f.MessageID}))
		return
	}
	if _, code, msg, ok := feedbackError(err); ok {
		s.enqueue(newErrorFrame(code, msg, f.MessageID))
		return
	}
	s.internal("save feedback", err)
}

// internal logs a failure and tells the client without details.
func (s *socket) internal(what string, err error) {
	if s.ctx.Err() != nil {
		return
	}
	s.h.logger.Error(what, slog.Any("error", err))
	s.enqueue(newErrorFrame("internal", "internal error; try again", ""))
}
