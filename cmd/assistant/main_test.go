package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/pgtest"
	"github.com/trolyao/trolyao/knowledge/sample"
	"github.com/trolyao/trolyao/knowledge/sqlite"
	"github.com/trolyao/trolyao/web"
	"github.com/trolyao/trolyao/web/console"
)

// env is a test environment for run: variables over an empty environment.
type env map[string]string

func (e env) get(k string) string { return e[k] }

func runCmd(t *testing.T, e env, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, e.get, strings.NewReader(""), &out, &errOut)
	if err != nil {
		t.Logf("stderr: %s", errOut.String())
	}
	return out.String(), err
}

func exitCode(err error) int {
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if err != nil {
		return 1
	}
	return 0
}

const kbDir = "../../assistant/testdata/kb"

func TestUsageAndConfigurationErrors(t *testing.T) {
	tests := []struct {
		name string
		env  env
		args []string
		code int
		msg  string
	}{
		{"no command", env{}, nil, 2, "no command"},
		{"unknown command", env{"ASSISTANT_DATA_DIR": t.TempDir()}, []string{"frobnicate"}, 2, "unknown command"},
		{"bad embedder", env{"EMBEDDING_PROVIDER": "magic"}, []string{"search", "x"}, 2, "EMBEDDING_PROVIDER"},
		{"model without name", env{"LLM_PROVIDER": "openai"}, []string{"search", "x"}, 2, "LLM_MODEL"},
		{"bad threshold", env{"ASSISTANT_MIN_RELEVANCE": "2"}, []string{"search", "x"}, 2, "ASSISTANT_MIN_RELEVANCE"},
		{"bad base URL", env{"LLM_PROVIDER": "ollama", "LLM_MODEL": "m", "LLM_BASE_URL": "ftp://x"}, []string{"search", "x"}, 2, "LLM_BASE_URL"},
		{"partial connector secrets", env{"TELEGRAM_BOT_TOKEN": "123:abc"}, []string{"search", "x"}, 2, "TELEGRAM"},
		{"ingest without paths", env{"ASSISTANT_DATA_DIR": t.TempDir()}, []string{"ingest"}, 2, "no files"},
		{"search without question", env{"ASSISTANT_DATA_DIR": t.TempDir()}, []string{"search"}, 2, "no question"},
		{"eval without questions", env{"ASSISTANT_DATA_DIR": t.TempDir()}, []string{"eval"}, 2, "-questions"},
		{"vocabulary file missing", env{"ASSISTANT_DATA_DIR": t.TempDir(), "ASSISTANT_VOCABULARY": "/nonexistent/vocabulary.txt"}, []string{"search", "x"}, 1, "vocabulary"},
		{"vocabulary file malformed", env{"ASSISTANT_DATA_DIR": t.TempDir(), "ASSISTANT_VOCABULARY": badVocabulary(t)}, []string{"search", "x"}, 1, "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runCmd(t, tt.env, tt.args...)
			if exitCode(err) != tt.code || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %v (exit %d), want exit %d mentioning %q", err, exitCode(err), tt.code, tt.msg)
			}
		})
	}
}

// badVocabulary writes a vocabulary file whose second line is malformed.
func badVocabulary(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "vocabulary.txt")
	writeLines(t, path, "[chat]", "ko không")
	return path
}

// An operator's vocabulary is read at start: its everyday phrase finds the procedure the
// shipped vocabulary does not know.
func TestVocabularyFile(t *testing.T) {
	e := env{"ASSISTANT_DATA_DIR": t.TempDir(), "ASSISTANT_VOCABULARY": filepath.Join(t.TempDir(), "vocabulary.txt")}
	writeLines(t, e["ASSISTANT_VOCABULARY"], "[phrases]", "bảng hiệu = biển quảng cáo", "[chat]", "lp = lệ phí")
	if _, err := runCmd(t, e, "ingest", kbDir); err != nil {
		t.Fatal(err)
	}
	questions := filepath.Join(t.TempDir(), "q.jsonl")
	writeLines(t, questions, `{"id": "a", "audience": "citizen", "turns": [{"q": "treo bảng hiệu thì lp bao nhiêu?", "doc": "thu-tuc/cap-phep-bien-quang-cao.json", "any": ["60.000"]}]}`)
	out, err := runCmd(t, e, "eval", "-questions", questions)
	if err != nil || !strings.Contains(out, "expected facts in the answer:       1/1 (100%)") {
		t.Errorf("eval with the operator's vocabulary: %v\n%s", err, out)
	}
}

