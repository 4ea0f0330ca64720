package zalo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/connectors"
	"github.com/trolyao/trolyao/connectors/connectortest"
	"github.com/trolyao/trolyao/connectors/zalo"
	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/postgres"
	"github.com/trolyao/trolyao/knowledge/sqlite"
)

var fastRetry = connectors.Retry{Attempts: 3, Base: time.Millisecond, Max: 20 * time.Millisecond}

type fixture struct {
	zalo  *fakeZalo
	store *sqlite.Store
	asst  *connectortest.Assistant
	h     *zalo.Handler
	url   string
	// acks records how long the handler took to answer each delivery.
	acks *connectortest.Latencies
}

// setup starts a handler, behind a real HTTP server, configured from the environment vars
// env (added to a valid configuration pointing at fake), with a store at dbPath.
func setup(t testing.TB, fake *fakeZalo, dbPath string, env map[string]string, logger *slog.Logger, opts ...zalo.Option) *fixture {
	t.Helper()
	vars := map[string]string{
		"ZALO_APP_ID": appID, "ZALO_APP_SECRET": appSecret, "ZALO_OA_SECRET_KEY": oaSecretKey,
		"ZALO_ACCESS_TOKEN": "AT-0", "ZALO_REFRESH_TOKEN": "RT-0",
		"ZALO_API_BASE": fake.srv.URL, "ZALO_OAUTH_BASE": fake.srv.URL,
		"ZALO_LOCALITY": "Phường Bến Nghé, Quận 1", "ASSISTANT_USER_KEY_SECRET": keySecret,
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := zalo.LoadConfig(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	if logger == nil {
		logger = connectortest.Logger(t)
	}
	store := connectortest.OpenStore(t, dbPath)
	asst := &connectortest.Assistant{Store: store}
	h, err := zalo.New(cfg, asst, store, logger, append([]zalo.Option{zalo.WithRetry(fastRetry)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Register(mux)
	acks := new(connectortest.Latencies)
	srv := httptest.NewServer(connectortest.Timed(mux, acks))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { h.Close(context.Background()) })
	return &fixture{zalo: fake, store: store, asst: asst, h: h, url: srv.URL + "/connectors/zalo/webhook", acks: acks}
}

// deliver posts a signed user_send_text event and returns the status code.
func (f *fixture) deliver(t testing.TB, msgID, text string) int {
	now := time.Now()
	body := event("user_send_text", msgID, text, now)
	return connectortest.Post(t, f.url, body, sign(body, now, oaSecretKey))
}

// drain waits for the queued work to finish.
func (f *fixture) drain(t testing.TB) {
	if err := f.h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestWebhookAuthenticity(t *testing.T) {
	now := time.Now()
	valid := event("user_send_text", "m-valid", "Làm căn cước ở đâu?", now)
	stale := event("user_send_text", "m-stale", "Làm căn cước ở đâu?", now.Add(-10*time.Minute))
	future := event("user_send_text", "m-future", "Làm căn cước ở đâu?", now.Add(10*time.Minute))
	ts := fmt.Sprint(now.UnixMilli())
	malformed := []byte(`{"app_id":"` + appID + `","timestamp":"` + ts + `","event_name":"user_send_text","message":{"text":"x"`)
	noTimestamp := []byte(`{"app_id":"` + appID + `","event_name":"user_send_text"}`)
	big := event("user_send_text", "m-big", strings.Repeat("a", 2<<20), now)
	tests := []struct {
		name   string
		body   []byte
		header map[string]string
		want   int
		sends  int
	}{
		{"valid", valid, sign(valid, now, oaSecretKey), http.StatusOK, 1},
		{"missing signature", valid, nil, http.StatusUnauthorized, 0},
		{"signed with another key", valid, sign(valid, now, "not-the-oa-key"), http.StatusUnauthorized, 0},
		{"signature without mac= prefix", valid, map[string]string{"X-ZEvent-Signature": strings.TrimPrefix(sign(valid, now, oaSecretKey)["X-ZEvent-Signature"], "mac=")}, http.StatusOK, 1},
		{"body altered after signing", bytes.Replace(valid, []byte("căn cước"), []byte("hộ chiếu"), 1), sign(valid, now, oaSecretKey), http.StatusUnauthorized, 0},
		{"signature over another timestamp", valid, sign(valid, now.Add(time.Second), oaSecretKey), http.StatusUnauthorized, 0},
		{"stale", stale, sign(stale, now.Add(-10*time.Minute), oaSecretKey), http.StatusForbidden, 0},
		{"future", future, sign(future, now.Add(10*time.Minute), oaSecretKey), http.StatusForbidden, 0},
		{"malformed json after a valid signature", malformed, sign(malformed, now, oaSecretKey), http.StatusBadRequest, 0},
		{"no timestamp", noTimestamp, sign(noTimestamp, now, oaSecretKey), http.StatusUnauthorized, 0},
		{"oversized", big, sign(big, now, oaSecretKey), http.StatusRequestEntityTooLarge, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, newFakeZalo(t, "AT-0", "RT-0"), "", nil, nil)
			if got := connectortest.Post(t, f.url, tt.body, tt.header); got != tt.want {
				t.Fatalf("status %d, want %d", got, tt.want)
			}
			f.drain(t)
			if got := len(f.zalo.Calls("/message/cs")); got != tt.sends {
				t.Fatalf("%d messages sent, want %d", got, tt.sends)
			}
			if tt.sends == 0 && len(f.asst.Requests()) > 0 {
				t.Fatal("the assistant was asked for a refused delivery")
			}
		})
	}
}

func TestReplyInVietnameseWithSources(t *testing.T) {
	f := setup(t, newFakeZalo(t, "AT-0", "RT-0"), "", map[string]string{"ZALO_AUDIENCE": "staff"}, nil)
	question := "Đăng ký khai sinh cho con cần giấy tờ gì?"
	if got := f.deliver(t, "m-1", question); got != http.StatusOK {
		t.Fatalf("status %d", got)
	}
	f.drain(t)

	reqs := f.asst.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d questions asked, want 1", len(reqs))
	}
	want := assistant.Request{Message: question, Channel: "zalo", Audience: assistant.Staff,
		Locality: "Phường Bến Nghé, Quận 1", UserKey: connectors.UserKey(keySecret, "zalo", userID)}
	if !reflect.DeepEqual(reqs[0], want) {
		t.Fatalf("asked %+v\nwant %+v", reqs[0], want)
	}
	calls := f.zalo.Calls("/v3.0/oa/message/cs")
	if len(calls) != 1 {
		t.Fatalf("%d sends, want 1", len(calls))
	}
	if calls[0].Header.Get("access_token") != "AT-0" {
		t.Fatal("access_token header not sent")
	}
	var body struct {
		Recipient map[string]string `json:"recipient"`
		Message   map[string]string `json:"message"`
	}
	if err := json.Unmarshal([]byte(calls[0].Body), &body); err != nil {
		t.Fatal(err)
	}
	if body.Recipient["user_id"] != userID {
		t.Fatalf("recipient %v", body.Recipient)
	}
	text := body.Message["text"]
	for _, part := range []string{connectortest.Answer, "Nguồn tham khảo:",
		"[1] Thủ tục đăng ký khai sinh — " + connectortest.Citations[0].URL, "[2] Thông tư số 85/2019/TT-BTC"} {
		if !strings.Contains(text, part) {
			t.Errorf("reply lacks %q:\n%s", part, text)
		}
	}
}

func TestDuplicatesAnsweredOnceAcrossRestart(t *testing.T) {
	fake := newFakeZalo(t, "AT-0", "RT-0")
	db := filepath.Join(t.TempDir(), "trolyao.db")
	now := time.Now()
	body := event("user_send_text", "m-dup", "Thủ tục cấp lại căn cước?", now)
	header := sign(body, now, oaSecretKey)

	f := setup(t, fake, db, nil, nil)
	var wg sync.WaitGroup
	for range 5 { // a burst of redeliveries, concurrently
		wg.Go(func() {
			if got := connectortest.Post(t, f.url, body, header); got != http.StatusOK {
				t.Errorf("status %d", got)
			}
		})
	}
	wg.Wait()
	f.drain(t)
	f.store.Close()

	// A restart: a new process opens the same database and gets the event again.
	g := setup(t, fake, db, nil, nil)
	if got := connectortest.Post(t, g.url, body, header); got != http.StatusOK {
		t.Fatalf("status %d", got)
	}
	g.drain(t)
	if n := len(f.asst.Requests()) + len(g.asst.Requests()); n != 1 {
		t.Fatalf("asked %d times, want 1", n)
	}
	if n := len(fake.Calls("/message/cs")); n != 1 {
		t.Fatalf("%d replies sent, want 1", n)
	}
}

func TestEventsOtherThanText(t *testing.T) {
	tests := []struct {
		name    string
		event   string
		text    string
		asked   string // the question the assistant gets, "" for none
		replied string // the reply's beginning, "" for none
	}{
		{"echo of the OA's own message", "oa_send_text", "Chào bạn", "", ""},
		{"follow", "follow", "", "", ""},
		{"image without caption", "user_send_image", "", "", connectors.TextOnly},
		{"sticker", "user_send_sticker", "", "", connectors.TextOnly},
		{"image with caption", "user_send_image", "Giấy này còn hạn không?", "Giấy này còn hạn không?", connectortest.Answer[:20]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, newFakeZalo(t, "AT-0", "RT-0"), "", nil, nil)
			now := time.Now()
			body := event(tt.event, "m-"+tt.event, tt.text, now)
			if got := connectortest.Post(t, f.url, body, sign(body, now, oaSecretKey)); got != http.StatusOK {
				t.Fatalf("status %d", got)
			}
			f.drain(t)
			reqs := f.asst.Requests()
			if (tt.asked == "") != (len(reqs) == 0) || (len(reqs) > 0 && reqs[0].Message != tt.asked) {
				t.Fatalf("asked %+v, want %q", reqs, tt.asked)
			}
			texts := f.zalo.texts(t)
			if (tt.replied == "") != (len(texts) == 0) || (len(texts) > 0 && !strings.HasPrefix(texts[0], tt.replied)) {
				t.Fatalf("replied %q, want %q", texts, tt.replied)
			}
		})
	}
}

