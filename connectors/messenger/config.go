package messenger

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/trolyao/trolyao/connectors"
)

// DefaultAPIBase is the Graph API version the connector was written against.
const DefaultAPIBase = "https://graph.facebook.com/v25.0"

// Config configures the Facebook Messenger connector, from MESSENGER_* variables and the
// settings common to all connectors (MESSENGER_AUDIENCE, MESSENGER_LOCALITY,
// MESSENGER_WORKERS, MESSENGER_QUEUE_SIZE, ASSISTANT_USER_KEY_SECRET).
type Config struct {
	connectors.Config

	PageAccessToken string // MESSENGER_PAGE_ACCESS_TOKEN: the Page's token for the Send API
	AppSecret       string // MESSENGER_APP_SECRET: signs deliveries (X-Hub-Signature-256)
	VerifyToken     string // MESSENGER_VERIFY_TOKEN: echoed in the subscription check
	APIBase         string // MESSENGER_API_BASE
}

// LoadConfig reads the connector's configuration. The connector is enabled when the three
// secrets are set; with none of them it returns a disabled Config and no error, with some of
// them an error naming the missing ones.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		PageAccessToken: strings.TrimSpace(getenv("MESSENGER_PAGE_ACCESS_TOKEN")),
		AppSecret:       strings.TrimSpace(getenv("MESSENGER_APP_SECRET")),
		VerifyToken:     strings.TrimSpace(getenv("MESSENGER_VERIFY_TOKEN")),
	}
	var err error
	if c.Config, err = connectors.LoadConfig("MESSENGER", getenv); err != nil {
		return Config{}, fmt.Errorf("messenger config: %w", err)
	}
	if c.APIBase, err = connectors.BaseURL(getenv, "MESSENGER_API_BASE", DefaultAPIBase); err != nil {
		return Config{}, fmt.Errorf("messenger config: %w", err)
	}
	if c.PageAccessToken == "" && c.AppSecret == "" && c.VerifyToken == "" {
		return c, nil // disabled
	}
	var missing []string
	for _, v := range []struct{ name, val string }{
		{"MESSENGER_PAGE_ACCESS_TOKEN", c.PageAccessToken},
		{"MESSENGER_APP_SECRET", c.AppSecret},
		{"MESSENGER_VERIFY_TOKEN", c.VerifyToken},
	} {
		if v.val == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return Config{}, errors.New("messenger config: partly set, missing " + strings.Join(missing, ", "))
	}
	c.DeriveUserKeySecret(connectors.Messenger, c.AppSecret)
	return c, nil
}

// Enabled reports whether the connector is configured.
func (c Config) Enabled() bool {
	return c.PageAccessToken != "" && c.AppSecret != "" && c.VerifyToken != ""
}

// String prints the configuration with the secrets masked.
func (c Config) String() string {
	return fmt.Sprintf("messenger{enabled=%t page_access_token=%s app_secret=%s verify_token=%s api=%s audience=%s locality=%q workers=%d queue=%d user_key_secret=%s}",
		c.Enabled(), connectors.Mask(c.PageAccessToken), connectors.Mask(c.AppSecret),
		connectors.Mask(c.VerifyToken), c.APIBase, c.Audience, c.Locality, c.Workers, c.QueueSize,
		connectors.Mask(c.UserKeySecret))
}

// LogValue implements slog.LogValuer with the secrets masked.
func (c Config) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.Bool("enabled", c.Enabled()),
		slog.String("page_access_token", connectors.Mask(c.PageAccessToken)),
		slog.String("app_secret", connectors.Mask(c.AppSecret)),
		slog.String("verify_token", connectors.Mask(c.VerifyToken)),
		slog.String("api_base", c.APIBase),
	}
	return slog.GroupValue(append(attrs, c.Config.LogAttrs()...)...)
}
