package knowledge_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/pgtest"
	"github.com/trolyao/trolyao/knowledge/postgres"
	"github.com/trolyao/trolyao/knowledge/sqlite"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// sharedProcedures returns the shared corpus of procedure records, skipping when it is absent.
func sharedProcedures(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "shared", "corpus", "procedures")
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("../shared/corpus not found (%v): the benchmark ingests the shared procedure records", err)
	}
	return dir
}

// BenchmarkIngestProcedures ingests the whole shared procedure corpus into an empty store with
// the built-in embedder and reports records per second.
func BenchmarkIngestProcedures(b *testing.B) {
	dir := sharedProcedures(b)
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			ctx := context.Background()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				var s knowledge.Store
				var err error
				if backend == "sqlite" {
					s, err = sqlite.Open(ctx, filepath.Join(b.TempDir(), "kb.db"), quiet)
				} else {
					s, err = postgres.Open(ctx, pgtest.Database(b), quiet)
				}
				if err != nil {
					b.Fatal(err)
				}
				a := vietnamese.NewAnalyzer(nil)
				emb := knowledge.NewHashEmbedder(a, 256)
				if err := knowledge.EnsureEmbeddings(ctx, s, emb, emb.Info(), quiet); err != nil {
					b.Fatal(err)
				}
				in := knowledge.NewIngester(s, knowledge.NewChunker(a), emb, quiet)
				b.StartTimer()
				rep, err := in.IngestPaths(ctx, []string{dir})
				b.StopTimer()
				if err != nil || rep.Count(knowledge.Failed) > 0 {
					b.Fatalf("ingest: %v, %d failed", err, rep.Count(knowledge.Failed))
				}
				b.ReportMetric(float64(len(rep.Files))/b.Elapsed().Seconds()*float64(i+1), "records/s")
				s.Close()
			}
		})
	}
}

// BenchmarkSearch measures hybrid search (Index.Search: both candidate searches, BM25F, fusion)
// over the shared procedure corpus ingested SEARCH_REPLICAS times under different sources
// (default 2 for the embedded store, about 70,000 passages; 3 for PostgreSQL, about 110,000),
// with questions made from procedure names. It reports the latency percentiles of one search
// at a time. BENCH_DATABASE_URL names an already ingested PostgreSQL database to search
// instead of ingesting into a fresh one.
func BenchmarkSearch(b *testing.B) {
	dir := sharedProcedures(b)
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			ctx := context.Background()
			replicas := 2
			var s knowledge.Store
			var err error
			if backend == "sqlite" {
				s, err = sqlite.Open(ctx, filepath.Join(b.TempDir(), "kb.db"), quiet)
			} else if url := os.Getenv("BENCH_DATABASE_URL"); url != "" {
				// An already ingested database: measure search without ingesting again.
				replicas = 0
				s, err = postgres.Open(ctx, url, quiet)
			} else {
				replicas = 3
				s, err = postgres.Open(ctx, pgtest.Database(b), quiet)
			}
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if v, err := strconv.Atoi(os.Getenv("SEARCH_REPLICAS")); err == nil && v > 0 && replicas > 0 {
				replicas = v
			}
			a := vietnamese.NewAnalyzer(nil)
			emb := knowledge.NewHashEmbedder(a, 256)
			if err := knowledge.EnsureEmbeddings(ctx, s, emb, emb.Info(), quiet); err != nil {
				b.Fatal(err)
			}
			in := knowledge.NewIngester(s, knowledge.NewChunker(a), emb, quiet)
			in.BulkThreshold = 1
			root := b.TempDir()
			for r := range replicas {
				copyTree(b, dir, filepath.Join(root, fmt.Sprintf("r%d", r)))
			}
			if replicas > 0 {
				if _, err := in.IngestPaths(ctx, []string{root}); err != nil {
					b.Fatal(err)
				}
			}
			idx := knowledge.NewIndex(s, a, emb, quiet)
			if err := idx.Warm(ctx); err != nil {
				b.Fatal(err)
			}
			st, _ := s.Stats(ctx)
			passages := st.Chunks // the term counts are not kept alive beside the index's own
			st = knowledge.Stats{}
			queries := benchQuestions(b, dir)
			b.ResetTimer()
			var lat []time.Duration
			for i := 0; i < b.N; i++ {
				start := time.Now()
				if _, err := idx.Search(ctx, knowledge.Query{Text: queries[i%len(queries)], K: 8}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(passages), "passages")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}

// benchQuestions makes questions of the kinds citizens ask from procedure names.
func benchQuestions(tb testing.TB, dir string) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no procedure records in %s", dir)
	}
	templates := []string{"Lệ phí %s là bao nhiêu?", "%s cần những giấy tờ gì?", "%s nộp hồ sơ ở đâu?", "%s mất bao lâu?"}
	var out []string
	for i := 0; i < len(files) && len(out) < 400; i += 7 {
		data, err := os.ReadFile(files[i])
		if err != nil {
			tb.Fatal(err)
		}
		var rec struct {
			Name string `json:"ten_thu_tuc"`
		}
		if json.Unmarshal(data, &rec) != nil || rec.Name == "" {
			continue
		}
		first, size := utf8.DecodeRuneInString(rec.Name)
		q := fmt.Sprintf(templates[len(out)%len(templates)], string(unicode.ToLower(first))+rec.Name[size:])
		if len(out)%3 == 0 {
			q = vietnamese.Fold(q) // a third typed without diacritics
		}
		out = append(out, q)
	}
	return out
}

// copyTree copies the regular files under src to dst.
func copyTree(tb testing.TB, src, dst string) {
	tb.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		tb.Fatal(err)
	}
}
