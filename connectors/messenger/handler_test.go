package messenger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/connectors"
	"github.com/trolyao/trolyao/connectors/connectortest"
	"github.com/trolyao/trolyao/connectors/messenger"
	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/postgres"
	"github.com/trolyao/trolyao/knowledge/sqlite"
)

var fastRetry = connectors.Retry{Attempts: 3, Base: time.Millisecond, Max: 20 * time.Millisecond}

type fixture struct {
	graph *fakeGraph
	store *sqlite.Store
	asst  *connectortest.Assistant
	h     *messenger.Handler
	url   string
	acks  *connectortest.Latencies
}

func setup(t testing.TB, graph *fakeGraph, dbPath string, env map[string]string, logger *slog.Logger) *fixture {
	t.Helper()
	vars := map[string]string{
		"MESSENGER_PAGE_ACCESS_TOKEN": pageToken, "MESSENGER_APP_SECRET": appSecret,
		"MESSENGER_VERIFY_TOKEN": verifyToken, "MESSENGER_API_BASE": graph.srv.URL,
		"MESSENGER_LOCALITY": "Thành phố Đà Nẵng", "ASSISTANT_USER_KEY_SECRET": keySecret,
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := messenger.LoadConfig(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	if logger == nil {
		logger = connectortest.Logger(t)
	}
	store := connectortest.OpenStore(t, dbPath)
	asst := &connectortest.Assistant{Store: store}
	h, err := messenger.New(cfg, asst, store, logger, messenger.WithRetry(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Register(mux)
	acks := new(connectortest.Latencies)
	srv := httptest.NewServer(connectortest.Timed(mux, acks))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { h.Close(context.Background()) })
	return &fixture{graph: graph, store: store, asst: asst, h: h, url: srv.URL + "/connectors/messenger/webhook", acks: acks}
}

func (f *fixture) deliver(t testing.TB, events ...messaging) int {
	body := delivery(events...)
	return connectortest.Post(t, f.url, body, sign(body, appSecret))
}

func (f *fixture) drain(t testing.TB) {
	if err := f.h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestSubscriptionCheck(t *testing.T) {
	f := setup(t, newFakeGraph(t), "", nil, nil)
	tests := []struct {
		name  string
		query url.Values
		want  int
		body  string
	}{
		{"valid", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {verifyToken}, "hub.challenge": {"1158201444"}}, 200, "1158201444"},
		{"wrong token", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"guess"}, "hub.challenge": {"1"}}, 403, ""},
		{"wrong mode", url.Values{"hub.mode": {"unsubscribe"}, "hub.verify_token": {verifyToken}, "hub.challenge": {"1"}}, 403, ""},
		{"no parameters", nil, 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := http.Get(f.url + "?" + tt.query.Encode())
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.want || (tt.body != "" && string(body) != tt.body) {
				t.Fatalf("got %d %q, want %d %q", res.StatusCode, body, tt.want, tt.body)
			}
		})
	}
}

func TestWebhookAuthenticity(t *testing.T) {
	valid := delivery(textEvent("m_valid", "Làm hộ chiếu ở đâu?"))
	hdr := sign(valid, appSecret)
	malformed := []byte(`{"object":"page","entry":[{"id":"1","messaging":[{"sender":`)
	big := delivery(textEvent("m_big", strings.Repeat("ơ", 600_000)))
	tests := []struct {
		name   string
		body   []byte
		header map[string]string
		want   int
		sends  int
	}{
		{"valid", valid, hdr, 200, 1},
		{"missing signature", valid, nil, 401, 0},
		{"signed with another secret", valid, sign(valid, "other-secret"), 401, 0},
		{"sha1 header only", valid, map[string]string{"X-Hub-Signature": "sha1=" + strings.TrimPrefix(hdr["X-Hub-Signature-256"], "sha256=")[:40]}, 401, 0},
		{"not hex", valid, map[string]string{"X-Hub-Signature-256": "sha256=zz"}, 401, 0},
		{"body altered after signing", bytes.Replace(valid, []byte("hộ chiếu"), []byte("căn cước"), 1), hdr, 401, 0},
		{"malformed json after a valid signature", malformed, sign(malformed, appSecret), 400, 0},
		{"oversized", big, sign(big, appSecret), 413, 0},
		{"not a page", []byte(`{"object":"instagram","entry":[]}`), sign([]byte(`{"object":"instagram","entry":[]}`), appSecret), 200, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, newFakeGraph(t), "", nil, nil)
			if got := connectortest.Post(t, f.url, tt.body, tt.header); got != tt.want {
				t.Fatalf("status %d, want %d", got, tt.want)
			}
			f.drain(t)
			if got := len(f.graph.texts(t)); got != tt.sends {
				t.Fatalf("%d messages sent, want %d", got, tt.sends)
			}
		})
	}
}

