package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/web"
)

// gatedAsker is the real assistant whose stream stops after the first delta until release
// is closed.
type gatedAsker struct {
	web.Assistant
	first   chan struct{} // closed once the first delta is out
	release chan struct{}
}

func newGatedAsker(a web.Assistant) *gatedAsker {
	return &gatedAsker{Assistant: a, first: make(chan struct{}), release: make(chan struct{})}
}

func (g *gatedAsker) Ask(ctx context.Context, req assistant.Request, onDelta func(string)) (assistant.Reply, error) {
	n := 0
	return g.Assistant.Ask(ctx, req, func(d string) {
		if n++; n == 2 {
			close(g.first)
			<-g.release
		}
		onDelta(d)
	})
}

// floodAsker streams n deltas of the given text at once in place of the real answer's.
type floodAsker struct {
	web.Assistant
	n    int
	text string
}

func (f floodAsker) Ask(ctx context.Context, req assistant.Request, onDelta func(string)) (assistant.Reply, error) {
	req.Message = askBirthFee
	flooded := false
	return f.Assistant.Ask(ctx, req, func(string) {
		for ; !flooded && f.n > 0; f.n-- {
			onDelta(f.text)
		}
		flooded = true
	})
}

func TestAnswerStreams(t *testing.T) {
	st := newStack(t)
	srv, _ := st.serve(t, web.Config{}, nil)
	for _, q := range []string{askBirthFee, askResidenceFee, askOnlineRate} {
		t.Run(q, func(t *testing.T) {
			c := dial(t, srv, "")
			if f := expect(t, c, "session"); f.SessionID != "" {
				t.Fatalf("a new connection has session %q before any message", f.SessionID)
			}
			send(t, c, map[string]string{"type": "message", "text": q})
			sess := expect(t, c, "session")
			if sess.SessionID == "" {
				t.Fatal("no session ID after the first message")
			}
			var deltas []wsFrame
			var answer wsFrame
			for answer.Type == "" {
				switch f := read(t, c); f.Type {
				case "delta":
					deltas = append(deltas, f)
				case "answer":
					answer = f
				default:
					t.Fatalf("unexpected frame %s", f.raw)
				}
			}
			if len(deltas) == 0 {
				t.Fatal("the answer came without deltas")
			}
			var text strings.Builder
			for _, d := range deltas {
				if d.MessageID != answer.MessageID {
					t.Errorf("delta of message %q, answer of %q", d.MessageID, answer.MessageID)
				}
				text.WriteString(d.Text)
			}
			if text.String() != answer.Answer {
				t.Errorf("deltas say %q, answer says %q", text.String(), answer.Answer)
			}
			if !answer.Grounded || len(answer.Citations) == 0 {
				t.Errorf("answer not grounded or without citations: %s", answer.raw)
			}

			// The answer frame is the REST reply plus its type.
			body, _ := json.Marshal(map[string]string{"message": q})
			resp, err := http.Post(srv.URL+"/api/v1/chat", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var rest map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&rest); err != nil {
				t.Fatal(err)
			}
			var frame map[string]any
			if err := json.Unmarshal(answer.raw, &frame); err != nil {
				t.Fatal(err)
			}
			if frame["type"] != "answer" {
				t.Errorf("type = %v", frame["type"])
			}
			delete(frame, "type")
			if got, want := slices.Sorted(maps.Keys(frame)), slices.Sorted(maps.Keys(rest)); !slices.Equal(got, want) {
				t.Errorf("answer frame fields %v, REST reply fields %v", got, want)
			}
			if frame["answer"] != rest["answer"] {
				t.Errorf("websocket answer %q, REST answer %q", frame["answer"], rest["answer"])
			}
			if frame["session_id"] != sess.SessionID {
				t.Errorf("answer of session %v, want %s", frame["session_id"], sess.SessionID)
			}
		})
	}
}

