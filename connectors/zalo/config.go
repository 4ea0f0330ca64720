package zalo

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/trolyao/trolyao/connectors"
)

// Default API bases.
const (
	DefaultAPIBase   = "https://openapi.zalo.me"
	DefaultOAuthBase = "https://oauth.zaloapp.com"
)

// Config configures the Zalo Official Account connector, from ZALO_* variables and the
// settings common to all connectors (ZALO_AUDIENCE, ZALO_LOCALITY, ZALO_WORKERS,
// ZALO_QUEUE_SIZE, ASSISTANT_USER_KEY_SECRET).
type Config struct {
	connectors.Config

	AppID        string // ZALO_APP_ID: the Zalo app linked to the OA
	AppSecret    string // ZALO_APP_SECRET: the app's secret key, sent when refreshing tokens
	OASecretKey  string // ZALO_OA_SECRET_KEY: the OA secret key that signs webhook events
	AccessToken  string // ZALO_ACCESS_TOKEN: the initial OA access token
	RefreshToken string // ZALO_REFRESH_TOKEN: the initial refresh token (rotated and persisted)
	APIBase      string // ZALO_API_BASE
	OAuthBase    string // ZALO_OAUTH_BASE
	// MaxAge is how far an event's timestamp may be from now (ZALO_WEBHOOK_MAX_AGE, default
	// 5m); older (replayed) or future events are rejected.
	MaxAge time.Duration
}

// LoadConfig reads the connector's configuration. The connector is enabled (Enabled) when
// ZALO_APP_ID and ZALO_OA_SECRET_KEY are set; it then needs ZALO_ACCESS_TOKEN or
// ZALO_REFRESH_TOKEN, and ZALO_APP_SECRET to refresh. With none of the secrets set it returns
// a disabled Config and no error.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		AppID:        strings.TrimSpace(getenv("ZALO_APP_ID")),
		AppSecret:    strings.TrimSpace(getenv("ZALO_APP_SECRET")),
		OASecretKey:  strings.TrimSpace(getenv("ZALO_OA_SECRET_KEY")),
		AccessToken:  strings.TrimSpace(getenv("ZALO_ACCESS_TOKEN")),
		RefreshToken: strings.TrimSpace(getenv("ZALO_REFRESH_TOKEN")),
	}
	var err error
	if c.Config, err = connectors.LoadConfig("ZALO", getenv); err != nil {
		return Config{}, fmt.Errorf("zalo config: %w", err)
	}
	if c.APIBase, err = connectors.BaseURL(getenv, "ZALO_API_BASE", DefaultAPIBase); err != nil {
		return Config{}, fmt.Errorf("zalo config: %w", err)
	}
	if c.OAuthBase, err = connectors.BaseURL(getenv, "ZALO_OAUTH_BASE", DefaultOAuthBase); err != nil {
		return Config{}, fmt.Errorf("zalo config: %w", err)
	}
	if c.MaxAge, err = connectors.DurationEnv(getenv, "ZALO_WEBHOOK_MAX_AGE", 5*time.Minute, 10*time.Second, 24*time.Hour); err != nil {
		return Config{}, fmt.Errorf("zalo config: %w", err)
	}
	if c.AppID == "" && c.AppSecret == "" && c.OASecretKey == "" && c.AccessToken == "" && c.RefreshToken == "" {
		return c, nil // disabled
	}
	var missing []string
	if c.AppID == "" {
		missing = append(missing, "ZALO_APP_ID")
	}
	if c.OASecretKey == "" {
		missing = append(missing, "ZALO_OA_SECRET_KEY")
	}
	if c.AccessToken == "" && c.RefreshToken == "" {
		missing = append(missing, "ZALO_ACCESS_TOKEN or ZALO_REFRESH_TOKEN")
	}
	if c.RefreshToken != "" && c.AppSecret == "" {
		missing = append(missing, "ZALO_APP_SECRET (needed to use ZALO_REFRESH_TOKEN)")
	}
	if len(missing) > 0 {
		return Config{}, errors.New("zalo config: partly set, missing " + strings.Join(missing, ", "))
	}
	c.DeriveUserKeySecret(connectors.Zalo, c.OASecretKey)
	return c, nil
}

// Enabled reports whether the connector is configured.
func (c Config) Enabled() bool { return c.AppID != "" && c.OASecretKey != "" }

// String prints the configuration with the secrets masked.
func (c Config) String() string {
	return fmt.Sprintf("zalo{enabled=%t app_id=%s app_secret=%s oa_secret_key=%s access_token=%s refresh_token=%s api=%s oauth=%s max_age=%s audience=%s locality=%q workers=%d queue=%d user_key_secret=%s}",
		c.Enabled(), c.AppID, connectors.Mask(c.AppSecret), connectors.Mask(c.OASecretKey),
		connectors.Mask(c.AccessToken), connectors.Mask(c.RefreshToken), c.APIBase, c.OAuthBase,
		c.MaxAge, c.Audience, c.Locality, c.Workers, c.QueueSize, connectors.Mask(c.UserKeySecret))
}

// LogValue implements slog.LogValuer with the secrets masked.
func (c Config) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.Bool("enabled", c.Enabled()),
		slog.String("app_id", c.AppID),
		slog.String("app_secret", connectors.Mask(c.AppSecret)),
		slog.String("oa_secret_key", connectors.Mask(c.OASecretKey)),
		slog.String("access_token", connectors.Mask(c.AccessToken)),
		slog.String("refresh_token", connectors.Mask(c.RefreshToken)),
		slog.String("api_base", c.APIBase),
		slog.String("oauth_base", c.OAuthBase),
		slog.Duration("max_age", c.MaxAge),
	}
	return slog.GroupValue(append(attrs, c.Config.LogAttrs()...)...)
}
