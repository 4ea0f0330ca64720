package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/trolyao/trolyao/connectors/messenger"
	"github.com/trolyao/trolyao/connectors/telegram"
	"github.com/trolyao/trolyao/connectors/zalo"
	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/web"
)

// config is the whole program's configuration, read from the environment once in run.
type config struct {
	Addr        string // ASSISTANT_ADDR
	DataDir     string // ASSISTANT_DATA_DIR: the embedded store's folder
	DatabaseURL string // DATABASE_URL: PostgreSQL; the embedded store when empty
	LogLevel    slog.Level

	EmbeddingProvider string // builtin, openai, ollama
	EmbeddingBaseURL  string
	EmbeddingModel    string
	EmbeddingAPIKey   string
	EmbeddingDim      int // built-in embedder dimension
	// EmbeddingQueryPrefix and EmbeddingDocumentPrefix are put before questions and passages
	// for models trained with them (e5's "query: ", Qwen3-Embedding's instruction).
	EmbeddingQueryPrefix, EmbeddingDocumentPrefix string
	// Fusion overrides the fusion weights FusionFor gives the embedder (nil: keep them; a
	// negative weight keeps that one).
	Fusion *knowledge.Fusion

	LLMProvider string // "", openai, ollama
	LLMBaseURL  string
	LLMModel    string
	LLMAPIKey   string
	LLMTimeout  time.Duration

	Abbreviations string // file of extra abbreviations
	Vocabulary    string // file of chat forms and everyday phrases added to the shipped ones
	Organization  string
	Hotline       string
	Portal        string
	MinRelevance  float64
	MaxMessage    int   // runes
	MaxFileSize   int64 // bytes
	// Web is the web chat's configuration (page, websocket limits).
	Web web.Config

	// Messaging connectors; each is enabled when its secrets are set.
	Zalo      zalo.Config
	Messenger messenger.Config
	Telegram  telegram.Config
}

