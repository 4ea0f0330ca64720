package console_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
)

// chatClient is a citizen on the web chat, over a real websocket.
type chatClient struct {
	t  *testing.T
	ws *websocket.Conn
}

func dialChat(t *testing.T, st *consoleStack) *chatClient {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(st.srv.URL, "http")+"/ws/chat", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return &chatClient{t: t, ws: ws}
}

// until reads frames until one of type typ arrives and returns it.
func (c *chatClient) until(typ string) map[string]any {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var f map[string]any
		if err := c.ws.ReadJSON(&f); err != nil {
			c.t.Fatalf("waiting for a %s frame: %v", typ, err)
		}
		if f["type"] == typ {
			return f
		}
	}
}

func (c *chatClient) send(f map[string]any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(f); err != nil {
		c.t.Fatal(err)
	}
}

// events reads the console's event stream in the background.
func events(t *testing.T, url, token string) <-chan map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	out := make(chan map[string]any, 64)
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var e map[string]any
				if json.Unmarshal([]byte(data), &e) == nil {
					out <- e
				}
			}
		}
	}()
	t.Cleanup(func() { res.Body.Close() })
	return out
}

func nextEvent(t *testing.T, ch <-chan map[string]any, kind, role string) map[string]any {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-ch:
			if e["kind"] == kind && (role == "" || e["role"] == role) {
				return e
			}
		case <-deadline:
			t.Fatalf("no %s event (role %q)", kind, role)
		}
	}
}

