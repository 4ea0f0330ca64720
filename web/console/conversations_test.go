package console_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trolyao/trolyao/assistant"
)

// TestConversationsAPI checks that operators list conversations (by rating) and read a
// transcript with its sources and rating, with personal data masked as stored.
func TestConversationsAPI(t *testing.T) {
	st := newConsoleStack(t, map[string]string{"tam-tru.md": tamTru})
	srv := st.srv
	first := st.ask(t, "Tôi số điện thoại 0912345678, đăng ký tạm trú nộp hồ sơ ở đâu?")
	if !first.Grounded {
		t.Fatalf("%+v", first)
	}
	if err := st.asst.Rate(context.Background(), assistant.Rating{MessageID: first.MessageID, Rating: "down", Comment: "chưa rõ"}); err != nil {
		t.Fatal(err)
	}
	st.ask(t, "Giá vàng hôm nay?")
	viewer := login(t, srv, "binh", viewerPassword)

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
