package telegram_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/connectors"
	"github.com/trolyao/trolyao/connectors/connectortest"
	"github.com/trolyao/trolyao/connectors/telegram"
	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/postgres"
	"github.com/trolyao/trolyao/knowledge/sqlite"
)

// testRetry retries quickly but accepts a retry_after of a second or two.
var testRetry = connectors.Retry{Attempts: 3, Base: time.Millisecond, Max: 2 * time.Second}

type fixture struct {
	api   *fakeBotAPI
	store *sqlite.Store
	asst  *connectortest.Assistant
	h     *telegram.Handler
	url   string
	acks  *connectortest.Latencies
}

func setup(t testing.TB, api *fakeBotAPI, dbPath string, env map[string]string, logger *slog.Logger, opts ...telegram.Option) *fixture {
	t.Helper()
	vars := map[string]string{
		"TELEGRAM_BOT_TOKEN": botToken, "TELEGRAM_WEBHOOK_SECRET": webhookSecret,
		"TELEGRAM_API_BASE": api.srv.URL, "TELEGRAM_LOCALITY": "Tỉnh Lào Cai",
		"ASSISTANT_USER_KEY_SECRET": keySecret,
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := telegram.LoadConfig(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	if logger == nil {
		logger = connectortest.Logger(t)
	}
	store := connectortest.OpenStore(t, dbPath)
	asst := &connectortest.Assistant{Store: store}
	h, err := telegram.New(cfg, asst, store, logger, append([]telegram.Option{telegram.WithRetry(testRetry)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Register(mux)
	acks := new(connectortest.Latencies)
	srv := httptest.NewServer(connectortest.Timed(mux, acks))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { h.Close(context.Background()) })
	return &fixture{api: api, store: store, asst: asst, h: h, url: srv.URL + "/connectors/telegram/webhook", acks: acks}
}

var secretHeader = map[string]string{"X-Telegram-Bot-Api-Secret-Token": webhookSecret}

func (f *fixture) deliver(t testing.TB, u map[string]any) int {
	return connectortest.Post(t, f.url, encode(u), secretHeader)
}

func (f *fixture) drain(t testing.TB) {
	if err := f.h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func userKey() string { return connectors.UserKey(keySecret, "telegram", strconv.Itoa(userID)) }

func TestWebhookSecret(t *testing.T) {
	valid := encode(update(1001, "Làm giấy phép kinh doanh ở đâu?"))
	tests := []struct {
		name   string
		body   []byte
		header map[string]string
		want   int
		sends  int
	}{
		{"valid", valid, secretHeader, 200, 1},
		{"missing secret", valid, nil, 401, 0},
		{"wrong secret", valid, map[string]string{"X-Telegram-Bot-Api-Secret-Token": "wh_secret-Ab13"}, 401, 0},
		{"secret prefix", valid, map[string]string{"X-Telegram-Bot-Api-Secret-Token": webhookSecret[:5]}, 401, 0},
		{"malformed json", []byte(`{"update_id": 5, "message": {`), secretHeader, 400, 0},
		{"no update id", []byte(`{"message": {}}`), secretHeader, 400, 0},
		{"oversized", encode(update(1002, strings.Repeat("ư", 700_000))), secretHeader, 413, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, newFakeBotAPI(t), "", nil, nil)
			if got := connectortest.Post(t, f.url, tt.body, tt.header); got != tt.want {
				t.Fatalf("status %d, want %d", got, tt.want)
			}
			f.drain(t)
			if got := len(f.api.sends(t)); got != tt.sends {
				t.Fatalf("%d messages sent, want %d", got, tt.sends)
			}
		})
	}
}

func TestReplyHTMLWithSources(t *testing.T) {
	f := setup(t, newFakeBotAPI(t), "", map[string]string{"TELEGRAM_AUDIENCE": "citizen"}, nil)
	f.asst.Answer = "Người từ đủ 14 tuổi & dưới 18 tuổi: hồ sơ <b>không</b> cần \"giấy xác nhận\" [1]."
	question := "Con tôi 15 tuổi làm căn cước được không?"
	f.deliver(t, update(2001, question))
	f.drain(t)

	want := assistant.Request{Message: question, Channel: "telegram", Audience: assistant.Citizen,
		Locality: "Tỉnh Lào Cai", UserKey: userKey()}
	if reqs := f.asst.Requests(); len(reqs) != 1 || !reflect.DeepEqual(reqs[0], want) {
		t.Fatalf("asked %+v\nwant %+v", reqs, want)
	}
	sends := f.api.sends(t)
	if len(sends) != 1 {
		t.Fatalf("%d sends", len(sends))
	}
	s := sends[0]
	if s.ChatID.String() != strconv.Itoa(userID) || s.ParseMode != "HTML" {
		t.Fatalf("sent to %s with parse mode %q", s.ChatID, s.ParseMode)
	}
	wantText := "Người từ đủ 14 tuổi &amp; dưới 18 tuổi: hồ sơ &lt;b&gt;không&lt;/b&gt; cần \"giấy xác nhận\" [1].\n\n" +
		"<b>Nguồn tham khảo</b>\n" +
		`[1] <a href="https://dichvucong.gov.vn/p/home/dvc-tthc-chi-tiet.html?ma_thu_tuc=1.001193">Thủ tục đăng ký khai sinh</a>` + "\n" +
		`[2] <a href="https://vanban.chinhphu.vn/?pageid=27160&amp;docid=198588">Thông tư số 85/2019/TT-BTC hướng dẫn về phí và lệ phí…</a>`
	if s.Text != wantText {
		t.Fatalf("sent\n%s\nwant\n%s", s.Text, wantText)
	}
}

func TestTypingRenewedUntilAnswer(t *testing.T) {
	f := setup(t, newFakeBotAPI(t), "", nil, nil, telegram.WithTypingInterval(40*time.Millisecond))
	f.asst.Delay = 300 * time.Millisecond
	f.deliver(t, update(3001, "Thủ tục ly hôn thuận tình?"))
	f.drain(t)
	calls := f.api.Calls("")
	var typing []time.Time
	var answered time.Time
	for _, c := range calls {
		switch {
		case strings.HasSuffix(c.Path, "/sendChatAction"):
			if !answered.IsZero() {
				t.Fatal("typing sent after the answer")
			}
			typing = append(typing, c.At)
		case strings.HasSuffix(c.Path, "/sendMessage"):
			answered = c.At
		}
	}
	if len(typing) < 4 || answered.IsZero() {
		t.Fatalf("%d typing actions before the answer, want it renewed while the assistant works", len(typing))
	}
	if !strings.Contains(calls[0].Body, `"action":"typing"`) {
		t.Fatalf("first call %s, want typing", calls[0].Path)
	}
}

func TestDuplicatesAnsweredOnceAcrossRestart(t *testing.T) {
	api := newFakeBotAPI(t)
	db := filepath.Join(t.TempDir(), "trolyao.db")
	f := setup(t, api, db, nil, nil)
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() { f.deliver(t, update(4001, "Đăng ký tạm trú online thế nào?")) })
	}
	wg.Wait()
	f.drain(t)
	f.store.Close()

	g := setup(t, api, db, nil, nil)
	g.deliver(t, update(4001, "Đăng ký tạm trú online thế nào?"))
	g.drain(t)
	if n := len(f.asst.Requests()) + len(g.asst.Requests()); n != 1 {
		t.Fatalf("asked %d times, want 1", n)
	}
	if n := len(api.sends(t)); n != 1 {
		t.Fatalf("%d replies, want 1", n)
	}
}

func TestUpdatesOtherThanText(t *testing.T) {
	photo := update(5001, "")
	msg := photo["message"].(map[string]any)
	delete(msg, "text")
	msg["photo"] = []any{map[string]any{"file_id": "AgAC", "width": 90, "height": 90}}
	msg["caption"] = "Giấy tờ này còn hiệu lực không?"
	sticker := update(5002, "")
	delete(sticker["message"].(map[string]any), "text")
	sticker["message"].(map[string]any)["sticker"] = map[string]any{"file_id": "CAAC", "emoji": "👍"}
	group := update(5003, "Chào cả nhóm")
	group["message"].(map[string]any)["chat"] = map[string]any{"id": -100123, "type": "supergroup", "title": "Tổ dân phố"}
	edited := map[string]any{"update_id": 5004, "edited_message": update(5004, "Sửa lại")["message"]}
	fromBot := update(5005, "Tôi là bot")
	fromBot["message"].(map[string]any)["from"] = map[string]any{"id": 999, "is_bot": true, "first_name": "Bot"}
	tests := []struct {
		name    string
		update  map[string]any
		asked   []string
		replies []string
	}{
		{"photo with caption", photo, []string{"Giấy tờ này còn hiệu lực không?"}, []string{"Để đăng ký khai sinh"}},
		{"sticker", sticker, nil, []string{connectors.TextOnly}},
		{"start command", update(5006, "/start"), nil, []string{connectors.Welcome}},
		{"group chat", group, nil, nil},
		{"edited message", edited, nil, nil},
		{"message from a bot", fromBot, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t, newFakeBotAPI(t), "", nil, nil)
			if got := f.deliver(t, tt.update); got != 200 {
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
			sends := f.api.sends(t)
			if len(sends) != len(tt.replies) {
				t.Fatalf("%d replies, want %d", len(sends), len(tt.replies))
			}
			for i, s := range sends {
				if !strings.HasPrefix(s.Text, tt.replies[i]) {
					t.Fatalf("reply %q, want it to start with %q", s.Text, tt.replies[i])
				}
			}
		})
	}
}

