package console_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/sqlite"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
	"github.com/trolyao/trolyao/web/console"
)

// TestConversationsAPI checks that operators list conversations (by rating) and read a
// transcript with its sources and rating, with personal data masked as stored.
func TestConversationsAPI(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kb.db"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := vietnamese.NewAnalyzer(nil)
	in := knowledge.NewIngester(s, knowledge.NewChunker(a), nil, quiet)
	if _, _, err := in.Ingest(ctx, "tam-tru.md", []byte("# Đăng ký tạm trú\n\nCông dân nộp hồ sơ đăng ký tạm trú tại Công an cấp xã nơi mình sẽ tạm trú.\n")); err != nil {
		t.Fatal(err)
	}
	asst := assistant.New(assistant.DefaultConfig(), knowledge.NewIndex(s, a, nil, quiet), s, a, nil, quiet)
	first, err := asst.Ask(ctx, assistant.Request{Message: "Tôi số điện thoại 0912345678, đăng ký tạm trú nộp hồ sơ ở đâu?", Channel: "web"}, nil)
	if err != nil || !first.Grounded {
		t.Fatalf("%v %+v", err, first)
	}
	if err := asst.Rate(ctx, assistant.Rating{MessageID: first.MessageID, Rating: "down", Comment: "chưa rõ"}); err != nil {
		t.Fatal(err)
	}
	if _, err := asst.Ask(ctx, assistant.Request{Message: "Giá vàng hôm nay?", Channel: "web"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := console.NewAccounts(s).Create(ctx, console.Shell, "binh", console.RoleViewer, "chỉ được xem thôi"); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	console.NewAPI(s, quiet).WithConversations(s).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	viewer := login(t, srv, "binh", "chỉ được xem thôi")

	if _, out := call(t, "GET", srv.URL+"/api/v1/conversations", viewer, ""); len(out["conversations"].([]any)) != 2 {
		t.Fatalf("list: %v", out)
	}
	_, out := call(t, "GET", srv.URL+"/api/v1/conversations?rating=down", viewer, "")
	list := out["conversations"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["id"] != first.SessionID {
		t.Fatalf("rated down: %v", out)
	}
	status, tr := call(t, "GET", srv.URL+"/api/v1/conversations/"+first.SessionID, viewer, "")
	msgs, _ := tr["messages"].([]any)
	if status != 200 || len(msgs) != 2 {
		t.Fatalf("transcript: %d %v", status, tr)
	}
	q, ans := msgs[0].(map[string]any), msgs[1].(map[string]any)
	if q["role"] != "user" || ans["rating"] != "down" || len(ans["sources"].([]any)) == 0 {
		t.Errorf("transcript messages %v", msgs)
	}
	if text := q["text"].(string); text == "" || containsDigits(text, "0912345678") {
		t.Errorf("the citizen's phone number shows in the transcript: %q", text)
	}
	if status, _ := call(t, "GET", srv.URL+"/api/v1/conversations/00000000-0000-0000-0000-000000000000", viewer, ""); status != 404 {
		t.Errorf("unknown conversation: %d", status)
	}
	if status, _ := call(t, "GET", srv.URL+"/api/v1/conversations?rating=meh", viewer, ""); status != 400 {
		t.Errorf("bad rating filter: %d", status)
	}
}

// containsDigits reports whether the digits of s, put together, hold digits.
func containsDigits(s, digits string) bool {
	var only []rune
	for _, r := range s {
		if r >= '0' && r <= '9' {
			only = append(only, r)
		}
	}
	return strings.Contains(string(only), digits)
}
