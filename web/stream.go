package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/trolyao/trolyao/assistant"
)

// streams holds the answers being produced, at most one per session, so that a client that
// reconnects finds the answer it was waiting for.
type streams struct {
	mu        sync.Mutex
	bySession map[string]*stream
}

// stream is one answer being produced. Its text goes to the sockets subscribed to it as delta
// frames. Deltas never wait for a client: one whose send queue is half full is skipped and
// later receives everything it missed as one delta (a socket that subscribes late starts that
// way); the other half of the queue is kept for the frames that must go, such as the answer
// frame, which holds the whole answer.
type stream struct {
	session string

	mu        sync.Mutex
	messageID string
	text      strings.Builder
	subs      []*subscriber
	final     []byte // the answer or error frame, once done
}

// subscriber is a socket receiving a stream and how much of its text it has been sent.
type subscriber struct {
	s    *socket
	sent int
}

// maxLag is how much answer text a client may fall behind before it is disconnected as slow.
const maxLag = 64 << 10

// start registers a new answer for session with s subscribed, or reports false when one is
// already being produced.
func (ss *streams) start(session string, s *socket) (*stream, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if _, busy := ss.bySession[session]; busy {
		return nil, false
	}
	st := &stream{session: session, subs: []*subscriber{{s: s}}}
	ss.bySession[session] = st
	return st, true
}

func (ss *streams) get(session string) *stream {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.bySession[session]
}

func (ss *streams) remove(st *stream) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.bySession[st.session] == st {
		delete(ss.bySession, st.session)
	}
}

func (ss *streams) len() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return len(ss.bySession)
}

// subscribe queues first (the session and history frames), then the answer so far, for s, and
// subscribes s to the rest, all under the stream's lock so that no delta slips between them.
func (st *stream) subscribe(s *socket, first ...[]byte) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, f := range first {
		s.enqueue(f)
	}
	if st.final != nil {
		s.enqueue(st.final)
		return
	}
	sub := &subscriber{s: s}
	st.subs = append(st.subs, sub)
	st.push(sub, false)
}

func (st *stream) unsubscribe(s *socket) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.subs = slices.DeleteFunc(st.subs, func(x *subscriber) bool { return x.s == s })
}

func (st *stream) delta(messageID, text string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.messageID == "" {
		st.messageID = messageID
	}
	st.text.WriteString(text)
	for _, sub := range st.subs {
		st.push(sub, false)
	}
}

// push offers a subscriber the text it has not been sent; last, it may use the whole queue.
func (st *stream) push(sub *subscriber, last bool) {
	n := st.text.Len()
	switch {
	case sub.sent == n:
	case n-sub.sent > maxLag:
		sub.s.close(closeSlow, "slow consumer")
	case !last && len(sub.s.send) >= cap(sub.s.send)/2: // the rest is kept for frames that must go
	case sub.s.offer(frame(deltaFrame{Type: "delta", MessageID: st.messageID, Text: st.text.String()[sub.sent:]})):
		sub.sent = n
	}
}

// finish sends the subscribers the text they missed, then the final frame, and keeps it for
// late ones.
func (st *stream) finish(final []byte) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.final = final
	for _, sub := range st.subs {
		st.push(sub, true)
		sub.s.enqueue(final)
	}
	st.subs = nil
}

// answer produces the answer of st in a context of its own, bounded by the answer timeout but
// not by any connection, so that it is stored complete even when its client is gone. It waits
// for one of the handler's answer slots and returns when the answer is done; Close waits for
// it.
func (h *Handler) answer(st *stream, req assistant.Request) {
	defer h.answers.Done()
	ctx, cancel := context.WithTimeout(h.answerCtx, h.cfg.AnswerTimeout)
	defer cancel()
	final := newErrorFrame("unavailable", "the assistant is busy; try again", "")
	defer func() {
		h.streams.remove(st)
		st.finish(final)
	}()
	select {
	case h.answerSlots <- struct{}{}:
		defer func() { <-h.answerSlots }()
	case <-ctx.Done():
		return
	}
	var id string
	req.OnStart = func(_, messageID string) { id = messageID }
	reply, err := h.assistant.Ask(ctx, req, func(text string) { st.delta(id, text) })
	if err != nil {
		status, code := askErrorStatus(err)
		if status == http.StatusInternalServerError {
			if !errors.Is(err, context.Canceled) {
				h.logger.Error("answer failed", slog.String("session", req.SessionID), slog.Any("error", err))
			}
			final = newErrorFrame(code, "internal error; try again", id)
			return
		}
		final = newErrorFrame(code, err.Error(), id)
		return
	}
	h.answered.Add(1)
	final = frame(answerFrame{Type: "answer", ChatReply: chatReply(reply)})
}
