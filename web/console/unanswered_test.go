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

// TestUnansweredQueue checks that refused questions come to the operators grouped (the same
// question with and without diacritics is one group), without greetings or answered ones, and
// that a dismissed group stays away until it is asked again.
func TestUnansweredQueue(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kb.db"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := vietnamese.NewAnalyzer(nil)
	emb := knowledge.NewHashEmbedder(a, 128)
	if err := knowledge.EnsureEmbeddings(ctx, s, emb, emb.Info(), quiet); err != nil {
		t.Fatal(err)
	}
	in := knowledge.NewIngester(s, knowledge.NewChunker(a), emb, quiet)
	if _, _, err := in.Ingest(ctx, "tam-tru.md", []byte("# Đăng ký tạm trú\n\nCông dân nộp hồ sơ đăng ký tạm trú tại Công an cấp xã nơi mình sẽ tạm trú.\n")); err != nil {
		t.Fatal(err)
	}
	asst := assistant.New(assistant.DefaultConfig(), knowledge.NewIndex(s, a, emb, quiet), s, a, nil, quiet)
	ask := func(q string) {
		t.Helper()
		if _, err := asst.Ask(ctx, assistant.Request{Message: q, Channel: "web"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{"Giá vàng SJC hôm nay bao nhiêu?", "Thời tiết Đà Lạt cuối tuần thế nào?", "xin chào", "Đăng ký tạm trú nộp hồ sơ ở đâu?", "gia vang SJC hom nay bao nhieu"} {
		ask(q)
	}
	acc := console.NewAccounts(s)
	for _, u := range []struct{ name, role, pw string }{{"lan", console.RoleEditor, "biên tập viên 2026"}, {"binh", console.RoleViewer, "chỉ được xem thôi"}} {
		if _, err := acc.Create(ctx, console.Shell, u.name, u.role, u.pw); err != nil {
			t.Fatal(err)
		}
	}
	mux := http.NewServeMux()
	console.NewAPI(s, quiet).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	editor, viewer := login(t, srv, "lan", "biên tập viên 2026"), login(t, srv, "binh", "chỉ được xem thôi")

	groups := func() []map[string]any {
		t.Helper()
		status, out := call(t, "GET", srv.URL+"/api/v1/unanswered", viewer, "")
		if status != 200 {
			t.Fatalf("unanswered: %d %v", status, out)
		}
		var gs []map[string]any
		for _, g := range out["groups"].([]any) {
			gs = append(gs, g.(map[string]any))
		}
		return gs
	}
	gs := groups()
	if len(gs) != 2 {
		t.Fatalf("groups %v, want gold prices and the weather", gs)
	}
	gold := gs[0]
	if gold["count"].(float64) != 2 || gold["example"] != "gia vang SJC hom nay bao nhieu" || gold["refused"].(float64) != 2 || gold["channels"].([]any)[0] != "web" {
		t.Errorf("first group %v: want the gold price asked twice, with and without diacritics", gold)
	}
	// The dashboard counts the five answers (one grounded) and shows the same top group.
	status, dash := call(t, "GET", srv.URL+"/api/v1/dashboard?days=7", viewer, "")
	totals, _ := dash["totals"].(map[string]any)
	if status != 200 || totals["questions"].(float64) != 5 || totals["grounded_rate"].(float64) != 0.2 ||
		dash["top_unanswered"].([]any)[0].(map[string]any)["key"] != gold["key"] {
		t.Errorf("dashboard: %d %v", status, dash)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/dashboard.csv", nil)
	req.Header.Set("Authorization", "Bearer "+viewer)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	csv, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(string(csv), "ngay,kenh,cau_hoi,co_nguon,hoi_lai_lua_chon,danh_gia_tot,danh_gia_chua_tot\n") || !strings.Contains(string(csv), ",web,5,1,0,0,0") {
		t.Errorf("CSV export: %d\n%s", res.StatusCode, csv)
	}
	if status, _ := call(t, "POST", srv.URL+"/api/v1/unanswered/dismiss", viewer, `{"key":"`+gold["key"].(string)+`"}`); status != 403 {
		t.Errorf("a viewer dismissed a group: %d", status)
	}
	if status, _ := call(t, "POST", srv.URL+"/api/v1/unanswered/dismiss", editor, `{"key":"`+gold["key"].(string)+`"}`); status != 204 {
		t.Fatalf("dismiss: %d", status)
	}
	if gs := groups(); len(gs) != 1 {
		t.Errorf("after dismissing: %v, want the weather only", gs)
	}
	ask("giá vàng SJC hôm nay là bao nhiêu vậy")
	if gs := groups(); len(gs) != 2 {
		t.Errorf("asked again after the dismissal: %v, want the gold price back", gs)
	}
	// Answering a group once closes it.
	weather := groups()[1]
	body := `{"question":"Thời tiết Đà Lạt cuối tuần thế nào?","answer":"Trợ lý không dự báo thời tiết; xem trang của Trung tâm Dự báo khí tượng thủy văn quốc gia.","from_group":"` + weather["key"].(string) + `"}`
	api := http.NewServeMux()
	console.NewAPI(s, quiet).WithFAQ(in, s).Register(api)
	faqSrv := httptest.NewServer(api)
	defer faqSrv.Close()
	if status, out := call(t, "POST", faqSrv.URL+"/api/v1/faq", login(t, faqSrv, "lan", "biên tập viên 2026"), body); status != 201 {
		t.Fatalf("answer the group: %d %v", status, out)
	}
	for _, g := range groups() {
		if g["key"] == weather["key"] {
			t.Errorf("the answered group is still in the queue: %v", g)
		}
	}
}
