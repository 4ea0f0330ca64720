package knowledge_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/pgtest"
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
					s, err = knowledge.OpenSQLite(ctx, filepath.Join(b.TempDir(), "kb.db"), quiet)
				} else {
					s, err = knowledge.OpenPostgres(ctx, pgtest.Database(b), quiet)
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