func TestIngestSearchEval(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			e := env{"ASSISTANT_DATA_DIR": t.TempDir()}
			if backend == "postgres" {
				e["DATABASE_URL"] = pgtest.Database(t)
			}
			out, err := runCmd(t, e, "ingest", kbDir)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, "added      thu-tuc/cap-phep-bien-quang-cao.json") || !strings.Contains(out, "5 files: 5 added") {
				t.Fatalf("ingest output:\n%s", out)
			}
			out, err = runCmd(t, e, "ingest", kbDir)
			if err != nil || !strings.Contains(out, "5 unchanged") {
				t.Fatalf("second ingest: %v\n%s", err, out)
			}

			out, err = runCmd(t, e, "search", "-k", "2", "lệ phí treo biển quảng cáo")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(out, "1. [") || !strings.Contains(out, "thu-tuc/cap-phep-bien-quang-cao.json — Cấp giấy phép treo biển quảng cáo") {
				t.Fatalf("search output:\n%s", out)
			}

			questions := filepath.Join(t.TempDir(), "q.jsonl")
			writeLines(t, questions,
				`{"id": "a", "audience": "citizen", "turns": [{"q": "Lệ phí cấp giấy phép treo biển quảng cáo trực tuyến?", "docs": ["thu-tuc/cap-phep-bien-quang-cao.json"], "any": ["60.000"]}]}`,
				`{"id": "b", "audience": "staff", "turns": [{"q": "Lâm Đồng đặt tỷ lệ hồ sơ trực tuyến cấp sở bao nhiêu?", "doc": "ke-hoach-lam-dong.txt", "any": ["85%"]}, {"q": "còn cấp xã?", "doc": "ke-hoach-lam-dong.txt", "any": ["35%"]}]}`,
				`{"id": "c", "audience": "citizen", "turns": [{"q": "Giá vàng hôm nay?", "grounded": false}]}`,
			)
			out, err = runCmd(t, e, "eval", "-questions", questions)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"expected source in top-5 citations: 3/3 (100%)", "expected facts in the answer:       3/3 (100%)",
				"correct refusals:                   1/1 (100%)", "grounded in-scope answers:          3/3 (100%)", "latency p50"} {
				if !strings.Contains(out, want) {
					t.Errorf("eval output lacks %q:\n%s", want, out)
				}
			}
			out, err = runCmd(t, e, "eval", "-retrieval", "-questions", questions)
			if err != nil || !strings.Contains(out, "expected document in the top 5 passages: 3/3 (100%)") {
				t.Errorf("retrieval eval: %v\n%s", err, out)
			}
		})
	}
}

