package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/sample"
	"github.com/trolyao/trolyao/knowledge/sqlite"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
	"github.com/trolyao/trolyao/web"
)

// server runs the real assistant over the sample knowledge base with its limits off, as a
// load run needs it.
func server(t *testing.T) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kb.db"), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	a := vietnamese.NewAnalyzer(nil)
	emb := knowledge.NewHashEmbedder(a, 256)
	if err := knowledge.EnsureEmbeddings(ctx, store, emb, emb.Info(), logger); err != nil {
		t.Fatal(err)
	}
	index := knowledge.NewIndex(store, a, emb, logger)
	if _, err := sample.Ingest(ctx, knowledge.NewIngester(store, knowledge.NewChunker(a), emb, logger)); err != nil {
		t.Fatal(err)
	}
	h := web.New(web.Config{MaxConnsPerIP: -1, MessageRate: -1, DebugVars: true}, assistant.New(assistant.DefaultConfig(), index, store, a, nil, logger), index, logger)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.Close(ctx)
		srv.Close()
	})
	return srv
}

func TestRun(t *testing.T) {
	srv := server(t)
	ws := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws/chat"
	questions := filepath.Join(t.TempDir(), "q.txt")
	if err := os.WriteFile(questions, []byte("# two questions\nĐăng ký khai sinh có mất phí không?\n\nLệ phí đăng ký tạm trú trực tuyến bao nhiêu?\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"each question once", []string{"-url", ws, "-n", "8", "-once"}, []string{
			`sessions    8 opened of 8`, `questions   40 asked, 40 answered`, `errors      0`,
			`first delta p50 `, `answer      p50 `, `(n=40)`,
		}},
		{"questions file", []string{"-url", ws, "-n", "3", "-once", "-questions", questions}, []string{
			`questions   6 asked, 6 answered`, `errors      0`,
		}},
		{"continuously", []string{"-url", ws, "-n", "4", "-duration", "500ms"}, []string{
			`sessions    4 opened of 4`, `errors      0`,
		}},
		{"idle", []string{"-url", ws, "-idle", "-n", "50", "-settle", "100ms", "-pid", strconv.Itoa(os.Getpid()), "-vars", srv.URL + "/debug/vars"}, []string{
			`connections 50 open of 50`, `0 dropped`, `server RSS `, `Go heap (live) `, `goroutine stacks `, `sockets 0 → 50`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := run(context.Background(), tt.args, &out); err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("report lacks %q:\n%s", w, out.String())
				}
			}
			t.Log("\n" + out.String())
		})
	}
	t.Run("a continuous run asks again after each answer", func(t *testing.T) {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"-url", ws, "-n", "1", "-duration", "5s"}, &out); err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(\d+) answered`).FindStringSubmatch(out.String())
		if n, _ := strconv.Atoi(m[1]); n < 2 {
			t.Errorf("%d answers in 5s from one session:\n%s", n, out.String())
		}
	})
}

func TestRunRejectsBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"http URL", []string{"-url", "http://x/ws/chat"}},
		{"no sessions", []string{"-n", "0"}},
		{"missing questions file", []string{"-questions", "/nonexistent"}},
		{"stray argument", []string{"now"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := run(context.Background(), tt.args, io.Discard); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestPercentiles(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	if got, want := percentiles(ds), "p50 50ms  p95 95ms  p99 99ms  max 100ms  (n=100)"; got != want {
		t.Errorf("percentiles = %q, want %q", got, want)
	}
	if got := percentiles(nil); got != "no samples" {
		t.Errorf("percentiles(nil) = %q", got)
	}
}
