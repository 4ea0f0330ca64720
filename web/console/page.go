package console

import (
	"embed"
	"net/http"
)

// The console's pages: one page (sign-in, the queue of people waiting for staff, recent
// conversations, a conversation with takeover) over the API, signed in with a cookie session.

//go:embed assets/console.html assets/console.js assets/console.css
var assets embed.FS

// consoleCSP lets the page load only its own script and style and talk only to its origin;
// no other site may frame it.
const consoleCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func (a *API) registerPages(mux *http.ServeMux) {
	mux.HandleFunc("GET /console", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /console/{$}", serveAsset("assets/console.html", "text/html; charset=utf-8"))
	mux.HandleFunc("GET /console/console.js", serveAsset("assets/console.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /console/console.css", serveAsset("assets/console.css", "text/css; charset=utf-8"))
}

func serveAsset(name, contentType string) http.HandlerFunc {
	body, err := assets.ReadFile(name)
	if err != nil {
		panic("console: missing asset " + name)
	}
	return func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", contentType)
		h.Set("Content-Security-Policy", consoleCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write(body)
	}
}
