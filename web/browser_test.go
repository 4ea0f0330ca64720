package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/web"
)

const chromiumPath = "/usr/bin/chromium"

// browser starts a headless Chromium for the test, or skips the test when there is none (it
// fails instead under CI=true).
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium is required in CI: %v (apt-get install chromium)", err)
		}
		t.Skipf("no Chromium at %s (apt-get install chromium); skipping the browser test", chromiumPath)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(412, 900), // a phone
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 50*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// artifacts returns the folder screenshots go to: $ARTIFACTS_DIR, else a temporary one.
func artifacts(t *testing.T) string {
	dir := os.Getenv("ARTIFACTS_DIR")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func screenshot(t *testing.T, dir, name string) chromedp.Action[chromedp.Void] {
	return screenshotOf(t, dir, name, chromedp.FullScreenshot(100)) // quality 100: PNG
}

func screenshotOf(t *testing.T, dir, name string, shot chromedp.Action[[]byte]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		buf, err := shot(ctx, tg)
		if err != nil {
			return err
		}
		path := filepath.Join(dir, name+".png")
		t.Logf("screenshot %s", path)
		return os.WriteFile(path, buf, 0o644)
	})
}

// newConversation opens the chat page at url on a new conversation, connected.
func newConversation(url string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		return chromedp.Do(ctx,
			chromedp.Navigate(url+"/"),
			waitFor(`document.getElementById('status').hidden`),
			chromedp.Evaluate[chromedp.Void](`localStorage.removeItem('trolyao.session')`),
			chromedp.Reload(),
			waitFor(`document.getElementById('status').hidden`),
		)
	})
}

// emulateMedia sets the emulated CSS media type ("print", or "" for the screen) and
// features (prefers-color-scheme, prefers-reduced-motion); no arguments restore the defaults.
func emulateMedia(media string, features ...*emulation.MediaFeature) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media, Features: features})
		return err
	})
}

// value runs an action that returns a value as a step, storing the value in *dst.
func value[T any](a chromedp.Action[T], dst *T) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		v, err := a(ctx, tg)
		*dst = v
		return err
	})
}

func waitFor(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second))(ctx, tg)
		if err != nil {
			return fmt.Errorf("waiting for %s: %w", expr, err)
		}
		return nil
	})
}

// onceGate holds the first answer after its first delta until released; later answers flow.
type onceGate struct {
	web.Assistant
	once    sync.Once
	held    chan struct{}
	release chan struct{}
}

func (g *onceGate) Ask(ctx context.Context, req assistant.Request, onDelta func(string)) (assistant.Reply, error) {
	n := 0
	return g.Assistant.Ask(ctx, req, func(d string) {
		if n++; n == 2 {
			g.once.Do(func() {
				close(g.held)
				<-g.release
			})
		}
		onDelta(d)
	})
}

// choiceAsker answers one question by asking which of two procedures is meant, and "2" with
// the second one's answer, through the real assistant.
type choiceAsker struct{ web.Assistant }

const askUnclear = "làm giấy tờ hộ tịch cho con"

func (c choiceAsker) Ask(ctx context.Context, req assistant.Request, onDelta func(string)) (assistant.Reply, error) {
	switch req.Message {
	case askUnclear:
		r, err := c.Assistant.Ask(ctx, req, nil)
		r.Answer = "Tôi chưa chắc bạn hỏi về thủ tục nào. Bạn vui lòng chọn một thủ tục dưới đây (trả lời bằng số thứ tự):\n1. Cấp bản sao trích lục hộ tịch\n2. Đăng ký khai sinh"
		r.Grounded, r.Citations, r.Card, r.Suggestions = false, nil, nil, nil
		r.Choices = []knowledge.Choice{{N: 1, Title: "Cấp bản sao trích lục hộ tịch", Source: "a", DocumentID: "a"}, {N: 2, Title: "Đăng ký khai sinh", Source: "b", DocumentID: "b"}}
		return r, err
	case "2":
		req.Message = askBirthFee
	}
	return c.Assistant.Ask(ctx, req, onDelta)
}

// TestChoicesInBrowser checks that an answer asking which procedure is meant shows the
// procedures as buttons instead of the numbered lines, and that a button answers it.
func TestChoicesInBrowser(t *testing.T) {
	for _, size := range []viewSize{{"phone", 390, 844}, {"desktop", 1366, 768}} {
		t.Run(size.name, func(t *testing.T) { choicesInBrowser(t, size) })
	}
}

