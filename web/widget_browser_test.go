package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/trolyao/trolyao/web"
)

func TestWidgetConfig(t *testing.T) {
	st := newStack(t)
	const portal = "https://portal.example.gov.vn"
	configured, _ := st.serve(t, web.Config{
		Title:          "Trợ lý ảo tỉnh Thái Sơn",
		Color:          "#0b5394",
		Hotline:        "Đường dây nóng (0236) 3822 222",
		AllowedOrigins: []string{portal},
	}, nil)
	defaults, _ := st.serve(t, web.Config{}, nil)
	noNumber, _ := st.serve(t, web.Config{Hotline: "Bộ phận một cửa của UBND xã"}, nil)
	hours, _ := st.serve(t, web.Config{Hotline: "Tổng đài 24/7: +84 24 3823 4567"}, nil)

	type config struct {
		Title, Color, Hotline, Tel string
		Allowed                    bool
	}
	tests := []struct {
		name   string
		server string
		origin string
		want   config
	}{
		{"allowed portal", configured.URL, portal,
			config{"Trợ lý ảo tỉnh Thái Sơn", "#0b5394", "Đường dây nóng (0236) 3822 222", "02363822222", true}},
		{"allowed portal, other case", configured.URL, "HTTPS://Portal.Example.gov.vn",
			config{"Trợ lý ảo tỉnh Thái Sơn", "#0b5394", "Đường dây nóng (0236) 3822 222", "02363822222", true}},
		{"portal not allowed", configured.URL, "https://other.example.gov.vn",
			config{"Trợ lý ảo tỉnh Thái Sơn", "#0b5394", "Đường dây nóng (0236) 3822 222", "02363822222", false}},
		{"portal with a path is no origin", configured.URL, portal + "/trang",
			config{"Trợ lý ảo tỉnh Thái Sơn", "#0b5394", "Đường dây nóng (0236) 3822 222", "02363822222", false}},
		{"the server's own origin", configured.URL, configured.URL,
			config{"Trợ lý ảo tỉnh Thái Sơn", "#0b5394", "Đường dây nóng (0236) 3822 222", "02363822222", true}},
		{"no origin (same-origin request)", configured.URL, "",
			config{"Trợ lý ảo tỉnh Thái Sơn", "#0b5394", "Đường dây nóng (0236) 3822 222", "02363822222", true}},
		{"defaults: the national hotline", defaults.URL, portal,
			config{"Trợ lý ảo dịch vụ công", "#a61b1b", "Tổng đài dịch vụ công 1900 1096", "19001096", false}},
		{"a hotline without a number gets no tel: link", noNumber.URL, "",
			config{"Trợ lý ảo dịch vụ công", "#a61b1b", "Bộ phận một cửa của UBND xã", "", true}},
		{"the hotline's first phone number", hours.URL, "",
			config{"Trợ lý ảo dịch vụ công", "#a61b1b", "Tổng đài 24/7: +84 24 3823 4567", "+842438234567", true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var header []string
			if tt.origin != "" {
				header = []string{"Origin", tt.origin}
			}
			resp, body := get(t, tt.server+"/widget-config", header...)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /widget-config = %d %s", resp.StatusCode, body)
			}
			for name, want := range map[string]string{
				"Content-Type":                "application/json; charset=utf-8",
				"Access-Control-Allow-Origin": "*",
				"Cache-Control":               "no-store",
				"Vary":                        "Origin",
			} {
				if got := resp.Header.Get(name); got != want {
					t.Errorf("%s: %q, want %q", name, got, want)
				}
			}
			var fields map[string]any
			if err := json.Unmarshal(body, &fields); err != nil {
				t.Fatalf("body %s: %v", body, err)
			}
			for _, name := range []string{"title", "color", "hotline", "tel", "allowed"} {
				if _, ok := fields[name]; !ok {
					t.Errorf("body %s lacks %q", body, name)
				}
			}
			var got config
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("config %+v, want %+v", got, tt.want)
			}
		})
	}
}