func TestConversationResumes(t *testing.T) {
	st := newStack(t)
	t.Run("mid-answer", func(t *testing.T) {
		gate := newGatedAsker(st.assistant)
		srv, _ := st.serve(t, web.Config{}, gate)
		a := dial(t, srv, "")
		expect(t, a, "session")
		send(t, a, map[string]string{"type": "message", "text": askResidenceFee})
		sid := expect(t, a, "session").SessionID
		first := expect(t, a, "delta")
		<-gate.first
		a.UnderlyingConn().Close() // the phone loses its network

		b := dial(t, srv, "?session_id="+sid)
		if f := expect(t, b, "session"); f.SessionID != sid {
			t.Fatalf("resumed session %q, want %q", f.SessionID, sid)
		}
		h := expect(t, b, "history")
		if len(h.Messages) != 2 || h.Messages[0].Role != "user" || h.Messages[0].Text != askResidenceFee ||
			h.Messages[1].Status != knowledge.StatusStreaming || h.Messages[1].ID != first.MessageID {
			t.Fatalf("history %s", h.raw)
		}
		if f := expect(t, b, "delta"); f.Text != first.Text || f.MessageID != first.MessageID {
			t.Fatalf("catch-up delta %s, want the text so far %q", f.raw, first.Text)
		}
		close(gate.release)
		rest, answer := answerOf(t, b)
		if first.Text+rest != answer.Answer || answer.MessageID != first.MessageID {
			t.Fatalf("resumed stream %q + %q, answer %s", first.Text, rest, answer.raw)
		}
	})
	t.Run("answer finished while away", func(t *testing.T) {
		gate := newGatedAsker(st.assistant)
		srv, _ := st.serve(t, web.Config{}, gate)
		a := dial(t, srv, "")
		expect(t, a, "session")
		send(t, a, map[string]string{"type": "message", "text": askBirthFee})
		sid := expect(t, a, "session").SessionID
		expect(t, a, "delta")
		<-gate.first
		a.Close()
		close(gate.release)
		last := waitStored(t, st, sid)
		b := dial(t, srv, "?session_id="+sid)
		expect(t, b, "session")
		h := expect(t, b, "history")
		if n := len(h.Messages); n != 2 || h.Messages[1].Status != knowledge.StatusComplete || h.Messages[1].Text != last.Text {
			t.Fatalf("history %s, want the stored answer %q", h.raw, last.Text)
		}
		send(t, b, map[string]string{"type": "ping"})
		expect(t, b, "pong") // nothing else was queued
	})
	zalo := knowledge.Session{Channel: "zalo", UserKey: "k1", Audience: "citizen"}
	if err := st.store.CreateSession(context.Background(), &zalo); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, id string }{
		{"unknown session", "gone"},
		{"a messaging platform user's session", zalo.ID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := st.serve(t, web.Config{}, nil)
			c := dial(t, srv, "?session_id="+tt.id)
			if f := expect(t, c, "error"); f.Code != "unknown_session" {
				t.Fatalf("error %s", f.raw)
			}
			if f := expect(t, c, "session"); f.SessionID != "" {
				t.Fatalf("session %s", f.raw)
			}
			send(t, c, map[string]string{"type": "message", "text": askBirthFee, "session_id": tt.id})
			if f := expect(t, c, "error"); f.Code != "unknown_session" {
				t.Fatalf("message into it: %s", f.raw)
			}
		})
	}
}

