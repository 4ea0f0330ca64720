package assistant_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
)

// fakeDeliverer stands in for a messaging connector: it records what it is asked to send and
// reports a window that tests set.
type fakeDeliverer struct {
	mu     sync.Mutex
	sent   []string // "role: text"
	fail   error
	window assistant.Window
}

func (d *fakeDeliverer) Deliver(_ context.Context, sess knowledge.Session, role, text string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if sess.Address != "sealed-user" {
		return errors.New("wrong address " + sess.Address)
	}
	if d.fail != nil {
		return d.fail
	}
	d.sent = append(d.sent, role+": "+text)
	return nil
}

func (d *fakeDeliverer) Window(time.Time, int, time.Time) assistant.Window {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.window
}

func (d *fakeDeliverer) messages() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.sent...)
}

func TestTakeoverOnAMessagingChannel(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			st := newStack(t, backend)
			ctx := context.Background()
			d := &fakeDeliverer{window: assistant.Window{Open: true, FreeLeft: 8}}
			st.asst.SetDeliverer("zalo", d)
			events, stop := st.asst.Subscribe(64)
			defer stop()
			ask := func(q string) assistant.Reply {
				t.Helper()
				r, err := st.asst.Ask(ctx, assistant.Request{Message: q, Channel: "zalo", UserKey: "user-k", Address: "sealed-user"}, nil)
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			first := ask("Lệ phí cấp giấy phép treo biển quảng cáo?")
			if !first.Grounded {
				t.Fatalf("first answer not grounded: %+v", first)
			}
			// The person asks for staff, without diacritics: a notice, and the queue.
			req := ask("cho minh gap can bo voi")
			if !req.HumanRequested || req.Answer != assistant.NoticeRequested || req.Grounded {
				t.Fatalf("request for staff = %+v", req)
			}
			waiting, err := st.store.Conversations(ctx, knowledge.ConversationFilter{Waiting: true})
			if err != nil || len(waiting) != 1 || waiting[0].SessionID != first.SessionID || waiting[0].HumanRequested.IsZero() {
				t.Fatalf("queue = %+v, %v", waiting, err)
			}
			if err := st.asst.TakeOver(ctx, first.SessionID, "an"); err != nil {
				t.Fatal(err)
			}
			if err := st.asst.TakeOver(ctx, first.SessionID, "binh"); !errors.Is(err, assistant.ErrTakenOver) {
				t.Errorf("a second operator taking over: %v", err)
			}
			if _, err := st.asst.WriteAsOperator(ctx, first.SessionID, "binh", "chào"); !errors.Is(err, assistant.ErrNotHolder) {
				t.Errorf("writing without holding: %v", err)
			}
			// While held, the assistant does not answer: the question waits for the operator.
			held := ask("Thế nộp ở đâu ạ?")
			if !held.Handover || held.Answer != "" || len(held.Citations) > 0 {
				t.Fatalf("reply while held = %+v", held)
			}
			m, err := st.asst.WriteAsOperator(ctx, first.SessionID, "an", "Chào bạn, bạn nộp tại bộ phận một cửa cấp huyện, SĐT liên hệ 0912345678.")
			if err != nil || m.Role != knowledge.RoleOperator || strings.Contains(m.Text, "0912345678") {
				t.Fatalf("operator message = %+v, %v (stored masked)", m, err)
			}
			d.mu.Lock()
			d.window = assistant.Window{Open: false, Note: "closed"}
			d.mu.Unlock()
			if _, err := st.asst.WriteAsOperator(ctx, first.SessionID, "an", "Còn gì nữa không?"); !errors.Is(err, assistant.ErrWindowClosed) {
				t.Errorf("writing outside the window: %v", err)
			}
			d.mu.Lock()
			d.window, d.fail = assistant.Window{Open: true}, errors.New("user blocked the OA")
			d.mu.Unlock()
			if bad, err := st.asst.WriteAsOperator(ctx, first.SessionID, "an", "Bạn còn ở đó không?"); !errors.Is(err, assistant.ErrNotDelivered) || bad.ID == "" {
				t.Errorf("undeliverable message: %+v, %v", bad, err)
			}
			d.mu.Lock()
			d.fail = nil
			d.mu.Unlock()
			if err := st.asst.HandBack(ctx, first.SessionID, "binh"); !errors.Is(err, assistant.ErrNotHolder) {
				t.Errorf("handing back what one does not hold: %v", err)
			}
			if err := st.asst.HandBack(ctx, first.SessionID, "an"); err != nil {
				t.Fatal(err)
			}
			after := ask("Mất bao lâu thì có kết quả?")
			if after.Handover || !after.Grounded {
				t.Errorf("the assistant did not resume after hand-back: %+v", after)
			}
			want := []string{
				"notice: " + assistant.NoticeJoined,
				"operator: Chào bạn, bạn nộp tại bộ phận một cửa cấp huyện, SĐT liên hệ 0912345678.",
				"notice: " + assistant.NoticeLeft,
			}
			if got := d.messages(); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("delivered:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			msgs, _ := st.store.Messages(ctx, first.SessionID, 0)
			var roles []string
			for _, m := range msgs {
				r := m.Role
				if m.Status == knowledge.StatusUndelivered {
					r += "!"
				}
				roles = append(roles, r)
			}
			wantRoles := "user assistant user notice notice user operator operator! notice user assistant"
			if got := strings.Join(roles, " "); got != wantRoles {
				t.Errorf("transcript roles = %s\nwant %s", got, wantRoles)
			}
			kinds := map[string]int{}
			for len(events) > 0 {
				e := <-events
				kinds[e.Kind]++
			}
			if kinds[assistant.EventHumanRequested] != 1 || kinds[assistant.EventTakenOver] != 1 || kinds[assistant.EventHandedBack] != 1 || kinds[assistant.EventMessage] != len(msgs)-1 { // all but the request's notice, which is its reply
				t.Errorf("events %v for %d messages", kinds, len(msgs))
			}
		})
	}
}

func TestRequestsForStaff(t *testing.T) {
	st := newStack(t, "sqlite")
	ctx := context.Background()
	for q, want := range map[string]bool{
		"Cho tôi gặp cán bộ": true,
		"gap can bo":         true,
		"Mình muốn nói chuyện với nhân viên":                               true,
		"chuyển sang người thật giúp em":                                   true,
		"xin được trao đổi với chuyên viên":                                true,
		"Tôi đã gặp cán bộ xã nhưng chưa được hướng dẫn thủ tục khai sinh": false,
		"Thủ tục tuyển dụng cán bộ cấp xã":                                 false,
		"Lệ phí cấp giấy phép treo biển quảng cáo?":                        false,
	} {
		r, err := st.asst.Ask(ctx, assistant.Request{Message: q}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.HumanRequested != want {
			t.Errorf("%q: HumanRequested = %v, want %v (answer %q)", q, r.HumanRequested, want, r.Answer)
		}
	}
}