func TestLongAnswerSplit(t *testing.T) {
	f := setup(t, newFakeZalo(t, "AT-0", "RT-0"), "", nil, nil)
	var b strings.Builder
	for i := range 40 {
		fmt.Fprintf(&b, "Bước %d: người yêu cầu nộp hồ sơ tại Bộ phận tiếp nhận và trả kết quả của UBND phường, lệ phí 1.000.000 đồng. ", i+1)
		if i%5 == 4 {
			b.WriteString("\n\n")
		}
	}
	f.asst.Answer = b.String()
	f.deliver(t, "m-long", "Hướng dẫn chi tiết thủ tục?")
	f.drain(t)

	texts := f.zalo.texts(t)
	if len(texts) < 3 {
		t.Fatalf("%d messages, want the answer split", len(texts))
	}
	for i, s := range texts {
		if n := len([]rune(s)); n > zalo.MaxText {
			t.Fatalf("message %d has %d characters", i, n)
		}
	}
	whole := connectors.PlainText(f.asst.Answer, connectors.Sources(connectortest.Citations))
	if got, want := strings.Fields(strings.Join(texts, " ")), strings.Fields(whole); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatal("the pieces do not add up to the answer")
	}
	for i, s := range texts[:len(texts)-1] {
		if !strings.HasSuffix(s, ".") {
			t.Errorf("message %d does not end a sentence: …%q", i, s[len(s)-20:])
		}
	}
}

