package telegram

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/trolyao/trolyao/connectors"
)

// DefaultAPIBase is Telegram's Bot API server.
const DefaultAPIBase = "https://api.telegram.org"

// Config configures the Telegram bot connector, from TELEGRAM_* variables and the settings
// common to all connectors (TELEGRAM_AUDIENCE, TELEGRAM_LOCALITY, TELEGRAM_WORKERS,
// TELEGRAM_QUEUE_SIZE, ASSISTANT_USER_KEY_SECRET).
type Config struct {
	connectors.Config

	BotToken      string // TELEGRAM_BOT_TOKEN: from @BotFather, "123456:ABC..."
	WebhookSecret string // TELEGRAM_WEBHOOK_SECRET: the secret_token given to setWebhook
	APIBase       string // TELEGRAM_API_BASE; methods at {base}/bot{token}/{method}
}

// LoadConfig reads the connector's configuration. The connector is enabled when the bot token
// and the webhook secret are set; with neither it returns a disabled Config and no error.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		BotToken:      strings.TrimSpace(getenv("TELEGRAM_BOT_TOKEN")),
		WebhookSecret: strings.TrimSpace(getenv("TELEGRAM_WEBHOOK_SECRET")),
	}
	var err error
	if c.Config, err = connectors.LoadConfig("TELEGRAM", getenv); err != nil {
		return Config{}, fmt.Errorf("telegram config: %w", err)
	}
	if c.APIBase, err = connectors.BaseURL(getenv, "TELEGRAM_API_BASE", DefaultAPIBase); err != nil {
		return Config{}, fmt.Errorf("telegram config: %w", err)
	}
	switch {
	case c.BotToken == "" && c.WebhookSecret == "":
		return c, nil // disabled
	case c.BotToken == "":
		return Config{}, errors.New("telegram config: partly set, missing TELEGRAM_BOT_TOKEN")
	case c.WebhookSecret == "":
		return Config{}, errors.New("telegram config: partly set, missing TELEGRAM_WEBHOOK_SECRET")
	}
	if id, _, ok := strings.Cut(c.BotToken, ":"); !ok || id == "" || strings.ContainsAny(c.BotToken, "/ ?#") {
		return Config{}, errors.New(`telegram config: TELEGRAM_BOT_TOKEN is not a bot token ("123456:ABC-DEF...")`)
	}
	if !validSecret(c.WebhookSecret) {
		return Config{}, errors.New("telegram config: TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
	}
	c.DeriveUserKeySecret(connectors.Telegram, c.WebhookSecret+c.BotToken)
	return c, nil
}

// validSecret reports whether s is a secret_token Telegram accepts.
func validSecret(s string) bool {
	if len(s) == 0 || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// Enabled reports whether the connector is configured.
func (c Config) Enabled() bool { return c.BotToken != "" && c.WebhookSecret != "" }

// String prints the configuration with the secrets masked.
func (c Config) String() string {
	return fmt.Sprintf("telegram{enabled=%t bot_token=%s webhook_secret=%s api=%s audience=%s locality=%q workers=%d queue=%d user_key_secret=%s}",
		c.Enabled(), connectors.Mask(c.BotToken), connectors.Mask(c.WebhookSecret), c.APIBase,
		c.Audience, c.Locality, c.Workers, c.QueueSize, connectors.Mask(c.UserKeySecret))
}

// LogValue implements slog.LogValuer with the secrets masked.
func (c Config) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.Bool("enabled", c.Enabled()),
		slog.String("bot_token", connectors.Mask(c.BotToken)),
		slog.String("webhook_secret", connectors.Mask(c.WebhookSecret)),
		slog.String("api_base", c.APIBase),
	}
	return slog.GroupValue(append(attrs, c.Config.LogAttrs()...)...)
}
