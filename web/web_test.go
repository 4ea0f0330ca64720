package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/sample"
	"github.com/trolyao/trolyao/knowledge/sqlite"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
	"github.com/trolyao/trolyao/web"
)

// Questions the sample knowledge base answers.
const (
	askBirthFee     = "Đăng ký khai sinh có mất phí không?"
	askResidenceFee = "Lệ phí đăng ký tạm trú trực tuyến bao nhiêu?"
	askOnlineRate   = "Tỷ lệ hồ sơ giải quyết trực tuyến cấp xã của tỉnh Thái Sơn?"
)

// stack is the real assistant over the sample knowledge base in a fresh embedded store.
type stack struct {
	dbPath    string
	store     *sqlite.Store
	index     *knowledge.Index
	assistant *assistant.Assistant
	logger    *slog.Logger
}

func newStack(t testing.TB) *stack {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	path := filepath.Join(t.TempDir(), "kb.db")
	store, err := sqlite.Open(ctx, path, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	a := vietnamese.NewAnalyzer(nil)
	emb := knowledge.NewHashEmbedder(a, 256)
	if err := knowledge.EnsureEmbeddings(ctx, store, emb, emb.Info(), logger); err != nil {
		t.Fatal(err)
	}
	index := knowledge.NewIndex(store, a, emb, logger)
	if _, err := sample.Ingest(ctx, knowledge.NewIngester(store, knowledge.NewChunker(a), emb, logger)); err != nil {
		t.Fatal(err)
	}
	return &stack{dbPath: path, store: store, index: index, assistant: assistant.New(assistant.DefaultConfig(), index, store, a, nil, logger), logger: logger}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// serve starts the web handler on a test server; asker nil means the real assistant.
func (st *stack) serve(t testing.TB, cfg web.Config, asker web.Assistant) (*httptest.Server, *web.Handler) {
	t.Helper()
	if asker == nil {
		asker = st.assistant
	}
	h := web.New(cfg, asker, st.index, st.logger)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.Close(ctx); err != nil {
			t.Errorf("close handler: %v", err)
		}
		srv.Close()
	})
	return srv, h
}

// feedback returns the stored rating and comment of a message.
func (st *stack) feedback(t testing.TB, messageID string) (rating, comment string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+st.dbPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.QueryRow(`SELECT rating, comment FROM feedback WHERE message_id = ?`, messageID).Scan(&rating, &comment)
	if err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	return rating, comment
}

// wsFrame is any server frame, decoded.
type wsFrame struct {
	Type      string         `json:"type"`
	SessionID string         `json:"session_id"`
	MessageID string         `json:"message_id"`
	Text      string         `json:"text"`
	Answer    string         `json:"answer"`
	Grounded  bool           `json:"grounded"`
	Citations []web.Citation `json:"citations"`
	Code      string         `json:"code"`
	Message   string         `json:"message"`
	Messages  []struct {
		ID, Role, Text, Status string
	} `json:"messages"`
	raw []byte
}

func wsURL(srv *httptest.Server, query string) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws/chat" + query
}

func dial(t testing.TB, srv *httptest.Server, query string) *websocket.Conn {
	t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial(wsURL(srv, query), nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial: %v (HTTP %d)", err, status)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func send(t testing.TB, c *websocket.Conn, v any) {
	t.Helper()
	if err := c.WriteJSON(v); err != nil {
		t.Fatalf("send: %v", err)
	}
}

func read(t testing.TB, c *websocket.Conn) wsFrame {
	t.Helper()
	f, err := tryRead(c, 10*time.Second)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return f
}

func tryRead(c *websocket.Conn, wait time.Duration) (wsFrame, error) {
	_ = c.SetReadDeadline(time.Now().Add(wait))
	_, data, err := c.ReadMessage()
	if err != nil {
		return wsFrame{}, err
	}
	f := wsFrame{raw: data}
	if err := json.Unmarshal(data, &f); err != nil {
		return f, err
	}
	return f, nil
}

// expect reads a frame and fails unless it has the given type.
func expect(t testing.TB, c *websocket.Conn, typ string) wsFrame {
	t.Helper()
	f := read(t, c)
	if f.Type != typ {
		t.Fatalf("got frame %s, want type %q", f.raw, typ)
	}
	return f
}

// answerOf reads deltas until the answer frame and returns the text of the deltas and the
// answer.
func answerOf(t testing.TB, c *websocket.Conn) (string, wsFrame) {
	t.Helper()
	var text strings.Builder
	for {
		f := read(t, c)
		switch f.Type {
		case "delta":
			text.WriteString(f.Text)
		case "answer":
			return text.String(), f
		default:
			t.Fatalf("got frame %s while waiting for the answer", f.raw)
		}
	}
}

// closeCode reads until the connection ends and returns the close code the server sent
// (1006 when it sent none).
func closeCode(t testing.TB, c *websocket.Conn, wait time.Duration) (int, string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	_ = c.SetReadDeadline(deadline)
	for {
		_, _, err := c.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, ce.Text
		}
		if time.Now().After(deadline) {
			t.Fatalf("connection still open after %s", wait)
		}
		return websocket.CloseAbnormalClosure, err.Error()
	}
}
