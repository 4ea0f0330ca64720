package console_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestUnansweredQueue checks that refused questions come to the operators grouped (the same
// question with and without diacritics is one group), without greetings or answered ones, and
// that a dismissed group stays away until it is asked again.
func TestUnansweredQueue(t *testing.T) {
	st := newConsoleStack(t, map[string]string{"tam-tru.md": tamTru})
	srv := st.srv
	ask := func(q string) { st.ask(t, q) }
	for _, q := range []string{"Giá vàng SJC hôm nay bao nhiêu?", "Thời tiết Đà Lạt cuối tuần thế nào?", "xin chào", "Đăng ký tạm trú nộp hồ sơ ở đâu?", "gia vang SJC hom nay bao nhieu"} {
		ask(q)
	}
	editor, viewer := login(t, srv, "lan", editorPassword), login(t, srv, "binh", viewerPassword)

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
	if status, out := call(t, "POST", srv.URL+"/api/v1/faq", editor, body); status != 201 {
		t.Fatalf("answer the group: %d %v", status, out)
	}
	for _, g := range groups() {
		if g["key"] == weather["key"] {
			t.Errorf("the answered group is still in the queue: %v", g)
		}
	}
}
