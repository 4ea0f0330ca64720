package connectors

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trolyao/trolyao/assistant"
)

// UserKeySecretEnv names the environment variable holding the secret that pseudonymises
// platform user ids, shared by every connector.
const UserKeySecretEnv = "ASSISTANT_USER_KEY_SECRET"

// Defaults of the common settings.
const (
	DefaultWorkers   = 8
	DefaultQueueSize = 1024
	DefaultMaxBody   = 1 << 20 // 1 MiB
)

// Config holds the settings every connector has, read from variables named with the
// connector's prefix: <P>_AUDIENCE ("citizen" or "staff"), <P>_LOCALITY (a default place, e.g.
// the district of the account), <P>_WORKERS and <P>_QUEUE_SIZE, plus the shared
// ASSISTANT_USER_KEY_SECRET. Platform configs embed it.
type Config struct {
	Audience  assistant.Audience
	Locality  string
	Workers   int
	QueueSize int
	// UserKeySecret keys the user-id pseudonyms (see UserKey). When ASSISTANT_USER_KEY_SECRET
	// is unset it is derived from a platform secret and UserKeyDerived is set: sessions then
	// restart if that platform secret is rotated.
	UserKeySecret  string
	UserKeyDerived bool
	// MaxBody is the largest webhook body accepted (413 above it).
	MaxBody int64
}

// LoadConfig reads the common settings for the connector whose variables start with prefix
// (e.g. "ZALO"). Invalid values give an error naming the variable.
func LoadConfig(prefix string, getenv func(string) string) (Config, error) {
	c := Config{Workers: DefaultWorkers, QueueSize: DefaultQueueSize, MaxBody: DefaultMaxBody}
	var err error
	if c.Audience, err = assistant.ParseAudience(strings.TrimSpace(getenv(prefix + "_AUDIENCE"))); err != nil {
		return Config{}, fmt.Errorf("%s_AUDIENCE: must be \"citizen\" or \"staff\"", prefix)
	}
	c.Locality = strings.TrimSpace(getenv(prefix + "_LOCALITY"))
	if utf8.RuneCountInString(c.Locality) > 200 {
		return Config{}, fmt.Errorf("%s_LOCALITY: longer than 200 characters", prefix)
	}
	if c.Workers, err = intEnv(getenv, prefix+"_WORKERS", DefaultWorkers, 1, 1024); err != nil {
		return Config{}, err
	}
	if c.QueueSize, err = intEnv(getenv, prefix+"_QUEUE_SIZE", DefaultQueueSize, 1, 1_000_000); err != nil {
		return Config{}, err
	}
	c.UserKeySecret = getenv(UserKeySecretEnv)
	if c.UserKeySecret != "" && len(c.UserKeySecret) < 16 {
		return Config{}, fmt.Errorf("%s: must be at least 16 characters", UserKeySecretEnv)
	}
	return c, nil
}

// DeriveUserKeySecret fills UserKeySecret from a platform secret when
// ASSISTANT_USER_KEY_SECRET is unset.
func (c *Config) DeriveUserKeySecret(channel, platformSecret string) {
	if c.UserKeySecret != "" {
		return
	}
	mac := hmac.New(sha256.New, []byte(platformSecret))
	mac.Write([]byte("trolyao user key " + channel))
	c.UserKeySecret = hex.EncodeToString(mac.Sum(nil))
	c.UserKeyDerived = true
}

// LogAttrs returns the settings as log attributes, the secret left out.
func (c Config) LogAttrs() []slog.Attr {
	return []slog.Attr{
		slog.String("audience", string(c.Audience)),
		slog.String("locality", c.Locality),
		slog.Int("workers", c.Workers),
		slog.Int("queue_size", c.QueueSize),
		slog.String("user_key_secret", Mask(c.UserKeySecret)),
		slog.Bool("user_key_derived", c.UserKeyDerived),
	}
}

// Mask hides a secret for printing: "" stays "", anything else becomes "****".
func Mask(secret string) string {
	if secret == "" {
		return ""
	}
	return "****"
}

// BaseURL validates an API base URL read from name, falling back to def; the result has no
// trailing slash.
func BaseURL(getenv func(string) string, name, def string) (string, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		v = def
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return "", fmt.Errorf("%s: %q is not an absolute http(s) URL", name, v)
	}
	return strings.TrimRight(v, "/"), nil
}

// DurationEnv reads a Go duration ("5m") from name, def when unset, within [lo, hi].
func DurationEnv(getenv func(string) string, name string, def, lo, hi time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < lo || d > hi {
		return 0, fmt.Errorf("%s: %q is not a duration between %s and %s", name, v, lo, hi)
	}
	return d, nil
}

func intEnv(getenv func(string) string, name string, def, lo, hi int) (int, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s: %q is not a whole number between %d and %d", name, v, lo, hi)
	}
	return n, nil
}
