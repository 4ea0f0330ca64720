package zalo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trolyao/trolyao/connectors"
	"github.com/trolyao/trolyao/knowledge"
)

// Setting keys under which the rotated tokens are persisted.
const (
	settingAccessToken  = "zalo.access_token"
	settingRefreshToken = "zalo.refresh_token"
	// settingSeed holds a hash of the tokens last given in the environment: when the
	// environment changes (an operator granted access again), its tokens win over the
	// persisted ones.
	settingSeed = "zalo.token_seed"
)

// TokenStore persists the rotated tokens; knowledge.ConversationStore satisfies it.
type TokenStore interface {
	Setting(ctx context.Context, key string) (string, error)
	PutSetting(ctx context.Context, key, value string) error
}

// Client calls the Zalo OA API: it sends customer-service text messages and refreshes the OA
// access token when Zalo reports it expired, persisting the rotated refresh token (Zalo
// refresh tokens are single use).
type Client struct {
	cfg    Config
	http   *http.Client
	store  TokenStore
	retry  connectors.Retry
	logger *slog.Logger

	mu      sync.Mutex // serialises token loading and refreshing
	loaded  bool
	access  string
	refresh string
	gen     int // incremented by every refresh
}

// NewClient returns a client for the OA configured in cfg.
func NewClient(cfg Config, hc *http.Client, store TokenStore, retry connectors.Retry, logger *slog.Logger) *Client {
	return &Client{cfg: cfg, http: hc, store: store, retry: retry, logger: logger}
}

// APIError is an error reply of the Zalo API ({"error": -216, "message": "..."}).
type APIError struct {
	Code    int
	Message string
}

// Error describes the error with its codes.
func (e *APIError) Error() string { return fmt.Sprintf("zalo error %d: %s", e.Code, e.Message) }

// Error codes of the OA API that the client acts on.
const (
	codeRateLimit = -32 // the app or OA reached its call limit: retried
)

// tokenExpired reports codes meaning the access token is invalid or expired: refresh.
func tokenExpired(code int) bool { return code == -216 || code == -220 || code == -124 }

// undeliverable reports codes meaning the user cannot be reached by a reply now: the
// customer-service window is closed (no interaction in the last 7 days), the user does not
// follow the OA, blocked it, restricted this message type, or is inactive.
func undeliverable(code int) bool {
	switch code {
	case -213, -217, -227, -230, -232, -244:
		return true
	}
	return false
}

// SendText sends text to a user with POST {api}/v3.0/oa/message/cs, refreshing the access
// token once if it has expired and retrying 5xx, 429 and rate-limit replies with backoff. It
// returns Zalo's message id. Other refusals are not retried: those saying the user cannot be
// reached (see undeliverable) wrap connectors.ErrUndeliverable, the rest (a bad request, an
// OA without quota, a refused token refresh) are errors of the connector's own.
func (c *Client) SendText(ctx context.Context, userID, text string) (string, error) {
	body, err := connectors.JSON(map[string]any{
		"recipient": map[string]string{"user_id": userID},
		"message":   map[string]string{"text": text},
	})
	if err != nil {
		return "", fmt.Errorf("encode message: %w", err)
	}
	var id string
	_, err = c.retry.Do(ctx, func(ctx context.Context) error {
		token, gen, err := c.token(ctx)
		if err != nil {
			return err
		}
		id, err = c.send(ctx, token, body)
		if apiErr, ok := errors.AsType[*APIError](err); ok && tokenExpired(apiErr.Code) {
			if token, err = c.refreshAfter(ctx, gen); err != nil {
				return err
			}
			id, err = c.send(ctx, token, body)
			if apiErr, ok := errors.AsType[*APIError](err); ok && tokenExpired(apiErr.Code) {
				return fmt.Errorf("access token rejected right after refresh: %w", err)
			}
		}
		return err
	})
	return id, err
}

func (c *Client) send(ctx context.Context, token string, body []byte) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.APIBase+"/v3.0/oa/message/cs", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("access_token", token)
	var out struct {
		Error   *int   `json:"error"`
		Message string `json:"message"`
		Data    struct {
			MessageID string `json:"message_id"`
		} `json:"data"`
	}
	if err := c.do(req, &out); err != nil {
		return "", err
	}
	if out.Error == nil {
		return "", errors.New("reply without an error code")
	}
	switch code := *out.Error; {
	case code == 0:
		return out.Data.MessageID, nil
	case code == codeRateLimit:
		return "", connectors.Temporary(&APIError{code, out.Message}, 0)
	case undeliverable(code):
		return "", fmt.Errorf("%w: %w", connectors.ErrUndeliverable, &APIError{code, out.Message})
	default: // an expired token (SendText refreshes it) or a refusal of the connector's request
		return "", &APIError{code, out.Message}
	}
}

// do sends req and decodes a JSON reply into out. Network errors, 5xx and 429 are temporary.
func (c *Client) do(req *http.Request, out any) error {
	res, err := c.http.Do(req)
	if err != nil {
		return connectors.Temporary(connectors.RedactURL(err), 0)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return connectors.Temporary(fmt.Errorf("read reply: %w", err), 0)
	}
	if res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests {
		return connectors.Temporary(fmt.Errorf("http status %d", res.StatusCode), retryAfter(res))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("http status %d, undecodable reply: %w", res.StatusCode, err)
	}
	return nil
}

