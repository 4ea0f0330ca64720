package connectors_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/connectors"
	"github.com/trolyao/trolyao/connectors/connectortest"
	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/postgres"
	"github.com/trolyao/trolyao/knowledge/sqlite"
)

// fakePlatform is a Platform that records what it is asked to send. fail, when set, decides
// the error of the i-th send (from 0).
type fakePlatform struct {
	limit int
	html  bool
	fail  func(i int) error

	mu     sync.Mutex
	sends  []connectors.Text
	sentAt []time.Time
}

func (p *fakePlatform) Name() string   { return "test" }
func (p *fakePlatform) TextLimit() int { return p.limit }

func (p *fakePlatform) Render(answer string, sources []connectors.Source) connectors.Text {
	return connectors.Text{Body: connectors.PlainText(answer, sources), HTML: p.html}
}

func (p *fakePlatform) Send(_ context.Context, userID string, t connectors.Text) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if userID != "raw-user-1" {
		return fmt.Errorf("sent to %q", userID)
	}
	i := len(p.sends)
	p.sends = append(p.sends, t)
	p.sentAt = append(p.sentAt, time.Now())
	if p.fail != nil {
		return p.fail(i)
	}
	return nil
}

func (p *fakePlatform) sent() []connectors.Text {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.sends)
}

// typingPlatform adds a typing indicator, recording when it was shown.
type typingPlatform struct {
	*fakePlatform
	shown []time.Time // guarded by fakePlatform.mu
}

func (p *typingPlatform) Typing(context.Context, string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.shown = append(p.shown, time.Now())
	return nil
}

func (p *typingPlatform) TypingEvery() time.Duration { return 20 * time.Millisecond }

// commandPlatform answers /help itself.
type commandPlatform struct{ *fakePlatform }

func (commandPlatform) Command(text string) (string, bool) {
	return connectors.Welcome, text == "/help"
}

type workerFixture struct {
	asst  *connectortest.Assistant
	store *sqlite.Store
	w     *connectors.Worker
	logs  *bytes.Buffer
}

func newWorker(t *testing.T, p connectors.Platform) *workerFixture {
	t.Helper()
	store := connectortest.OpenStore(t, "")
	asst := &connectortest.Assistant{Store: store}
	logs := new(bytes.Buffer)
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := connectors.Config{Audience: assistant.Staff, Locality: "Quận 3", Workers: 2, QueueSize: 8}
	w := connectors.NewWorker(p, cfg, asst, store, logger)
	t.Cleanup(func() { w.Close(context.Background()) })
	return &workerFixture{asst: asst, store: store, w: w, logs: logs}
}

// push queues a text message from the test user with event id id.
func (f *workerFixture) push(t *testing.T, id, text string) {
	t.Helper()
	kind := connectors.KindText
	if text == "" {
		kind = connectors.KindUnsupported
	}
	m := connectors.Message{Channel: "test", EventID: id, UserID: "raw-user-1", UserKey: "key-1",
		Kind: kind, Text: text, ReceivedAt: time.Now()}
	if err := f.w.Push(m); err != nil {
		t.Fatal(err)
	}
}