func TestLongAnswerSplit(t *testing.T) {
	f := setup(t, newFakeBotAPI(t), "", nil, nil)
	var b strings.Builder
	for i := range 80 {
		fmt.Fprintf(&b, "Mục %d: hộ gia đình có thu nhập < 1.500.000 đồng/người/tháng & cư trú ổn định được hỗ trợ theo \"Nghị quyết số %d/NQ-HĐND\". ", i+1, i+10)
		if i%6 == 5 {
			b.WriteString("\n\n")
		}
	}
	f.asst.Answer = b.String()
	f.deliver(t, update(6001, "Chính sách hỗ trợ hộ nghèo?"))
	f.drain(t)
	sends := f.api.sends(t)
	if len(sends) < 3 {
		t.Fatalf("%d messages, want the answer split", len(sends))
	}
	var plain []string
	for i, s := range sends {
		if connectors.Length(s.Text) > telegram.MaxText {
			t.Fatalf("message %d has %d characters", i, connectors.Length(s.Text))
		}
		text, err := parseHTML(s.Text)
		if err != nil {
			t.Fatalf("message %d is not valid HTML: %v", i, err)
		}
		plain = append(plain, text)
	}
	whole, _ := parseHTML(telegram.Render(f.asst.Answer, connectors.Sources(connectortest.Citations)))
	if got, want := strings.Fields(strings.Join(plain, " ")), strings.Fields(whole); !slices.Equal(got, want) {
		t.Fatal("the pieces do not add up to the answer")
	}
}