// token returns the current access token and its generation, loading the persisted tokens on
// first use and refreshing when there is no access token yet.
func (c *Client) token(ctx context.Context) (string, int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.load(ctx); err != nil {
		return "", 0, err
	}
	if c.access == "" {
		if err := c.refreshLocked(ctx); err != nil {
			return "", 0, err
		}
	}
	return c.access, c.gen, nil
}

// load reads the persisted tokens, preferring them to the environment's unless the
// environment changed since they were stored. c.mu is held.
func (c *Client) load(ctx context.Context) error {
	if c.loaded {
		return nil
	}
	sum := sha256.Sum256([]byte(c.cfg.AccessToken + "\x00" + c.cfg.RefreshToken))
	seed := hex.EncodeToString(sum[:])
	stored, err := c.store.Setting(ctx, settingSeed)
	if err != nil && !errors.Is(err, knowledge.ErrNotFound) {
		return connectors.Temporary(fmt.Errorf("load zalo tokens: %w", err), 0)
	}
	if stored != seed {
		// First start, or new tokens in the environment: take and persist them.
		c.access, c.refresh = c.cfg.AccessToken, c.cfg.RefreshToken
		for _, kv := range [][2]string{{settingAccessToken, c.access}, {settingRefreshToken, c.refresh}, {settingSeed, seed}} {
			if err := c.store.PutSetting(ctx, kv[0], kv[1]); err != nil {
				return connectors.Temporary(fmt.Errorf("store zalo tokens: %w", err), 0)
			}
		}
		c.logger.Info("zalo tokens taken from the environment")
	} else {
		for _, kv := range []struct {
			key string
			dst *string
		}{{settingAccessToken, &c.access}, {settingRefreshToken, &c.refresh}} {
			v, err := c.store.Setting(ctx, kv.key)
			if err != nil && !errors.Is(err, knowledge.ErrNotFound) {
				return connectors.Temporary(fmt.Errorf("load zalo tokens: %w", err), 0)
			}
			*kv.dst = v
		}
		c.logger.Info("zalo tokens loaded from the store")
	}
	c.loaded = true
	return nil
}

// refreshAfter refreshes the access token unless another call already did since generation
// gen, and returns the current token.
func (c *Client) refreshAfter(ctx context.Context, gen int) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen {
		if err := c.refreshLocked(ctx); err != nil {
			return "", err
		}
	}
	return c.access, nil
}

// refreshLocked exchanges the refresh token for new tokens at {oauth}/v4/oa/access_token and
// persists both. c.mu is held.
func (c *Client) refreshLocked(ctx context.Context) error {
	if c.refresh == "" || c.cfg.AppSecret == "" {
		return errors.New("zalo access token expired and no refresh token is configured")
	}
	form := url.Values{"app_id": {c.cfg.AppID}, "grant_type": {"refresh_token"}, "refresh_token": {c.refresh}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.OAuthBase+"/v4/oa/access_token", strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("secret_key", c.cfg.AppSecret)
	var out struct {
		AccessToken  string          `json:"access_token"`
		RefreshToken string          `json:"refresh_token"`
		ExpiresIn    json.RawMessage `json:"expires_in"` // a string of seconds, sometimes a number
		Error        int             `json:"error"`
		ErrorName    string          `json:"error_name"`
		ErrorDesc    string          `json:"error_description"`
	}
	if err := c.do(req, &out); err != nil {
		return fmt.Errorf("refresh zalo token: %w", err)
	}
	if out.AccessToken == "" {
		c.logger.Error("zalo token refresh refused: grant the OA to the app again and set ZALO_REFRESH_TOKEN",
			slog.Int("error", out.Error), slog.String("error_name", out.ErrorName))
		return fmt.Errorf("refresh zalo token: error %d %s: %s", out.Error, out.ErrorName, out.ErrorDesc)
	}
	c.access = out.AccessToken
	if out.RefreshToken != "" {
		c.refresh = out.RefreshToken
	}
	c.gen++
	for _, kv := range [][2]string{{settingRefreshToken, c.refresh}, {settingAccessToken, c.access}} {
		if err := c.store.PutSetting(ctx, kv[0], kv[1]); err != nil {
			// The new refresh token now lives only in memory: a restart would lose access.
			c.logger.Error("persist rotated zalo token", slog.String("key", kv[0]), slog.Any("error", err))
		}
	}
	secs, _ := strconv.Atoi(strings.Trim(string(out.ExpiresIn), `"`))
	c.logger.Info("zalo access token refreshed", slog.Int("generation", c.gen),
		slog.Duration("expires_in", time.Duration(secs)*time.Second))
	return nil
}

// retryAfter reads a Retry-After header in seconds.
func retryAfter(res *http.Response) time.Duration {
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}

// String describes the client without its tokens.
func (c *Client) String() string { return "zalo.Client{api=" + c.cfg.APIBase + "}" }
