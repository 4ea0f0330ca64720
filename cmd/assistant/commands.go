package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/trolyao/trolyao/assistant/evaluation"
	"github.com/trolyao/trolyao/connectors"
	"github.com/trolyao/trolyao/connectors/messenger"
	"github.com/trolyao/trolyao/connectors/telegram"
	"github.com/trolyao/trolyao/connectors/zalo"
	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/sample"
	"github.com/trolyao/trolyao/web"
	"github.com/trolyao/trolyao/web/console"
)

func ingest(ctx context.Context, a *app, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() { fmt.Fprintln(stdout, "usage: assistant ingest PATH...") }
	if err := fs.Parse(args); err != nil {
		return exitError{2, err}
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitError{2, errors.New("ingest: no files or folders given")}
	}
	start := time.Now()
	rep, err := a.ingester.IngestPaths(ctx, fs.Args())
	for _, f := range rep.Files {
		if f.Outcome == knowledge.Failed {
			fmt.Fprintf(stdout, "failed     %s: %v\n", f.Source, f.Err)
		} else if f.Outcome != knowledge.Unchanged {
			fmt.Fprintf(stdout, "%-10s %s (%d passages)\n", f.Outcome, f.Source, f.Chunks)
		}
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "%d files: %d added, %d updated, %d unchanged, %d failed in %s (%.0f files/s)\n",
		len(rep.Files), rep.Count(knowledge.Added), rep.Count(knowledge.Updated), rep.Count(knowledge.Unchanged), rep.Count(knowledge.Failed),
		took.Round(time.Millisecond), float64(len(rep.Files))/took.Seconds())
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	if n := rep.Count(knowledge.Failed); n > 0 {
		return exitError{3, fmt.Errorf("ingest: %d of %d files failed", n, len(rep.Files))}
	}
	return nil
}

// forms lists the short forms the knowledge base taught itself from its documents: those they
// define ("Người nộp thuế (NNT)") and the initials of phrases many titles share.
func forms(ctx context.Context, a *app, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("forms", flag.ContinueOnError)
	fs.SetOutput(stdout)
	n := fs.Int("n", 0, "list at most this many (0: all)")
	origin := fs.String("origin", "", "only forms of this origin (defined, title)")
	if err := fs.Parse(args); err != nil {
		return exitError{2, err}
	}
	if *origin != "" && *origin != knowledge.FormDefined && *origin != knowledge.FormTitle {
		return exitError{2, fmt.Errorf("forms: unknown origin %q (defined, title)", *origin)}
	}
	if fs.NArg() > 0 {
		return exitError{2, fmt.Errorf("forms: unexpected argument %q", fs.Arg(0))}
	}
	learned, err := a.index.Forms(ctx)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	listed := 0
	for _, f := range learned.List() {
		counts[f.Origin]++
		if *origin != "" && f.Origin != *origin || *n > 0 && listed >= *n {
			continue
		}
		listed++
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%d documents\n", f.Short, f.Long, f.Origin, f.Documents)
	}
	fmt.Fprintf(stdout, "%d forms learned: %d defined in documents, %d from titles\n",
		learned.Len(), counts[knowledge.FormDefined], counts[knowledge.FormTitle])
	return nil
}

func search(ctx context.Context, a *app, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	fs.SetOutput(stdout)
	k := fs.Int("k", 5, "number of passages")
	kind := fs.String("kind", "", "only documents of this kind (plan, procedure, faq, other)")
	locality := fs.String("locality", "", "only documents about this province or city")
	if err := fs.Parse(args); err != nil {
		return exitError{2, err}
	}
	q := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if q == "" {
		return exitError{2, errors.New(`search: no question given (assistant search "câu hỏi")`)}
	}
	f := knowledge.Filters{Locality: *locality}
	if *kind != "" {
		if !knowledge.Kind(*kind).Valid() {
			return exitError{2, fmt.Errorf("search: unknown kind %q", *kind)}
		}
		f.Kinds = []knowledge.Kind{knowledge.Kind(*kind)}
	}
	start := time.Now()
	results, err := a.index.Search(ctx, knowledge.Query{Text: q, K: *k, Filters: f})
	if err != nil {
		return err
	}
	took := time.Since(start)
	if len(results) == 0 {
		fmt.Fprintln(stdout, "no passage found")
	}
	for i, r := range results {
		fmt.Fprintf(stdout, "%d. [%.3f] %s — %s\n", i+1, r.Score, r.Doc.Source, r.Doc.Title)
		if r.Chunk.Section != "" {
			fmt.Fprintf(stdout, "   § %s\n", r.Chunk.Section)
		}
		fmt.Fprintf(stdout, "   %s\n", strings.ReplaceAll(r.Snippet, "\n", " "))
		fmt.Fprintf(stdout, "   (relevance %.2f: coverage %.2f, phrases %.2f; document %.2f; bm25f %.2f, vector %.2f, title %.2f)\n",
			r.Relevance(), r.Coverage, r.PhraseCoverage, r.DocRelevance, r.Lexical, r.Vector, r.TitleCoverage)
	}
	fmt.Fprintf(stdout, "%s\n", took.Round(10*time.Microsecond))
	return nil
}