func TestReplyWithTypingAndSources(t *testing.T) {
	f := setup(t, newFakeGraph(t), "", nil, nil)
	question := "Cấp lại giấy phép lái xe bị mất cần gì?"
	f.deliver(t, textEvent("m_1", question))
	f.drain(t)

	reqs := f.asst.Requests()
	want := assistant.Request{Message: question, Channel: "messenger", Audience: assistant.Citizen,
		Locality: "Thành phố Đà Nẵng", UserKey: connectors.UserKey(keySecret, "messenger", psid)}
	if len(reqs) != 1 || !reflect.DeepEqual(reqs[0], want) {
		t.Fatalf("asked %+v\nwant %+v", reqs, want)
	}
	actions := f.graph.actions(t)
	if len(actions) < 2 || actions[0] != "typing_on" || actions[len(actions)-1] == "typing_on" {
		t.Fatalf("calls %q: want typing_on first and the answer last", actions)
	}
	calls := f.graph.Calls("/me/messages")
	var body struct {
		Recipient     map[string]string `json:"recipient"`
		MessagingType string            `json:"messaging_type"`
		Message       map[string]string `json:"message"`
	}
	if err := json.Unmarshal([]byte(calls[len(calls)-1].Body), &body); err != nil {
		t.Fatal(err)
	}
	if body.Recipient["id"] != psid || body.MessagingType != "RESPONSE" {
		t.Fatalf("sent %+v", body)
	}
	for _, part := range []string{connectortest.Answer, "\n\nNguồn tham khảo:\n[1] Thủ tục đăng ký khai sinh — https://"} {
		if !strings.Contains(body.Message["text"], part) {
			t.Errorf("reply lacks %q:\n%s", part, body.Message["text"])
		}
	}
}

func TestDuplicatesAnsweredOnceAcrossRestart(t *testing.T) {
	graph := newFakeGraph(t)
	db := filepath.Join(t.TempDir(), "trolyao.db")
	f := setup(t, graph, db, nil, nil)
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() { f.deliver(t, textEvent("m_dup", "Đóng bảo hiểm y tế ở đâu?")) })
	}
	wg.Wait()
	f.drain(t)
	f.store.Close()

	g := setup(t, graph, db, nil, nil)
	if got := g.deliver(t, textEvent("m_dup", "Đóng bảo hiểm y tế ở đâu?")); got != 200 {
		t.Fatalf("status %d", got)
	}
	g.drain(t)
	if n := len(f.asst.Requests()) + len(g.asst.Requests()); n != 1 {
		t.Fatalf("asked %d times, want 1", n)
	}
	if n := len(graph.texts(t)); n != 1 {
		t.Fatalf("%d replies, want 1", n)
	}
}

