// Package connectortest provides what the connector packages' tests share: a fake assistant
// that keeps real sessions and messages in a store, a recorder for fake platform servers, a
// logger into the test output, and latency percentiles for the acknowledgement benchmarks.
package connectortest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/sqlite"
)

// Answer is the fake assistant's default answer: Vietnamese with citations.
const Answer = "Để đăng ký khai sinh cho trẻ, cha hoặc mẹ nộp Tờ khai đăng ký khai sinh và Giấy chứng sinh " +
	"tại Ủy ban nhân dân cấp xã nơi cư trú [1]. Thủ tục được miễn lệ phí khi đăng ký đúng hạn (trong 60 ngày) [2]."

// Citations are the sources of Answer.
var Citations = []knowledge.Citation{
	{N: 1, Title: "Thủ tục đăng ký khai sinh", Source: "procedures/1.001193.md", URL: "https://dichvucong.gov.vn/p/home/dvc-tthc-chi-tiet.html?ma_thu_tuc=1.001193"},
	{N: 2, Title: "Thông tư số 85/2019/TT-BTC hướng dẫn về phí và lệ phí thuộc thẩm quyền của HĐND tỉnh", Source: "plans/85-2019-TT-BTC.pdf", URL: "https://vanban.chinhphu.vn/?pageid=27160&docid=198588"},
}

// OpenStore opens a SQLite store at path (a file in t.TempDir() when path is ""), closed at
// the end of the test.
func OpenStore(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "trolyao.db")
	}
	s, err := sqlite.Open(context.Background(), path, Logger(t))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Logger logs into the test's output (shown with -v or on failure).
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// LogLevel returns the level ("WARN") of the first line with message msg in logs written by
// a slog JSON handler, "" when there is none.
func LogLevel(t testing.TB, logs []byte, msg string) string {
	t.Helper()
	for line := range bytes.Lines(logs) {
		var rec struct{ Level, Msg string }
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec.Msg == msg {
			return rec.Level
		}
	}
	return ""
}

// Assistant is a fake assistant. Like the real one, it keeps one session per channel and user
// key, stores the question and the answer as messages and marks an answer undelivered when a
// connector reports it. Set its fields before the handler runs.
type Assistant struct {
	Store *sqlite.Store
	// Delay is how long each answer takes.
	Delay time.Duration
	// Answer and Citations are the reply (defaults: the package's Answer and Citations).
	Answer    string
	Citations []knowledge.Citation
	// Choices, when set, are procedures the reply asks the person to choose from.
	Choices []knowledge.Choice
	// Card, when set, is the procedure the reply is about.
	Card *assistant.Card
	// Handover makes the reply an operator-handover notice.
	Handover bool
	// Err, when set, is returned instead of a reply.
	Err error

	mu        sync.Mutex
	requests  []assistant.Request
	addresses []string
}

// Ask implements the connectors' Assistant interface.
func (a *Assistant) Ask(ctx context.Context, req assistant.Request, onDelta func(string)) (assistant.Reply, error) {
	a.mu.Lock()
	a.addresses = append(a.addresses, req.Address)
	addr := req.Address
	req.Address = "" // sealed with a random nonce: see Addresses
	a.requests = append(a.requests, req)
	a.mu.Unlock()
	if a.Delay > 0 {
		select {
		case <-time.After(a.Delay):
		case <-ctx.Done():
			return assistant.Reply{}, ctx.Err()
		}
	}
	if a.Err != nil {
		return assistant.Reply{}, a.Err
	}
	if a.Store == nil {
		return assistant.Reply{Answer: a.answer(), Citations: a.cites(), Choices: a.Choices, Card: a.Card, Handover: a.Handover}, nil
	}
	sess, err := a.Store.SessionByUser(ctx, req.Channel, req.UserKey)
	if errors.Is(err, knowledge.ErrNotFound) {
		sess = knowledge.Session{Channel: req.Channel, UserKey: req.UserKey, Audience: string(req.Audience), Address: addr}
		err = a.Store.CreateSession(ctx, &sess)
	} else if err == nil && addr != "" {
		sess.Address = addr
		err = a.Store.UpdateSession(ctx, sess)
	}
	if err != nil {
		return assistant.Reply{}, err
	}
	if err := a.Store.AddMessage(ctx, &knowledge.Message{SessionID: sess.ID, Role: knowledge.RoleUser,
		Text: req.Message, Status: knowledge.StatusComplete}); err != nil {
		return assistant.Reply{}, err
	}
	m := knowledge.Message{SessionID: sess.ID, Role: knowledge.RoleAssistant, Text: a.answer(),
		Citations: a.cites(), Grounded: true, Status: knowledge.StatusComplete}
	if err := a.Store.AddMessage(ctx, &m); err != nil {
		return assistant.Reply{}, err
	}
	if onDelta != nil {
		onDelta(m.Text)
	}
	return assistant.Reply{SessionID: sess.ID, MessageID: m.ID, Answer: m.Text, Grounded: true,
		Citations: m.Citations, Choices: a.Choices, Card: a.Card, Handover: a.Handover}, nil
}