func TestTokenRefreshPersistsRotation(t *testing.T) {
	fake := newFakeZalo(t, "AT-live", "RT-0") // the configured AT-0 has expired
	db := filepath.Join(t.TempDir(), "trolyao.db")

	f := setup(t, fake, db, nil, nil)
	f.deliver(t, "m-1", "Câu hỏi thứ nhất")
	f.drain(t)
	sends := fake.Calls("/message/cs")
	if len(sends) != 2 || sends[0].Header.Get("access_token") != "AT-0" || sends[1].Header.Get("access_token") != "AT-1" {
		t.Fatalf("sends %d; want a refused one with AT-0 then one with AT-1", len(sends))
	}
	if n := len(fake.Calls("/v4/oa/access_token")); n != 1 {
		t.Fatalf("%d refreshes, want 1", n)
	}
	for key, want := range map[string]string{"zalo.refresh_token": "RT-1", "zalo.access_token": "AT-1"} {
		if got, err := f.store.Setting(context.Background(), key); err != nil || got != want {
			t.Fatalf("setting %s = %q, %v; want %q", key, got, err, want)
		}
	}
	f.store.Close()

	// After a restart with the same (now stale) environment, the persisted tokens are used.
	g := setup(t, fake, db, nil, nil)
	g.deliver(t, "m-2", "Câu hỏi thứ hai")
	g.drain(t)
	sends = fake.Calls("/message/cs")
	if len(sends) != 3 || sends[2].Header.Get("access_token") != "AT-1" {
		t.Fatalf("after restart: %d sends, last with %q; want AT-1", len(sends), sends[len(sends)-1].Header.Get("access_token"))
	}
	// Expiry again: the rotated refresh token RT-1 (not the environment's RT-0) is used.
	fake.mu.Lock()
	fake.access = "AT-revoked"
	fake.mu.Unlock()
	g.store.Close()
	h := setup(t, fake, db, nil, nil)
	h.deliver(t, "m-3", "Câu hỏi thứ ba")
	h.drain(t)
	refreshes := fake.Calls("/v4/oa/access_token")
	if len(refreshes) != 2 || !strings.Contains(refreshes[1].Body, "refresh_token=RT-1") {
		t.Fatalf("refreshes %d; the second should use RT-1", len(refreshes))
	}
	if got, _ := h.store.Setting(context.Background(), "zalo.refresh_token"); got != "RT-2" {
		t.Fatalf("persisted refresh token %q, want RT-2", got)
	}
	h.store.Close()

	// New tokens in the environment (the OA granted access again) win over the persisted ones.
	fake.mu.Lock()
	fake.access, fake.refresh = "AT-new", "RT-new"
	fake.mu.Unlock()
	k := setup(t, fake, db, map[string]string{"ZALO_ACCESS_TOKEN": "AT-new", "ZALO_REFRESH_TOKEN": "RT-new"}, nil)
	k.deliver(t, "m-4", "Câu hỏi thứ tư")
	k.drain(t)
	sends = fake.Calls("/message/cs")
	if last := sends[len(sends)-1]; last.Header.Get("access_token") != "AT-new" {
		t.Fatalf("last send used %q, want AT-new", last.Header.Get("access_token"))
	}
}