func TestEventsOtherThanText(t *testing.T) {
	echo := textEvent("m_echo", "Chào bạn, trang có thể giúp gì?")
	echo["message"].(map[string]any)["is_echo"] = true
	echo["sender"], echo["recipient"] = echo["recipient"], echo["sender"]
	image := messaging{"sender": map[string]string{"id": psid}, "recipient": map[string]string{"id": pageID},
		"message": map[string]any{"mid": "m_img", "attachments": []any{map[string]any{"type": "image", "payload": map[string]string{"url": "https://example.com/a.jpg"}}}}}
	postback := messaging{"sender": map[string]string{"id": psid}, "recipient": map[string]string{"id": pageID},
		"postback": map[string]string{"mid": "m_pb", "title": "Tra cứu hồ sơ", "payload": "LOOKUP"}}
	read := messaging{"sender": map[string]string{"id": psid}, "recipient": map[string]string{"id": pageID},
		"read": map[string]int{"watermark": 1732280000000}}
	tests := []struct {
		name    string
		events  []messaging
		asked   []string
		replies []string // beginnings
	}{
		{"echo of the page's message", []messaging{echo}, nil, nil},
		{"read receipt", []messaging{read}, nil, nil},
		{"image", []messaging{image}, nil, []string{connectors.TextOnly}},
		{"postback button", []messaging{postback}, []string{"Tra cứu hồ sơ"}, []string{connectortest.Answer[:30]}},
		{"batched delivery", []messaging{textEvent("m_a", "Câu một"), echo, textEvent("m_b", "Câu hai")},
			[]string{"Câu một", "Câu hai"}, []string{connectortest.Answer[:30], connectortest.Answer[:30]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, newFakeGraph(t), "", nil, nil)
			if got := f.deliver(t, tt.events...); got != 200 {
				t.Fatalf("status %d", got)
			}
			f.drain(t)
			var asked []string
			for _, r := range f.asst.Requests() {
				asked = append(asked, r.Message)
			}
			if !slices.Equal(asked, tt.asked) {
				t.Fatalf("asked %q, want %q", asked, tt.asked)
			}
			texts := f.graph.texts(t)
			if len(texts) != len(tt.replies) {
				t.Fatalf("replied %q, want %q", texts, tt.replies)
			}
			for i := range texts {
				if !strings.HasPrefix(texts[i], tt.replies[i]) {
					t.Fatalf("reply %d = %q, want it to start with %q", i, texts[i], tt.replies[i])
				}
			}
		})
	}
}

func TestLongAnswerSplit(t *testing.T) {
	f := setup(t, newFakeGraph(t), "", nil, nil)
	var b strings.Builder
	b.WriteString("Hồ sơ gồm các giấy tờ sau:\n")
	for i := range 60 {
		fmt.Fprintf(&b, "- Giấy tờ số %d: bản sao có chứng thực hoặc bản chính để đối chiếu, nộp tại Trung tâm Phục vụ hành chính công\n", i+1)
	}
	f.asst.Answer = b.String()
	f.deliver(t, textEvent("m_long", "Hồ sơ gồm những gì?"))
	f.drain(t)
	texts := f.graph.texts(t)
	if len(texts) < 3 {
		t.Fatalf("%d messages, want the answer split", len(texts))
	}
	for i, s := range texts {
		if n := len([]rune(s)); n > messenger.MaxText {
			t.Fatalf("message %d has %d characters", i, n)
		}
		if i > 0 && !strings.HasPrefix(s, "- Giấy tờ số") && !strings.HasPrefix(s, "Nguồn") {
			t.Errorf("message %d does not start at a list item: %q", i, s[:30])
		}
	}
	whole := connectors.PlainText(f.asst.Answer, connectors.Sources(connectortest.Citations))
	if got, want := strings.Fields(strings.Join(texts, " ")), strings.Fields(whole); !slices.Equal(got, want) {
		t.Fatal("the pieces do not add up to the answer")
	}
}