func TestBadFrames(t *testing.T) {
	st := newStack(t)
	srv, _ := st.serve(t, web.Config{}, nil)
	tests := []struct {
		name   string
		binary bool
		frame  string
		code   string
	}{
		{"not JSON", false, "bonjour", "bad_frame"},
		{"binary", true, `{"type":"ping"}`, "bad_frame"},
		{"unknown type", false, `{"type":"subscribe"}`, "unknown_type"},
		{"empty message", false, `{"type":"message","text":"  "}`, "invalid_request"},
		{"unknown audience", false, `{"type":"message","text":"xin chào","audience":"robot"}`, "invalid_request"},
		{"too long for the assistant", false, `{"type":"message","text":"` + strings.Repeat("hỏi ", 700) + `"}`, "message_too_large"},
		{"feedback on nothing", false, `{"type":"feedback","message_id":"nope","rating":"up"}`, "unknown_message"},
		{"feedback without rating", false, `{"type":"feedback","message_id":"nope"}`, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, srv, "")
			expect(t, c, "session")
			typ := websocket.TextMessage
			if tt.binary {
				typ = websocket.BinaryMessage
			}
			if err := c.WriteMessage(typ, []byte(tt.frame)); err != nil {
				t.Fatal(err)
			}
			f := read(t, c)
			if f.Type == "session" { // a message creates the conversation before it fails
				f = read(t, c)
			}
			if f.Type != "error" || f.Code != tt.code || f.Message == "" {
				t.Fatalf("got %s, want an error frame with code %q", f.raw, tt.code)
			}
			send(t, c, map[string]string{"type": "ping"})
			expect(t, c, "pong")
		})
	}
	t.Run("repeated bad frames close with 1008", func(t *testing.T) {
		c := dial(t, srv, "")
		expect(t, c, "session")
		for range 5 {
			if err := c.WriteMessage(websocket.TextMessage, []byte("{")); err != nil {
				t.Fatal(err)
			}
		}
		if code, _ := closeCode(t, c, 5*time.Second); code != websocket.ClosePolicyViolation {
			t.Fatalf("close code %d, want 1008", code)
		}
	})
	t.Run("oversized frame closes with 1009", func(t *testing.T) {
		c := dial(t, srv, "")
		expect(t, c, "session")
		big := `{"type":"message","text":"` + strings.Repeat("a", 17<<10) + `"}`
		if err := c.WriteMessage(websocket.TextMessage, []byte(big)); err != nil {
			t.Fatal(err)
		}
		if code, _ := closeCode(t, c, 5*time.Second); code != websocket.CloseMessageTooBig {
			t.Fatalf("close code %d, want 1009", code)
		}
	})
}

func TestFeedbackFrame(t *testing.T) {
	st := newStack(t)
	srv, _ := st.serve(t, web.Config{}, nil)
	c := dial(t, srv, "")
	expect(t, c, "session")
	send(t, c, map[string]string{"type": "message", "text": askBirthFee})
	expect(t, c, "session")
	_, answer := answerOf(t, c)
	send(t, c, map[string]string{"type": "feedback", "message_id": answer.MessageID, "rating": "down", "comment": "Thiếu thời hạn, gọi tôi 0912345678"})
	if f := expect(t, c, "feedback_saved"); f.MessageID != answer.MessageID {
		t.Fatalf("feedback_saved %s", f.raw)
	}
	rating, comment := st.feedback(t, answer.MessageID)
	if rating != "down" || !strings.HasPrefix(comment, "Thiếu thời hạn") || strings.Contains(comment, "0912345678") {
		t.Fatalf("stored feedback %q %q (the phone number must be masked)", rating, comment)
	}
}

// TestDeleteConversationFrame checks that a client can erase its conversation: the server
// deletes it, says so and starts the socket on a new one; with no conversation yet there is
// nothing to delete, and the erased one cannot be resumed.
func TestDeleteConversationFrame(t *testing.T) {
	st := newStack(t)
	srv, _ := st.serve(t, web.Config{}, nil)
	c := dial(t, srv, "")
	expect(t, c, "session")
	send(t, c, map[string]string{"type": "delete_conversation"})
	if f := expect(t, c, "error"); f.Code != "unknown_session" {
		t.Fatalf("delete before any conversation: %s", f.raw)
	}
	send(t, c, map[string]string{"type": "message", "text": askBirthFee})
	sid := expect(t, c, "session").SessionID
	answerOf(t, c)
	send(t, c, map[string]string{"type": "delete_conversation"})
	if f := expect(t, c, "conversation_deleted"); f.SessionID != sid {
		t.Fatalf("conversation_deleted %s, want session %s", f.raw, sid)
	}
	if f := expect(t, c, "session"); f.SessionID != "" {
		t.Fatalf("after deleting, session frame %s: want a new conversation", f.raw)
	}
	if msgs, err := st.assistant.History(context.Background(), sid, 0); err != nil || len(msgs) != 0 {
		t.Fatalf("the deleted conversation has %d messages (%v)", len(msgs), err)
	}
	if err := st.assistant.CheckConversation(context.Background(), sid); !errors.Is(err, assistant.ErrUnknownSession) {
		t.Fatalf("the deleted conversation can be resumed: %v", err)
	}
	// The socket goes on with a new conversation.
	send(t, c, map[string]string{"type": "message", "text": askBirthFee})
	if next := expect(t, c, "session").SessionID; next == "" || next == sid {
		t.Fatalf("new session %q after deleting %q", next, sid)
	}
}