func TestRefreshRefusedIsRecorded(t *testing.T) {
	fake := newFakeZalo(t, "AT-live", "RT-other") // neither configured token is valid
	f := setup(t, fake, "", nil, nil)
	f.deliver(t, "m-1", "Câu hỏi")
	f.drain(t)
	if n := len(fake.Calls("/v4/oa/access_token")); n != 1 {
		t.Fatalf("%d refresh attempts, want 1 (a refused refresh is not retried)", n)
	}
	assertUndelivered(t, f, "Invalid refresh token")
}

func TestFailuresRecordedForOperators(t *testing.T) {
	tests := []struct {
		name   string
		script []reply
		down   bool
		calls  int
		detail string
	}{
		{"reply window closed", []reply{{200, `{"error":-230,"message":"User has not interacted with the OA in the past 7 days"}`}}, false, 1, "zalo error -230"},
		{"not following", []reply{{200, `{"error":-213,"message":"User has not followed OA"}`}}, false, 1, "-213"},
		{"api failing", []reply{{503, `oops`}, {502, ``}, {500, `{}`}}, false, 3, "gave up after 3 attempts: http status 500"},
		{"rate limited then sent", []reply{{200, `{"error":-32,"message":"Your OA reached limit call api"}`}}, false, 2, ""},
		{"server error then sent", []reply{{503, ``}, {429, ``}}, false, 3, ""},
		{"api down", nil, true, 0, "gave up after 3 attempts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeZalo(t, "AT-0", "RT-0")
			fake.then(tt.script...)
			f := setup(t, fake, "", nil, nil)
			if tt.down {
				fake.srv.Close()
			}
			f.deliver(t, "m-1", "Tôi muốn hỏi về thủ tục đất đai")
			f.drain(t)
			if n := len(fake.Calls("/message/cs")); n != tt.calls {
				t.Fatalf("%d send attempts, want %d", n, tt.calls)
			}
			if tt.detail == "" {
				assertStatus(t, f, knowledge.StatusComplete, "")
				return
			}
			assertUndelivered(t, f, tt.detail)
		})
	}
}

