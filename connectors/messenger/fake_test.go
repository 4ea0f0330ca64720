package messenger_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/trolyao/trolyao/connectors/connectortest"
)

const (
	pageToken   = "EAAG-page-access-token-Qx7"
	appSecret   = "app-secret-7f3e"
	verifyToken = "verify-me-91"
	pageID      = "107654321098765"
	psid        = "6783214567890123"
	keySecret   = "user-key-secret-for-tests"
)

// fakeGraph implements the Send API as documented: POST /me/messages with access_token (and
// appsecret_proof) in the query, a JSON body with recipient.id and either message (with
// messaging_type) or sender_action; errors as {"error": {message, type, code, error_subcode,
// fbtrace_id}}.
type fakeGraph struct {
	connectortest.Recorder
	srv *httptest.Server

	mu     sync.Mutex
	script []reply
	sent   int
}

type reply struct {
	status int
	body   string
}

func newFakeGraph(t testing.TB) *fakeGraph {
	f := &fakeGraph{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /me/messages", f.messages)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGraph) then(r ...reply) {
	f.mu.Lock()
	f.script = append(f.script, r...)
	f.mu.Unlock()
}

func graphError(w http.ResponseWriter, status, code, subcode int, msg string) {
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":%q,"type":"OAuthException","code":%d,"error_subcode":%d,"fbtrace_id":"AbCdEf123"}}`, msg, code, subcode)
}

func (f *fakeGraph) messages(w http.ResponseWriter, r *http.Request) {
	body := f.Record(r)
	w.Header().Set("Content-Type", "application/json")
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write([]byte(pageToken))
	q := r.URL.Query()
	if q.Get("access_token") != pageToken || q.Get("appsecret_proof") != hex.EncodeToString(mac.Sum(nil)) {
		graphError(w, 400, 190, 0, "Invalid OAuth access token - Cannot parse access token")
		return
	}
	var m struct {
		Recipient struct {
			ID string `json:"id"`
		} `json:"recipient"`
		MessagingType string `json:"messaging_type"`
		SenderAction  string `json:"sender_action"`
		Message       *struct {
			Text         string       `json:"text"`
			QuickReplies []quickReply `json:"quick_replies"`
		} `json:"message"`
	}
	if err := json.Unmarshal(body, &m); err != nil || m.Recipient.ID == "" {
		graphError(w, 400, 100, 0, "(#100) The parameter recipient is required")
		return
	}
	if m.SenderAction != "" {
		fmt.Fprintf(w, `{"recipient_id":%q}`, m.Recipient.ID)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.script) > 0 {
		next := f.script[0]
		f.script = f.script[1:]
		w.WriteHeader(next.status)
		fmt.Fprint(w, next.body)
		return
	}
	switch {
	case m.Message == nil || m.Message.Text == "":
		graphError(w, 400, 100, 2018034, "(#100) Message cannot be empty, must provide valid attachment or text")
	case m.MessagingType != "RESPONSE":
		graphError(w, 400, 100, 0, "(#100) Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}")
	case len([]rune(m.Message.Text)) > 2000:
		graphError(w, 400, 100, 0, "(#100) Length of param message[text] must be less than or equal to 2000")
	case len(m.Message.QuickReplies) > 13:
		graphError(w, 400, 100, 0, "(#100) param message[quick_replies] must have at most 13 elements")
	case slices.ContainsFunc(m.Message.QuickReplies, func(q quickReply) bool {
		return q.ContentType != "text" || q.Title == "" || len([]rune(q.Title)) > 20 || q.Payload == "" || len(q.Payload) > 1000
	}):
		graphError(w, 400, 100, 0, "(#100) Invalid quick reply: content_type text needs a title of at most 20 characters and a payload")
	default:
		f.sent++
		fmt.Fprintf(w, `{"recipient_id":%q,"message_id":"m_fake%d"}`, m.Recipient.ID, f.sent)
	}
}

// quickReply is a quick reply of the Send API: content_type "text", a title of at most 20
// characters and a payload of at most 1,000.
type quickReply struct {
	ContentType string `json:"content_type"`
	Title       string `json:"title"`
	Payload     string `json:"payload"`
}

// quickReplies returns the quick replies of each text message sent, in order.
func (f *fakeGraph) quickReplies(t testing.TB) [][]quickReply {
	var out [][]quickReply
	for _, c := range f.Calls("/me/messages") {
		var m struct {
			Message *struct {
				QuickReplies []quickReply `json:"quick_replies"`
			} `json:"message"`
		}
		if err := json.Unmarshal([]byte(c.Body), &m); err != nil {
			t.Fatalf("bad body %q", c.Body)
		}
		if m.Message != nil {
			out = append(out, m.Message.QuickReplies)
		}
	}
	return out
}

// actions returns, in order, what each call to the Send API was: "typing_on" or the text.
func (f *fakeGraph) actions(t testing.TB) []string {
	var out []string
	for _, c := range f.Calls("/me/messages") {
		var m struct {
			SenderAction string `json:"sender_action"`
			Message      struct {
				Text string `json:"text"`
			} `json:"message"`
		}
		if err := json.Unmarshal([]byte(c.Body), &m); err != nil {
			t.Fatalf("bad body %q", c.Body)
		}
		if m.SenderAction != "" {
			out = append(out, m.SenderAction)
		} else {
			out = append(out, m.Message.Text)
		}
	}
	return out
}

// texts returns the texts sent, without the typing indicators.
func (f *fakeGraph) texts(t testing.TB) []string {
	var out []string
	for _, a := range f.actions(t) {
		if a != "typing_on" {
			out = append(out, a)
		}
	}
	return out
}

// messaging is one messaging event of a delivery.
type messaging map[string]any

func textEvent(mid, text string) messaging {
	return messaging{
		"sender": map[string]string{"id": psid}, "recipient": map[string]string{"id": pageID},
		"timestamp": 1732280000000, "message": map[string]any{"mid": mid, "text": text},
	}
}

// delivery builds a page delivery of the events.
func delivery(events ...messaging) []byte {
	b, _ := json.Marshal(map[string]any{
		"object": "page",
		"entry":  []any{map[string]any{"id": pageID, "time": 1732280000123, "messaging": events}},
	})
	return b
}

// sign returns the X-Hub-Signature-256 header for body.
func sign(body []byte, secret string) map[string]string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return map[string]string{"X-Hub-Signature-256": "sha256=" + hex.EncodeToString(mac.Sum(nil))}
}