// widgetView is what a user sees of the widget, read from its shadow root by widgetScript.
type widgetView struct {
	LauncherShown, LauncherFocused bool
	LauncherText                   string
	LauncherBg, LauncherFg         string
	Open                           bool
	Panel, Closer                  struct{ X, Y, W, H float64 }
	CloserLabel                    string
	CloserOnTop                    bool   // nothing covers the close button's centre
	Message                        string // the panel's text outside the chat page
	Tel                            string // a visible tel: link's address
	Retry                          bool   // a visible "Thử lại" button
	Frame                          bool   // the chat page is in the panel
}

const widgetScript = `(() => {
	const r = document.querySelector('[data-trolyao]').shadowRoot;
	const launcher = r.querySelector('button[aria-expanded]');
	const panel = r.querySelector('[role=dialog]');
	const closer = [...panel.querySelectorAll('button[aria-label]')].find((b) => b.getAttribute('aria-label').startsWith('Đóng'));
	const shown = (e) => !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
	const box = (e) => { const b = e.getBoundingClientRect(); return { x: b.x, y: b.y, w: b.width, h: b.height }; };
	let onTop = false;
	if (shown(closer)) {
		const b = closer.getBoundingClientRect();
		const hit = r.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
		onTop = !!hit && closer.contains(hit);
	}
	const tel = [...panel.querySelectorAll('a[href^="tel:"]')].find(shown);
	return {
		launcherShown: shown(launcher), launcherFocused: r.activeElement === launcher,
		launcherText: launcher.textContent.replace('💬', '').trim(),
		launcherBg: getComputedStyle(launcher).backgroundColor, launcherFg: getComputedStyle(launcher).color,
		open: shown(panel), panel: box(panel), closer: closer ? box(closer) : {},
		closerLabel: closer ? closer.getAttribute('aria-label') : '', closerOnTop: onTop,
		message: shown(panel) ? [...panel.children].filter((e) => e !== closer && e.localName !== 'iframe' && shown(e)).map((e) => e.innerText).join(' ').trim() : '',
		tel: tel ? tel.getAttribute('href') : '',
		retry: [...panel.querySelectorAll('button')].some((b) => shown(b) && b.textContent.trim() === 'Thử lại'),
		frame: [...panel.querySelectorAll('iframe')].some(shown),
	};
})()`

// waitWidget waits until a condition on the widgetView v holds ("v.open && v.frame").
func waitWidget(cond string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](`((v) => `+cond+`)(`+widgetScript+`)`, chromedp.WithPollingTimeout(10*time.Second))(ctx, tg)
		if err != nil {
			return fmt.Errorf("waiting for the widget: %s: %w", cond, err)
		}
		return nil
	})
}

var (
	widgetLauncher = chromedp.JSPath(`document.querySelector('[data-trolyao]').shadowRoot.querySelector('button[aria-expanded]')`)
	widgetClose    = chromedp.JSPath(`document.querySelector('[data-trolyao]').shadowRoot.querySelector('button[aria-label="Đóng trợ lý ảo"]')`)
	widgetRetry    = chromedp.JSPath(`[...document.querySelector('[data-trolyao]').shadowRoot.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Thử lại')`)
)

// chatLoaded waits until the chat page has loaded in the widget's frame of the assistant at url.
func chatLoaded(url string) chromedp.Action[chromedp.Void] {
	return inFrame(url, `new Promise((ok, fail) => {
		const t0 = Date.now();
		(function wait() {
			if (document.getElementById('q')) return ok(true);
			if (Date.now() - t0 > 10000) return fail(new Error('the chat page never loaded'));
			setTimeout(wait, 50);
		})();
	})`, nil)
}

// assistantServer runs the web handler on a test server that can be stopped and started again
// at the same address, as when the assistant's host goes down and comes back.
type assistantServer struct {
	t    *testing.T
	st   *stack
	cfg  web.Config
	wrap func(http.Handler) http.Handler // nil: none
	URL  string
	addr string
	srv  *httptest.Server
	h    *web.Handler
}

func startAssistant(t *testing.T, st *stack, cfg web.Config, wrap func(http.Handler) http.Handler) *assistantServer {
	t.Helper()
	a := &assistantServer{t: t, st: st, cfg: cfg, wrap: wrap}
	if err := a.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.stop)
	return a
}