func writeLines(t *testing.T, path string, lines ...string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestIngestFailuresExitCode(t *testing.T) {
	dir := t.TempDir()
	writeLines(t, filepath.Join(dir, "tot.txt"), "Tài liệu tốt", "", "Nội dung hợp lệ.")
	writeLines(t, filepath.Join(dir, "hong.json"), `{"ten_thu_tuc": `)
	e := env{"ASSISTANT_DATA_DIR": t.TempDir()}
	out, err := runCmd(t, e, "ingest", dir)
	if exitCode(err) != 3 || !strings.Contains(out, "failed     hong.json:") || !strings.Contains(out, "1 added") {
		t.Fatalf("exit %d (%v), output:\n%s", exitCode(err), err, out)
	}
}

// fakeEmbeddings serves OpenAI's /embeddings and Ollama's /api/embed with deterministic vectors
// of dim dimensions, counting the texts it embedded.
func fakeEmbeddings(t *testing.T, dim int) (*httptest.Server, *atomic.Int64) {
	return fakeEmbeddingsRecording(t, dim, nil)
}

// fakeEmbeddingsRecording is fakeEmbeddings calling record (when not nil) with every text it
// embeds.
func fakeEmbeddingsRecording(t *testing.T, dim int, record func(string)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	vec := func(s string) []float32 {
		v := make([]float32, dim)
		for _, w := range strings.Fields(strings.ToLower(s)) {
			h := fnv.New32a()
			h.Write([]byte(w))
			v[h.Sum32()%uint32(dim)]++
		}
		v[0] += 0.01
		return v
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/embeddings", "/v1/embeddings":
			var req struct {
				Input []string `json:"input"`
			}
			if err := json.Unmarshal(body, &req); err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			type item struct {
				Embedding []float32 `json:"embedding"`
				Index     int       `json:"index"`
			}
			var data []item
			for i, s := range req.Input {
				data = append(data, item{vec(s), i})
				n.Add(1)
				if record != nil {
					record(s)
				}
			}
			json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": "fake"})
		case "/api/embed":
			var req struct {
				Input string `json:"input"`
			}
			if err := json.Unmarshal(body, &req); err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			n.Add(1)
			if record != nil {
				record(req.Input)
			}
			json.NewEncoder(w).Encode(map[string]any{"embeddings": [][]float32{vec(req.Input)}})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestEmbeddingServersAndSwitching(t *testing.T) {
	srv, calls := fakeEmbeddings(t, 24)
	dir := t.TempDir()
	ctx := context.Background()
	info := func() knowledge.IndexInfo {
		s, err := sqlite.Open(ctx, filepath.Join(dir, "knowledge.db"), quiet())
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		i, err := s.IndexInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return i
	}
	steps := []struct {
		name string
		env  env
		want knowledge.IndexInfo
	}{
		{"openai-compatible server", env{"EMBEDDING_PROVIDER": "openai", "EMBEDDING_BASE_URL": srv.URL + "/v1", "EMBEDDING_MODEL": "fake-embed"},
			knowledge.IndexInfo{Embedder: "openai:fake-embed", Dim: 24}},
		{"ollama server", env{"EMBEDDING_PROVIDER": "ollama", "EMBEDDING_BASE_URL": srv.URL, "EMBEDDING_MODEL": "fake-ollama"},
			knowledge.IndexInfo{Embedder: "ollama:fake-ollama", Dim: 24}},
		{"back to the built-in embedder", env{"EMBEDDING_DIM": "64"}, knowledge.IndexInfo{Embedder: knowledge.HashEmbedderName, Dim: 64}},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			st.env["ASSISTANT_DATA_DIR"] = dir
			before := calls.Load()
			if i == 0 {
				if _, err := runCmd(t, st.env, "ingest", kbDir); err != nil {
					t.Fatal(err)
				}
			}
			out, err := runCmd(t, st.env, "search", "lệ phí treo biển quảng cáo")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, "cap-phep-bien-quang-cao.json") {
				t.Errorf("search output:\n%s", out)
			}
			if got := info(); got != st.want {
				t.Errorf("index built by %+v, want %+v", got, st.want)
			}
			if st.env["EMBEDDING_PROVIDER"] != "" && calls.Load()-before < 5 {
				t.Errorf("embedding server called %d times: the passages were not re-embedded", calls.Load()-before)
			}
		})
	}
}

