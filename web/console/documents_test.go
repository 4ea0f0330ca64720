package console_test

import (
	"context"
	"testing"
)

// TestDocumentsAPI checks that operators list and filter documents, correct their metadata
// (kept when the file is ingested again), and delete them, by role, audited.
func TestDocumentsAPI(t *testing.T) {
	plan := []byte("# Kế hoạch chuyển đổi số năm 2026\n\nTỷ lệ hồ sơ trực tuyến đạt 80% ở cấp tỉnh.\n")
	st := newConsoleStack(t, map[string]string{"ke-hoach.md": string(plan), "tam-tru.md": "# Đăng ký tạm trú\n\nNộp hồ sơ tại Công an cấp xã.\n"})
	s, in, srv := st.store, st.in, st.srv
	ctx := context.Background()
	editor, viewer := login(t, srv, "lan", editorPassword), login(t, srv, "binh", viewerPassword)

	if _, out := call(t, "GET", srv.URL+"/api/v1/documents", viewer, ""); out["count"].(float64) != 2 {
		t.Fatalf("list: %v", out)
	}
	_, out := call(t, "GET", srv.URL+"/api/v1/documents?q=ke+hoach+chuyen+doi", viewer, "")
	docs := out["documents"].([]any)
	if len(docs) != 1 {
		t.Fatalf("search without diacritics: %v", out)
	}
	id := docs[0].(map[string]any)["id"].(string)
	if status, _ := call(t, "GET", srv.URL+"/api/v1/documents?kind=law", viewer, ""); status != 400 {
		t.Errorf("unknown kind: %d", status)
	}
	if status, _ := call(t, "PATCH", srv.URL+"/api/v1/documents/"+id, viewer, `{"locality":"Thái Sơn"}`); status != 403 {
		t.Errorf("a viewer changed a document: %d", status)
	}
	for _, bad := range []string{`{"kind":"law"}`, `{"title":"  "}`, `{"colour":"red"}`} {
		if status, _ := call(t, "PATCH", srv.URL+"/api/v1/documents/"+id, editor, bad); status != 400 {
			t.Errorf("PATCH %s: %d, want 400", bad, status)
		}
	}
	status, out := call(t, "PATCH", srv.URL+"/api/v1/documents/"+id, editor, `{"title":"Kế hoạch CĐS 2026 của tỉnh Thái Sơn","locality":"Thái Sơn"}`)
	if status != 200 || out["title"] != "Kế hoạch CĐS 2026 của tỉnh Thái Sơn" || out["locality"] != "Thái Sơn" {
		t.Fatalf("patch: %d %v", status, out)
	}
	// The file ingested again keeps what the operator set.
	if _, _, err := in.Ingest(ctx, "ke-hoach.md", append(plan, []byte("Cấp xã đạt 50%.\n")...)); err != nil {
		t.Fatal(err)
	}
	if _, out := call(t, "GET", srv.URL+"/api/v1/documents/"+id, viewer, ""); out["title"] != "Kế hoạch CĐS 2026 của tỉnh Thái Sơn" || out["version"].(float64) != 2 {
		t.Errorf("after re-ingestion: %v", out)
	}
	if status, _ := call(t, "DELETE", srv.URL+"/api/v1/documents/"+id, editor, ""); status != 204 {
		t.Fatalf("delete: %d", status)
	}
	if status, _ := call(t, "GET", srv.URL+"/api/v1/documents/"+id, viewer, ""); status != 404 {
		t.Errorf("a deleted document: %d, want 404", status)
	}
	entries, _ := s.Audit(ctx, 2)
	if len(entries) != 2 || entries[0].Action != "document.delete" || entries[1].Action != "document.update" || entries[0].Target != "ke-hoach.md" {
		t.Errorf("audit: %+v", entries)
	}
}