// MarkUndelivered implements the connectors' Assistant interface: like the real assistant, it
// sets the message's status in the store.
func (a *Assistant) MarkUndelivered(ctx context.Context, messageID, detail string) error {
	if a.Store == nil {
		return errors.New("mark undelivered: the fake assistant has no store")
	}
	if err := a.Store.SetMessageStatus(ctx, messageID, knowledge.StatusUndelivered, detail); err != nil {
		return fmt.Errorf("mark undelivered: %w", err)
	}
	return nil
}

func (a *Assistant) answer() string {
	if a.Answer != "" {
		return a.Answer
	}
	return Answer
}

func (a *Assistant) cites() []knowledge.Citation {
	if a.Citations != nil {
		return a.Citations
	}
	return Citations
}

// Addresses returns the sealed addresses the questions came with, in order (Requests leaves
// them out).
func (a *Assistant) Addresses() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.addresses)
}

// Requests returns the questions asked so far, without their sealed addresses.
func (a *Assistant) Requests() []assistant.Request {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.requests)
}

// Call is one request a fake platform server received.
type Call struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   string
	At     time.Time
}

// Recorder records the calls to a fake platform server.
type Recorder struct {
	mu    sync.Mutex
	calls []Call
}

// Record reads r's body and records the call; it returns the body.
func (rec *Recorder) Record(r *http.Request) []byte {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.calls = append(rec.calls, Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: string(body), At: time.Now()})
	return body
}

// Calls returns the recorded calls whose path ends with suffix ("" for all).
func (rec *Recorder) Calls(suffix string) []Call {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var out []Call
	for _, c := range rec.calls {
		if strings.HasSuffix(c.Path, suffix) {
			out = append(out, c)
		}
	}
	return out
}

// Post sends body to url with headers and returns the status code.
func Post(t testing.TB, url string, body []byte, header map[string]string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// Latencies collects acknowledgement times and reports their percentiles.
type Latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

// Add records one latency.
func (l *Latencies) Add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// Percentile returns the p-th percentile (0 < p <= 100).
func (l *Latencies) Percentile(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	s := slices.Clone(l.d)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// Report reports p50 and p99 in milliseconds on b, as name-p50-ms and name-p99-ms.
func (l *Latencies) Report(b *testing.B, name string) {
	b.ReportMetric(float64(l.Percentile(50).Microseconds())/1000, name+"-p50-ms")
	b.ReportMetric(float64(l.Percentile(99).Microseconds())/1000, name+"-p99-ms")
}

// Timed wraps h to record how long it takes to answer each request into l.
func Timed(h http.Handler, l *Latencies) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.ServeHTTP(w, r)
		l.Add(time.Since(start))
	})
}

// LastAnswer returns the last message of the session of a user on a channel, which the
// connector tests expect to be the assistant's answer.
func LastAnswer(t testing.TB, store *sqlite.Store, channel, userKey string) knowledge.Message {
	t.Helper()
	sess, err := store.SessionByUser(context.Background(), channel, userKey)
	if err != nil {
		t.Fatalf("session of the user: %v", err)
	}
	msgs, err := store.Messages(context.Background(), sess.ID, 0)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("messages: %d, %v", len(msgs), err)
	}
	last := msgs[len(msgs)-1]
	if last.Role != knowledge.RoleAssistant {
		t.Fatalf("last message is from %s, want the assistant", last.Role)
	}
	return last
}
