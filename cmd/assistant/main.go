// Command assistant is the Vietnamese public-service virtual assistant: it serves the web chat,
// the JSON API and the messaging connectors, ingests documents into the knowledge base, and
// evaluates answers against question sets.
//
// Usage:
//
//	assistant serve [-sample]           serve HTTP on ASSISTANT_ADDR
//	assistant ingest PATH...            ingest files and folders
//	assistant search [-k N] QUESTION    print the best passages
//	assistant eval -questions FILE...   ask a question set and report the figures
//	assistant docs list|set|delete      review and correct documents
//
// Configuration comes from environment variables (see README.md).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/tmc/langchaingo/embeddings"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/postgres"
	"github.com/trolyao/trolyao/knowledge/sqlite"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "assistant:", err)
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}

// exitError carries a specific exit code (2 for usage errors, 3 for partly failed ingestion).
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

const usage = `usage:
  assistant serve [-sample]            serve the web chat, API and connectors on ASSISTANT_ADDR
  assistant ingest PATH...             ingest files and folders into the knowledge base
  assistant search [-k N] QUESTION     print the best passages with source and score
  assistant eval -questions FILE...    ask question sets and report the figures
  assistant docs list|set|delete       review and correct documents' metadata
  assistant forms [-n N]               short forms the knowledge base learned (HKD = hộ kinh doanh)
  assistant operators create|list|…    console accounts (the password is read from stdin)`

// run builds the program in dependency order and runs one subcommand. It returns when the
// subcommand is done, or for serve when ctx is cancelled and the server has shut down.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "help" || args[0] == "--help" {
		fmt.Fprintln(stdout, usage)
		if len(args) == 0 {
			return exitError{2, errors.New("no command given")}
		}
		return nil
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return exitError{2, fmt.Errorf("configuration: %w", err)}
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))

	switch args[0] {
	case "serve", "ingest", "search", "eval", "docs", "forms", "operators":
	default:
		fmt.Fprintln(stderr, usage)
		return exitError{2, fmt.Errorf("unknown command %q", args[0])}
	}

	if helpRequested(args[1:]) {
		// Help opens no store: a mistyped data directory or database stays untouched.
		if args[0] == "docs" {
			fmt.Fprintln(stdout, docsUsage)
			return nil
		}
		if args[0] == "operators" {
			fmt.Fprintln(stdout, operatorsUsage)
			return nil
		}
		// Every command parses its flags before it uses the app.
		if err := dispatch(ctx, nil, args, stdin, stdout); !errors.Is(err, flag.ErrHelp) {
			return err
		}
		return nil
	}

	app, err := build(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer app.store.Close()
	return dispatch(ctx, app, args, stdin, stdout)
}

// dispatch runs the command args[0] with the arguments that follow it.
func dispatch(ctx context.Context, app *app, args []string, stdin io.Reader, stdout io.Writer) error {
	switch args[0] {
	case "serve":
		return serve(ctx, app, args[1:], stdout)
	case "ingest":
		return ingest(ctx, app, args[1:], stdout)
	case "search":
		return search(ctx, app, args[1:], stdout)
	case "docs":
		return docs(ctx, app, args[1:], stdout)
	case "forms":
		return forms(ctx, app, args[1:], stdout)
	case "operators":
		return operators(ctx, app, args[1:], stdin, stdout)
	default:
		return evaluate(ctx, app, args[1:], stdout)
	}
}

// helpRequested reports whether a command's arguments ask for its usage.
func helpRequested(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// app is everything the subcommands share, built by build.
type app struct {
	cfg       config
	logger    *slog.Logger
	store     knowledge.Store
	analyzer  *vietnamese.Analyzer
	index     *knowledge.Index
	ingester  *knowledge.Ingester
	assistant *assistant.Assistant
}

func build(ctx context.Context, cfg config, logger *slog.Logger) (*app, error) {
	dict := vietnamese.DefaultDictionary()
	if cfg.Abbreviations != "" {
		f, err := os.Open(cfg.Abbreviations)
		if err != nil {
			return nil, fmt.Errorf("abbreviations: %w", err)
		}
		dict, err = vietnamese.ReadDictionary(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("abbreviations %s: %w", cfg.Abbreviations, err)
		}
	}
	analyzer := vietnamese.NewAnalyzer(dict)
	vocab := assistant.DefaultVocabulary()
	if cfg.Vocabulary != "" {
		f, err := os.Open(cfg.Vocabulary)
		if err != nil {
			return nil, fmt.Errorf("vocabulary: %w", err)
		}
		vocab, err = vocab.Extend(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("vocabulary %s: %w", cfg.Vocabulary, err)
		}
		chat, phrases := vocab.Size()
		logger.Info("vocabulary extended", slog.String("file", cfg.Vocabulary), slog.Int("chat_forms", chat), slog.Int("phrases", phrases))
	}

	embedder, info, err := newEmbedder(ctx, cfg, analyzer)
	if err != nil {
		return nil, err
	}
	var model llms.Model // nil: extractive answers
	if cfg.LLMProvider != "" {
		if model, err = newModel(cfg); err != nil {
			return nil, err
		}
	}
	store, err := openStore(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	if err := knowledge.EnsureEmbeddings(ctx, store, embedder, info, logger); err != nil {
		store.Close()
		return nil, err
	}
	index := knowledge.NewIndex(store, analyzer, embedder, logger)
	fusion := knowledge.FusionFor(info)
	if f := cfg.Fusion; f != nil {
		if f.Vector >= 0 {
			fusion.Vector = f.Vector
		}
		if f.VectorOnly >= 0 {
			fusion.VectorOnly = f.VectorOnly
		}
	}
	index.SetFusion(fusion)
	if err := index.Warm(ctx); err != nil {
		store.Close()
		return nil, err
	}
	ingester := knowledge.NewIngester(store, knowledge.NewChunker(analyzer), embedder, logger)
	ingester.MaxFileSize = cfg.MaxFileSize
	acfg := assistant.DefaultConfig()
	acfg.Vocabulary = vocab
	acfg.MaxMessageRunes, acfg.MinRelevance, acfg.LLMTimeout = cfg.MaxMessage, cfg.MinRelevance, cfg.LLMTimeout
	acfg.Organization, acfg.Hotline, acfg.Portal = cfg.Organization, cfg.Hotline, cfg.Portal
	asst := assistant.New(acfg, index, store, analyzer, model, logger)
	return &app{cfg: cfg, logger: logger, store: store, analyzer: analyzer, index: index, ingester: ingester, assistant: asst}, nil
}

func openStore(ctx context.Context, cfg config, logger *slog.Logger) (knowledge.Store, error) {
	if cfg.DatabaseURL != "" {
		s, err := postgres.Open(ctx, cfg.DatabaseURL, logger)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL store: %w", err)
		}
		return s, nil
	}
	s, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "knowledge.db"), logger)
	if err != nil {
		return nil, fmt.Errorf("open embedded store: %w", err)
	}
	return s, nil
}

