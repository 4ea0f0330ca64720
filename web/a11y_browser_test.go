package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/trolyao/trolyao/web"
)

// axeScript returns axe-core's script (AXE_CORE_JS, which scripts/test.sh installs from npm),
// or skips the test when it is absent (it fails instead under CI=true).
func axeScript(t *testing.T) string {
	t.Helper()
	path := os.Getenv("AXE_CORE_JS")
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("AXE_CORE_JS is required in CI (scripts/test.sh installs axe-core)")
		}
		t.Skip("AXE_CORE_JS not set (npm install axe-core); skipping the accessibility check")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	return string(b)
}

// axeViolation is one rule axe-core found broken, with the elements that break it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// checkAxe runs axe-core on the current page and fails on violations of impact serious or
// critical; moderate and minor ones are logged.
func checkAxe(t *testing.T, ctx context.Context, script, name string) {
	t.Helper()
	var raw string
	err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](script),
		value(chromedp.Evaluate[string](`axe.run(document, {resultTypes: ['violations']}).then((r) => JSON.stringify(r.violations))`,
			chromedp.EvalAsValue, chromedp.EvalAwaitPromise), &raw),
	)
	if err != nil {
		t.Fatalf("%s: axe-core: %v", name, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("%s: axe-core result: %v", name, err)
	}
	for _, v := range vs {
		var where []string
		for _, n := range v.Nodes {
			b, _ := json.Marshal(n.Target)
			where = append(where, string(b))
		}
		msg := name + ": " + v.Impact + " " + v.ID + " (" + v.Help + ") at " + strings.Join(where, ", ")
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
}

// TestChatPageAccessibility checks the chat page with axe-core in Chromium: empty, and with a
// conversation whose source card and procedure papers are open, in light and dark schemes.
func TestChatPageAccessibility(t *testing.T) {
	script := axeScript(t)
	for _, size := range []viewSize{{"phone", 390, 844}, {"desktop", 1366, 768}} {
		t.Run(size.name, func(t *testing.T) { chatPageAccessibility(t, script, size) })
	}
}

func chatPageAccessibility(t *testing.T, script string, size viewSize) {
	ctx := browser(t)
	st := newStack(t)
	srv, _ := st.serve(t, web.Config{Title: "Trợ lý ảo tỉnh Thái Sơn", Starters: []string{askBirthFee, askOnlineRate}}, st.assistant)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(size.w, size.h),
		chromedp.Navigate(srv.URL+"/"),
		waitFor(`document.getElementById('status').hidden`),
	)
	if err != nil {
		t.Fatal(err)
	}
	checkAxe(t, ctx, script, "empty page")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#q`), askBirthFee+kb.Enter),
		waitFor(`!!document.querySelector('.msg.bot .proc') && !!document.querySelector('.msg.bot .fb')`),
		chromedp.Click(chromedp.CSS(`.msg.bot button.cite`)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('.proc details').open = true`),
		chromedp.Click(chromedp.CSS(`.fb button[aria-pressed]:nth-of-type(2)`)), // 👎: the comment box opens
		chromedp.WaitVisible(chromedp.CSS(`.fbc textarea`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	checkAxe(t, ctx, script, "conversation with an open source card")
}

// TestWidgetAccessibility checks a portal page carrying the widget with axe-core: launcher
// closed, panel open on the chat, and the panel showing that the chat could not load. (axe
// does not enter the chat page's cross-origin frame; TestChatPageAccessibility checks it.)
func TestWidgetAccessibility(t *testing.T) {
	script := axeScript(t)
	st := newStack(t)
	var assistantURL string
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Cổng thông tin tỉnh Thái Sơn</title></head>
<body><main><h1>Cổng thông tin điện tử tỉnh Thái Sơn</h1><p>Tin tức.</p></main><script src="%s/widget.js"></script></body></html>`, assistantURL)
	}))
	defer portal.Close()
	for _, tt := range []struct {
		name    string
		allowed []string
		open    string // the widget's state once opened
	}{
		{"allowed portal", []string{portal.URL}, "v.open && v.frame"},
		{"portal not allowed", nil, "v.open && v.tel !== ''"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := browser(t)
			srv := startAssistant(t, st, web.Config{Title: "Hỏi đáp thủ tục", AllowedOrigins: tt.allowed}, nil)
			assistantURL = srv.URL
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(390, 844),
				chromedp.Navigate(portal.URL),
				waitWidget("v.launcherShown"),
			)
			if err != nil {
				t.Fatal(err)
			}
			checkAxe(t, ctx, script, tt.name+": launcher")
			if err := chromedp.Do(ctx, chromedp.Click(widgetLauncher), waitWidget(tt.open)); err != nil {
				t.Fatal(err)
			}
			checkAxe(t, ctx, script, tt.name+": open")
		})
	}
}
