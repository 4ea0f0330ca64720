package zalo_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/trolyao/trolyao/connectors/connectortest"
)

const (
	appID       = "2553928453557884079"
	appSecret   = "app-secret-Zx81"
	oaSecretKey = "oa-secret-key-KWq2"
	oaID        = "3662729599332560487"
	userID      = "6142494823447712304"
	keySecret   = "user-key-secret-for-tests"
)

// fakeZalo implements the OA message API and the OAuth token endpoint as documented:
// POST /v3.0/oa/message/cs with an access_token header, and POST /v4/oa/access_token with a
// form (app_id, grant_type=refresh_token, refresh_token) and a secret_key header. Refresh
// tokens are single use: each refresh rotates both tokens.
type fakeZalo struct {
	connectortest.Recorder
	srv *httptest.Server

	mu      sync.Mutex
	access  string
	refresh string
	gen     int
	script  []reply // replies to send before behaving normally
	sent    int
}

type reply struct {
	status int
	body   string
}

func newFakeZalo(t testing.TB, access, refresh string) *fakeZalo {
	f := &fakeZalo{access: access, refresh: refresh}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v3.0/oa/message/cs", f.send)
	mux.HandleFunc("POST /v4/oa/access_token", f.token)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// then scripts the next replies of the message API.
func (f *fakeZalo) then(r ...reply) {
	f.mu.Lock()
	f.script = append(f.script, r...)
	f.mu.Unlock()
}

func (f *fakeZalo) send(w http.ResponseWriter, r *http.Request) {
	body := f.Record(r)
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if len(f.script) > 0 {
		next := f.script[0]
		f.script = f.script[1:]
		w.WriteHeader(next.status)
		fmt.Fprint(w, next.body)
		return
	}
	if r.Header.Get("access_token") != f.access {
		fmt.Fprint(w, `{"error":-216,"message":"Access token is invalid"}`)
		return
	}
	var m struct {
		Recipient struct {
			UserID string `json:"user_id"`
		} `json:"recipient"`
		Message struct {
			Text string `json:"text"`
		} `json:"message"`
	}
	if err := json.Unmarshal(body, &m); err != nil || m.Recipient.UserID == "" || m.Message.Text == "" {
		fmt.Fprint(w, `{"error":-201,"message":"message is invalid!"}`)
		return
	}
	if n := len([]rune(m.Message.Text)); n > 2000 {
		fmt.Fprint(w, `{"error":-210,"message":"Parameter exceeds allowable limit"}`)
		return
	}
	f.sent++
	fmt.Fprintf(w, `{"data":{"message_id":"msg%d","user_id":%q},"error":0,"message":"Success"}`, f.sent, m.Recipient.UserID)
}

func (f *fakeZalo) token(w http.ResponseWriter, r *http.Request) {
	body := f.Record(r)
	form, _ := url.ParseQuery(string(body))
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("secret_key") != appSecret || form.Get("app_id") != appID ||
		form.Get("grant_type") != "refresh_token" || form.Get("refresh_token") != f.refresh {
		fmt.Fprint(w, `{"error":-14014,"error_name":"Invalid refresh token","error_reason":"refresh token is invalid or expired","error_description":"Refresh token is invalid"}`)
		return
	}
	f.gen++
	f.access, f.refresh = "AT-"+strconv.Itoa(f.gen), "RT-"+strconv.Itoa(f.gen)
	fmt.Fprintf(w, `{"access_token":%q,"refresh_token":%q,"expires_in":"90000"}`, f.access, f.refresh)
}

// texts returns the texts of the messages sent (successfully or not).
func (f *fakeZalo) texts(t *testing.T) []string {
	var out []string
	for _, c := range f.Calls("/v3.0/oa/message/cs") {
		var m struct {
			Message struct {
				Text string `json:"text"`
			} `json:"message"`
		}
		if err := json.Unmarshal([]byte(c.Body), &m); err != nil {
			t.Fatalf("bad send body %q", c.Body)
		}
		out = append(out, m.Message.Text)
	}
	return out
}

// event builds a user_send_text event body like Zalo's and its signature header.
func event(name, msgID, text string, at time.Time) []byte {
	ev := map[string]any{
		"app_id":         appID,
		"user_id_by_app": "979122185046046317",
		"event_name":     name,
		"sender":         map[string]string{"id": userID},
		"recipient":      map[string]string{"id": oaID},
		"message":        map[string]any{"text": text, "msg_id": msgID},
		"timestamp":      strconv.FormatInt(at.UnixMilli(), 10),
	}
	if name == "user_send_image" {
		ev["message"].(map[string]any)["attachments"] = []any{map[string]any{
			"type": "image", "payload": map[string]string{"thumbnail": "https://example.com/t.jpg", "url": "https://example.com/i.jpg"}}}
	}
	if name[:3] == "oa_" {
		ev["sender"], ev["recipient"] = ev["recipient"], ev["sender"]
	}
	b, _ := json.Marshal(ev)
	return b
}

// sign returns the X-ZEvent-Signature header for body with timestamp ts.
func sign(body []byte, ts time.Time, secret string) map[string]string {
	sum := sha256.Sum256([]byte(appID + string(body) + strconv.FormatInt(ts.UnixMilli(), 10) + secret))
	return map[string]string{"X-ZEvent-Signature": "mac=" + hex.EncodeToString(sum[:])}
}