// newEmbedder returns the configured embedder and the identity it gives the index.
func newEmbedder(ctx context.Context, cfg config, a *vietnamese.Analyzer) (knowledge.Embedder, knowledge.IndexInfo, error) {
	if cfg.EmbeddingProvider == "builtin" {
		e := knowledge.NewHashEmbedder(a, cfg.EmbeddingDim)
		return e, e.Info(), nil
	}
	var client embeddings.EmbedderClient
	switch cfg.EmbeddingProvider {
	case "openai":
		opts := []openai.Option{openai.WithEmbeddingModel(cfg.EmbeddingModel), openai.WithToken(firstNonEmpty(cfg.EmbeddingAPIKey, "none"))}
		if cfg.EmbeddingBaseURL != "" {
			opts = append(opts, openai.WithBaseURL(cfg.EmbeddingBaseURL))
		}
		c, err := openai.New(opts...)
		if err != nil {
			return nil, knowledge.IndexInfo{}, fmt.Errorf("embedding server: %w", err)
		}
		client = c
	case "ollama":
		opts := []ollama.Option{ollama.WithModel(cfg.EmbeddingModel)}
		if cfg.EmbeddingBaseURL != "" {
			opts = append(opts, ollama.WithServerURL(cfg.EmbeddingBaseURL))
		}
		c, err := ollama.New(opts...)
		if err != nil {
			return nil, knowledge.IndexInfo{}, fmt.Errorf("embedding server: %w", err)
		}
		client = c
	}
	model, err := embeddings.NewEmbedder(client)
	if err != nil {
		return nil, knowledge.IndexInfo{}, fmt.Errorf("embedding server: %w", err)
	}
	var e knowledge.Embedder = model
	name := cfg.EmbeddingProvider + ":" + cfg.EmbeddingModel
	if cfg.EmbeddingQueryPrefix != "" || cfg.EmbeddingDocumentPrefix != "" {
		p := knowledge.PrefixedEmbedder{Embedder: model, Query: cfg.EmbeddingQueryPrefix, Document: cfg.EmbeddingDocumentPrefix}
		e, name = p, p.Identity(name)
	}
	// The dimension is whatever the model returns.
	v, err := e.EmbedQuery(ctx, "xin chào")
	if err != nil {
		return nil, knowledge.IndexInfo{}, fmt.Errorf("embedding server %s (%s) does not answer: %w", cfg.EmbeddingProvider, cfg.EmbeddingModel, err)
	}
	return e, knowledge.IndexInfo{Embedder: name, Dim: len(v)}, nil
}

// newModel returns the configured language model.
func newModel(cfg config) (llms.Model, error) {
	switch cfg.LLMProvider {
	case "openai":
		opts := []openai.Option{openai.WithModel(cfg.LLMModel), openai.WithToken(firstNonEmpty(cfg.LLMAPIKey, "none"))}
		if cfg.LLMBaseURL != "" {
			opts = append(opts, openai.WithBaseURL(cfg.LLMBaseURL))
		}
		m, err := openai.New(opts...)
		if err != nil {
			return nil, fmt.Errorf("language model: %w", err)
		}
		return m, nil
	case "ollama":
		opts := []ollama.Option{ollama.WithModel(cfg.LLMModel)}
		if cfg.LLMBaseURL != "" {
			opts = append(opts, ollama.WithServerURL(cfg.LLMBaseURL))
		}
		m, err := ollama.New(opts...)
		if err != nil {
			return nil, fmt.Errorf("language model: %w", err)
		}
		return m, nil
	}
	return nil, fmt.Errorf("language model: unknown provider %q", cfg.LLMProvider)
}