func (f *workerFixture) drain(t *testing.T) {
	t.Helper()
	if err := f.w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func bodies(texts []connectors.Text) []string {
	out := make([]string, len(texts))
	for i, t := range texts {
		out[i] = t.Body
	}
	return out
}

func TestWorkerAnswersSplitUnderTheLimit(t *testing.T) {
	p := &fakePlatform{limit: 120}
	f := newWorker(t, p)
	f.push(t, "e-1", "Đăng ký khai sinh cần gì?")
	f.drain(t)

	reqs := f.asst.Requests()
	want := assistant.Request{Message: "Đăng ký khai sinh cần gì?", Channel: "test", UserKey: "key-1",
		Audience: assistant.Staff, Locality: "Quận 3"}
	if len(reqs) != 1 || !reflect.DeepEqual(reqs[0], want) {
		t.Fatalf("asked %+v, want %+v", reqs, want)
	}
	sent := p.sent()
	whole := connectors.PlainText(connectortest.Answer, connectors.Sources(connectortest.Citations))
	if len(sent) < 3 {
		t.Fatalf("%d messages, want the answer split under 120 characters", len(sent))
	}
	for i, s := range sent {
		if connectors.Length(s.Body) > 120 || s.HTML {
			t.Fatalf("message %d: %d characters, html %t", i, connectors.Length(s.Body), s.HTML)
		}
	}
	if got := strings.Fields(strings.Join(bodies(sent), " ")); !slices.Equal(got, strings.Fields(whole)) {
		t.Fatalf("the messages do not add up to the rendered answer:\n%q", bodies(sent))
	}
	if last := connectortest.LastAnswer(t, f.store, "test", "key-1"); last.Status != knowledge.StatusComplete {
		t.Fatalf("answer %s, want complete", last.Status)
	}
}

func TestWorkerSplitsHTMLAsHTML(t *testing.T) {
	p := &fakePlatform{limit: 60, html: true}
	f := newWorker(t, p)
	f.asst.Answer = strings.Repeat(`Xem <a href="https://dichvucong.gov.vn/p">cổng dịch vụ công quốc gia</a>. `, 4)
	f.asst.Citations = []knowledge.Citation{}
	f.push(t, "e-1", "Nộp ở đâu?")
	f.drain(t)
	sent := p.sent()
	if want := connectors.SplitHTML(strings.TrimSpace(f.asst.Answer), 60); !slices.Equal(bodies(sent), want) {
		t.Fatalf("sent %q\nwant %q", bodies(sent), want)
	}
	for _, s := range sent {
		if !s.HTML {
			t.Fatal("a part of an HTML answer was sent as plain text")
		}
	}
}

func TestWorkerAnswersAnEventOnce(t *testing.T) {
	p := &fakePlatform{limit: 4096}
	f := newWorker(t, p)
	for range 3 {
		f.push(t, "e-dup", "Thủ tục cấp lại căn cước?")
	}
	f.drain(t)
	if n := len(f.asst.Requests()); n != 1 {
		t.Fatalf("asked %d times, want 1", n)
	}
	if n := len(p.sent()); n != 1 {
		t.Fatalf("%d replies, want 1", n)
	}
}

func TestWorkerNotices(t *testing.T) {
	tests := []struct {
		name     string
		platform func(*fakePlatform) connectors.Platform
		text     string
		setup    func(a *connectortest.Assistant)
		asked    bool
		want     []string
	}{
		{"attachment without text", nil, "", nil, false, []string{connectors.TextOnly}},
		{"platform command", func(p *fakePlatform) connectors.Platform { return commandPlatform{p} }, "/help", nil, false, []string{connectors.Welcome}},
		{"not a command", func(p *fakePlatform) connectors.Platform { return commandPlatform{p} }, "/helpme", func(a *connectortest.Assistant) { a.Citations = []knowledge.Citation{} }, true, []string{connectortest.Answer}},
		{"assistant fails", nil, "Xin hỏi", func(a *connectortest.Assistant) { a.Err = errors.New("model down") }, true, []string{connectors.TryLater}},
		{"question too long", nil, "Xin hỏi", func(a *connectortest.Assistant) { a.Err = fmt.Errorf("ask: %w", assistant.ErrTooLarge) }, true, []string{connectors.TooLong}},
		{"question empty", nil, "Xin hỏi", func(a *connectortest.Assistant) { a.Err = assistant.ErrInvalidRequest }, true, []string{connectors.Empty}},
		{"handover notice without sources", nil, "Xin hỏi", func(a *connectortest.Assistant) {
			a.Handover, a.Answer = true, "  Cán bộ đang tiếp nhận câu hỏi của bạn. "
		}, true, []string{"Cán bộ đang tiếp nhận câu hỏi của bạn."}},
		{"handover without notice", nil, "Xin hỏi", func(a *connectortest.Assistant) { a.Handover, a.Answer = true, " " }, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakePlatform{limit: 4096, html: true}
			var p connectors.Platform = fake
			if tt.platform != nil {
				p = tt.platform(fake)
			}
			f := newWorker(t, p)
			if tt.setup != nil {
				tt.setup(f.asst)
			}
			f.push(t, "e-1", tt.text)
			f.drain(t)
			if asked := len(f.asst.Requests()) > 0; asked != tt.asked {
				t.Fatalf("asked %t, want %t", asked, tt.asked)
			}
			sent := fake.sent()
			if got := bodies(sent); !slices.Equal(got, tt.want) {
				t.Fatalf("sent %q, want %q", got, tt.want)
			}
			// Notices are plain text; answers (handover notices too) are rendered.
			notice := !tt.asked || f.asst.Err != nil
			for _, s := range sent {
				if s.HTML == notice {
					t.Fatalf("sent %q with html %t", s.Body, s.HTML)
				}
			}
		})
	}
}