func TestSlowReaderIsDisconnected(t *testing.T) {
	st := newStack(t)
	srv, _ := st.serve(t, web.Config{WriteTimeout: 300 * time.Millisecond, SendQueue: 8}, floodAsker{st.assistant, 20000, strings.Repeat("x", 1024)})
	slow := dial(t, srv, "")
	expect(t, slow, "session")
	send(t, slow, map[string]string{"type": "message", "text": "?"})
	sid := expect(t, slow, "session").SessionID

	// The slow client, reading at last, finds its stream cut short, and its answer is still
	// stored complete.
	var err error
	for {
		var f wsFrame
		if f, err = tryRead(slow, 5*time.Second); err != nil {
			break
		}
		if f.Type == "answer" {
			t.Fatal("the slow client received the whole answer")
		}
	}
	t.Logf("slow client: %v", err)
	waitStored(t, st, sid)
}

// waitStored waits until the last message of a session is stored complete and returns it.
func waitStored(t *testing.T, st *stack, sid string) knowledge.Message {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		msgs, err := st.store.Messages(context.Background(), sid, 1)
		if err == nil && len(msgs) == 1 && msgs[0].Status == knowledge.StatusComplete {
			return msgs[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("answer never stored complete (%v): %+v", err, msgs)
		}
	}
}

func TestBurstReachesHealthyClient(t *testing.T) {
	// A burst of deltas longer than the send queue is coalesced, not a reason to disconnect.
	st := newStack(t)
	srv, _ := st.serve(t, web.Config{SendQueue: 4}, floodAsker{st.assistant, 500, "từ "})
	c := dial(t, srv, "")
	expect(t, c, "session")
	send(t, c, map[string]string{"type": "message", "text": "?"})
	expect(t, c, "session")
	text, answer := answerOf(t, c)
	if text != strings.Repeat("từ ", 500) || answer.MessageID == "" {
		t.Fatalf("got %d bytes of deltas, answer %s", len(text), answer.raw)
	}
}