func evaluate(ctx context.Context, a *app, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stdout)
	var files multiFlag
	fs.Var(&files, "questions", "question set file (JSON lines); repeat for several")
	verbose := fs.Bool("v", false, "print every answer")
	retrieval := fs.Bool("retrieval", false, "evaluate retrieval only: rank of the expected document and facts in the top passages")
	k := fs.Int("k", 5, "passages retrieved with -retrieval")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the evaluation to this file (for go tool pprof)")
	if err := fs.Parse(args); err != nil {
		return exitError{2, err}
	}
	if len(files) == 0 {
		return exitError{2, errors.New("eval: give at least one -questions FILE")}
	}
	a.assistant.Warm(ctx) // the first question is timed like any other, as on a running server
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("eval: cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	for _, f := range files {
		items, err := evaluation.Read(f)
		if err != nil {
			return err
		}
		if *retrieval {
			rs, err := evaluation.Retrieval(ctx, a.index, items, *k)
			if err != nil {
				return fmt.Errorf("eval %s: %w", f, err)
			}
			fmt.Fprintf(stdout, "== %s retrieval (store: %s, embedder: %s)\n", f, a.cfg.storeName(), a.cfg.EmbeddingProvider)
			evaluation.PrintRetrieval(stdout, rs, *k)
			fmt.Fprintln(stdout)
			continue
		}
		rep, err := evaluation.Answers(ctx, a.assistant, items)
		if err != nil {
			return fmt.Errorf("eval %s: %w", f, err)
		}
		fmt.Fprintf(stdout, "== %s (store: %s, embedder: %s, answers: %s)\n", f, a.cfg.storeName(), a.cfg.EmbeddingProvider, firstNonEmpty(a.cfg.LLMProvider, "extractive"))
		rep.Print(stdout, *verbose)
		fmt.Fprintln(stdout)
	}
	return nil
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func serve(ctx context.Context, a *app, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stdout)
	withSample := fs.Bool("sample", false, "ingest the built-in sample knowledge base first")
	if err := fs.Parse(args); err != nil {
		return exitError{2, err}
	}
	if *withSample {
		rep, err := sample.Ingest(ctx, a.ingester)
		if err != nil {
			return fmt.Errorf("sample knowledge base: %w", err)
		}
		a.logger.InfoContext(ctx, "sample knowledge base ready", slog.Int("added", rep.Count(knowledge.Added)+rep.Count(knowledge.Updated)),
			slog.Int("unchanged", rep.Count(knowledge.Unchanged)))
	}
	a.assistant.Warm(ctx)
	webCfg := a.cfg.Web
	if *withSample && len(webCfg.Starters) == 0 {
		webCfg.Starters = sample.Starters // a first visitor sees what to ask
	}
	mux := http.NewServeMux()
	webHandler := web.New(webCfg, a.assistant, a.index, a.logger)
	webHandler.Register(mux)
	// Operators sign in (accounts from "assistant operators"), curate documents and FAQ, read
	// conversations.
	console.NewAPI(a.store, a.logger).WithFAQ(a.ingester, a.store).WithConversations(a.store).WithTakeover(a.assistant).
		WithRealIPHeader(a.cfg.Web.RealIPHeader).Register(mux)
	// Each connector answers through the assistant, which also marks the replies a platform
	// did not take undelivered; the store keeps event claims (and Zalo's rotated tokens).
	// Connectors drain their queues after the server has stopped taking deliveries.
	var drains []func(context.Context) error
	if a.cfg.Zalo.Enabled() {
		h, err := zalo.New(a.cfg.Zalo, a.assistant, a.store, a.logger)
		if err != nil {
			return fmt.Errorf("zalo connector: %w", err)
		}
		h.Register(mux)
		a.assistant.SetDeliverer(connectors.Zalo, h.Deliverer())
		drains = append(drains, h.Close)
	}
	if a.cfg.Messenger.Enabled() {
		h, err := messenger.New(a.cfg.Messenger, a.assistant, a.store, a.logger)
		if err != nil {
			return fmt.Errorf("messenger connector: %w", err)
		}
		h.Register(mux)
		a.assistant.SetDeliverer(connectors.Messenger, h.Deliverer())
		drains = append(drains, h.Close)
	}
	if a.cfg.Telegram.Enabled() {
		h, err := telegram.New(a.cfg.Telegram, a.assistant, a.store, a.logger)
		if err != nil {
			return fmt.Errorf("telegram connector: %w", err)
		}
		h.Register(mux)
		a.assistant.SetDeliverer(connectors.Telegram, h.Deliverer())
		drains = append(drains, h.Close)
	}

	srv := &http.Server{
		Addr:              a.cfg.Addr,
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	a.logger.InfoContext(ctx, "serving", slog.Any("config", a.cfg))
	fmt.Fprintf(stdout, "Trợ lý ảo đang chạy tại http://%s/\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	// Websockets are hijacked connections Shutdown does not wait for: close them, letting the
	// answers still running finish and be stored.
	if werr := webHandler.Close(shutdown); werr != nil {
		a.logger.Error("web chat not closed cleanly", slog.Any("error", werr))
	}
	for _, drain := range drains {
		if derr := drain(shutdown); derr != nil {
			a.logger.Error("connector queue not drained", slog.Any("error", derr))
		}
	}
	if err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}
