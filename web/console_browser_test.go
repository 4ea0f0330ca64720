package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/trolyao/trolyao/web"
	"github.com/trolyao/trolyao/web/console"
)

const consolePassword = "cán bộ một cửa 2026"

// serveWithConsole serves the chat and the console over the stack, with the editor "lan".
func (st *stack) serveWithConsole(t *testing.T) *httptest.Server {
	t.Helper()
	if _, err := console.NewAccounts(st.store).Create(context.Background(), console.Shell, "lan", console.RoleEditor, consolePassword); err != nil {
		t.Fatal(err)
	}
	h := web.New(web.Config{Title: "Trợ lý ảo tỉnh Thái Sơn"}, st.assistant, st.index, st.logger)
	mux := http.NewServeMux()
	h.Register(mux)
	console.NewAPI(st.store, st.logger).WithConversations(st.store).WithTakeover(st.assistant).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.CloseClientConnections() // the console's event stream stays open otherwise
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		h.Close(ctx)
		srv.Close()
	})
	return srv
}

// TestConsoleTakeoverInBrowser: a citizen on the chat page presses «Gặp cán bộ»; an editor
// signs in to the console in another tab, sees the citizen waiting, takes the conversation
// over and writes; the citizen's page shows the staff member's words and hides the button;
// the editor hands back and the assistant answers the citizen's next question again.
// Screenshots of the console on a phone and a desktop; axe-core checks the console pages.
func TestConsoleTakeoverInBrowser(t *testing.T) {
	st := newStack(t)
	srv := st.serveWithConsole(t)
	dir := artifacts(t)
	citizen := browser(t)
	operator, cancel := chromedp.NewContext(citizen) // a second tab of the same browser
	defer cancel()

	err := chromedp.Do(citizen,
		newConversation(srv.URL),
		chromedp.Click(chromedp.CSS(`#human`)),
		waitFor(`[...document.querySelectorAll('.msg.notice')].some((n) => n.textContent.includes('chuyển yêu cầu'))`),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(operator,
		chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(srv.URL+"/console/"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	script := ""
	if a := axeOrSkip(t); a != "" {
		script = a
		checkAxe(t, operator, script, "console sign-in")
	}
	err = chromedp.Do(operator,
		chromedp.SendKeys(chromedp.CSS(`#username`), "lan"),
		chromedp.SendKeys(chromedp.CSS(`#password`), consolePassword+kb.Enter),
		waitFor(`document.querySelectorAll('#queue button').length === 1`),
		chromedp.Click(chromedp.CSS(`#queue button`)),
		waitFor(`!document.getElementById('conv').hidden && !document.getElementById('take').hidden`),
		chromedp.Click(chromedp.CSS(`#take`)),
		waitFor(`!document.getElementById('reply').hidden`),
		chromedp.SendKeys(chromedp.CSS(`#reply-text`), "Chào bạn, tôi là cán bộ Bộ phận một cửa. Bạn cần hỗ trợ thủ tục nào?"),
		chromedp.Click(chromedp.CSS(`#reply button[type=submit]`)),
		waitFor(`[...document.querySelectorAll('#transcript .operator')].some((n) => n.textContent.includes('Bộ phận một cửa'))`),
		screenshot(t, dir, "console-takeover-desktop"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if script != "" {
		checkAxe(t, operator, script, "console conversation taken over")
	}
	err = chromedp.Do(citizen,
		waitFor(`[...document.querySelectorAll('.msg.staff')].some((n) => n.textContent.includes('Bộ phận một cửa'))`),
		waitFor(`document.getElementById('human').hidden`),
		chromedp.SendKeys(chromedp.CSS(`#q`), "Em muốn hỏi về khai sinh ạ"+kb.Enter),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(operator,
		waitFor(`[...document.querySelectorAll('#transcript .user')].some((n) => n.textContent.includes('khai sinh'))`),
		chromedp.EmulateViewport(390, 844),
		screenshot(t, dir, "console-takeover-phone"),
		chromedp.Click(chromedp.CSS(`#release`)),
		waitFor(`!document.getElementById('take').hidden && document.getElementById('reply').hidden`),
	)
	if err != nil {
		t.Fatal(err)
	}
	var answer string
	err = chromedp.Do(citizen,
		waitFor(`[...document.querySelectorAll('.msg.notice')].some((n) => n.textContent.includes('đã rời'))`),
		waitFor(`!document.getElementById('human').hidden`),
		chromedp.SendKeys(chromedp.CSS(`#q`), askBirthFee+kb.Enter),
		waitFor(`!!document.querySelector('.msg.bot:not(.staff) .fb')`),
		value(chromedp.Evaluate[string](`[...document.querySelectorAll('.msg.bot:not(.staff) .bubble')].pop().textContent`), &answer),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(answer, "khai sinh") {
		t.Errorf("the assistant's answer after hand-back: %q", answer)
	}
}

// axeOrSkip returns axe-core's script, or "" outside CI when it is not installed (the rest of
// the browser test still runs).
func axeOrSkip(t *testing.T) string {
	t.Helper()
	var script string
	t.Run("axe", func(t *testing.T) { script = axeScript(t) })
	return script
}