// start serves a new handler, at the address of the last start if there was one.
func (a *assistantServer) start() error {
	a.h = web.New(a.cfg, a.st.assistant, a.st.index, a.st.logger)
	mux := http.NewServeMux()
	a.h.Register(mux)
	var handler http.Handler = mux
	if a.wrap != nil {
		handler = a.wrap(mux)
	}
	a.srv = httptest.NewUnstartedServer(handler)
	if a.addr != "" {
		a.srv.Listener.Close()
		l, err := net.Listen("tcp", a.addr)
		if err != nil {
			return fmt.Errorf("listen again at %s: %w", a.addr, err)
		}
		a.srv.Listener = l
	}
	a.srv.Start()
	a.URL, a.addr = a.srv.URL, a.srv.Listener.Addr().String()
	return nil
}

// stop closes the handler and the server; stopping again does nothing more.
func (a *assistantServer) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.h.Close(ctx); err != nil {
		a.t.Errorf("close handler: %v", err)
	}
	a.srv.Close()
}

// TestWidgetInBrowser embeds the widget in a portal on another origin, on a phone.
func TestWidgetInBrowser(t *testing.T) {
	dir := artifacts(t)
	st := newStack(t)

	// The portal serves one page; the query names the assistant and the script tag's data-
	// attributes. Its aggressive styles must not reach the widget.
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var attrs string
		for _, name := range []string{"title", "color"} {
			if v := q.Get(name); v != "" {
				attrs += fmt.Sprintf(` data-%s="%s"`, name, html.EscapeString(v))
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="vi"><head><meta name="viewport" content="width=device-width,initial-scale=1">
<style>button,div,iframe,p,a{background:lime!important;font-size:40px!important;display:inline!important}</style></head>
<body><h1>Cổng thông tin điện tử tỉnh Thái Sơn</h1><p>Tin tức, thủ tục hành chính.</p>
<script src="%s/widget.js"%s defer></script></body></html>`, html.EscapeString(q.Get("a")), attrs)
	}))
	defer portal.Close()
	portalPage := func(a *assistantServer, attrs ...string) string {
		q := url.Values{"a": {a.URL}}
		for i := 0; i+1 < len(attrs); i += 2 {
			q.Set(attrs[i], attrs[i+1])
		}
		return portal.URL + "/?" + q.Encode()
	}
	configured := web.Config{
		Title:          "Trợ lý ảo tỉnh Thái Sơn",
		Color:          "#0b5394",
		Hotline:        "Đường dây nóng (0236) 3822 222",
		AllowedOrigins: []string{portal.URL},
	}
	phone := chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile)
	read := func(v *widgetView) chromedp.Action[chromedp.Void] {
		return value(chromedp.Evaluate[widgetView](widgetScript), v)
	}

	// checkTrap fails the test unless a panel that could not load the chat page still lets
	// the user out: the message with the hotline, a retry button and a close button on top.
	checkTrap := func(t *testing.T, v widgetView, hotline, tel string) {
		t.Helper()
		if !v.Open || v.Panel.X != 0 || v.Panel.Y != 0 || v.Panel.W != 390 || v.Panel.H != 844 {
			t.Errorf("panel open %v at %+v, want the whole 390×844 screen", v.Open, v.Panel)
		}
		if v.Frame {
			t.Error("the panel shows the chat page's frame, which cannot load")
		}
		want := "Không tải được trợ lý ảo. Vui lòng thử lại sau hoặc gọi " + hotline + "."
		if !containsText(v.Message, want) || v.Tel != tel || !v.Retry {
			t.Errorf("panel says %q with link %q, retry button %v; want %q, a link to %s and a retry button", v.Message, v.Tel, v.Retry, want, tel)
		}
		if !v.CloserOnTop || v.Closer.W < 44 || v.Closer.H < 44 || v.CloserLabel != "Đóng trợ lý ảo" {
			t.Errorf("close button %q %+v, on top %v; want «Đóng trợ lý ảo», at least 44×44, visible", v.CloserLabel, v.Closer, v.CloserOnTop)
		}
		if v.LauncherShown {
			t.Error("the launcher shows over the full-screen panel")
		}
	}

	t.Run("the server's title and colour, unless the tag sets them", func(t *testing.T) {
		ctx := browser(t)
		a := startAssistant(t, st, configured, nil)
		var plain, open, own widgetView
		err := chromedp.Do(ctx,
			phone,
			chromedp.Navigate(portalPage(a)),
			waitWidget(`v.launcherShown && v.launcherText === 'Trợ lý ảo tỉnh Thái Sơn'`),
			read(&plain),
			screenshotOf(t, dir, "widget-1-server-title", chromedp.CaptureScreenshot()),
			chromedp.Click(widgetLauncher),
			chatLoaded(a.URL),
			waitWidget(`v.open && v.frame && v.message === ''`),
			read(&open),
			screenshotOf(t, dir, "widget-2-open", chromedp.CaptureScreenshot()),
			chromedp.Navigate(portalPage(a, "title", "Hỏi đáp thủ tục", "color", "#ffcc00")),
			waitWidget(`v.launcherShown`),
			read(&own),
		)
		if err != nil {
			t.Fatal(err)
		}
		if plain.LauncherBg != "rgb(11, 83, 148)" || plain.LauncherFg != "rgb(255, 255, 255)" {
			t.Errorf("without data-color the launcher is %s on %s, want white on the server's #0b5394", plain.LauncherFg, plain.LauncherBg)
		}
		if !open.CloserOnTop || open.Closer.W < 44 || open.Closer.H < 44 || open.LauncherShown {
			t.Errorf("open widget: close button %+v on top %v, launcher shown %v", open.Closer, open.CloserOnTop, open.LauncherShown)
		}
		if own.LauncherText != "Hỏi đáp thủ tục" || own.LauncherBg != "rgb(255, 204, 0)" || own.LauncherFg != "rgb(0, 0, 0)" {
			t.Errorf("with data-title and data-color the launcher says %q in %s on %s, want «Hỏi đáp thủ tục» in black on #ffcc00",
				own.LauncherText, own.LauncherFg, own.LauncherBg)
		}
	})

	t.Run("Escape closes the panel from the chat page and from the host page", func(t *testing.T) {
		ctx := browser(t)
		a := startAssistant(t, st, configured, nil)
		var afterFrame, afterHost widgetView
		err := chromedp.Do(ctx,
			phone,
			chromedp.Navigate(portalPage(a, "title", "Hỏi đáp thủ tục", "color", "#0b5394")),
			waitWidget(`v.launcherShown`),
			chromedp.Click(widgetLauncher),
			waitWidget(`v.open && v.frame && v.message === ''`),
			inFrame(a.URL, `new Promise((ok, fail) => {
				const t0 = Date.now();
				(function wait() {
					if (document.hasFocus() && document.getElementById('q')) return ok(true);
					if (Date.now() - t0 > 10000) return fail(new Error('the chat page never got the focus'));
					setTimeout(wait, 50);
				})();
			})`, nil),
			chromedp.KeyEvent(kb.Escape), // in the chat page
			waitWidget(`!v.open`),
			read(&afterFrame),
			chromedp.Click(widgetLauncher),
			waitWidget(`v.open && v.closerLabel === 'Đóng trợ lý ảo'`),
			chromedp.Focus(widgetClose), // in the host page
			chromedp.KeyEvent(kb.Escape),
			waitWidget(`!v.open`),
			read(&afterHost),
		)
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range map[string]widgetView{"in the chat page": afterFrame, "on the close button": afterHost} {
			if !v.LauncherShown || !v.LauncherFocused {
				t.Errorf("after Escape %s: launcher shown %v, focused %v; want both", name, v.LauncherShown, v.LauncherFocused)
			}
		}
	})

	t.Run("portal not allowed: a message, not a broken frame", func(t *testing.T) {
		ctx := browser(t)
		a := startAssistant(t, st, web.Config{Title: configured.Title, Color: configured.Color, Hotline: configured.Hotline}, nil)
		var failed, closed, escaped widgetView
		err := chromedp.Do(ctx,
			phone,
			chromedp.Navigate(portalPage(a, "title", "Hỏi đáp thủ tục")),
			waitWidget(`v.launcherShown`),
			chromedp.Click(widgetLauncher),
			waitWidget(`v.retry`),
			read(&failed),
			screenshotOf(t, dir, "widget-3-not-allowed", chromedp.CaptureScreenshot()),
			chromedp.Click(widgetClose),
			waitWidget(`!v.open`),
			read(&closed),
			chromedp.Click(widgetLauncher),
			waitWidget(`v.open && v.retry`),
			chromedp.KeyEvent(kb.Escape),
			waitWidget(`!v.open`),
			read(&escaped),
		)
		if err != nil {
			t.Fatal(err)
		}
		checkTrap(t, failed, "Đường dây nóng (0236) 3822 222", "tel:02363822222")
		if !closed.LauncherShown || !closed.LauncherFocused {
			t.Errorf("after the close button: launcher shown %v, focused %v; want both", closed.LauncherShown, closed.LauncherFocused)
		}
		if !escaped.LauncherShown || !escaped.LauncherFocused {
			t.Errorf("after Escape: launcher shown %v, focused %v; want both", escaped.LauncherShown, escaped.LauncherFocused)
		}
	})

	t.Run("server down after the portal loaded, then back: retry", func(t *testing.T) {
		ctx := browser(t)
		a := startAssistant(t, st, configured, nil)
		var failed, closed, again widgetView
		err := chromedp.Do(ctx,
			phone,
			chromedp.Navigate(portalPage(a)),
			waitWidget(`v.launcherShown`), // with the server's settings, when the tag has none
			chromedp.Func(func(context.Context, *chromedp.Target) error {
				a.stop() // after the portal loaded, before the widget is opened
				return nil
			}),
			chromedp.Click(widgetLauncher),
			waitWidget(`v.retry`),
			read(&failed),
			screenshotOf(t, dir, "widget-4-server-down", chromedp.CaptureScreenshot()),
			chromedp.Click(widgetClose),
			waitWidget(`!v.open`),
			read(&closed),
			chromedp.Click(widgetLauncher),
			waitWidget(`v.open && v.retry`),
			chromedp.Func(func(context.Context, *chromedp.Target) error { return a.start() }),
			chromedp.Click(widgetRetry),
			chatLoaded(a.URL),
			waitWidget(`v.open && v.frame && v.message === ''`),
			read(&again),
		)
		if err != nil {
			t.Fatal(err)
		}
		// The hotline is the server's, read when the portal loaded.
		checkTrap(t, failed, "Đường dây nóng (0236) 3822 222", "tel:02363822222")
		if !closed.LauncherShown || !closed.LauncherFocused {
			t.Errorf("after the close button: launcher shown %v, focused %v; want both", closed.LauncherShown, closed.LauncherFocused)
		}
		if again.Retry || again.Tel != "" {
			t.Errorf("after a successful retry the panel still says %q", again.Message)
		}
	})

	t.Run("server never reached: built-in title and national hotline", func(t *testing.T) {
		ctx := browser(t)
		// A proxy keeps serving the cached script while the assistant behind it is down.
		a := startAssistant(t, st, configured, func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/widget.js" {
					http.Error(w, "502 Bad Gateway", http.StatusBadGateway)
					return
				}
				next.ServeHTTP(w, r)
			})
		})
		var shown, failed widgetView
		err := chromedp.Do(ctx,
			phone,
			chromedp.Navigate(portalPage(a)),
			waitWidget(`v.launcherShown`),
			read(&shown),
			chromedp.Click(widgetLauncher),
			waitWidget(`v.retry`),
			read(&failed),
		)
		if err != nil {
			t.Fatal(err)
		}
		if shown.LauncherText != "Trợ lý ảo dịch vụ công" || shown.LauncherBg != "rgb(166, 27, 27)" {
			t.Errorf("launcher says %q on %s, want the built-in «Trợ lý ảo dịch vụ công» on #a61b1b", shown.LauncherText, shown.LauncherBg)
		}
		checkTrap(t, failed, "Tổng đài dịch vụ công 1900 1096", "tel:19001096")
	})
}

// containsText reports whether s holds want, however spaces and line breaks fall.
func containsText(s, want string) bool {
	return strings.Contains(strings.Join(strings.Fields(s), " "), strings.Join(strings.Fields(want), " "))
}