func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Addr:                    envOr(getenv, "ASSISTANT_ADDR", "127.0.0.1:8080"),
		DataDir:                 envOr(getenv, "ASSISTANT_DATA_DIR", "./data"),
		DatabaseURL:             getenv("DATABASE_URL"),
		EmbeddingProvider:       envOr(getenv, "EMBEDDING_PROVIDER", "builtin"),
		EmbeddingBaseURL:        getenv("EMBEDDING_BASE_URL"),
		EmbeddingModel:          getenv("EMBEDDING_MODEL"),
		EmbeddingAPIKey:         getenv("EMBEDDING_API_KEY"),
		EmbeddingQueryPrefix:    strings.ReplaceAll(getenv("EMBEDDING_QUERY_PREFIX"), `\n`, "\n"),
		EmbeddingDocumentPrefix: strings.ReplaceAll(getenv("EMBEDDING_DOCUMENT_PREFIX"), `\n`, "\n"),
		LLMProvider:             getenv("LLM_PROVIDER"),
		LLMBaseURL:              getenv("LLM_BASE_URL"),
		LLMModel:                getenv("LLM_MODEL"),
		LLMAPIKey:               getenv("LLM_API_KEY"),
		Abbreviations:           getenv("ASSISTANT_ABBREVIATIONS"),
		Vocabulary:              getenv("ASSISTANT_VOCABULARY"),
		Organization:            getenv("ASSISTANT_ORGANIZATION"),
		Hotline:                 envOr(getenv, "ASSISTANT_HOTLINE", "Tổng đài dịch vụ công 1900 1096"),
		Portal:                  envOr(getenv, "ASSISTANT_PORTAL", "https://dichvucong.gov.vn"),
		Web: web.Config{
			Title:          getenv("ASSISTANT_TITLE"),
			Color:          getenv("ASSISTANT_COLOR"),
			AllowedOrigins: splitList(getenv("ASSISTANT_ALLOWED_ORIGINS"), ","),
			Starters:       splitList(getenv("ASSISTANT_STARTERS"), "|"),
			PrivacyURL:     getenv("ASSISTANT_PRIVACY_URL"),
			RealIPHeader:   getenv("ASSISTANT_REAL_IP_HEADER"),
		},
	}
	c.Web.Hotline = c.Hotline // the widget names it when the assistant cannot be loaded
	var errs []error
	var err error
	if c.EmbeddingDim, err = envInt(getenv, "EMBEDDING_DIM", 256); err != nil || c.EmbeddingDim < 16 || c.EmbeddingDim > 4096 {
		errs = append(errs, fmt.Errorf("EMBEDDING_DIM must be a number between 16 and 4096"))
	}
	if v, w := strings.TrimSpace(getenv("ASSISTANT_FUSION_VECTOR")), strings.TrimSpace(getenv("ASSISTANT_FUSION_VECTOR_ONLY")); v != "" || w != "" {
		f := knowledge.Fusion{} // a weight not given stays the embedder's (-1)
		var err1, err2 error
		f.Vector, err1 = envFloat(getenv, "ASSISTANT_FUSION_VECTOR", -1)
		f.VectorOnly, err2 = envFloat(getenv, "ASSISTANT_FUSION_VECTOR_ONLY", -1)
		if err1 != nil || err2 != nil || v != "" && !(f.Vector >= 0 && f.Vector <= 4) || w != "" && !(f.VectorOnly >= 0 && f.VectorOnly <= 1) {
			errs = append(errs, fmt.Errorf("ASSISTANT_FUSION_VECTOR must be a number between 0 and 4, ASSISTANT_FUSION_VECTOR_ONLY between 0 and 1"))
		} else {
			c.Fusion = &f
		}
	}
	if c.LLMTimeout, err = envDuration(getenv, "LLM_TIMEOUT", 30*time.Second); err != nil {
		errs = append(errs, err)
	}
	if c.MinRelevance, err = envFloat(getenv, "ASSISTANT_MIN_RELEVANCE", 0.35); err != nil || c.MinRelevance < 0 || c.MinRelevance > 1 {
		errs = append(errs, fmt.Errorf("ASSISTANT_MIN_RELEVANCE must be a number between 0 and 1"))
	}
	if c.MaxMessage, err = envInt(getenv, "ASSISTANT_MAX_MESSAGE", 2000); err != nil || c.MaxMessage < 1 {
		errs = append(errs, fmt.Errorf("ASSISTANT_MAX_MESSAGE must be a positive number of characters"))
	}
	maxFile, err := envInt(getenv, "ASSISTANT_MAX_FILE_SIZE", 20<<20)
	if err != nil || maxFile < 1 {
		errs = append(errs, fmt.Errorf("ASSISTANT_MAX_FILE_SIZE must be a positive number of bytes"))
	}
	c.MaxFileSize = int64(maxFile)
	errs = append(errs, loadWebLimits(getenv, &c.Web)...)
	if err := c.Web.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.LogLevel.UnmarshalText([]byte(envOr(getenv, "ASSISTANT_LOG_LEVEL", "info"))); err != nil {
		errs = append(errs, fmt.Errorf("ASSISTANT_LOG_LEVEL must be debug, info, warn or error"))
	}
	switch c.EmbeddingProvider {
	case "builtin":
	case "openai", "ollama":
		if c.EmbeddingModel == "" {
			errs = append(errs, fmt.Errorf("EMBEDDING_MODEL is required with EMBEDDING_PROVIDER=%s", c.EmbeddingProvider))
		}
	default:
		errs = append(errs, fmt.Errorf("EMBEDDING_PROVIDER must be builtin, openai or ollama, not %q", c.EmbeddingProvider))
	}
	switch c.LLMProvider {
	case "":
	case "openai", "ollama":
		if c.LLMModel == "" {
			errs = append(errs, fmt.Errorf("LLM_MODEL is required with LLM_PROVIDER=%s", c.LLMProvider))
		}
	default:
		errs = append(errs, fmt.Errorf("LLM_PROVIDER must be openai or ollama (or unset for extractive answers), not %q", c.LLMProvider))
	}
	for _, u := range []struct{ name, val string }{{"LLM_BASE_URL", c.LLMBaseURL}, {"EMBEDDING_BASE_URL", c.EmbeddingBaseURL}} {
		if u.val == "" {
			continue
		}
		if p, err := url.Parse(u.val); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			errs = append(errs, fmt.Errorf("%s must be an http(s) URL", u.name))
		}
	}
	if c.Zalo, err = zalo.LoadConfig(getenv); err != nil {
		errs = append(errs, err)
	}
	if c.Messenger, err = messenger.LoadConfig(getenv); err != nil {
		errs = append(errs, err)
	}
	if c.Telegram, err = telegram.LoadConfig(getenv); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