func choicesInBrowser(t *testing.T, size viewSize) {
	ctx := browser(t)
	dir := artifacts(t)
	st := newStack(t)
	srv, _ := st.serve(t, web.Config{Title: "Trợ lý ảo tỉnh Thái Sơn"}, choiceAsker{st.assistant})
	var buttons []string
	var listed, disabled bool
	var asked, answer string
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(size.w, size.h),
		chromedp.Navigate(srv.URL+"/"),
		waitFor(`document.getElementById('status').hidden`),
		chromedp.SendKeys(chromedp.CSS(`#q`), askUnclear+kb.Enter),
		waitFor(`document.querySelectorAll('.choices button.choice').length === 2`),
		value(chromedp.Evaluate[[]string](`[...document.querySelectorAll('.choices button.choice')].map((b) => b.textContent)`), &buttons),
		value(chromedp.Evaluate[bool](`document.querySelector('.msg.bot .bubble').textContent.includes('1. Cấp bản sao')`), &listed),
		screenshotOf(t, dir, size.name+"-11-choices", chromedp.CaptureScreenshot()),
		chromedp.Click(chromedp.CSS(`.choices button.choice:nth-of-type(2)`)),
		waitFor(`!!document.querySelector('.msg.bot .proc')`),
		value(chromedp.Evaluate[string](`[...document.querySelectorAll('.msg.user .bubble')].pop().textContent`), &asked),
		value(chromedp.Evaluate[string](`[...document.querySelectorAll('.msg.bot .bubble')].pop().textContent`), &answer),
		value(chromedp.Evaluate[bool](`document.querySelector('.choices button.choice').disabled`), &disabled),
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(buttons) != 2 || buttons[1] != "2. Đăng ký khai sinh" || listed {
		t.Errorf("choice buttons %q; numbered lines left in the text: %v", buttons, listed)
	}
	if asked != "2" || !strings.Contains(answer, "Đăng ký khai sinh") {
		t.Errorf("the second button asked %q and got %q", asked, answer)
	}
	if !disabled {
		t.Error("the choices of an answered question can still be pressed")
	}
}

// viewSize is a browser window to test the page in.
type viewSize struct {
	name string
	w, h int64
}

// TestChatPageInBrowser tries the chat page as a citizen would, on a phone and on a desktop.
func TestChatPageInBrowser(t *testing.T) {
	for _, size := range []viewSize{{"phone", 390, 844}, {"desktop", 1366, 768}} {
		t.Run(size.name, func(t *testing.T) { chatPageInBrowser(t, size) })
	}
}