func TestWorkerMarksUndeliveredReplies(t *testing.T) {
	tests := []struct {
		name   string
		fail   func(i int) error
		sends  int
		detail string
		level  string
	}{
		{"user unreachable on the first part", func(int) error {
			return fmt.Errorf("%w: window closed", connectors.ErrUndeliverable)
		}, 1, "test: 0 of 6 parts sent: undeliverable: window closed", "WARN"},
		{"user unreachable on the second part", func(i int) error {
			if i == 1 {
				return fmt.Errorf("%w: blocked", connectors.ErrUndeliverable)
			}
			return nil
		}, 2, "test: 1 of 6 parts sent: undeliverable: blocked", "WARN"},
		{"request refused", func(int) error { return errors.New("token revoked") }, 1, "test: 0 of 6 parts sent: token revoked", "ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &fakePlatform{limit: 120, fail: tt.fail}
			f := newWorker(t, p)
			f.push(t, "e-1", "Đăng ký khai sinh cần gì?")
			f.drain(t)
			if n := len(p.sent()); n != tt.sends {
				t.Fatalf("%d sends, want %d (no part sent again, none after the failure)", n, tt.sends)
			}
			last := connectortest.LastAnswer(t, f.store, "test", "key-1")
			if last.Status != knowledge.StatusUndelivered || last.Detail != tt.detail {
				t.Fatalf("answer %s with detail %q; want undelivered with %q", last.Status, last.Detail, tt.detail)
			}
			if got := connectortest.LogLevel(t, f.logs.Bytes(), "test: reply not delivered"); got != tt.level {
				t.Fatalf("logged at %q, want %s", got, tt.level)
			}
		})
	}
}

func TestWorkerTypesWhileTheAssistantWorks(t *testing.T) {
	p := &typingPlatform{fakePlatform: &fakePlatform{limit: 4096}}
	f := newWorker(t, p)
	f.asst.Delay = 150 * time.Millisecond
	f.push(t, "e-1", "Xin hỏi")
	f.drain(t)
	p.mu.Lock()
	shown, sentAt := slices.Clone(p.shown), slices.Clone(p.sentAt)
	p.mu.Unlock()
	if len(shown) < 3 {
		t.Fatalf("typing shown %d times during a 150 ms answer renewed every 20 ms", len(shown))
	}
	if len(sentAt) != 1 {
		t.Fatalf("%d replies, want 1", len(sentAt))
	}
	if last := shown[len(shown)-1]; !last.Before(sentAt[0]) {
		t.Fatal("typing shown after the reply: the answer must be the last thing the user sees")
	}
	// An attachment without text gets its notice without typing.
	g := newWorker(t, p)
	g.push(t, "e-2", "")
	g.drain(t)
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.shown) != len(shown) {
		t.Fatal("typing shown for an attachment without text")
	}
}

