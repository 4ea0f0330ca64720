package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trolyao/trolyao/knowledge/sqlite"
	"github.com/trolyao/trolyao/web/console"
)

// apiFixture is the console API over a fresh store with an admin and an editor.
func apiFixture(t *testing.T) (*httptest.Server, *sqlite.Store) {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kb.db"), quietLog)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	acc := console.NewAccounts(s)
	if _, err := acc.Create(ctx, console.Shell, "an", console.RoleAdmin, "quản trị viên tỉnh 01"); err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Create(ctx, console.Shell, "lan", console.RoleEditor, "biên tập viên 2026"); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	console.NewAPI(s, quietLog).WithRealIPHeader("X-Real-IP").Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, s
}

func call(t *testing.T, method, url, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func login(t *testing.T, srv *httptest.Server, name, password string) string {
	t.Helper()
	status, out := call(t, "POST", srv.URL+"/api/v1/auth/login", "", `{"username":"`+name+`","password":"`+password+`"}`)
	token, _ := out["token"].(string)
	if status != 200 || token == "" || out["expires_at"] == nil {
		t.Fatalf("login %s: %d %v", name, status, out)
	}
	return token
}

// TestAPIRoles checks sign-in, the role boundaries (401 without a token, 403 below the role),
// sign-out and that signing in is audited.
func TestAPIRoles(t *testing.T) {
	srv, s := apiFixture(t)
	admin := login(t, srv, "an", "quản trị viên tỉnh 01")
	editor := login(t, srv, "lan", "biên tập viên 2026")
	for _, tt := range []struct {
		method, path, token string
		want                int
	}{
		{"GET", "/api/v1/auth/me", "", 401},
		{"GET", "/api/v1/auth/me", "not-a-token", 401},
		{"GET", "/api/v1/auth/me", editor, 200},
		{"GET", "/api/v1/audit", editor, 403},
		{"GET", "/api/v1/operators", editor, 403},
		{"GET", "/api/v1/audit", admin, 200},
		{"GET", "/api/v1/operators", admin, 200},
		{"GET", "/api/v1/audit?limit=0", admin, 400},
		{"POST", "/api/v1/operators/lan/unlock", editor, 403},
		{"POST", "/api/v1/operators/lan/unlock", admin, 204},
		{"POST", "/api/v1/operators/khong-co/unlock", admin, 404},
	} {
		if status, out := call(t, tt.method, srv.URL+tt.path, tt.token, ""); status != tt.want {
			t.Errorf("%s %s: %d %v, want %d", tt.method, tt.path, status, out, tt.want)
		}
	}
	if _, out := call(t, "GET", srv.URL+"/api/v1/auth/me", editor, ""); out["username"] != "lan" || out["role"] != "editor" {
		t.Errorf("me = %v", out)
	}
	if status, _ := call(t, "POST", srv.URL+"/api/v1/auth/logout", editor, ""); status != 204 {
		t.Fatalf("logout: %d", status)
	}
	if status, _ := call(t, "GET", srv.URL+"/api/v1/auth/me", editor, ""); status != 401 {
		t.Errorf("a revoked token: %d, want 401", status)
	}
	// A disabled account's live token stops working at once.
	lan := login(t, srv, "lan", "biên tập viên 2026")
	if err := console.NewAccounts(s).SetDisabled(context.Background(), console.Shell, "lan", true); err != nil {
		t.Fatal(err)
	}
	if status, _ := call(t, "GET", srv.URL+"/api/v1/auth/me", lan, ""); status != 401 {
		t.Errorf("a disabled account's token: %d, want 401", status)
	}
	_, out := call(t, "GET", srv.URL+"/api/v1/audit", admin, "")
	entries, _ := out["entries"].([]any)
	var actions []string
	for _, e := range entries {
		m := e.(map[string]any)
		actions = append(actions, m["actor"].(string)+" "+m["action"].(string))
	}
	if got := strings.Join(actions, ", "); !strings.HasPrefix(got, "shell operator.disable, lan auth.login, lan auth.logout, an operator.unlock, lan auth.login, an auth.login") {
		t.Errorf("audit: %s", got)
	}
}

// TestAPILoginThrottled checks that wrong passwords are refused alike and that repeated
// attempts on one account are throttled with Retry-After.
func TestAPILoginThrottled(t *testing.T) {
	srv, _ := apiFixture(t)
	for _, body := range []string{`{"username":"lan","password":"sai mật khẩu rồi"}`, `{"username":"khong-co","password":"biên tập viên 2026"}`} {
		if status, out := call(t, "POST", srv.URL+"/api/v1/auth/login", "", body); status != 401 || out["error"].(map[string]any)["code"] != "bad_credentials" {
			t.Errorf("%s: %d %v, want 401 bad_credentials", body, status, out)
		}
	}
	if status, _ := call(t, "POST", srv.URL+"/api/v1/auth/login", "", `{"username":"lan"}`); status != 400 {
		t.Errorf("no password: %d, want 400", status)
	}
	var last int
	for range 6 {
		last, _ = call(t, "POST", srv.URL+"/api/v1/auth/login", "", `{"username":"lan","password":"sai mật khẩu rồi"}`)
	}
	if last != 429 {
		t.Fatalf("after repeated failures: %d, want 429", last)
	}
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/auth/login", strings.NewReader(`{"username":"lan","password":"biên tập viên 2026"}`))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 429 || res.Header.Get("Retry-After") == "" {
		t.Errorf("even the right password while throttled: %d, Retry-After %q; want 429 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
}

// TestAPIAddressBehindProxy checks that the address a trusted proxy reports is the one throttled
// and audited, as for the web chat.
func TestAPIAddressBehindProxy(t *testing.T) {
	srv, s := apiFixture(t)
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/auth/login", strings.NewReader(`{"username":"lan","password":"biên tập viên 2026"}`))
	req.Header.Set("X-Real-IP", "203.0.113.7")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	entries, err := s.Audit(context.Background(), 1)
	if res.StatusCode != 200 || err != nil || len(entries) != 1 || entries[0].Address != "203.0.113.7" {
		t.Errorf("login %d; audit %+v, %v; want the proxy's client address", res.StatusCode, entries, err)
	}
}

// TestCookieSessions: a browser's sign-in puts the token in an HttpOnly, SameSite=Strict
// cookie (never in the reply); reading works with the cookie alone, while a state-changing
// request also needs the session's CSRF token; signing out ends the session and the cookie.
func TestCookieSessions(t *testing.T) {
	srv, _ := apiFixture(t)
	res, err := http.Post(srv.URL+"/api/v1/auth/login", "application/json", strings.NewReader(`{"username":"lan","password":"biên tập viên 2026","cookie":true}`))
	if err != nil {
		t.Fatal(err)
	}
	var in map[string]any
	json.NewDecoder(res.Body).Decode(&in)
	res.Body.Close()
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == console.SessionCookie {
			cookie = c
		}
	}
	csrf, _ := in["csrf_token"].(string)
	if res.StatusCode != 200 || cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Secure || csrf == "" || in["token"] != nil {
		t.Fatalf("cookie sign-in: %d %v cookie %+v", res.StatusCode, in, cookie)
	}
	do := func(method, path, csrf string) (int, map[string]any) {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		req.AddCookie(cookie)
		if csrf != "" {
			req.Header.Set(console.CSRFHeader, csrf)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	if status, me := do("GET", "/api/v1/auth/me", ""); status != 200 || me["username"] != "lan" || me["csrf_token"] != csrf {
		t.Errorf("me with the cookie: %d %v", status, me)
	}
	if status, out := do("POST", "/api/v1/auth/logout", ""); status != 403 || out["error"].(map[string]any)["code"] != "csrf" {
		t.Errorf("sign-out without the CSRF token: %d %v", status, out)
	}
	if status, _ := do("POST", "/api/v1/auth/logout", csrf[:len(csrf)-2]+"xx"); status != 403 {
		t.Errorf("sign-out with a wrong CSRF token: %d", status)
	}
	if status, _ := do("POST", "/api/v1/auth/logout", csrf); status != 204 {
		t.Fatalf("sign-out: %d", status)
	}
	if status, _ := do("GET", "/api/v1/auth/me", ""); status != 401 {
		t.Errorf("me after sign-out: %d, want 401", status)
	}
}