func chatPageInBrowser(t *testing.T, size viewSize) {
	ctx := browser(t)
	dir := artifacts(t)
	view := chromedp.EmulateViewport(size.w, size.h)
	if err := chromedp.Do(ctx, view); err != nil {
		t.Fatal(err)
	}
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return screenshotOf(t, dir, size.name+"-"+name, chromedp.CaptureScreenshot())
	}
	st := newStack(t)

	// A portal on another origin embeds the widget; the assistant allows that origin. Its
	// own aggressive styles must not reach the widget.
	var assistantURL string
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="vi"><head><meta name="viewport" content="width=device-width,initial-scale=1">
<style>button,div,iframe{background:lime!important;font-size:40px!important;display:inline!important}</style></head>
<body><h1>Cổng thông tin điện tử tỉnh Thái Sơn</h1>
<script src="%s/widget.js" data-title="Hỏi đáp thủ tục" data-color="#0b5394"></script></body></html>`, assistantURL)
	}))
	defer portal.Close()
	gate := &onceGate{Assistant: st.assistant, held: make(chan struct{}), release: make(chan struct{})}
	srv, _ := st.serve(t, web.Config{
		Title:          "Trợ lý ảo tỉnh Thái Sơn",
		Starters:       []string{askBirthFee, askOnlineRate},
		AllowedOrigins: []string{portal.URL},
	}, gate)
	assistantURL = srv.URL

	t.Run("ask, stream, cite, rate, reload", func(t *testing.T) {
		var text, session, live string
		var boxHidden [3]bool
		var ratedAfterReload string
		var blocks int
		var href chromedp.AttributeResult
		var cards, users, bots int
		err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/"),
			chromedp.WaitVisible(chromedp.CSS(`.starter`)),
			chromedp.Click(chromedp.CSS(`.starter`)), // the first starter: askBirthFee
			chromedp.WaitVisible(chromedp.CSS(`.msg.bot .bubble.streaming:not(.wait)`)),
			value(chromedp.Text(chromedp.CSS(`.msg.bot .bubble`)), &text),
			value(chromedp.Evaluate[int](`document.querySelectorAll('.msg.bot .bubble.streaming > p, .msg.bot .bubble.streaming > ul').length`), &blocks),
			shot("1-streaming"),
		)
		if err != nil {
			t.Fatal(err)
		}
		<-gate.held
		if text == "" || strings.Contains(text, "[1]") || blocks == 0 {
			t.Fatalf("streaming text %q in %d paragraphs or lists: want the first words only, laid out as the answer will be", text, blocks)
		}
		close(gate.release)
		err = chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.CSS(`.msg.bot button.cite`)),
			chromedp.Click(chromedp.CSS(`.msg.bot button.cite`)),
			chromedp.WaitVisible(chromedp.CSS(`.card a`)),
			value(chromedp.AttributeValue(chromedp.CSS(`.card a`), "href"), &href),
			value(chromedp.Evaluate[int](`document.querySelectorAll('.card:not([hidden])').length`), &cards),
			shot("2-citation"),
			// The comment box is not there until the answer is rated unhelpful.
			value(chromedp.Evaluate[bool](`getComputedStyle(document.querySelector('.fbc')).display === 'none'`), &boxHidden[0]),
			chromedp.Click(chromedp.CSS(`.fb button[aria-pressed]`)), // 👍 Có
			waitFor(`document.querySelector('.fbs').textContent.includes('đánh giá')`),
			value(chromedp.Evaluate[bool](`getComputedStyle(document.querySelector('.fbc')).display === 'none'`), &boxHidden[1]),
			chromedp.Click(chromedp.CSS(`.fb button[aria-pressed]:nth-of-type(2)`)), // 👎 Không
			chromedp.WaitVisible(chromedp.CSS(`.fbc textarea`)),
			chromedp.SendKeys(chromedp.CSS(`.fbc textarea`), "Thiếu lệ phí khi nộp trực tuyến"),
			chromedp.Click(chromedp.CSS(`.fbc button`)),
			waitFor(`document.querySelector('.fbs').textContent.includes('Đã gửi góp ý')`),
			value(chromedp.Evaluate[bool](`getComputedStyle(document.querySelector('.fbc')).display === 'none'`), &boxHidden[2]),
			value(chromedp.Evaluate[string](`localStorage.getItem('trolyao.session')`), &session),
		)
		if err != nil {
			t.Fatal(err)
		}
		if cards != 1 || !strings.HasPrefix(href.Value, "https://dichvucong.gov.vn/") {
			t.Errorf("%d open source cards, link %q", cards, href.Value)
		}
		if boxHidden != [3]bool{true, true, true} {
			t.Errorf("comment box hidden before rating, after 👍, after sending: %v; want hidden each time", boxHidden)
		}
		last := waitStored(t, st, session)
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			rating, comment := st.feedback(t, last.ID)
			if rating == "down" && comment == "Thiếu lệ phí khi nộp trực tuyến" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("stored feedback %q %q", rating, comment)
			}
		}

		// Keyboard only: type and press Enter; then reload and find the conversation.
		err = chromedp.Do(ctx,
			chromedp.Focus(chromedp.CSS(`#q`)),
			chromedp.SendKeys(chromedp.CSS(`#q`), askResidenceFee+kb.Enter),
			waitFor(`document.querySelectorAll('.msg.bot .cite').length >= 2`),
			value(chromedp.Evaluate[string](`document.getElementById('live').textContent`), &live),
			chromedp.Reload(),
			waitFor(`document.querySelectorAll('.msg.bot .cite').length >= 2`),
			value(chromedp.Evaluate[int](`document.querySelectorAll('.msg.user').length`), &users),
			value(chromedp.Evaluate[int](`document.querySelectorAll('.msg.bot').length`), &bots),
			value(chromedp.Evaluate[string](`[...document.querySelectorAll('.msg.bot')][0].querySelector('.fb button:nth-of-type(2)').getAttribute('aria-pressed') + ' ' + [...document.querySelectorAll('.msg.bot')][0].querySelector('.fbs').textContent`), &ratedAfterReload),
			shot("3-after-reload"),
		)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(live, "Trợ lý trả lời: Thủ tục «Đăng ký tạm trú»") {
			t.Errorf("live region says %q, want the new answer", live)
		}
		if users != 2 || bots != 2 {
			t.Errorf("after reload: %d questions and %d answers, want 2 and 2", users, bots)
		}
		if ratedAfterReload != "true Bạn đã đánh giá câu trả lời này." {
			t.Errorf("after reload the rated answer shows %q, want 👎 pressed and its rating said", ratedAfterReload)
		}
	})

	t.Run("the last answer ends in view", func(t *testing.T) {
		var gap, below float64
		err := chromedp.Do(ctx,
			newConversation(srv.URL),
			chromedp.SendKeys(chromedp.CSS(`#q`), askBirthFee+kb.Enter),
			waitFor(`document.querySelectorAll('.msg.bot .fb').length >= 1`),
			chromedp.SendKeys(chromedp.CSS(`#q`), askResidenceFee+kb.Enter),
			waitFor(`document.querySelectorAll('.msg.bot .fb').length >= 2`),
			chromedp.Sleep(100*time.Millisecond),
			value(chromedp.Evaluate[float64](`(() => { const l = document.getElementById('log'); return l.scrollHeight - l.scrollTop - l.clientHeight; })()`), &gap),
			value(chromedp.Evaluate[float64](`(() => { const m = [...document.querySelectorAll('.msg.bot')].pop(); return m.getBoundingClientRect().bottom - document.getElementById('log').getBoundingClientRect().bottom; })()`), &below),
			shot("7-last-answer"),
		)
		if err != nil {
			t.Fatal(err)
		}
		if gap > 2 || below > 1 {
			t.Errorf("the last answer ends %.0f px below the conversation's view (%.0f px left to scroll)", below, gap)
		}
	})

	t.Run("procedure card and tap-to-call hotline", func(t *testing.T) {
		var rows [][]string
		var button, tel chromedp.AttributeResult
		var buttonText string
		var rawURL, papersOpen, followCited bool
		var suggested int
		var followUp string
		err := chromedp.Do(ctx,
			view,
			chromedp.Navigate(srv.URL+"/"),
			waitFor(`document.getElementById('status').hidden`),
			chromedp.SendKeys(chromedp.CSS(`#q`), askBirthFee+kb.Enter),
			waitFor(`!![...document.querySelectorAll('.msg.bot')].pop().querySelector('.proc')`),
			value(chromedp.Evaluate[[][]string](`[...[...document.querySelectorAll('.msg.bot')].pop().querySelectorAll('.proc tbody tr')].map((r) => [...r.cells].map((c) => c.textContent))`), &rows),
			value(chromedp.AttributeValue(chromedp.CSS(`.msg.bot:last-child .proc a.go`), "href"), &button),
			value(chromedp.Text(chromedp.CSS(`.msg.bot:last-child .proc a.go`)), &buttonText),
			value(chromedp.Evaluate[bool](`[...document.querySelectorAll('.msg.bot:last-child .bubble')].some((b) => b.textContent.includes('https://'))`), &rawURL),
			value(chromedp.Evaluate[bool](`document.querySelector('.msg.bot:last-child .proc details').open`), &papersOpen),
			shot("9-procedure-card"),
			value(chromedp.Evaluate[int](`document.querySelectorAll('.msg.bot:last-child .next button').length`), &suggested),
			chromedp.Click(chromedp.CSS(`.msg.bot:last-child .next button`)),
			waitFor(`document.querySelectorAll('.msg.user').length >= 2 && !![...document.querySelectorAll('.msg.bot')].pop().querySelector('.fb')`),
			value(chromedp.Evaluate[string](`[...document.querySelectorAll('.msg.user')].pop().textContent`), &followUp),
			value(chromedp.Evaluate[bool](`!![...document.querySelectorAll('.msg.bot')].pop().querySelector('.cite')`), &followCited),
			chromedp.SendKeys(chromedp.CSS(`#q`), "Giá vàng SJC hôm nay bao nhiêu một lượng?"+kb.Enter),
			waitFor(`!!document.querySelector('.msg.bot:last-child a.tel')`),
			value(chromedp.AttributeValue(chromedp.CSS(`.msg.bot:last-child a.tel`), "href"), &tel),
			view,
		)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || rows[0][0] != "Trực tiếp" || rows[0][2] != "Miễn phí" || rows[1][0] != "Trực tuyến" {
			t.Errorf("card rows %q, want each channel with its time and fee", rows)
		}
		if buttonText != "Nộp hồ sơ trực tuyến" || !strings.HasPrefix(button.Value, "https://dichvucong.gov.vn/") || rawURL || papersOpen {
			t.Errorf("card button %q → %q; raw address in the answer: %v; papers unfolded: %v", buttonText, button.Value, rawURL, papersOpen)
		}
		if suggested < 2 || !strings.Contains(followUp, "?") || !followCited {
			t.Errorf("%d next questions suggested; the first asked %q, answered with a source: %v", suggested, followUp, followCited)
		}
		if tel.Value != "tel:19001096" {
			t.Errorf("hotline link %q, want tel:19001096", tel.Value)
		}
	})

	t.Run("copy and print one answer", func(t *testing.T) {
		var copied string
		var shown []string
		err := chromedp.Do(ctx,
			newConversation(srv.URL),
			chromedp.SendKeys(chromedp.CSS(`#q`), askBirthFee+kb.Enter),
			waitFor(`document.querySelectorAll('.msg.bot .tools').length >= 1`),
			chromedp.SendKeys(chromedp.CSS(`#q`), askResidenceFee+kb.Enter),
			waitFor(`document.querySelectorAll('.msg.bot .tools').length >= 2`),
			// The clipboard and the print dialog are the browser's: record what reaches them.
			chromedp.Evaluate[chromedp.Void](`window.__copied = ''; navigator.clipboard.writeText = async (t) => { window.__copied = t; };
				window.print = () => { window.__shown = [...document.querySelectorAll('.msg')].filter((m) => getComputedStyle(m).display !== 'none').map((m) => m.className); };`),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('.msg.bot .tools button').click()`),
			waitFor(`window.__copied !== ''`),
			value(chromedp.Evaluate[string](`window.__copied`), &copied),
			emulateMedia("print"),
			chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('.msg.bot .tools button')[1].click()`),
			value(chromedp.Evaluate[[]string](`window.__shown || []`), &shown),
			emulateMedia(""),
		)
		if err != nil {
			t.Fatal(err)
		}
		if body, sources, ok := strings.Cut(copied, "\n\nNguồn:\n"); !ok || body == "" || strings.Contains(body, "[1]") || !strings.HasPrefix(sources, "[1] ") {
			t.Errorf("copied %q: want the answer without markers, with its sources", copied)
		}
		if len(shown) != 2 || !strings.Contains(shown[0], "user") || !strings.Contains(shown[1], "bot") {
			t.Errorf("printed messages %q, want the first question and its answer only", shown)
		}
	})

	t.Run("dark mode", func(t *testing.T) {
		var bg, fg, bubble string
		err := chromedp.Do(ctx,
			view,
			emulateMedia("", &emulation.MediaFeature{Name: "prefers-color-scheme", Value: "dark"}),
			chromedp.Navigate(srv.URL+"/"),
			waitFor(`!!document.querySelector('.msg.bot .cite')`),
			value(chromedp.Evaluate[string](`getComputedStyle(document.documentElement).backgroundColor`), &bg),
			value(chromedp.Evaluate[string](`getComputedStyle(document.documentElement).color`), &fg),
			value(chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.msg.bot .bubble')).backgroundColor`), &bubble),
			shot("10-dark"),
			emulateMedia(""),
			view,
		)
		if err != nil {
			t.Fatal(err)
		}
		if bg != "rgb(22, 23, 24)" || fg != "rgb(232, 232, 232)" || bubble != "rgb(42, 44, 47)" {
			t.Errorf("dark mode: page %s on %s, answer bubble %s", fg, bg, bubble)
		}
	})

	t.Run("200% zoom and reduced motion", func(t *testing.T) {
		// A 412 px phone at 200% zoom lays the page out in 206 CSS pixels.
		var overflow int
		var animation string
		err := chromedp.Do(ctx,
			chromedp.EmulateViewport(206, 450, chromedp.EmulateScale(2)),
			emulateMedia("", &emulation.MediaFeature{Name: "prefers-reduced-motion", Value: "reduce"}),
			chromedp.Navigate(srv.URL+"/"),
			waitFor(`document.querySelectorAll('.msg.bot .cite').length >= 2`),
			chromedp.Click(chromedp.CSS(`.msg.bot button.cite`)),
			value(chromedp.Evaluate[int](`Math.max(...['html', '#log'].map((s) => { const e = document.querySelector(s); return e.scrollWidth - e.clientWidth; }))`), &overflow),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('.msg.bot .bubble').classList.add('wait')`),
			value(chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.msg.bot .bubble'), '::after').animationName`), &animation),
			shot("4-zoom-200"),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('.msg.bot .bubble').classList.remove('wait')`),
			view,
		)
		if err != nil {
			t.Fatal(err)
		}
		if overflow > 0 {
			t.Errorf("at 200%% zoom the page scrolls sideways by %d px", overflow)
		}
		if animation != "none" {
			t.Errorf("with reduced motion the waiting animation is %q", animation)
		}
	})

	t.Run("widget on another origin", func(t *testing.T) {
		var answer, color string
		button := chromedp.JSPath(`document.querySelector('[data-trolyao]').shadowRoot.querySelector('button')`)
		err := chromedp.Do(ctx,
			chromedp.Navigate(portal.URL),
			chromedp.WaitVisible(button),
			shot("5-portal"),
			value(chromedp.Evaluate[string](`getComputedStyle(document.querySelector('[data-trolyao]').shadowRoot.querySelector('button')).backgroundColor`), &color),
			chromedp.Click(button),
			inFrame(srv.URL, `new Promise((ok, fail) => {
				const t0 = Date.now();
				(function wait() {
					const s = document.querySelector('.starter');
					if (s && document.getElementById('status').hidden) { s.click(); return ok(true); }
					if (Date.now() - t0 > 10000) return fail(new Error('the embedded page never connected'));
					setTimeout(wait, 50);
				})();
			})`, nil),
			inFrame(srv.URL, `new Promise((ok, fail) => {
				const t0 = Date.now();
				(function wait() {
					if (document.querySelector('.msg.bot .cite')) return ok(document.querySelector('.msg.bot .bubble').textContent);
					if (Date.now() - t0 > 10000) return fail(new Error('no answer in the widget'));
					setTimeout(wait, 50);
				})();
			})`, &answer),
			shot("6-widget"),
		)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(answer, "Miễn phí") {
			t.Errorf("widget answer %q", answer)
		}
		if color != "rgb(11, 83, 148)" { // data-color, not the portal's lime
			t.Errorf("widget button background %s: the portal's styles leak in", color)
		}
	})

	t.Run("starting again asks first; header focus and source buttons are visible", func(t *testing.T) {
		var afterCancel, afterConfirm int
		var dialogOpen bool
		var outline string
		var citeW, citeH float64
		err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/"),
			waitFor(`document.querySelectorAll('.msg.bot .cite').length >= 1`),
			value(chromedp.Evaluate[float64](`document.querySelector('.cite').getBoundingClientRect().width`), &citeW),
			value(chromedp.Evaluate[float64](`document.querySelector('.cite').getBoundingClientRect().height`), &citeH),
			chromedp.Focus(chromedp.CSS(`#q`)),
			chromedp.KeyEvent(kb.Shift+kb.Tab), // keyboard focus, so :focus-visible applies
			chromedp.Focus(chromedp.CSS(`#new`)),
			value(chromedp.Evaluate[string](`getComputedStyle(document.getElementById('new')).outlineColor`), &outline),
			chromedp.Click(chromedp.CSS(`#new`)),
			waitFor(`document.getElementById('confirm-new').open`),
			shot("8-confirm-new"),
			chromedp.Click(chromedp.CSS(`#confirm-new button[value=no]`)),
			waitFor(`!document.getElementById('confirm-new').open && document.activeElement.id === 'new'`),
			value(chromedp.Evaluate[int](`document.querySelectorAll('.msg').length`), &afterCancel),
			chromedp.Click(chromedp.CSS(`#new`)),
			waitFor(`document.getElementById('confirm-new').open`),
			chromedp.Click(chromedp.CSS(`#confirm-new button[value=yes]`)),
			waitFor(`!document.getElementById('confirm-new').open && document.querySelectorAll('.msg').length === 0`),
			value(chromedp.Evaluate[int](`document.querySelectorAll('.msg').length`), &afterConfirm),
			value(chromedp.Evaluate[bool](`document.getElementById('confirm-new').open`), &dialogOpen),
		)
		if err != nil {
			t.Fatal(err)
		}
		if afterCancel == 0 || afterConfirm != 0 || dialogOpen {
			t.Errorf("messages after cancelling %d (want some), after confirming %d (want 0)", afterCancel, afterConfirm)
		}
		if outline != "rgb(255, 255, 255)" { // the header's text colour on its accent, not blue on red
			t.Errorf("focus ring on the header is %s", outline)
		}
		if citeW < 24 || citeH < 24 {
			t.Errorf("source button is %.0f×%.0f px, want at least 24×24", citeW, citeH)
		}
	})

	t.Run("cards after reload; the conversation erased on request", func(t *testing.T) {
		var cardsAfterReload int
		var session, status string
		err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/"),
			waitFor(`document.getElementById('status').hidden`),
			chromedp.SendKeys(chromedp.CSS(`#q`), askBirthFee+kb.Enter),
			waitFor(`!!document.querySelector('.msg.bot .proc') && !!document.querySelector('.msg.bot .fb')`),
			chromedp.Reload(),
			waitFor(`document.getElementById('status').hidden && document.querySelectorAll('.msg.bot .fb').length > 0`),
			value(chromedp.Evaluate[int](`document.querySelectorAll('.msg.bot .proc').length`), &cardsAfterReload),
			value(chromedp.Evaluate[string](`localStorage.getItem('trolyao.session')`), &session),
			chromedp.Click(chromedp.CSS(`#new`)),
			waitFor(`document.getElementById('confirm-new').open`),
			chromedp.Click(chromedp.CSS(`#confirm-new button[value=delete]`)),
			waitFor(`document.querySelectorAll('.msg').length === 0 && !localStorage.getItem('trolyao.session')`),
			value(chromedp.Text(chromedp.CSS(`#status-text`)), &status),
		)
		if err != nil {
			t.Fatal(err)
		}
		if cardsAfterReload == 0 {
			t.Error("after a reload the answers about procedures have no card")
		}
		if !strings.Contains(status, "Đã xoá") {
			t.Errorf("status after deleting: %q", status)
		}
		if msgs, err := st.assistant.History(context.Background(), session, 0); err != nil || len(msgs) != 0 {
			t.Errorf("the deleted conversation still has %d messages (%v)", len(msgs), err)
		}
		if err := st.assistant.CheckConversation(context.Background(), session); err == nil {
			t.Error("the deleted conversation can still be continued")
		}
	})
}

