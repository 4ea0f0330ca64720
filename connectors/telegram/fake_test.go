package telegram_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/trolyao/trolyao/connectors/connectortest"
)

const (
	botToken      = "7412345678:AAH-fake-bot-token_xyz"
	webhookSecret = "wh_secret-Ab12"
	userID        = 5512345678
	keySecret     = "user-key-secret-for-tests"
)

// fakeBotAPI implements the Bot API methods the connector uses, as documented: POST
// /bot<token>/sendMessage and /bot<token>/sendChatAction with JSON parameters, replies
// {"ok":true,"result":...} or {"ok":false,"error_code":...,"description":...,
// "parameters":{"retry_after":...}}. sendMessage parses HTML like Telegram: unknown tags,
// unbalanced tags or broken entities are refused, and the limit of 4,096 characters applies
// to the text after parsing.
type fakeBotAPI struct {
	connectortest.Recorder
	srv *httptest.Server

	mu     sync.Mutex
	script []reply // replies to sendMessage before behaving normally
	sent   int
}

type reply struct {
	status int
	body   string
}

func newFakeBotAPI(t testing.TB) *fakeBotAPI {
	f := &fakeBotAPI{}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeBotAPI) then(r ...reply) {
	f.mu.Lock()
	f.script = append(f.script, r...)
	f.mu.Unlock()
}

func fail(w http.ResponseWriter, code int, desc string) {
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"ok":false,"error_code":%d,"description":%q}`, code, desc)
}

func (f *fakeBotAPI) serve(w http.ResponseWriter, r *http.Request) {
	body := f.Record(r)
	w.Header().Set("Content-Type", "application/json")
	method, ok := strings.CutPrefix(r.URL.Path, "/bot"+botToken+"/")
	if !ok {
		fail(w, 401, "Unauthorized")
		return
	}
	var p struct {
		ChatID      json.Number  `json:"chat_id"`
		Text        string       `json:"text"`
		ParseMode   string       `json:"parse_mode"`
		Action      string       `json:"action"`
		ReplyMarkup *replyMarkup `json:"reply_markup"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.ChatID == "" {
		fail(w, 400, "Bad Request: chat not found")
		return
	}
	switch method {
	case "sendChatAction":
		if p.Action != "typing" {
			fail(w, 400, "Bad Request: wrong parameter action in request")
			return
		}
		fmt.Fprint(w, `{"ok":true,"result":true}`)
	case "sendMessage":
		f.mu.Lock()
		defer f.mu.Unlock()
		if len(f.script) > 0 {
			next := f.script[0]
			f.script = f.script[1:]
			w.WriteHeader(next.status)
			fmt.Fprint(w, next.body)
			return
		}
		text := p.Text
		if p.ParseMode == "HTML" {
			var err error
			if text, err = parseHTML(p.Text); err != nil {
				fail(w, 400, "Bad Request: can't parse entities: "+err.Error())
				return
			}
		}
		if strings.TrimSpace(text) == "" {
			fail(w, 400, "Bad Request: message text is empty")
			return
		}
		if p.ReplyMarkup != nil {
			for _, row := range p.ReplyMarkup.InlineKeyboard {
				for _, b := range row {
					if b.Text == "" {
						fail(w, 400, "Bad Request: text buttons are unallowed in the inline keyboard")
						return
					}
					if n := len(b.CallbackData); n < 1 || n > 64 {
						fail(w, 400, "Bad Request: BUTTON_DATA_INVALID")
						return
					}
				}
			}
		}
		if n := len([]rune(text)); n > 4096 {
			fail(w, 400, "Bad Request: message is too long")
			return
		}
		f.sent++
		fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"chat":{"id":%s,"type":"private"},"date":1732280000,"text":%q}}`, f.sent, p.ChatID, text)
	default:
		fail(w, 404, "Not Found: method not found")
	}
}

var (
	tagRe    = regexp.MustCompile(`<(/?)([a-z]+)((?:\s+href="[^"<>]*")?)\s*>`)
	entityRe = regexp.MustCompile(`&(amp|lt|gt|quot);`)
)

// parseHTML returns the text of Telegram HTML, or why Telegram would refuse it.
func parseHTML(s string) (string, error) {
	var stack []string
	for _, m := range tagRe.FindAllStringSubmatch(s, -1) {
		switch m[2] {
		case "b", "i", "a", "code", "pre":
		default:
			return "", fmt.Errorf("unsupported start tag %q", m[2])
		}
		if m[1] == "" {
			stack = append(stack, m[2])
			continue
		}
		if len(stack) == 0 || stack[len(stack)-1] != m[2] {
			return "", fmt.Errorf("unexpected end tag %q", m[2])
		}
		stack = stack[:len(stack)-1]
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("can't find end tag corresponding to start tag %q", stack[len(stack)-1])
	}
	rest := tagRe.ReplaceAllString(s, "")
	if strings.ContainsAny(entityRe.ReplaceAllString(rest, ""), "<>&") {
		return "", fmt.Errorf("unsupported or broken entity")
	}
	return html.UnescapeString(rest), nil
}

// sends returns the sendMessage calls' parameters, in order.
func (f *fakeBotAPI) sends(t testing.TB) []sendParams {
	var out []sendParams
	for _, c := range f.Calls("/sendMessage") {
		var p sendParams
		if err := json.Unmarshal([]byte(c.Body), &p); err != nil {
			t.Fatalf("bad body %q", c.Body)
		}
		out = append(out, p)
	}
	return out
}

type sendParams struct {
	ChatID      json.Number  `json:"chat_id"`
	Text        string       `json:"text"`
	ParseMode   string       `json:"parse_mode"`
	ReplyMarkup *replyMarkup `json:"reply_markup"`
}

// replyMarkup is an InlineKeyboardMarkup: rows of buttons, each with its label and the
// callback data (1–64 bytes) a press sends back.
type replyMarkup struct {
	InlineKeyboard [][]struct {
		Text         string `json:"text"`
		CallbackData string `json:"callback_data"`
	} `json:"inline_keyboard"`
}

// callbackQuery builds an Update for a press, by the test user, on an inline button of a
// message the bot sent in the private chat.
func callbackQuery(id int64, data string) map[string]any {
	return map[string]any{
		"update_id": id,
		"callback_query": map[string]any{
			"id":            fmt.Sprintf("4382%d", id),
			"from":          map[string]any{"id": userID, "is_bot": false, "first_name": "An"},
			"message":       map[string]any{"message_id": 7, "chat": map[string]any{"id": userID, "type": "private"}, "date": 1732280000, "text": "…"},
			"chat_instance": "-7412",
			"data":          data,
		},
	}
}

// update builds a Telegram Update with a private text message from the test user.
func update(id int64, text string) map[string]any {
	return map[string]any{
		"update_id": id,
		"message": map[string]any{
			"message_id": id % 1000,
			"from":       map[string]any{"id": userID, "is_bot": false, "first_name": "An", "language_code": "vi"},
			"chat":       map[string]any{"id": userID, "first_name": "An", "type": "private"},
			"date":       1732280000,
			"text":       text,
		},
	}
}

func encode(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