// TestRenderSplitProperties checks on generated answers full of characters to escape that
// every piece is within the limit, is valid Telegram HTML, and that together they keep every
// word of the answer and its sources.
func TestRenderSplitProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	vocab := []string{"Hồ", "sơ", "<", ">", "&", "&amp;", "\"trích\"", "1.000.000", "đồng", "a<b>c", "Quyết", "định",
		"số", "12/2024/QĐ-UBND.", "Điều", "kiện:", "tuổi", ">=", "18.", "\n", "\n\n", "- mục", "😀", "x&y"}
	for i := range 500 {
		var words []string
		for range 1 + r.IntN(500) {
			words = append(words, vocab[r.IntN(len(vocab))])
		}
		answer := strings.Join(words, " ")
		var cites []knowledge.Citation
		for n := range r.IntN(6) {
			cites = append(cites, knowledge.Citation{N: n + 1, Title: strings.Repeat("Kế hoạch & <chương trình> ", 1+r.IntN(4)),
				URL: "https://vanban.gov.vn/?id=" + strconv.Itoa(n) + "&lang=vi"})
		}
		limit := 200 + r.IntN(800)
		rendered := telegram.Render(answer, connectors.Sources(cites))
		whole, err := parseHTML(rendered)
		if err != nil {
			t.Fatalf("case %d: Render gives invalid HTML: %v", i, err)
		}
		var plain []string
		for _, p := range connectors.SplitHTML(rendered, limit) {
			if connectors.Length(p) > limit {
				t.Fatalf("case %d: piece of %d > %d", i, connectors.Length(p), limit)
			}
			text, err := parseHTML(p)
			if err != nil {
				t.Fatalf("case %d: piece %q: %v", i, p, err)
			}
			plain = append(plain, text)
		}
		if got, want := strings.Fields(strings.Join(plain, " ")), strings.Fields(whole); !slices.Equal(got, want) {
			t.Fatalf("case %d: words lost", i)
		}
	}
}