// TestTakeOverAWebChat: a citizen on the web chat asks for staff; the console sees the
// request live and lists the conversation as waiting; a viewer may not take it over; the
// editor does, and the citizen's page is told, receives the editor's words and its next
// question reaches the editor instead of the assistant; the editor hands back and the
// assistant answers again. Every step is audited.
func TestTakeOverAWebChat(t *testing.T) {
	st := newConsoleStack(t, map[string]string{"tam-tru.md": tamTru})
	editor := login(t, st.srv, "lan", editorPassword)
	viewer := login(t, st.srv, "binh", viewerPassword)
	live := events(t, st.srv.URL, viewer)

	citizen := dialChat(t, st)
	citizen.until("session")
	citizen.send(map[string]any{"type": "message", "text": "Đăng ký tạm trú nộp ở đâu?"})
	if a := citizen.until("answer"); a["grounded"] != true {
		t.Fatalf("first answer %v", a)
	}
	citizen.send(map[string]any{"type": "request_human"})
	notice := citizen.until("staff_message")
	if notice["role"] != "notice" || notice["text"] != assistant.NoticeRequested {
		t.Fatalf("request notice %v", notice)
	}
	asked := nextEvent(t, live, assistant.EventHumanRequested, "")
	sid, _ := asked["session_id"].(string)

	status, list := call(t, "GET", st.srv.URL+"/api/v1/conversations?waiting=true", viewer, "")
	rows, _ := list["conversations"].([]any)
	if status != 200 || len(rows) != 1 || rows[0].(map[string]any)["id"] != sid || rows[0].(map[string]any)["human_requested"] == nil {
		t.Fatalf("waiting conversations: %d %v", status, list)
	}
	if status, _ := call(t, "POST", st.srv.URL+"/api/v1/conversations/"+sid+"/takeover", viewer, ""); status != 403 {
		t.Errorf("viewer taking over: %d, want 403", status)
	}
	if status, _ := call(t, "POST", st.srv.URL+"/api/v1/conversations/"+sid+"/takeover", "", ""); status != 401 {
		t.Errorf("taking over without signing in: %d, want 401", status)
	}
	if status, _ := call(t, "POST", st.srv.URL+"/api/v1/conversations/"+sid+"/messages", editor, `{"text":"Chào bạn"}`); status != 409 {
		t.Errorf("writing before taking over: %d, want 409", status)
	}
	status, held := call(t, "POST", st.srv.URL+"/api/v1/conversations/"+sid+"/takeover", editor, "")
	if status != 200 || held["operator"] != "lan" || held["window"].(map[string]any)["open"] != true {
		t.Fatalf("take over: %d %v", status, held)
	}
	if f := citizen.until("takeover"); f["active"] != true {
		t.Errorf("takeover frame %v", f)
	}
	if f := citizen.until("staff_message"); f["text"] != assistant.NoticeJoined {
		t.Errorf("joined notice %v", f)
	}
	status, m := call(t, "POST", st.srv.URL+"/api/v1/conversations/"+sid+"/messages", editor, `{"text":"Chào bạn, mình là cán bộ phường. Bạn cần hỗ trợ gì thêm?"}`)
	if status != 201 || m["role"] != knowledge.RoleOperator {
		t.Fatalf("operator message: %d %v", status, m)
	}
	if f := citizen.until("staff_message"); f["role"] != "operator" || !strings.Contains(f["text"].(string), "cán bộ phường") {
		t.Errorf("operator message on the page %v", f)
	}
	if status, _ := call(t, "POST", st.srv.URL+"/api/v1/conversations/"+sid+"/messages", editor, `{"text":"   "}`); status != 400 {
		t.Errorf("empty operator message: %d, want 400", status)
	}
	// The citizen's question now goes to the editor, live.
	citizen.send(map[string]any{"type": "message", "text": "Em cần mang theo giấy tờ gì ạ?"})
	if a := citizen.until("answer"); a["handover"] != true || a["answer"] != "" {
		t.Errorf("answer while taken over %v", a)
	}
	if e := nextEvent(t, live, assistant.EventMessage, knowledge.RoleUser); e["text"] != "Em cần mang theo giấy tờ gì ạ?" || e["session_id"] != sid {
		t.Errorf("citizen's message on the event stream %v", e)
	}
	status, handed := call(t, "POST", st.srv.URL+"/api/v1/conversations/"+sid+"/handback", editor, "")
	if status != 200 || handed["operator"] != "" {
		t.Fatalf("hand back: %d %v", status, handed)
	}
	if f := citizen.until("takeover"); f["active"] != false {
		t.Errorf("takeover frame after hand-back %v", f)
	}
	citizen.send(map[string]any{"type": "message", "text": "Đăng ký tạm trú nộp ở đâu?"})
	if a := citizen.until("answer"); a["grounded"] != true || a["handover"] == true {
		t.Errorf("the assistant did not resume: %v", a)
	}
	status, tr := call(t, "GET", st.srv.URL+"/api/v1/conversations/"+sid, viewer, "")
	var roles []string
	for _, m := range tr["messages"].([]any) {
		roles = append(roles, m.(map[string]any)["role"].(string))
	}
	if want := "user assistant notice notice operator user notice user assistant"; status != 200 || strings.Join(roles, " ") != want {
		t.Errorf("transcript roles %q, want %q", strings.Join(roles, " "), want)
	}
	admin := st.admin(t)
	_, audit := call(t, "GET", st.srv.URL+"/api/v1/audit", admin, "")
	seen := map[string]bool{}
	for _, e := range audit["entries"].([]any) {
		e := e.(map[string]any)
		if e["target"] == sid {
			seen[e["action"].(string)] = true
		}
	}
	for _, a := range []string{"conversation.takeover", "conversation.message", "conversation.handback"} {
		if !seen[a] {
			t.Errorf("no %s in the audit log: %v", a, seen)
		}
	}
}

// TestTakeOverRace: of two editors taking the same conversation over at once, one gets it
// and the other 409.
func TestTakeOverRace(t *testing.T) {
	st := newConsoleStack(t, map[string]string{"tam-tru.md": tamTru})
	sid := st.ask(t, "Đăng ký tạm trú nộp ở đâu?").SessionID
	if _, err := st.asst.RequestHuman(t.Context(), sid); err != nil {
		t.Fatal(err)
	}
	lan := login(t, st.srv, "lan", editorPassword)
	mai := st.editor(t, "mai")
	codes := make(chan int, 2)
	for _, tok := range []string{lan, mai} {
		go func() {
			status, _ := call(t, "POST", st.srv.URL+"/api/v1/conversations/"+sid+"/takeover", tok, "")
			codes <- status
		}()
	}
	a, b := <-codes, <-codes
	if a+b != 200+409 {
		t.Errorf("two editors taking over: %d and %d, want one 200 and one 409", a, b)
	}
	if status, _ := call(t, "POST", st.srv.URL+"/api/v1/conversations/00000000-0000-0000-0000-000000000000/takeover", lan, ""); status != 404 {
		t.Errorf("unknown conversation: %d, want 404", status)
	}
}