// TestEmbeddingPrefixesAndFusion checks that a model's query and passage prefixes reach the
// server, that the passage prefix is part of the index's identity (changing it re-embeds), and
// that fusion weights are checked.
func TestEmbeddingPrefixesAndFusion(t *testing.T) {
	var mu sync.Mutex
	var texts []string
	srv, _ := fakeEmbeddingsRecording(t, 24, func(s string) {
		mu.Lock()
		texts = append(texts, s)
		mu.Unlock()
	})
	dir := t.TempDir()
	e := env{"ASSISTANT_DATA_DIR": dir, "EMBEDDING_PROVIDER": "openai", "EMBEDDING_BASE_URL": srv.URL + "/v1", "EMBEDDING_MODEL": "e5",
		"EMBEDDING_QUERY_PREFIX": "query: ", "EMBEDDING_DOCUMENT_PREFIX": "passage: ", "ASSISTANT_FUSION_VECTOR": "1.2"}
	if _, err := runCmd(t, e, "ingest", kbDir); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd(t, e, "search", "lệ phí treo biển quảng cáo"); err != nil || !strings.Contains(out, "cap-phep-bien-quang-cao.json") {
		t.Fatalf("search: %v\n%s", err, out)
	}
	mu.Lock()
	var queries, passages int
	for _, s := range texts {
		switch {
		case strings.HasPrefix(s, "query: "):
			queries++
		case strings.HasPrefix(s, "passage: "):
			passages++
		default:
			t.Errorf("embedded without a prefix: %.60q", s)
		}
	}
	mu.Unlock()
	if queries == 0 || passages < 5 {
		t.Errorf("%d questions and %d passages embedded with their prefixes", queries, passages)
	}
	s, err := sqlite.Open(context.Background(), filepath.Join(dir, "knowledge.db"), quiet())
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.IndexInfo(context.Background())
	s.Close()
	if err != nil || !strings.HasPrefix(info.Embedder, "openai:e5+doc-") {
		t.Errorf("index identity %q (%v), want openai:e5 with the passage prefix's digest", info.Embedder, err)
	}
	for _, bad := range []string{"-1", "9", "lots"} {
		e["ASSISTANT_FUSION_VECTOR"] = bad
		if _, err := runCmd(t, e, "search", "x"); exitCode(err) != 2 {
			t.Errorf("ASSISTANT_FUSION_VECTOR=%s: exit %d (%v), want 2", bad, exitCode(err), err)
		}
	}
}