// TestRefusalsNotRetried checks every code saying the user cannot be reached: the reply is
// marked undelivered after one attempt and logged as a warning. A refusal of another kind (a
// bad request, an OA out of quota) is not retried either, but logged as an error: an
// operator has to act.
func TestRefusalsNotRetried(t *testing.T) {
	tests := []struct {
		code    int
		message string
		level   string
	}{
		{-213, "User has not followed OA", "WARN"},
		{-217, "User has blocked invitation from OA", "WARN"},
		{-227, "User was banned or has been inactive for more than 45 days", "WARN"},
		{-230, "User has not interacted with the OA in the past 7 days", "WARN"},
		{-232, "User has not interacted with the OA recently", "WARN"},
		{-244, "User has restricted receiving this type of message", "WARN"},
		{-201, "message is invalid!", "ERROR"},
		{-211, "Out of quota", "ERROR"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.code), func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&logs, nil))
			fake := newFakeZalo(t, "AT-0", "RT-0")
			fake.then(reply{200, fmt.Sprintf(`{"error":%d,"message":%q}`, tt.code, tt.message)})
			f := setup(t, fake, "", nil, logger)
			f.deliver(t, "m-1", "Tôi muốn hỏi về thủ tục đất đai")
			f.drain(t)
			if n := len(fake.Calls("/message/cs")); n != 1 {
				t.Fatalf("%d send attempts, want 1", n)
			}
			if n := len(fake.Calls("/v4/oa/access_token")); n != 0 {
				t.Fatalf("%d token refreshes, want none", n)
			}
			detail := fmt.Sprintf("zalo error %d: %s", tt.code, tt.message)
			if tt.level == "WARN" { // the user cannot be reached
				detail = "undeliverable: " + detail
			}
			assertUndelivered(t, f, "zalo: 0 of 1 parts sent: "+detail)
			if level := connectortest.LogLevel(t, logs.Bytes(), "zalo: reply not delivered"); level != tt.level {
				t.Fatalf("refusal logged at %q, want %s", level, tt.level)
			}
		})
	}
}

func TestHandoverAndAssistantErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(a *connectortest.Assistant)
		want  []string
	}{
		{"handover notice only", func(a *connectortest.Assistant) {
			a.Handover, a.Answer = true, "Cán bộ đang tiếp nhận câu hỏi của bạn."
		}, []string{"Cán bộ đang tiếp nhận câu hỏi của bạn."}},
		{"handover without notice", func(a *connectortest.Assistant) { a.Handover, a.Answer = true, " " }, nil},
		{"assistant fails", func(a *connectortest.Assistant) { a.Err = fmt.Errorf("model down") }, []string{connectors.TryLater}},
		{"question too long", func(a *connectortest.Assistant) { a.Err = assistant.ErrTooLarge }, []string{connectors.TooLong}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, newFakeZalo(t, "AT-0", "RT-0"), "", nil, nil)
			tt.setup(f.asst)
			f.deliver(t, "m-1", "Xin hỏi")
			f.drain(t)
			if got := f.zalo.texts(t); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("sent %q, want %q", got, tt.want)
			}
		})
	}
}

