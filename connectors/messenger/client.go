package messenger

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/trolyao/trolyao/connectors"
)

// Client calls the Messenger Send API ({base}/me/messages) for the configured Page.
type Client struct {
	endpoint string // with access_token and appsecret_proof in the query: never log it
	http     *http.Client
	retry    connectors.Retry
}

// NewClient returns a Send API client. Requests carry appsecret_proof, so the app may
// require it ("Require App Secret" in the app's advanced settings).
func NewClient(cfg Config, hc *http.Client, retry connectors.Retry) *Client {
	mac := hmac.New(sha256.New, []byte(cfg.AppSecret))
	mac.Write([]byte(cfg.PageAccessToken))
	q := url.Values{"access_token": {cfg.PageAccessToken}, "appsecret_proof": {hex.EncodeToString(mac.Sum(nil))}}
	return &Client{endpoint: cfg.APIBase + "/me/messages?" + q.Encode(), http: hc, retry: retry}
}

// APIError is a Graph API error object.
type APIError struct {
	Status    int    `json:"-"`
	Message   string `json:"message"`
	Type      string `json:"type"`
	Code      int    `json:"code"`
	Subcode   int    `json:"error_subcode"`
	Transient bool   `json:"is_transient"`
	TraceID   string `json:"fbtrace_id"`
}

// Error describes the error with its codes.
func (e *APIError) Error() string {
	return fmt.Sprintf("graph error %d/%d (http %d): %s", e.Code, e.Subcode, e.Status, e.Message)
}

// WindowClosed reports the error for a reply outside the 24-hour standard messaging window.
func (e *APIError) WindowClosed() bool { return e.Code == 10 && e.Subcode == 2018278 }

// unreachable reports Graph errors saying the user cannot get a reply now: the 24-hour window
// has closed, or the person is not available (551: blocked the Page, left Messenger).
func (e *APIError) unreachable() bool { return e.WindowClosed() || e.Code == 551 }

// temporary reports Graph errors worth retrying: unknown and service errors, rate limits.
func (e *APIError) temporary() bool {
	switch e.Code {
	case 1, 2, 4, 17, 32, 613:
		return true
	}
	return e.Transient || e.Status >= 500 || e.Status == http.StatusTooManyRequests
}

// SendText sends text to the user with page-scoped id psid as a RESPONSE message, retrying
// rate limits, 5xx and network errors with backoff. It returns the message id. Errors that
// retrying cannot cure are not retried: those saying the user cannot be reached (the 24-hour
// window closed, the user unavailable) wrap connectors.ErrUndeliverable, the rest (a revoked
// token, a refused request) are errors of the connector's own.
func (c *Client) SendText(ctx context.Context, psid, text string) (string, error) {
	return c.send(ctx, psid, map[string]any{"text": text})
}

// QuickReply is a button shown under a message until the user answers: pressing it sends its
// title as the user's message, with its payload beside it.
type QuickReply struct {
	ContentType string `json:"content_type"` // "text"
	Title       string `json:"title"`        // at most 20 characters
	Payload     string `json:"payload"`      // at most 1,000 characters
}

// MaxQuickReplies is how many quick replies a message may carry.
const MaxQuickReplies = 13

// SendQuickReplies sends text with quick replies (at most MaxQuickReplies; the rest are left
// out), as SendText sends text.
func (c *Client) SendQuickReplies(ctx context.Context, psid, text string, replies []QuickReply) (string, error) {
	if len(replies) > MaxQuickReplies {
		replies = replies[:MaxQuickReplies]
	}
	return c.send(ctx, psid, map[string]any{"text": text, "quick_replies": replies})
}

// send posts a RESPONSE message to psid with retries (see SendText).
func (c *Client) send(ctx context.Context, psid string, message map[string]any) (string, error) {
	var id string
	_, err := c.retry.Do(ctx, func(ctx context.Context) error {
		var err error
		id, err = c.post(ctx, map[string]any{
			"recipient":      map[string]string{"id": psid},
			"messaging_type": "RESPONSE",
			"message":        message,
		})
		return err
	})
	return id, err
}

// Typing shows the typing indicator to the user (sender_action typing_on; it lasts about 20
// seconds or until a message is sent). One attempt.
func (c *Client) Typing(ctx context.Context, psid string) error {
	_, err := c.post(ctx, map[string]any{
		"recipient":     map[string]string{"id": psid},
		"sender_action": "typing_on",
	})
	return err
}

func (c *Client) post(ctx context.Context, payload any) (string, error) {
	body, err := connectors.JSON(payload)
	if err != nil {
		return "", fmt.Errorf("encode message: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return "", errors.New("build request: invalid endpoint")
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return "", connectors.Temporary(connectors.RedactURL(err), 0)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return "", connectors.Temporary(fmt.Errorf("read reply: %w", err), 0)
	}
	var out struct {
		MessageID string    `json:"message_id"`
		Error     *APIError `json:"error"`
	}
	if err := json.Unmarshal(data, &out); err != nil || (out.Error == nil && res.StatusCode != http.StatusOK) {
		err := fmt.Errorf("http status %d", res.StatusCode)
		if res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests {
			return "", connectors.Temporary(err, retryAfter(res))
		}
		return "", err
	}
	if out.Error != nil {
		out.Error.Status = res.StatusCode
		switch {
		case out.Error.temporary():
			return "", connectors.Temporary(out.Error, retryAfter(res))
		case out.Error.unreachable():
			return "", fmt.Errorf("%w: %w", connectors.ErrUndeliverable, out.Error)
		}
		return "", out.Error
	}
	return out.MessageID, nil
}

func retryAfter(res *http.Response) time.Duration {
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}

// String describes the client without its token.
func (c *Client) String() string { return "messenger.Client" }
