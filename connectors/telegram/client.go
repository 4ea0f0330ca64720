package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/trolyao/trolyao/connectors"
)

// Client calls the Telegram Bot API at {base}/bot{token}/{method}. It retries 5xx, 429 (after
// the retry_after Telegram gives) and network errors itself.
type Client struct {
	base  string // includes the token: never log it
	http  *http.Client
	retry connectors.Retry
}

// NewClient returns a Bot API client for the configured bot.
func NewClient(cfg Config, hc *http.Client, retry connectors.Retry) *Client {
	return &Client{base: cfg.APIBase + "/bot" + cfg.BotToken + "/", http: hc, retry: retry}
}

// APIError is an unsuccessful Bot API reply.
type APIError struct {
	Code        int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// Error describes the error with its codes.
func (e *APIError) Error() string { return fmt.Sprintf("telegram error %d: %s", e.Code, e.Description) }

// SendMessage sends an HTML-formatted text to a chat, without link previews, and returns the
// message id. Errors that retrying cannot cure are not retried: 403 (the user blocked the bot
// or was deactivated) wraps connectors.ErrUndeliverable, the rest (a bad token, a malformed
// message) are errors of the connector's own; an *APIError is in the chain.
func (c *Client) SendMessage(ctx context.Context, chatID, html string) (int64, error) {
	return c.sendMessage(ctx, map[string]any{
		"chat_id":              json.Number(chatID),
		"text":                 html,
		"parse_mode":           "HTML",
		"link_preview_options": map[string]bool{"is_disabled": true},
	})
}

// InlineButton is a button of an inline keyboard that sends callback data back to the bot
// (a callback_query update) when pressed.
type InlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

// SendWithButtons sends a text, in HTML parse mode when html is set, with an inline keyboard
// of one button per row, and returns the message id. Errors are as SendMessage's.
func (c *Client) SendWithButtons(ctx context.Context, chatID, text string, html bool, buttons []InlineButton) (int64, error) {
	rows := make([][]InlineButton, len(buttons))
	for i, b := range buttons {
		rows[i] = []InlineButton{b}
	}
	params := map[string]any{
		"chat_id":              json.Number(chatID),
		"text":                 text,
		"link_preview_options": map[string]bool{"is_disabled": true},
		"reply_markup":         map[string]any{"inline_keyboard": rows},
	}
	if html {
		params["parse_mode"] = "HTML"
	}
	return c.sendMessage(ctx, params)
}

// SendPlain sends a text without formatting.
func (c *Client) SendPlain(ctx context.Context, chatID, text string) (int64, error) {
	return c.sendMessage(ctx, map[string]any{
		"chat_id":              json.Number(chatID),
		"text":                 text,
		"link_preview_options": map[string]bool{"is_disabled": true},
	})
}

func (c *Client) sendMessage(ctx context.Context, params map[string]any) (int64, error) {
	var msg struct {
		MessageID int64 `json:"message_id"`
	}
	_, err := c.retry.Do(ctx, func(ctx context.Context) error { return c.call(ctx, "sendMessage", params, &msg) })
	return msg.MessageID, err
}

// SendTyping shows "typing…" in a chat for up to 5 seconds. One attempt.
func (c *Client) SendTyping(ctx context.Context, chatID string) error {
	return c.call(ctx, "sendChatAction", map[string]any{"chat_id": json.Number(chatID), "action": "typing"}, nil)
}

// call posts params as JSON to method and decodes the result into out (when not nil).
func (c *Client) call(ctx context.Context, method string, params, out any) error {
	body, err := connectors.JSON(params)
	if err != nil {
		return fmt.Errorf("encode %s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+method, bytes.NewReader(body))
	if err != nil {
		return errors.New("build request: invalid API base")
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return connectors.Temporary(fmt.Errorf("%s: %w", method, connectors.RedactURL(err)), 0)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return connectors.Temporary(fmt.Errorf("%s: read reply: %w", method, err), 0)
	}
	var reply struct {
		OK     bool            `json:"ok"`
		Result json.RawMessage `json:"result"`
		APIError
	}
	if err := json.Unmarshal(data, &reply); err != nil {
		err := fmt.Errorf("%s: http status %d", method, res.StatusCode)
		if res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests {
			return connectors.Temporary(err, 0)
		}
		return err
	}
	if !reply.OK {
		apiErr := reply.APIError
		if apiErr.Code == 0 {
			apiErr.Code = res.StatusCode
		}
		if apiErr.Code == http.StatusTooManyRequests || apiErr.Code >= 500 {
			return connectors.Temporary(&apiErr, time.Duration(apiErr.Parameters.RetryAfter)*time.Second)
		}
		if apiErr.Code == http.StatusForbidden {
			return fmt.Errorf("%w: %s: %w", connectors.ErrUndeliverable, method, &apiErr)
		}
		return fmt.Errorf("%s: %w", method, &apiErr)
	}
	if out != nil {
		if err := json.Unmarshal(reply.Result, out); err != nil {
			return fmt.Errorf("%s: decode result: %w", method, err)
		}
	}
	return nil
}

// String describes the client without its token.
func (c *Client) String() string { return "telegram.Client" }