// inFrame evaluates a script (awaiting its promise) in the child frame whose URL starts with
// prefix, in an isolated world that shares the frame's DOM, and decodes its value into res.
func inFrame(prefix, script string, res any) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		var find func(*page.FrameTree) *cdp.Frame
		find = func(ft *page.FrameTree) *cdp.Frame {
			if ft.Frame.ParentID != "" && strings.HasPrefix(ft.Frame.URL, prefix) {
				return ft.Frame
			}
			for _, c := range ft.ChildFrames {
				if f := find(c); f != nil {
					return f
				}
			}
			return nil
		}
		var f *cdp.Frame
		for deadline := time.Now().Add(10 * time.Second); f == nil; time.Sleep(50 * time.Millisecond) {
			tree, err := cdp.Call(ctx, tg, page.GetFrameTree, cdp.Empty{})
			if err != nil {
				return err
			}
			if f = find(tree.FrameTree); f == nil && time.Now().After(deadline) {
				return fmt.Errorf("no frame of %s", prefix)
			}
		}
		world, err := cdp.Call(ctx, tg, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: f.ID, WorldName: "test"})
		if err != nil {
			return err
		}
		r, err := cdp.Call(ctx, tg, runtime.Evaluate, runtime.EvaluateParams{
			Expression: script, ContextID: world.ExecutionContextID, AwaitPromise: new(true), ReturnByValue: new(true),
		})
		if err != nil {
			return err
		}
		if r.ExceptionDetails != nil {
			msg := r.ExceptionDetails.Text
			if r.ExceptionDetails.Exception != nil {
				msg = r.ExceptionDetails.Exception.Description
			}
			return fmt.Errorf("script in frame: %s", msg)
		}
		if res == nil {
			return nil
		}
		return json.Unmarshal([]byte(r.Result.Value), res)
	})
}