func TestQueueFullAnswers503(t *testing.T) {
	f := setup(t, newFakeZalo(t, "AT-0", "RT-0"), "", map[string]string{"ZALO_WORKERS": "1", "ZALO_QUEUE_SIZE": "1"}, nil)
	f.asst.Delay = 300 * time.Millisecond
	codes := map[int]int{f.deliver(t, "m-0", "Câu hỏi"): 1}
	for len(f.asst.Requests()) == 0 { // wait until the worker is busy with the first
		time.Sleep(time.Millisecond)
	}
	for i := 1; i < 4; i++ {
		codes[f.deliver(t, fmt.Sprintf("m-%d", i), "Câu hỏi")]++
	}
	if codes[http.StatusOK] != 2 || codes[http.StatusServiceUnavailable] != 2 {
		t.Fatalf("status codes %v: want 2 accepted (one running, one queued) and 2 refused with 503", codes)
	}
}

func TestLogsHoldNoPersonalDataOrSecrets(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	fake := newFakeZalo(t, "AT-live", "RT-0")
	fake.then(reply{200, `{"error":-230,"message":"User has not interacted with the OA in the past 7 days"}`})
	f := setup(t, fake, "", nil, logger)
	question := "Số điện thoại của tôi là 0912345678, CCCD 001099012345"
	f.deliver(t, "m-1", question)
	f.deliver(t, "m-1", question)
	f.drain(t)
	out := logs.String()
	for _, secret := range []string{userID, "0912345678", "001099012345", "AT-0", "AT-1", "RT-0", "RT-1", appSecret, oaSecretKey, keySecret, "Số điện thoại"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
	if !strings.Contains(out, connectors.ShortKey(connectors.UserKey(keySecret, "zalo", userID))) {
		t.Error("logs do not name the pseudonymised user")
	}
	if s := fmt.Sprint(f.h); strings.Contains(s, oaSecretKey) {
		t.Error("handler prints a secret")
	}
}

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		enabled bool
		wantErr string
	}{
		{"disabled", nil, false, ""},
		{"complete", map[string]string{"ZALO_APP_ID": "1", "ZALO_APP_SECRET": "s", "ZALO_OA_SECRET_KEY": "k", "ZALO_REFRESH_TOKEN": "r"}, true, ""},
		{"access token only", map[string]string{"ZALO_APP_ID": "1", "ZALO_OA_SECRET_KEY": "k", "ZALO_ACCESS_TOKEN": "a"}, true, ""},
		{"no oa secret", map[string]string{"ZALO_APP_ID": "1", "ZALO_ACCESS_TOKEN": "a"}, false, "ZALO_OA_SECRET_KEY"},
		{"no token", map[string]string{"ZALO_APP_ID": "1", "ZALO_OA_SECRET_KEY": "k"}, false, "ZALO_ACCESS_TOKEN or ZALO_REFRESH_TOKEN"},
		{"refresh without app secret", map[string]string{"ZALO_APP_ID": "1", "ZALO_OA_SECRET_KEY": "k", "ZALO_REFRESH_TOKEN": "r"}, false, "ZALO_APP_SECRET"},
		{"bad api base", map[string]string{"ZALO_API_BASE": "openapi.zalo.me"}, false, "ZALO_API_BASE"},
		{"bad max age", map[string]string{"ZALO_WEBHOOK_MAX_AGE": "5 minutes"}, false, "ZALO_WEBHOOK_MAX_AGE"},
		{"bad audience", map[string]string{"ZALO_AUDIENCE": "all"}, false, "ZALO_AUDIENCE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := zalo.LoadConfig(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Enabled() != tt.enabled {
				t.Fatalf("Enabled() = %t", cfg.Enabled())
			}
			if cfg.APIBase != zalo.DefaultAPIBase || cfg.OAuthBase != zalo.DefaultOAuthBase || cfg.MaxAge != 5*time.Minute {
				t.Fatalf("defaults not applied: %v", cfg)
			}
			printed := cfg.String() + fmt.Sprint(slog.AnyValue(cfg).Resolve())
			for _, k := range []string{"ZALO_APP_SECRET", "ZALO_OA_SECRET_KEY", "ZALO_ACCESS_TOKEN", "ZALO_REFRESH_TOKEN"} {
				if v := tt.env[k]; v != "" && strings.Contains(printed, "="+v+" ") {
					t.Fatalf("%s printed in clear: %s", k, printed)
				}
			}
		})
	}
}

