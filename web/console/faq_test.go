package console_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trolyao/trolyao/assistant"
)

// TestAnswerOnce checks that an FAQ entry an editor writes is the assistant's answer at once,
// for the question and a paraphrase typed without diacritics, and no longer once deleted; a
// viewer may not write one.
func TestAnswerOnce(t *testing.T) {
	st := newConsoleStack(t, map[string]string{"thu-tuc.md": tamTru})
	s, srv := st.store, st.srv
	ctx := context.Background()
	editor := login(t, srv, "lan", editorPassword)
	viewer := login(t, srv, "binh", viewerPassword)

	question := "Mất giấy biên nhận hồ sơ thì có nhận kết quả được không?"
	answerText := "Được. Bạn mang giấy tờ tùy thân đến nơi đã nộp hồ sơ, cán bộ tra cứu theo số định danh và trả kết quả."
	ask := func(q string) assistant.Reply { return st.ask(t, q) }
	if r := ask(question); r.Grounded {
		t.Fatalf("answered before the entry exists:\n%s", r.Answer)
	}
	body := `{"question":"` + question + `","answer":"` + answerText + `"}`
	if status, _ := call(t, "POST", srv.URL+"/api/v1/faq", viewer, body); status != 403 {
		t.Errorf("a viewer wrote an FAQ entry: %d, want 403", status)
	}
	if status, _ := call(t, "POST", srv.URL+"/api/v1/faq", editor, `{"question":"  ","answer":"x"}`); status != 400 {
		t.Errorf("an empty question: %d, want 400", status)
	}
	status, out := call(t, "POST", srv.URL+"/api/v1/faq", editor, body)
	id, _ := out["id"].(string)
	if status != 201 || id == "" || !strings.HasPrefix(out["source"].(string), "faq/") {
		t.Fatalf("create: %d %v", status, out)
	}
	for _, q := range []string{question, "mat giay bien nhan ho so roi thi co nhan ket qua duoc khong"} {
		if r := ask(q); !r.Grounded || !strings.Contains(r.Answer, "cán bộ tra cứu theo số định danh") {
			t.Errorf("%q is not answered with the entry:\n%s", q, r.Answer)
		}
	}
	if _, out := call(t, "GET", srv.URL+"/api/v1/faq", viewer, ""); len(out["faq"].([]any)) != 1 {
		t.Errorf("list: %v", out)
	}
	// Disabled, the entry is no longer the answer; enabled again, it is.
	if status, out := call(t, "PATCH", srv.URL+"/api/v1/faq/"+id, editor, `{"enabled":false}`); status != 200 || out["enabled"] != false {
		t.Fatalf("disable: %d %v", status, out)
	}
	if r := ask(question); r.Grounded && strings.Contains(r.Answer, "cán bộ tra cứu theo số định danh") {
		t.Errorf("a disabled entry is still the answer:\n%s", r.Answer)
	}
	if status, _ := call(t, "PATCH", srv.URL+"/api/v1/faq/"+id, editor, `{"enabled":true}`); status != 200 {
		t.Fatalf("enable: %d", status)
	}
	if r := ask(question); !strings.Contains(r.Answer, "cán bộ tra cứu theo số định danh") {
		t.Errorf("the entry enabled again is not the answer:\n%s", r.Answer)
	}
	if status, _ := call(t, "PATCH", srv.URL+"/api/v1/faq/"+id, viewer, `{"enabled":false}`); status != 403 {
		t.Errorf("a viewer changed an entry: %d", status)
	}
	if status, _ := call(t, "DELETE", srv.URL+"/api/v1/faq/"+id, editor, ""); status != 204 {
		t.Fatalf("delete: %d", status)
	}
	if status, _ := call(t, "DELETE", srv.URL+"/api/v1/faq/"+id, editor, ""); status != 404 {
		t.Errorf("delete again: %d, want 404", status)
	}
	if r := ask(question); r.Grounded && strings.Contains(r.Answer, "cán bộ tra cứu theo số định danh") {
		t.Errorf("a deleted entry is still the answer:\n%s", r.Answer)
	}
	entries, _ := s.Audit(ctx, 4)
	if len(entries) != 4 || entries[0].Action != "faq.delete" || entries[1].Action != "faq.enable" || entries[2].Action != "faq.disable" ||
		entries[3].Action != "faq.create" || entries[0].Actor != "lan" {
		t.Errorf("audit: %+v", entries)
	}
}