func TestEmbeddingServerDown(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", 503) }))
	defer srv.Close()
	e := env{"ASSISTANT_DATA_DIR": t.TempDir(), "EMBEDDING_PROVIDER": "openai", "EMBEDDING_BASE_URL": srv.URL, "EMBEDDING_MODEL": "x"}
	_, err := runCmd(t, e, "search", "x")
	if err == nil || !strings.Contains(err.Error(), "does not answer") {
		t.Fatalf("err = %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeSample(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := env{"ASSISTANT_DATA_DIR": t.TempDir(), "ASSISTANT_ADDR": "127.0.0.1:0", "ASSISTANT_HOTLINE": "Đường dây nóng 0236 3822 222"}
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "-sample"}, e.get, strings.NewReader(""), &out, &errOut) }()
	var base string
	deadline := time.Now().Add(30 * time.Second)
	for base == "" {
		if time.Now().After(deadline) {
			t.Fatalf("server did not start; stderr:\n%s", errOut.String())
		}
		sc := bufio.NewScanner(strings.NewReader(out.String()))
		for sc.Scan() {
			if i := strings.Index(sc.Text(), "http://"); i >= 0 {
				base = strings.TrimSuffix(sc.Text()[i:], "/")
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Post(base+"/api/v1/chat", "application/json", strings.NewReader(`{"message": "Đăng ký khai sinh có mất phí không?"}`))
	if err != nil {
		t.Fatal(err)
	}
	var reply struct {
		Answer    string         `json:"answer"`
		Grounded  bool           `json:"grounded"`
		Citations []web.Citation `json:"citations"`
	}
	json.NewDecoder(resp.Body).Decode(&reply)
	resp.Body.Close()
	if !reply.Grounded || !strings.Contains(reply.Answer, "Miễn phí") || len(reply.Citations) == 0 || reply.Citations[0].Source != "mau/thu-tuc/dang-ky-khai-sinh.json" {
		t.Fatalf("sample answer = %+v", reply)
	}
	// The console's sign-in is served; with no accounts nobody signs in.
	resp, err = http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(`{"username":"an","password":"quản trị viên tỉnh 01"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("console sign-in without accounts: %d, want 401", resp.StatusCode)
	}
	// The widget names the configured hotline when the assistant cannot be loaded.
	resp, err = http.Get(base + "/widget-config")
	if err != nil {
		t.Fatal(err)
	}
	var wc struct{ Hotline, Tel string }
	json.NewDecoder(resp.Body).Decode(&wc)
	resp.Body.Close()
	if wc.Hotline != "Đường dây nóng 0236 3822 222" || wc.Tel != "02363822222" {
		t.Errorf("widget config hotline %q tel %q, want ASSISTANT_HOTLINE's", wc.Hotline, wc.Tel)
	}
	// A first visitor is offered the sample's questions, and each is answered from it.
	resp, err = http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, q := range sample.Starters {
		if !strings.Contains(string(page), q) {
			t.Errorf("the chat page does not suggest %q", q)
		}
		body, _ := json.Marshal(map[string]string{"message": q})
		resp, err := http.Post(base+"/api/v1/chat", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Grounded bool `json:"grounded"`
		}
		json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if !r.Grounded {
			t.Errorf("suggested question %q is not answered from the sample", q)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestDocsCommand(t *testing.T) {
	e := env{"ASSISTANT_DATA_DIR": t.TempDir()}
	if _, err := runCmd(t, e, "ingest", kbDir); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, e, "docs", "list", "-kind", "procedure")
	if err != nil || !strings.Contains(out, "thu-tuc/cap-phep-bien-quang-cao.json\tprocedure\tenabled\tv1\tCấp giấy phép treo biển quảng cáo") || !strings.Contains(out, "1 documents") {
		t.Fatalf("docs list: %v\n%s", err, out)
	}
	if _, err := runCmd(t, e, "docs", "set", "ke-hoach-ninh-binh.md", "locality=Ninh Bình", "enabled=false"); err != nil {
		t.Fatal(err)
	}
	out, _ = runCmd(t, e, "docs", "list")
	if !strings.Contains(out, "ke-hoach-ninh-binh.md\tplan\tDISABLED") || !strings.Contains(out, "set by operator: enabled,locality") {
		t.Fatalf("after set:\n%s", out)
	}
	// A disabled document is no longer an answer.
	out, _ = runCmd(t, e, "search", "ty le ho so truc tuyen cap xa ninh binh")
	if strings.Contains(out, "ke-hoach-ninh-binh.md") {
		t.Errorf("disabled document still found:\n%s", out)
	}
	for _, bad := range [][]string{{"docs", "set", "ke-hoach-ninh-binh.md", "colour=red"}, {"docs", "set", "ke-hoach-ninh-binh.md", "enabled=maybe"},
		{"docs", "set", "ke-hoach-ninh-binh.md"}, {"docs", "frob"}} {
		if _, err := runCmd(t, e, bad...); exitCode(err) != 2 {
			t.Errorf("%v: exit %d (%v), want 2", bad, exitCode(err), err)
		}
	}
	if _, err := runCmd(t, e, "docs", "set", "khong-co.md", "title=X"); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("unknown source: %v", err)
	}
	if out, err := runCmd(t, e, "docs", "delete", "hoi-dap.md"); err != nil || !strings.Contains(out, "hoi-dap.md deleted") {
		t.Fatalf("delete: %v %s", err, out)
	}
	out, _ = runCmd(t, e, "docs", "list")
	if strings.Contains(out, "hoi-dap.md") || !strings.Contains(out, "4 documents") {
		t.Errorf("after delete:\n%s", out)
	}
}

// Asking a command for help prints its usage and opens no store: no data directory appears.
func TestHelpOpensNoStore(t *testing.T) {
	for _, args := range [][]string{{"eval", "-h"}, {"ingest", "--help"}, {"search", "-h"}, {"serve", "-h"}, {"docs", "set", "-h"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			out, err := runCmd(t, env{"ASSISTANT_DATA_DIR": dir}, args...)
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if !strings.Contains(strings.ToLower(out), "usage") {
				t.Errorf("no usage printed: %q", out)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("help created the data directory (stat: %v)", err)
			}
		})
	}
}

// TestFormsCommand checks that operators can see the short forms the knowledge base learned.
func TestFormsCommand(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"huong-dan.txt": "Hướng dẫn nộp hồ sơ\n\nCông dân nộp hồ sơ tại Trung tâm Phục vụ hành chính công (TTPVHCC) của tỉnh.\n",
		"lich.txt":      "Lịch tiếp công dân\n\nTTPVHCC làm việc từ thứ Hai đến thứ Bảy.\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := env{"ASSISTANT_DATA_DIR": t.TempDir()}
	if _, err := runCmd(t, e, "ingest", dir); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, e, "forms", "-origin", "defined")
	if err != nil || !strings.Contains(out, "TTPVHCC\ttrung tâm phục vụ hành chính công\tdefined\t1 documents") || !strings.Contains(out, "1 defined in documents") {
		t.Fatalf("forms: %v\n%s", err, out)
	}
	for _, bad := range [][]string{{"forms", "-origin", "other"}, {"forms", "extra"}} {
		if _, err := runCmd(t, e, bad...); exitCode(err) != 2 {
			t.Errorf("%v: exit %d (%v), want 2", bad, exitCode(err), err)
		}
	}
}

// runCmdInput is runCmd with input on standard input.
func runCmdInput(t *testing.T, e env, input string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, e.get, strings.NewReader(input), &out, &errOut)
	if err != nil {
		t.Logf("stderr: %s", errOut.String())
	}
	return out.String(), err
}

// TestOperatorsCommand checks that the first console accounts are made from the shell, with
// the password on standard input, and that every change is audited as the shell's.
func TestOperatorsCommand(t *testing.T) {
	dir := t.TempDir()
	e := env{"ASSISTANT_DATA_DIR": dir}
	if out, err := runCmdInput(t, e, "quản trị viên tỉnh 01\n", "operators", "create", "an", "-role", "admin"); err != nil || !strings.Contains(out, "operator an created (role admin)") {
		t.Fatalf("create: %v\n%s", err, out)
	}
	if _, err := runCmdInput(t, e, "biên tập viên 2026\n", "operators", "create", "lan", "-role", "editor"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		input string
		args  []string
		code  int
	}{
		{"", []string{"operators", "create", "binh", "-role", "viewer"}, 2},       // no password
		{"ngắn\n", []string{"operators", "create", "binh", "-role", "viewer"}, 2}, // too short
		{"đủ dài rồi nhé 123\n", []string{"operators", "create", "binh", "-role", "boss"}, 2},
		{"đủ dài rồi nhé 123\n", []string{"operators", "create", "lan", "-role", "viewer"}, 1}, // taken
		{"", []string{"operators", "disable", "khong-co"}, 1},
		{"", []string{"operators", "frob"}, 2},
		{"", []string{"operators"}, 2},
	} {
		if _, err := runCmdInput(t, e, bad.input, bad.args...); exitCode(err) != bad.code {
			t.Errorf("%v: exit %d (%v), want %d", bad.args, exitCode(err), err, bad.code)
		}
	}
	if _, err := runCmdInput(t, e, "", "operators", "disable", "lan"); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmdInput(t, e, "mật khẩu mới của Lan\n", "operators", "reset-password", "lan"); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, e, "operators", "list")
	if err != nil || !strings.Contains(out, "an\tadmin\tenabled") || !strings.Contains(out, "lan\teditor\tDISABLED") || !strings.Contains(out, "2 operators") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	s, err := sqlite.Open(context.Background(), filepath.Join(dir, "knowledge.db"), quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	acc := console.NewAccounts(s)
	if _, err := acc.Authenticate(context.Background(), "an", "quản trị viên tỉnh 01"); err != nil {
		t.Errorf("the admin made from the shell cannot sign in: %v", err)
	}
	entries, err := s.Audit(context.Background(), 0)
	if err != nil || len(entries) != 4 || entries[0].Action != "operator.reset-password" || entries[0].Actor != "shell" {
		t.Errorf("audit log %+v, %v: want 4 entries by the shell, the reset last", entries, err)
	}
}
