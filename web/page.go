package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

//go:embed assets
var assets embed.FS

// page holds the chat page, its script and style, and the widget script, rendered and
// compressed once, with the widget's settings.
type page struct {
	html, js, css, widget asset
	csp                   string
	widgetConfig          widgetConfig
}

// widgetConfig is the body of GET /widget-config: the widget's display settings, used where
// its script tag sets none, and whether the asking page may frame the chat page.
type widgetConfig struct {
	Title   string `json:"title"`
	Color   string `json:"color"`
	Hotline string `json:"hotline"`
	// Tel is the hotline's number for a tel: link ("19001096"); empty when it has none.
	Tel string `json:"tel"`
	// Allowed tells whether the Origin of the request (the portal) may frame the chat page and
	// open its websocket; when false the widget says the assistant cannot load instead.
	Allowed bool `json:"allowed"`
}

// asset is one file served with its gzip form and strong ETags.
type asset struct {
	body, gz     []byte
	etag, etagGz string
	ctype, cache string
}

func newAsset(body []byte, ctype, cache string) asset {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(body)
	_ = zw.Close()
	sum := sha256.Sum256(body)
	tag := hex.EncodeToString(sum[:8])
	return asset{body: body, gz: buf.Bytes(), etag: `"` + tag + `"`, etagGz: `"` + tag + `-gz"`, ctype: ctype, cache: cache}
}

// version is the asset's content hash, put in URLs so that they can be cached for good.
func (a asset) version() string { return strings.Trim(a.etag, `"`) }

// Cache policies: the page revalidates (the operator may change its starters); versioned
// assets never change; the widget script's URL is fixed, so it is cached briefly.
const (
	cacheRevalidate = "no-cache"
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheShort      = "public, max-age=300"
)

func mustRead(name string) []byte {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic("web: embedded asset missing: " + name) // present by construction
	}
	return b
}

var pageTemplate = template.Must(template.ParseFS(assets, "assets/index.html"))

func newPage(cfg Config) *page {
	p := &page{
		js:           newAsset(mustRead("assets/app.js"), "text/javascript; charset=utf-8", cacheImmutable),
		css:          newAsset(mustRead("assets/app.css"), "text/css; charset=utf-8", cacheImmutable),
		widget:       newAsset(mustRead("assets/widget.js"), "text/javascript; charset=utf-8", cacheShort),
		widgetConfig: widgetConfig{Title: cfg.Title, Color: cfg.Color, Hotline: cfg.Hotline, Tel: telOf(cfg.Hotline)},
	}
	theme := ":root{--accent:" + cfg.Color + ";--on-accent:" + textOn(cfg.Color) + ";--accent-ink:" + inkOf(cfg.Color) + "}"
	var buf bytes.Buffer
	err := pageTemplate.Execute(&buf, struct {
		Title, JS, CSS string
		Theme          template.CSS
		Starters       []string
		Hotline, Tel   string
		PrivacyURL     string
	}{cfg.Title, "/static/app.js?v=" + p.js.version(), "/static/app.css?v=" + p.css.version(), template.CSS(theme), cfg.Starters,
		cfg.Hotline, telOf(cfg.Hotline), cfg.PrivacyURL})
	if err != nil {
		panic("web: render page: " + err.Error()) // the data cannot fail the template
	}
	p.html = newAsset(buf.Bytes(), "text/html; charset=utf-8", cacheRevalidate)
	themeSum := sha256.Sum256([]byte(theme))
	ancestors := append([]string{"'self'"}, cfg.AllowedOrigins...)
	p.csp = "default-src 'none'; script-src 'self'; style-src 'self' 'sha256-" + base64.StdEncoding.EncodeToString(themeSum[:]) + "'; " +
		"connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors " + strings.Join(ancestors, " ")
	return p
}

func (h *Handler) handlePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", h.page.csp)
	w.Header().Set("Referrer-Policy", "no-referrer")
	serveAsset(w, r, h.page.html)
}

func (h *Handler) handleStatic(w http.ResponseWriter, r *http.Request) {
	var a asset
	switch r.PathValue("name") {
	case "app.js":
		a = h.page.js
	case "app.css":
		a = h.page.css
	default:
		http.NotFound(w, r)
		return
	}
	if r.URL.Query().Get("v") != a.version() {
		a.cache = cacheRevalidate
	}
	serveAsset(w, r, a)
}

func (h *Handler) handleWidget(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
	serveAsset(w, r, h.page.widget)
}

// handleWidgetConfig tells the widget the assistant's title, colour and hotline, and whether
// the page asking may embed it. Any origin may read it (it holds only public display
// settings); it is never cached, as the widget also asks it whether the server is up.
func (h *Handler) handleWidgetConfig(w http.ResponseWriter, r *http.Request) {
	c := h.page.widgetConfig
	c.Allowed = h.checkOrigin(r)
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", "*")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Vary", "Origin")
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	_ = json.NewEncoder(w).Encode(c) // a write error means the client left
}

// phonePattern matches a phone number written with spaces, dots, dashes or brackets:
// "1900 1096", "(0236) 3822 222", "+84 24 3823 4567".
var phonePattern = regexp.MustCompile(`\+?\(?\d[\d .()-]*\d`)

// telOf returns the first phone number of three digits or more in a hotline's text as the
// digits of a tel: link ("Tổng đài dịch vụ công 1900 1096" gives "19001096"), or "" when there
// is none.
func telOf(hotline string) string {
	for _, m := range phonePattern.FindAllString(hotline, -1) {
		tel := make([]byte, 0, len(m))
		for i := 0; i < len(m); i++ {
			if c := m[i]; c >= '0' && c <= '9' || c == '+' && i == 0 {
				tel = append(tel, c)
			}
		}
		if len(strings.TrimPrefix(string(tel), "+")) >= 3 {
			return string(tel)
		}
	}
	return ""
}

// serveAsset sends a, compressed when the client accepts gzip, answering conditional and
// HEAD requests.
func serveAsset(w http.ResponseWriter, r *http.Request, a asset) {
	hd := w.Header()
	hd.Set("Content-Type", a.ctype)
	hd.Set("Cache-Control", a.cache)
	hd.Set("Vary", "Accept-Encoding")
	hd.Set("X-Content-Type-Options", "nosniff")
	body, etag := a.body, a.etag
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, etag = a.gz, a.etagGz
		hd.Set("Content-Encoding", "gzip")
	}
	hd.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether an Accept-Encoding header admits gzip.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		if q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
				return false
			}
		}
		return true
	}
	return false
}

// textOn returns black or white, whichever contrasts more with the colour ("#rgb" or
// "#rrggbb", as Validate checks).
func textOn(color string) string {
	if luminance(color) > 0.179 {
		return "#000"
	}
	return "#fff"
}

// inkOf returns the colour itself when it is dark enough for text on the page's light
// backgrounds (contrast 4.5:1 or more, WCAG AA), else near-black.
func inkOf(color string) string {
	if luminance(color) <= 0.16 {
		return color
	}
	return "#1f1f1f"
}

// luminance is the WCAG relative luminance of a colour.
func luminance(color string) float64 {
	hexa := strings.TrimPrefix(color, "#")
	if len(hexa) == 3 {
		hexa = string([]byte{hexa[0], hexa[0], hexa[1], hexa[1], hexa[2], hexa[2]})
	}
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(hexa[2*i:2*i+2], 16, 8)
		c := float64(v) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}