func TestFailuresRecordedForOperators(t *testing.T) {
	windowClosed := `{"error":{"message":"(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview","type":"OAuthException","code":10,"error_subcode":2018278,"fbtrace_id":"Ah3x"}}`
	tests := []struct {
		name   string
		script []reply
		down   bool
		sends  int
		status string
		detail string
		level  string // of the log line saying the reply was not delivered: WARN when the user cannot be reached
	}{
		{"outside the 24-hour window", []reply{{400, windowClosed}}, false, 1, knowledge.StatusUndelivered, "graph error 10/2018278", "WARN"},
		{"user unavailable", []reply{{400, `{"error":{"message":"(#551) This person isn't available right now.","type":"OAuthException","code":551,"error_subcode":1545041}}`}}, false, 1, knowledge.StatusUndelivered, "551", "WARN"},
		{"invalid token", []reply{{400, `{"error":{"message":"Error validating access token: The session has been invalidated because the user changed their password.","type":"OAuthException","code":190,"error_subcode":460}}`}}, false, 1, knowledge.StatusUndelivered, "graph error 190/460", "ERROR"},
		{"rate limited then sent", []reply{{400, `{"error":{"message":"(#613) Calls to this api have exceeded the rate limit.","type":"OAuthException","code":613}}`}}, false, 2, knowledge.StatusComplete, "", ""},
		{"transient error then sent", []reply{{500, `{"error":{"message":"An unexpected error has occurred.","type":"OAuthException","code":2,"is_transient":true}}`}}, false, 2, knowledge.StatusComplete, "", ""},
		{"api failing", []reply{{502, `<html>Bad Gateway</html>`}, {503, ``}, {500, `{}`}}, false, 3, knowledge.StatusUndelivered, "gave up after 3 attempts", "ERROR"},
		{"api down", nil, true, 0, knowledge.StatusUndelivered, "gave up after 3 attempts", "ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			graph := newFakeGraph(t)
			graph.then(tt.script...)
			var logs bytes.Buffer
			f := setup(t, graph, "", nil, slog.New(slog.NewJSONHandler(&logs, nil)))
			if tt.down {
				graph.srv.Close()
			}
			f.deliver(t, textEvent("m_1", "Xin hỏi về thủ tục"))
			f.drain(t)
			if n := len(graph.texts(t)); n != tt.sends {
				t.Fatalf("%d send attempts, want %d", n, tt.sends)
			}
			last := connectortest.LastAnswer(t, f.store, "messenger", connectors.UserKey(keySecret, "messenger", psid))
			if last.Status != tt.status || !strings.Contains(last.Detail, tt.detail) {
				t.Fatalf("answer %q, detail %q; want %q with %q", last.Status, last.Detail, tt.status, tt.detail)
			}
			if level := connectortest.LogLevel(t, logs.Bytes(), "messenger: reply not delivered"); level != tt.level {
				t.Fatalf("failure logged at %q, want %q", level, tt.level)
			}
		})
	}
}

func TestQueueFullAnswers503(t *testing.T) {
	f := setup(t, newFakeGraph(t), "", map[string]string{"MESSENGER_WORKERS": "1", "MESSENGER_QUEUE_SIZE": "1"}, nil)
	f.asst.Delay = 300 * time.Millisecond
	codes := map[int]int{f.deliver(t, textEvent("m_0", "Câu hỏi")): 1}
	for len(f.asst.Requests()) == 0 {
		time.Sleep(time.Millisecond)
	}
	for i := 1; i < 4; i++ {
		codes[f.deliver(t, textEvent(fmt.Sprintf("m_%d", i), "Câu hỏi"))]++
	}
	if codes[200] != 2 || codes[503] != 2 {
		t.Fatalf("status codes %v: want 2 accepted and 2 refused with 503", codes)
	}
}