// LogValue prints the configuration with secrets masked.
func (c config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("store", c.storeName()),
		slog.String("embedder", c.EmbeddingProvider),
		slog.String("llm", firstNonEmpty(c.LLMProvider, "none (extractive)")),
		slog.String("llm_model", c.LLMModel),
		slog.String("llm_api_key", mask(c.LLMAPIKey)),
		slog.String("embedding_api_key", mask(c.EmbeddingAPIKey)),
		slog.Bool("zalo", c.Zalo.Enabled()),
		slog.Bool("messenger", c.Messenger.Enabled()),
		slog.Bool("telegram", c.Telegram.Enabled()),
	)
}

func (c config) storeName() string {
	if c.DatabaseURL == "" {
		return "embedded (" + c.DataDir + ")"
	}
	if u, err := url.Parse(c.DatabaseURL); err == nil && u.Host != "" {
		return "postgres://" + u.Host + u.Path
	}
	return "postgres"
}

func mask(secret string) string {
	if secret == "" {
		return ""
	}
	return "***"
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func envOr(getenv func(string) string, key, def string) string {
	if v := strings.TrimSpace(getenv(key)); v != "" {
		return v
	}
	return def
}

func envInt(getenv func(string) string, key string, def int) (int, error) {
	v := strings.TrimSpace(getenv(key))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def, fmt.Errorf("%s: %q is not a whole number", key, v)
	}
	return n, nil
}

func envFloat(getenv func(string) string, key string, def float64) (float64, error) {
	v := strings.TrimSpace(getenv(key))
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return def, fmt.Errorf("%s: %q is not a number", key, v)
	}
	return f, nil
}

func envDuration(getenv func(string) string, key string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(key))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return def, fmt.Errorf("%s: %q is not a duration such as 30s", key, v)
	}
	return d, nil
}

// loadWebLimits reads the websocket and answer limits; unset ones keep the web defaults.
func loadWebLimits(getenv func(string) string, w *web.Config) []error {
	var errs []error
	ints := []struct {
		key string
		dst *int
	}{
		{"ASSISTANT_WS_MAX_CONNS_PER_IP", &w.MaxConnsPerIP}, {"ASSISTANT_WS_MESSAGE_BURST", &w.MessageBurst},
		{"ASSISTANT_WS_SEND_QUEUE", &w.SendQueue}, {"ASSISTANT_HISTORY_LIMIT", &w.HistoryLimit}, {"ASSISTANT_MAX_ANSWERS", &w.MaxAnswers},
	}
	for _, f := range ints {
		n, err := envInt(getenv, f.key, *f.dst)
		if err != nil {
			errs = append(errs, err)
		}
		*f.dst = n
	}
	frame, err := envInt(getenv, "ASSISTANT_WS_MAX_FRAME_BYTES", 0)
	if err != nil {
		errs = append(errs, err)
	}
	w.MaxFrameBytes = int64(frame)
	if w.MessageRate, err = envFloat(getenv, "ASSISTANT_WS_MESSAGE_RATE", 0); err != nil {
		errs = append(errs, err)
	}
	durations := []struct {
		key string
		dst *time.Duration
	}{
		{"ASSISTANT_WS_IDLE_TIMEOUT", &w.IdleTimeout}, {"ASSISTANT_WS_MAX_LIFETIME", &w.MaxLifetime},
		{"ASSISTANT_WS_PING_INTERVAL", &w.PingInterval}, {"ASSISTANT_WS_WRITE_TIMEOUT", &w.WriteTimeout},
		{"ASSISTANT_ANSWER_TIMEOUT", &w.AnswerTimeout},
	}
	for _, f := range durations {
		d, err := envDuration(getenv, f.key, 0)
		if err != nil {
			errs = append(errs, err)
		}
		*f.dst = d
	}
	switch v := strings.TrimSpace(getenv("ASSISTANT_DEBUG_VARS")); v {
	case "", "0", "false":
	case "1", "true":
		w.DebugVars = true
	default:
		errs = append(errs, fmt.Errorf("ASSISTANT_DEBUG_VARS must be true or false, not %q", v))
	}
	return errs
}

func splitList(s, sep string) []string {
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
