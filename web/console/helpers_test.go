package console_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/sqlite"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
	"github.com/trolyao/trolyao/web"
	"github.com/trolyao/trolyao/web/console"
)

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// tamTru is a document the assistant answers from.
const tamTru = "# Đăng ký tạm trú\n\nCông dân nộp hồ sơ đăng ký tạm trú tại Công an cấp xã nơi mình sẽ tạm trú.\n"

// Passwords of the stack's accounts.
const (
	editorPassword = "biên tập viên 2026"
	viewerPassword = "chỉ được xem thôi"
)

// consoleStack is a knowledge base, the assistant answering from it, and the console API with
// every route over the same store.
type consoleStack struct {
	store *sqlite.Store
	in    *knowledge.Ingester
	asst  *assistant.Assistant
	srv   *httptest.Server
}

// newConsoleStack returns a stack over a fresh embedded store holding docs (source → text),
// with the editor "lan" and the viewer "binh".
func newConsoleStack(t *testing.T, docs map[string]string) *consoleStack {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kb.db"), quietLog)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	a := vietnamese.NewAnalyzer(nil)
	emb := knowledge.NewHashEmbedder(a, 128)
	if err := knowledge.EnsureEmbeddings(ctx, s, emb, emb.Info(), quietLog); err != nil {
		t.Fatal(err)
	}
	in := knowledge.NewIngester(s, knowledge.NewChunker(a), emb, quietLog)
	for source, text := range docs {
		if _, _, err := in.Ingest(ctx, source, []byte(text)); err != nil {
			t.Fatalf("ingest %s: %v", source, err)
		}
	}
	acc := console.NewAccounts(s)
	for _, u := range []struct{ name, role, pw string }{{"lan", console.RoleEditor, editorPassword}, {"binh", console.RoleViewer, viewerPassword}} {
		if _, err := acc.Create(ctx, console.Shell, u.name, u.role, u.pw); err != nil {
			t.Fatal(err)
		}
	}
	idx := knowledge.NewIndex(s, a, emb, quietLog)
	asst := assistant.New(assistant.DefaultConfig(), idx, s, a, nil, quietLog)
	mux := http.NewServeMux()
	console.NewAPI(s, quietLog).WithFAQ(in, s).WithConversations(s).WithTakeover(asst).Register(mux)
	chat := web.New(web.Config{}, asst, idx, quietLog)
	chat.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		chat.Close(ctx)
	})
	return &consoleStack{store: s, in: in, asst: asst, srv: srv}
}

// ask asks the assistant q on the web chat, in a new conversation.
func (st *consoleStack) ask(t *testing.T, q string) assistant.Reply {
	t.Helper()
	r, err := st.asst.Ask(context.Background(), assistant.Request{Message: q, Channel: "web"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// account creates an account of role on the stack and signs it in, returning its token.
func (st *consoleStack) account(t *testing.T, name, role string) string {
	t.Helper()
	pw := "mật khẩu của " + name + " 2026"
	if _, err := console.NewAccounts(st.store).Create(context.Background(), console.Shell, name, role, pw); err != nil {
		t.Fatal(err)
	}
	return login(t, st.srv, name, pw)
}

func (st *consoleStack) admin(t *testing.T) string {
	return st.account(t, "quantri", console.RoleAdmin)
}

func (st *consoleStack) editor(t *testing.T, name string) string {
	return st.account(t, name, console.RoleEditor)
}