func TestFailuresRecordedForOperators(t *testing.T) {
	tests := []struct {
		name     string
		script   []reply
		down     bool
		attempts int
		status   string
		detail   string
		minTime  time.Duration
		level    string // of the log line saying the reply was not delivered: WARN when the user cannot be reached
	}{
		{"blocked by the user", []reply{{403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`}}, false, 1, knowledge.StatusUndelivered, "bot was blocked by the user", 0, "WARN"},
		{"bot token revoked", []reply{{401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`}}, false, 1, knowledge.StatusUndelivered, "telegram error 401: Unauthorized", 0, "ERROR"},
		{"429 honours retry_after", []reply{{429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`}}, false, 2, knowledge.StatusComplete, "", time.Second, ""},
		{"retry_after longer than allowed", []reply{{429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3600","parameters":{"retry_after":3600}}`}}, false, 1, knowledge.StatusUndelivered, "platform asked to wait 1h0m0s", 0, "ERROR"},
		{"server errors", []reply{{502, `<html>502 Bad Gateway</html>`}, {500, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`}, {502, ``}}, false, 3, knowledge.StatusUndelivered, "gave up after 3 attempts", 0, "ERROR"},
		{"html refused, plain text sent", []reply{{400, `{"ok":false,"error_code":400,"description":"Bad Request: can't parse entities: unsupported start tag \"x\" at byte offset 3"}`}}, false, 2, knowledge.StatusComplete, "", 0, ""},
		{"api down", nil, true, 0, knowledge.StatusUndelivered, "gave up after 3 attempts", 0, "ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeBotAPI(t)
			api.then(tt.script...)
			var logs bytes.Buffer
			f := setup(t, api, "", nil, slog.New(slog.NewJSONHandler(&logs, nil)))
			if tt.down {
				api.srv.Close()
			}
			f.deliver(t, update(7001, "Hỏi về thủ tục đất đai"))
			f.drain(t)
			sends := api.Calls("/sendMessage")
			if len(sends) != tt.attempts {
				t.Fatalf("%d attempts, want %d", len(sends), tt.attempts)
			}
			if tt.minTime > 0 && sends[1].At.Sub(sends[0].At) < tt.minTime {
				t.Fatalf("retried after %s, want at least %s", sends[1].At.Sub(sends[0].At), tt.minTime)
			}
			last := connectortest.LastAnswer(t, f.store, "telegram", userKey())
			if last.Status != tt.status || !strings.Contains(last.Detail, tt.detail) {
				t.Fatalf("answer %q, detail %q; want %q with %q", last.Status, last.Detail, tt.status, tt.detail)
			}
			if level := connectortest.LogLevel(t, logs.Bytes(), "telegram: reply not delivered"); level != tt.level {
				t.Fatalf("failure logged at %q, want %q", level, tt.level)
			}
		})
	}
}

func TestQueueFullAnswers503(t *testing.T) {
	f := setup(t, newFakeBotAPI(t), "", map[string]string{"TELEGRAM_WORKERS": "1", "TELEGRAM_QUEUE_SIZE": "1"}, nil)
	f.asst.Delay = 300 * time.Millisecond
	codes := map[int]int{f.deliver(t, update(8000, "Câu hỏi")): 1}
	for len(f.asst.Requests()) == 0 {
		time.Sleep(time.Millisecond)
	}
	for i := 1; i < 4; i++ {
		codes[f.deliver(t, update(int64(8000+i), "Câu hỏi"))]++
	}
	if codes[200] != 2 || codes[503] != 2 {
		t.Fatalf("status codes %v: want 2 accepted and 2 refused with 503", codes)
	}
}

func TestLogsHoldNoPersonalDataOrSecrets(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	api := newFakeBotAPI(t)
	f := setup(t, api, "", nil, logger)
	api.srv.Close() // network errors carry the request URL, and the URL carries the token
	f.deliver(t, update(9001, "CCCD của tôi là 079204001234, điện thoại 0901234567"))
	f.deliver(t, update(9001, "CCCD của tôi là 079204001234, điện thoại 0901234567"))
	f.drain(t)
	out := logs.String()
	for _, secret := range []string{strconv.Itoa(userID), "079204001234", "0901234567", botToken, "AAH-fake", webhookSecret, keySecret} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
	if !strings.Contains(out, "gave up after") {
		t.Error("the failure was not logged")
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
		{"complete", map[string]string{"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_WEBHOOK_SECRET": "s_1-A"}, true, ""},
		{"no secret", map[string]string{"TELEGRAM_BOT_TOKEN": "123:abc"}, false, "TELEGRAM_WEBHOOK_SECRET"},
		{"no token", map[string]string{"TELEGRAM_WEBHOOK_SECRET": "s"}, false, "TELEGRAM_BOT_TOKEN"},
		{"bad token", map[string]string{"TELEGRAM_BOT_TOKEN": "abc", "TELEGRAM_WEBHOOK_SECRET": "s"}, false, "TELEGRAM_BOT_TOKEN"},
		{"bad secret characters", map[string]string{"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_WEBHOOK_SECRET": "bí mật"}, false, "TELEGRAM_WEBHOOK_SECRET"},
		{"bad api base", map[string]string{"TELEGRAM_API_BASE": "ftp://x"}, false, "TELEGRAM_API_BASE"},
		{"bad locality", map[string]string{"TELEGRAM_LOCALITY": strings.Repeat("x", 300)}, false, "TELEGRAM_LOCALITY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := telegram.LoadConfig(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Enabled() != tt.enabled || cfg.APIBase != telegram.DefaultAPIBase {
				t.Fatalf("got %v", cfg)
			}
			printed := cfg.String() + fmt.Sprint(slog.AnyValue(cfg).Resolve())
			if strings.Contains(printed, "123:abc") || strings.Contains(printed, "s_1-A") {
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

// TestOperatorReachesTheUser: during a takeover an operator's message reaches the Telegram
// chat the session's sealed address names; Telegram sets no reply window.
func TestOperatorReachesTheUser(t *testing.T) {
	f := setup(t, newFakeBotAPI(t), "", nil, nil)
	f.deliver(t, update(1, "Cho tôi gặp cán bộ"))
	f.drain(t)
	ctx := context.Background()
	sess, err := f.store.SessionByUser(ctx, connectors.Telegram, connectors.UserKey(keySecret, connectors.Telegram, strconv.FormatInt(userID, 10)))
	if err != nil {
		t.Fatal(err)
	}
	d := f.h.Deliverer()
	if err := d.Deliver(ctx, sess, knowledge.RoleOperator, "Chào bạn <3, tôi là cán bộ Một cửa."); err != nil {
		t.Fatal(err)
	}
	sends := f.api.sends(t)
	last := sends[len(sends)-1]
	if len(sends) != 2 || last.ChatID.String() != strconv.FormatInt(userID, 10) || !strings.Contains(last.Text, "Chào bạn &lt;3") && !strings.Contains(last.Text, "Chào bạn <3") {
		t.Fatalf("sent %+v", sends)
	}
	if w := d.Window(time.Now().Add(-30*24*time.Hour), 100, time.Now()); !w.Open || w.FreeLeft != -1 {
		t.Errorf("telegram window %+v", w)
	}
}