func TestSources(t *testing.T) {
	got := connectors.Sources([]knowledge.Citation{
		{N: 2, Title: "Thông tư 85/2019/TT-BTC", Source: "plans/85.pdf", URL: "https://vanban.chinhphu.vn/85", Snippet: "phí", Score: 0.7},
		{N: 1, Title: "Thủ tục đăng ký khai sinh", Source: "procedures/1.md", DocumentID: "d1", ChunkID: 4},
		{N: 2, Title: "Thông tư 85/2019/TT-BTC", Source: "plans/85.pdf", URL: "https://vanban.chinhphu.vn/85"},
	})
	want := []connectors.Source{
		{N: 1, Title: "Thủ tục đăng ký khai sinh", Source: "procedures/1.md"},
		{N: 2, Title: "Thông tư 85/2019/TT-BTC", Source: "plans/85.pdf", URL: "https://vanban.chinhphu.vn/85"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Sources = %+v\nwant %+v", got, want)
	}
	if got := connectors.Sources(nil); len(got) != 0 {
		t.Fatalf("Sources(nil) = %+v", got)
	}
}

func TestDefaultRetryIsFixed(t *testing.T) {
	r := connectors.DefaultRetry()
	want := connectors.Retry{Attempts: 5, Base: 500 * time.Millisecond, Max: 30 * time.Second}
	if r != want {
		t.Fatalf("DefaultRetry() = %+v, want %+v", r, want)
	}
	r.Attempts = 1
	if connectors.DefaultRetry() != want {
		t.Fatal("changing a returned policy changed the default")
	}
}

// The real assistant and stores satisfy the interfaces the Worker consumes.
var (
	_ connectors.Assistant    = (*assistant.Assistant)(nil)
	_ connectors.EventClaimer = (*sqlite.Store)(nil)
	_ connectors.EventClaimer = (*postgres.Store)(nil)
)

// TestWorkerSendsTheProcedureCardAsText checks that an answer about a procedure reaches a
// text-only platform with the procedure at a glance after it, and a handover notice without.
func TestWorkerSendsTheProcedureCardAsText(t *testing.T) {
	p := &fakePlatform{limit: 2000}
	f := newWorker(t, p)
	f.asst.Card = &assistant.Card{N: 1, Title: "Cấp giấy phép treo biển quảng cáo", Place: "Bộ phận Một cửa UBND cấp huyện",
		Channels: []assistant.CardChannel{{Name: "Trực tiếp", Time: "10 ngày làm việc", Fee: "120.000 đồng"}, {Name: "Trực tuyến", Fee: "60.000 đồng"}}}
	f.push(t, "e-1", "Lệ phí treo biển quảng cáo?")
	f.drain(t)
	sent := strings.Join(bodies(p.sent()), "\n")
	want := "Tóm tắt thủ tục:\n- Trực tiếp: 10 ngày làm việc; 120.000 đồng\n- Trực tuyến: 60.000 đồng\nNơi nộp: Bộ phận Một cửa UBND cấp huyện"
	if !strings.Contains(sent, connectortest.Answer[:40]) || !strings.Contains(sent, want) {
		t.Fatalf("sent:\n%s\nwant the answer, then:\n%s", sent, want)
	}
	if i, j := strings.Index(sent, "Tóm tắt"), strings.Index(sent, connectors.SourcesHeading); j >= 0 && i > j {
		t.Errorf("the card comes after the sources:\n%s", sent)
	}

	q := &fakePlatform{limit: 2000}
	g := newWorker(t, q)
	g.asst.Card, g.asst.Handover = f.asst.Card, true
	g.push(t, "e-2", "Lệ phí treo biển quảng cáo?")
	g.drain(t)
	if sent := strings.Join(bodies(q.sent()), "\n"); strings.Contains(sent, "Tóm tắt") {
		t.Errorf("a handover notice carries the card:\n%s", sent)
	}
}