func TestLogsHoldNoPersonalDataOrSecrets(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	graph := newFakeGraph(t)
	f := setup(t, graph, "", nil, logger)
	graph.srv.Close() // network errors carry the request URL, and the URL carries the token
	f.deliver(t, textEvent("m_1", "Tôi tên Nguyễn Văn An, số điện thoại 0987654321"))
	f.deliver(t, textEvent("m_1", "Tôi tên Nguyễn Văn An, số điện thoại 0987654321"))
	f.drain(t)
	out := logs.String()
	for _, secret := range []string{psid, "0987654321", "Nguyễn Văn An", pageToken, appSecret, verifyToken, keySecret, "appsecret_proof"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
	if !strings.Contains(out, "gave up after") {
		t.Error("the failure was not logged")
	}
}

func TestLoadConfig(t *testing.T) {
	full := map[string]string{"MESSENGER_PAGE_ACCESS_TOKEN": "p", "MESSENGER_APP_SECRET": "s", "MESSENGER_VERIFY_TOKEN": "v"}
	tests := []struct {
		name    string
		env     map[string]string
		enabled bool
		wantErr string
	}{
		{"disabled", nil, false, ""},
		{"complete", full, true, ""},
		{"no verify token", map[string]string{"MESSENGER_PAGE_ACCESS_TOKEN": "p", "MESSENGER_APP_SECRET": "s"}, false, "MESSENGER_VERIFY_TOKEN"},
		{"no app secret", map[string]string{"MESSENGER_PAGE_ACCESS_TOKEN": "p", "MESSENGER_VERIFY_TOKEN": "v"}, false, "MESSENGER_APP_SECRET"},
		{"bad api base", map[string]string{"MESSENGER_API_BASE": "graph.facebook.com"}, false, "MESSENGER_API_BASE"},
		{"bad workers", map[string]string{"MESSENGER_WORKERS": "-1"}, false, "MESSENGER_WORKERS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := messenger.LoadConfig(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Enabled() != tt.enabled || cfg.APIBase != messenger.DefaultAPIBase {
				t.Fatalf("got %v", cfg)
			}
			printed := cfg.String() + fmt.Sprint(slog.AnyValue(cfg).Resolve())
			if tt.enabled && (strings.Contains(printed, "=p ") || strings.Contains(printed, "=s ") || strings.Contains(printed, "=v ")) {
				t.Fatalf("secret printed: %s", printed)
			}
		})
	}
}

// The real assistant and stores satisfy the interfaces the connector consumes.
var (
	_ connectors.Assistant    = (*assistant.Assistant)(nil)
	_ connectors.EventClaimer = (*sqlite.Store)(nil)
	_ connectors.EventClaimer = (*postgres.Store)(nil)
)

// TestOperatorReachesTheUser: during a takeover an operator's message reaches the Messenger
// user the session's sealed address names, within the 24-hour window, which closes after.
func TestOperatorReachesTheUser(t *testing.T) {
	f := setup(t, newFakeGraph(t), "", nil, nil)
	f.deliver(t, textEvent("mid.1", "Cho tôi gặp cán bộ"))
	f.drain(t)
	ctx := context.Background()
	sess, err := f.store.SessionByUser(ctx, connectors.Messenger, connectors.UserKey(keySecret, connectors.Messenger, psid))
	if err != nil {
		t.Fatal(err)
	}
	if sess.Address == "" || strings.Contains(sess.Address, psid) {
		t.Fatalf("session address %q: want the sealed id", sess.Address)
	}
	d := f.h.Deliverer()
	if err := d.Deliver(ctx, sess, knowledge.RoleOperator, "Chào bạn, tôi là cán bộ Một cửa."); err != nil {
		t.Fatal(err)
	}
	sent := f.graph.texts(t)
	if len(sent) != 2 || sent[1] != connectors.OperatorLabel+"Chào bạn, tôi là cán bộ Một cửa." {
		t.Fatalf("sent %q", sent)
	}
	now := time.Now()
	if w := d.Window(now.Add(-time.Hour), 3, now); !w.Open || w.FreeLeft != -1 || !w.Until.Equal(now.Add(-time.Hour).Add(messenger.StandardWindow)) {
		t.Errorf("window an hour after the user's message: %+v", w)
	}
	if w := d.Window(now.Add(-25*time.Hour), 0, now); w.Open || w.Note == "" {
		t.Errorf("window 25 hours after: %+v", w)
	}
}
