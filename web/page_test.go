package web_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/trolyao/trolyao/web"
)

func get(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// A bare transport: no transparent decompression.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestPage(t *testing.T) {
	st := newStack(t)
	srv, _ := st.serve(t, web.Config{
		Title:          `Trợ lý <Thái Sơn>`,
		Color:          "#ffcc00",
		Starters:       []string{askBirthFee, `"><script>alert(1)</script>`},
		AllowedOrigins: []string{"https://portal.example.gov.vn"},
		Hotline:        "Đường dây nóng (0236) 3822 222",
		PrivacyURL:     "https://thaison.gov.vn/bao-mat",
	}, nil)

	resp, body := get(t, srv.URL+"/", "Accept-Encoding", "gzip, br")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("GET / = %d, encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	html := gunzip(t, body)
	for _, want := range []string{
		`<html lang="vi">`,
		`<title>Trợ lý &lt;Thái Sơn&gt;</title>`,
		`<button type="button" class="starter">Đăng ký khai sinh có mất phí không?</button>`,
		`&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;`,
		`--accent:#ffcc00;--on-accent:#000;--accent-ink:#1f1f1f`, // dark text on a light colour
		`<label for="q"`,
		`aria-live="polite"`,
		`<a href="https://thaison.gov.vn/bao-mat" target="_blank" rel="noopener noreferrer">Chính sách bảo vệ dữ liệu cá nhân</a>`,
		`Gọi <a class="tel" href="tel:02363822222">Đường dây nóng (0236) 3822 222</a>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'self' https://portal.example.gov.vn"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	t.Logf("page: %d bytes gzip", len(body))

	// The page revalidates; its assets are versioned and cached for good.
	etag := resp.Header.Get("ETag")
	if resp.Header.Get("Cache-Control") != "no-cache" || etag == "" {
		t.Errorf("page Cache-Control %q, ETag %q", resp.Header.Get("Cache-Control"), etag)
	}
	if resp, _ := get(t, srv.URL+"/", "Accept-Encoding", "gzip", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET = %d, want 304", resp.StatusCode)
	}
	if resp, body := get(t, srv.URL+"/"); resp.Header.Get("Content-Encoding") != "" || !strings.HasPrefix(string(body), "<!doctype html>") {
		t.Errorf("without gzip: encoding %q", resp.Header.Get("Content-Encoding"))
	}

	total := len(body)
	for _, m := range regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(html, -1) {
		resp, body := get(t, srv.URL+m[1], "Accept-Encoding", "gzip")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" ||
			resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s = %d, %q, %q", m[1], resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Cache-Control"))
		}
		t.Logf("%s: %d bytes gzip", m[1], len(body))
		total += len(body)
	}
	t.Logf("page with its assets: %d bytes gzip", total)
	if total > 20<<10 {
		t.Errorf("the page weighs %d bytes gzip; keep it under 20 KiB for slow connections", total)
	}

	tests := []struct {
		path   string
		status int
		ctype  string
	}{
		{"/widget.js", http.StatusOK, "text/javascript; charset=utf-8"},
		{"/static/app.js?v=old", http.StatusOK, "text/javascript; charset=utf-8"},
		{"/static/nothing.js", http.StatusNotFound, ""},
		{"/debug/vars", http.StatusNotFound, ""}, // off by default
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, _ := get(t, srv.URL+tt.path)
			if resp.StatusCode != tt.status || (tt.ctype != "" && resp.Header.Get("Content-Type") != tt.ctype) {
				t.Errorf("GET %s = %d %q", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if tt.path == "/static/app.js?v=old" && resp.Header.Get("Cache-Control") != "no-cache" {
				t.Errorf("an unversioned asset is cached: %q", resp.Header.Get("Cache-Control"))
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  web.Config
		ok   bool
	}{
		{"zero", web.Config{}, true},
		{"colours and origins", web.Config{Color: "#0b5394", AllowedOrigins: []string{"https://a.gov.vn", "http://localhost:8080"}}, true},
		{"named colour", web.Config{Color: "red"}, false},
		{"colour injection", web.Config{Color: "#fff;background:url(x)"}, false},
		{"origin with a path", web.Config{AllowedOrigins: []string{"https://a.gov.vn/chat"}}, false},
		{"origin without scheme", web.Config{AllowedOrigins: []string{"a.gov.vn"}}, false},
		{"tiny frames", web.Config{MaxFrameBytes: 100}, false},
		{"privacy notice", web.Config{PrivacyURL: "https://a.gov.vn/bao-mat"}, true},
		{"privacy notice not a web address", web.Config{PrivacyURL: "javascript:alert(1)"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.cfg.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