func TestOrigins(t *testing.T) {
	st := newStack(t)
	srv, _ := st.serve(t, web.Config{AllowedOrigins: []string{"https://portal.example.gov.vn"}}, nil)
	tests := []struct {
		origin string
		ok     bool
	}{
		{"", true},
		{srv.URL, true},
		{"https://portal.example.gov.vn", true},
		{"https://PORTAL.example.gov.vn", true},
		{"https://evil.example", false},
		{"http://portal.example.gov.vn", false},
		{"null", false},
	}
	for _, tt := range tests {
		t.Run(tt.origin, func(t *testing.T) {
			hdr := http.Header{}
			if tt.origin != "" {
				hdr.Set("Origin", tt.origin)
			}
			c, resp, err := websocket.DefaultDialer.Dial(wsURL(srv, ""), hdr)
			if tt.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				c.Close()
				return
			}
			if err == nil {
				c.Close()
				t.Fatal("accepted")
			}
			if resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Fatalf("refusal %v, want 403", resp)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	st := newStack(t)
	t.Run("connections per address", func(t *testing.T) {
		srv, _ := st.serve(t, web.Config{MaxConnsPerIP: 2}, nil)
		dial(t, srv, "")
		c := dial(t, srv, "")
		_, resp, err := websocket.DefaultDialer.Dial(wsURL(srv, ""), nil)
		if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("third connection: %v %v, want 429", err, resp)
		}
		c.Close()
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			c, _, err := websocket.DefaultDialer.Dial(wsURL(srv, ""), nil)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("a closed connection's slot was not freed: %v", err)
			}
		}
	})
	t.Run("message rate", func(t *testing.T) {
		srv, _ := st.serve(t, web.Config{MessageRate: 0.001, MessageBurst: 2}, nil)
		c := dial(t, srv, "")
		expect(t, c, "session")
		for i := range 2 {
			send(t, c, map[string]string{"type": "message", "text": askBirthFee})
			if i == 0 {
				expect(t, c, "session")
			}
			answerOf(t, c)
		}
		send(t, c, map[string]string{"type": "message", "text": askBirthFee})
		if f := expect(t, c, "error"); f.Code != "rate_limited" {
			t.Fatalf("third message: %s", f.raw)
		}
		for range 4 {
			send(t, c, map[string]string{"type": "message", "text": askBirthFee})
		}
		if code, _ := closeCode(t, c, 5*time.Second); code != websocket.ClosePolicyViolation {
			t.Fatalf("close code %d after repeated rate limiting, want 1008", code)
		}
	})
	t.Run("busy session", func(t *testing.T) {
		gate := newGatedAsker(st.assistant)
		srv, _ := st.serve(t, web.Config{}, gate)
		c := dial(t, srv, "")
		expect(t, c, "session")
		send(t, c, map[string]string{"type": "message", "text": askBirthFee})
		expect(t, c, "session")
		expect(t, c, "delta")
		<-gate.first
		send(t, c, map[string]string{"type": "message", "text": askOnlineRate})
		if f := expect(t, c, "error"); f.Code != "busy" {
			t.Fatalf("second message while answering: %s", f.raw)
		}
		close(gate.release)
		answerOf(t, c)
	})
}

func TestConnectionLifetimes(t *testing.T) {
	st := newStack(t)
	tests := []struct {
		name string
		cfg  web.Config
		code int
		text string
	}{
		{"idle", web.Config{IdleTimeout: 200 * time.Millisecond, PingInterval: 50 * time.Millisecond}, websocket.CloseNormalClosure, "idle"},
		{"lifetime", web.Config{MaxLifetime: 200 * time.Millisecond, PingInterval: 50 * time.Millisecond}, websocket.CloseGoingAway, "lifetime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := st.serve(t, tt.cfg, nil)
			c := dial(t, srv, "")
			expect(t, c, "session")
			if code, text := closeCode(t, c, 3*time.Second); code != tt.code || text != tt.text {
				t.Fatalf("closed with %d %q, want %d %q", code, text, tt.code, tt.text)
			}
		})
	}
	t.Run("unanswered pings", func(t *testing.T) {
		srv, _ := st.serve(t, web.Config{PingInterval: 50 * time.Millisecond}, nil)
		c := dial(t, srv, "")
		expect(t, c, "session")
		c.SetPingHandler(func(string) error { return nil }) // a peer that has gone silent
		if code, text := closeCode(t, c, 3*time.Second); code != websocket.CloseGoingAway || text != "ping timeout" {
			t.Fatalf("closed with %d %q, want 1001 \"ping timeout\"", code, text)
		}
	})
	t.Run("shutdown", func(t *testing.T) {
		srv, h := st.serve(t, web.Config{}, nil)
		c := dial(t, srv, "")
		expect(t, c, "session")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		go h.Close(ctx)
		if code, _ := closeCode(t, c, 5*time.Second); code != websocket.CloseGoingAway {
			t.Fatalf("close code %d at shutdown, want 1001", code)
		}
		if _, resp, err := websocket.DefaultDialer.Dial(wsURL(srv, ""), nil); err == nil || resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("connection during shutdown: %v", err)
		}
	})
}