// assertUndelivered checks that the assistant's answer is marked undelivered with a detail
// containing want.
func assertUndelivered(t *testing.T, f *fixture, want string) {
	t.Helper()
	assertStatus(t, f, knowledge.StatusUndelivered, want)
}

func assertStatus(t *testing.T, f *fixture, status, detail string) {
	t.Helper()
	reqs := f.asst.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d questions, want 1", len(reqs))
	}
	last := connectortest.LastAnswer(t, f.store, "zalo", reqs[0].UserKey)
	if last.Status != status || !strings.Contains(last.Detail, detail) {
		t.Fatalf("answer %q with detail %q; want %s with %q", last.Status, last.Detail, status, detail)
	}
}

// The real assistant and stores satisfy the interfaces the connector consumes.
var (
	_ connectors.Assistant = (*assistant.Assistant)(nil)
	_ zalo.Store           = (*sqlite.Store)(nil)
	_ zalo.Store           = (*postgres.Store)(nil)
)

// TestOperatorReachesTheUser: during a takeover an operator's message and the notices reach
// the Zalo user through the customer-service API, to the user the session's sealed address
// names; the session keeps no raw user id; and the window follows Zalo's free replies.
func TestOperatorReachesTheUser(t *testing.T) {
	f := setup(t, newFakeZalo(t, "AT-0", "RT-0"), "", nil, nil)
	f.deliver(t, "m-1", "Cho tôi gặp cán bộ")
	f.drain(t)
	ctx := context.Background()
	sess, err := f.store.SessionByUser(ctx, connectors.Zalo, connectors.UserKey(keySecret, connectors.Zalo, userID))
	if err != nil {
		t.Fatal(err)
	}
	if sess.Address == "" || strings.Contains(sess.Address, userID) {
		t.Fatalf("session address %q: want the sealed id", sess.Address)
	}
	d := f.h.Deliverer()
	if err := d.Deliver(ctx, sess, knowledge.RoleOperator, "Chào bạn, tôi là cán bộ Một cửa."); err != nil {
		t.Fatal(err)
	}
	if err := d.Deliver(ctx, sess, knowledge.RoleNotice, assistant.NoticeLeft); err != nil {
		t.Fatal(err)
	}
	sent := f.zalo.texts(t)
	if len(sent) != 3 || sent[1] != connectors.OperatorLabel+"Chào bạn, tôi là cán bộ Một cửa." || sent[2] != assistant.NoticeLeft {
		t.Fatalf("sent %q", sent)
	}
	for _, c := range f.zalo.Calls("/v3.0/oa/message/cs")[1:] {
		if !strings.Contains(c.Body, `"user_id":"`+userID+`"`) {
			t.Errorf("sent to the wrong user: %s", c.Body)
		}
	}
	forged := sess
	forged.Address = "bm90LXNlYWxlZA"
	if err := d.Deliver(ctx, forged, knowledge.RoleOperator, "x"); err == nil {
		t.Error("an address this secret did not seal was used")
	}
	now := time.Now()
	for _, tt := range []struct {
		last     time.Duration
		sent     int
		open     bool
		freeLeft int
	}{
		{time.Hour, 0, true, zalo.FreeReplies},
		{time.Hour, 3, true, zalo.FreeReplies - 3},
		{time.Hour, 8, true, 0},
		{50 * time.Hour, 0, true, 0},
		{8 * 24 * time.Hour, 0, false, 0},
	} {
		w := d.Window(now.Add(-tt.last), tt.sent, now)
		if w.Open != tt.open || w.FreeLeft != tt.freeLeft || w.Note == "" {
			t.Errorf("window %v after the user's message, %d sent: %+v", tt.last, tt.sent, w)
		}
	}
}
