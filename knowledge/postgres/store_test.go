package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/pgtest"
	"github.com/trolyao/trolyao/knowledge/postgres"
	"github.com/trolyao/trolyao/knowledge/storetest"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// The PostgreSQL tests need a server with pgvector (see package pgtest). Each test gets a
// database of its own, dropped at the end.

// openStore opens a store on databaseURL, closed when tb ends.
func openStore(tb testing.TB, databaseURL string) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), databaseURL, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// openPostgresVectors opens a store on a fresh database, set up for vectors of dim
// dimensions, and returns it with the database's URL.
func openPostgresVectors(t *testing.T, dim int) (*postgres.Store, string) {
	t.Helper()
	dbURL := pgtest.Database(t)
	s := openStore(t, dbURL)
	if err := s.ResetEmbeddings(context.Background(), knowledge.IndexInfo{Embedder: "test", Dim: dim}); err != nil {
		t.Fatal(err)
	}
	return s, dbURL
}

// openPostgres opens a store on a fresh database.
func openPostgres(t *testing.T) knowledge.Store {
	t.Helper()
	return openStore(t, pgtest.Database(t))
}

// connect opens a plain connection to databaseURL for inspecting the schema and plans.
func connect(tb testing.TB, databaseURL string) *pgx.Conn {
	tb.Helper()
	conn, err := pgx.Connect(context.Background(), databaseURL)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestContract(t *testing.T) { storetest.Run(t, openPostgres) }

func TestPostgresMigrationsIdempotent(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.Database(t)
	// Processes starting together on a new database: the advisory lock lets one migrate.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := postgres.Open(ctx, dbURL, nil)
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent first opens: %v", err)
	}
	s := openStore(t, dbURL)
	doc := storetest.Put(t, s, knowledge.Document{Source: "a.txt", Title: "A"}, storetest.Chunk("A", "", "Đăng ký thường trú.", nil))
	s.Close()
	again := openStore(t, dbURL)
	if got, err := again.Document(ctx, doc.ID); err != nil || got.Source != "a.txt" {
		t.Fatalf("after reopening: %+v, %v", got, err)
	}
	var versions, distinct int
	if err := connect(t, dbURL).QueryRow(ctx, `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&versions, &distinct); err != nil {
		t.Fatal(err)
	}
	if versions == 0 || versions != distinct {
		t.Errorf("schema_migrations holds %d rows for %d versions", versions, distinct)
	}
}

func TestPostgresTermsAreExactLexemes(t *testing.T) {
	ctx := context.Background()
	s := openPostgres(t)
	odd := []string{"a OR b", "'", `\`, "!", "&", "|", "a:b", "x:*", "(y)", "47/2020/nđ-cp", "80%", "it's", `c\d`}
	c := knowledge.Chunk{Text: "Đoạn có ký tự lạ.", HeadTerms: "tieu_de", BodyTerms: strings.Join(odd, " ")}
	// Terms are space-separated: "a OR b" is three terms there, "a" "OR" "b".
	storetest.Put(t, s, knowledge.Document{Source: "odd.txt", Title: "Lạ"}, c)
	for _, term := range append(slices.Clone(odd[1:]), "OR", "tieu_de") {
		hits, err := s.SearchLexical(ctx, []string{term}, knowledge.Filters{}, 5)
		if err != nil || len(hits) != 1 {
			t.Errorf("term %q: %d hits, %v; want the chunk", term, len(hits), err)
		}
	}
	for _, term := range []string{"a OR b", "dang", "47/2020", "80", "x"} {
		hits, err := s.SearchLexical(ctx, []string{term}, knowledge.Filters{}, 5)
		if err != nil || len(hits) != 0 {
			t.Errorf("term %q: %d hits, %v; want none (lexemes match whole)", term, len(hits), err)
		}
	}
	hits, err := s.SearchLexical(ctx, []string{"tieu_de", "nope"}, knowledge.Filters{}, 5)
	if err != nil || len(hits) != 1 {
		t.Fatal(hits, err)
	}
	body, _ := s.SearchLexical(ctx, []string{"80%", "nope"}, knowledge.Filters{}, 5)
	if len(body) != 1 || body[0].Score >= hits[0].Score {
		t.Errorf("a head term must outrank a body term: head %v body %v", hits, body)
	}
}

func TestPostgresInvalidInput(t *testing.T) {
	ctx := context.Background()
	s := openPostgres(t)
	storetest.UseTestEmbedder(t, s)
	doc := knowledge.Document{Source: "x.txt", Title: "X", Kind: knowledge.KindOther, Enabled: true}
	err := s.PutDocument(ctx, &doc, []knowledge.Chunk{storetest.Chunk("X", "", "Một đoạn.", make([]float32, storetest.Dim+1))})
	if !errors.Is(err, knowledge.ErrInvalid) {
		t.Errorf("chunk vector of the wrong dimension: %v, want ErrInvalid", err)
	}
	if _, err := s.DocumentBySource(ctx, "x.txt"); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("a failed PutDocument left a document behind: %v", err)
	}
	for _, id := range []string{"", "not-a-uuid", "'; DROP TABLE documents; --"} {
		if _, err := s.Document(ctx, id); !errors.Is(err, knowledge.ErrNotFound) {
			t.Errorf("Document(%q) = %v, want ErrNotFound", id, err)
		}
		if _, err := s.Message(ctx, id); !errors.Is(err, knowledge.ErrNotFound) {
			t.Errorf("Message(%q) = %v, want ErrNotFound", id, err)
		}
	}
	if err := s.ResetEmbeddings(ctx, knowledge.IndexInfo{Embedder: "x", Dim: 0}); !errors.Is(err, knowledge.ErrInvalid) {
		t.Errorf("dimension 0: %v, want ErrInvalid", err)
	}
	if err := s.SetEmbeddings(ctx, map[int64][]float32{1: {1, 2}}); err != nil && !errors.Is(err, knowledge.ErrInvalid) {
		t.Errorf("SetEmbeddings of the wrong dimension: %v", err)
	}
	sess := knowledge.Session{Channel: "zalo", UserKey: "u1"}
	if err := s.CreateSession(ctx, &sess); err != nil {
		t.Fatal(err)
	}
	dup := knowledge.Session{Channel: "zalo", UserKey: "u1"}
	if err := s.CreateSession(ctx, &dup); !errors.Is(err, knowledge.ErrConflict) {
		t.Errorf("second session of one user: %v, want ErrConflict", err)
	}
	m := knowledge.Message{SessionID: sess.ID, Role: knowledge.RoleAssistant, Text: "x"}
	if err := s.AddMessage(ctx, &m); err != nil {
		t.Fatal(err)
	}
	if err := s.AddFeedback(ctx, knowledge.Feedback{MessageID: m.ID, Rating: "meh"}); !errors.Is(err, knowledge.ErrInvalid) {
		t.Errorf("rating %q: %v, want ErrInvalid", "meh", err)
	}
}

func TestPostgresConcurrentMessages(t *testing.T) {
	ctx := context.Background()
	s := openPostgres(t)
	sess := knowledge.Session{Channel: "web"}
	if err := s.CreateSession(ctx, &sess); err != nil {
		t.Fatal(err)
	}
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			m := knowledge.Message{SessionID: sess.ID, Role: knowledge.RoleUser, Text: fmt.Sprint(i)}
			if err := s.AddMessage(ctx, &m); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	msgs, err := s.Messages(ctx, sess.ID, 0)
	if err != nil || len(msgs) != n {
		t.Fatalf("%d messages, %v", len(msgs), err)
	}
	for i, m := range msgs {
		if m.Seq != i+1 {
			t.Fatalf("seq %d at position %d, want 1..%d without gaps", m.Seq, i, n)
		}
	}
}

func TestPostgresTermCounts(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.Database(t)
	s := openStore(t, dbURL)
	storetest.UseTestEmbedder(t, s)
	first, second := syntheticCorpus(40, 4, storetest.Dim, 3), syntheticCorpus(40, 3, storetest.Dim, 4)
	// Concurrent writers replacing documents that share most terms, and readers of Stats folding
	// their changes: the counts stay exact and nobody deadlocks.
	var wg sync.WaitGroup
	done := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := s.Stats(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	var writers sync.WaitGroup
	for w := range 4 {
		writers.Go(func() {
			for i := w; i < len(first); i += 4 {
				for _, d := range []benchDoc{first[i], second[i]} {
					doc := d.doc
					if err := s.PutDocument(ctx, &doc, slices.Clone(d.chunks)); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	writers.Wait()
	close(done)
	wg.Wait()
	off, on := false, true
	for i, d := range first[:12] {
		doc, err := s.DocumentBySource(ctx, d.doc.Source)
		if err != nil {
			t.Fatal(err)
		}
		switch i % 3 {
		case 0:
			_, err = s.UpdateDocument(ctx, doc.ID, knowledge.DocumentPatch{Enabled: &off})
		case 1:
			if _, err = s.UpdateDocument(ctx, doc.ID, knowledge.DocumentPatch{Enabled: &off}); err == nil {
				_, err = s.UpdateDocument(ctx, doc.ID, knowledge.DocumentPatch{Enabled: &on})
			}
		case 2:
			err = s.DeleteDocument(ctx, doc.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// A disabled document replaced stays uncounted (its enabled flag is locked).
	replaced := second[0].doc
	if err := s.PutDocument(ctx, &replaced, slices.Clone(first[0].chunks)); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := connect(t, dbURL).Query(ctx, `SELECT word, ndoc FROM ts_stat('SELECT c.terms FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.enabled')`)
	want := map[string]int32{}
	var word string
	var n int32
	if _, err := pgx.ForEachRow(rows, []any{&word, &n}, func() error { want[word] = n; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 || len(st.DF) != len(want) {
		t.Fatalf("Stats counts %d terms, the chunks hold %d", len(st.DF), len(want))
	}
	for w, n := range want {
		if st.DF.Get(w) != n {
			t.Errorf("DF[%q] = %d, want %d", w, st.DF.Get(w), n)
		}
	}
}

// These mirror the store's search queries (searchVector, searchLexical in postgres/store.go),
// so that their plans can be shown; TestPostgresSearchIndexes also checks that the store's own
// queries use the indexes.
const (
	testFilter = `d.enabled
	AND (COALESCE(cardinality($2::text[]), 0) = 0 OR d.kind = ANY ($2::text[]))
	AND ($3::text = '' OR d.locality_key = $3::text OR ($4::boolean AND d.locality_key = ''))
	AND (COALESCE(cardinality($5::text[]), 0) = 0 OR d.source = ANY ($5::text[]))
	AND (COALESCE(cardinality($6::uuid[]), 0) = 0 OR d.id = ANY ($6::uuid[]))`
	testVectorQuery = `
SELECT c.id, c.document_id, c.ord, c.section, c.text, c.head_terms, c.body_terms, d.source, d.title, d.kind, d.locality, d.number, d.url, c.embedding <=> $1 AS distance
FROM chunks c
JOIN documents d ON d.id = c.document_id
WHERE c.embedding IS NOT NULL AND ` + testFilter + `
ORDER BY c.embedding <=> $1
LIMIT $7`
	testLexicalQuery = `
SELECT c.id, c.document_id, c.ord, c.section, c.text, c.head_terms, c.body_terms, d.source, d.title, d.kind, d.locality, d.number, d.url, r.rank
FROM (
	SELECT c.id, ts_rank('{0.1, 0.2, 0.4, 1.0}', c.terms, $8::tsquery) AS rank
	FROM chunks c
	JOIN documents d ON d.id = c.document_id
	WHERE c.terms @@ $1::tsquery AND ` + testFilter + `
	ORDER BY rank DESC, c.id
	LIMIT $7
) r
JOIN chunks c ON c.id = r.id
JOIN documents d ON d.id = c.document_id
ORDER BY r.rank DESC, c.id`
)

// explain returns the plan of query run with args, inside a transaction that applies the
// settings first.
func explain(tb testing.TB, conn *pgx.Conn, settings []string, query string, args ...any) string {
	tb.Helper()
	ctx := context.Background()
	tx, err := conn.Begin(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback(ctx)
	for _, set := range settings {
		if _, err := tx.Exec(ctx, set); err != nil {
			tb.Fatal(err)
		}
	}
	rows, _ := tx.Query(ctx, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) "+query, args...)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		tb.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

var vectorSettings = []string{"SET LOCAL hnsw.ef_search = 100", "SET LOCAL hnsw.iterative_scan = relaxed_order"}

// TestPostgresBulkLoadIndexes checks that a bulk load drops the search indexes and builds both
// (side by side) again at its end, valid.
func TestPostgresBulkLoadIndexes(t *testing.T) {
	ctx := context.Background()
	const dim = 32
	s, dbURL := openPostgresVectors(t, dim)
	conn := connect(t, dbURL)
	indexes := func() []string {
		rows, err := conn.Query(ctx, `SELECT indexname FROM pg_indexes WHERE tablename = 'chunks' AND indexname IN ('chunks_terms_idx', 'chunks_embedding_idx') ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	if err := s.BeginBulk(ctx); err != nil {
		t.Fatal(err)
	}
	if got := indexes(); len(got) != 0 {
		t.Fatalf("indexes during a bulk load: %v", got)
	}
	for _, d := range syntheticCorpus(40, 5, dim, 3) {
		if err := s.PutDocument(ctx, &d.doc, d.chunks); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.EndBulk(ctx); err != nil {
		t.Fatal(err)
	}
	if got := indexes(); !slices.Equal(got, []string{"chunks_embedding_idx", "chunks_terms_idx"}) {
		t.Fatalf("indexes after the bulk load: %v", got)
	}
	var valid bool
	if err := conn.QueryRow(ctx, `SELECT bool_and(indisvalid) FROM pg_index WHERE indrelid = 'chunks'::regclass`).Scan(&valid); err != nil || !valid {
		t.Fatalf("indexes valid: %v, %v", valid, err)
	}
}

func TestPostgresSearchIndexes(t *testing.T) {
	ctx := context.Background()
	const dim = 32
	s, dbURL := openPostgresVectors(t, dim)
	docs := syntheticCorpus(300, 10, dim, 1)
	docs[7].doc.Title = "Đăng ký khai sinh hiếm gặp"
	for i := range docs[7].chunks {
		docs[7].chunks[i].HeadTerms += " khai_sinh_hiem"
	}
	for _, d := range docs {
		storetest.Put(t, s, d.doc, d.chunks...)
	}
	conn := connect(t, dbURL)
	// A small statistics target makes ANALYZE keep few common terms, as on a large table.
	for _, stmt := range []string{"ALTER TABLE chunks ALTER COLUMN terms SET STATISTICS 10", "VACUUM ANALYZE"} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	vec := docs[3].chunks[0].Embedding
	noFilter := []any{[]string{}, "", false, []string{}, []string{}, 10}

	vplan := explain(t, conn, vectorSettings, testVectorQuery, append([]any{vectorText(vec)}, noFilter...)...)
	if !strings.Contains(vplan, "chunks_embedding_idx") {
		// 3,000 rows is small: show that the index can serve the query when a seq scan is off.
		vplan = explain(t, conn, append(vectorSettings, "SET LOCAL enable_seqscan = off"), testVectorQuery,
			append([]any{vectorText(vec)}, noFilter...)...)
	}
	if !strings.Contains(vplan, "Index Scan using chunks_embedding_idx") {
		t.Errorf("the vector query does not use the HNSW index:\n%s", vplan)
	}
	t.Logf("vector query plan:\n%s", vplan)
	filtered := []any{vectorText(vec), []string{"procedure"}, "ha noi", true, []string{}, []string{}, 10}
	fplan := explain(t, conn, append(vectorSettings, "SET LOCAL enable_seqscan = off"), testVectorQuery, filtered...)
	if !strings.Contains(fplan, "chunks_embedding_idx") {
		t.Errorf("the filtered vector query does not use the HNSW index:\n%s", fplan)
	}

	lq := "'khai_sinh_hiem' | 'zzz'"
	lplan := explain(t, conn, nil, testLexicalQuery, append(append([]any{lq}, noFilter...), lq)...)
	if !strings.Contains(lplan, "chunks_terms_idx") {
		t.Errorf("the lexical query does not use the GIN index:\n%s", lplan)
	}
	t.Logf("lexical query plan:\n%s", lplan)

	// The store's own queries use the indexes: their scan counters move.
	before := indexScans(t, conn)
	if hits, err := s.SearchVector(ctx, vec, knowledge.Filters{}, 10); err != nil || len(hits) != 10 {
		t.Fatalf("SearchVector: %d hits, %v", len(hits), err)
	}
	if hits, err := s.SearchLexical(ctx, []string{"khai_sinh_hiem"}, knowledge.Filters{}, 10); err != nil || len(hits) != 10 {
		t.Fatalf("SearchLexical: %d hits, %v", len(hits), err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		after := indexScans(t, conn)
		if after["chunks_embedding_idx"] > before["chunks_embedding_idx"] && after["chunks_terms_idx"] > before["chunks_terms_idx"] {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("index scans before %v after %v: the store's searches did not use both indexes", before, after)
			break
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Lexical search ranks the chunks holding the rarer terms, by all the terms: every chunk of
	// the exact top 10 that holds the rarest term is found, with its exact rank.
	for _, q := range benchQueries() {
		terms := append([]string{"khai_sinh_hiem"}, q...)
		got, err := s.SearchLexical(ctx, terms, knowledge.Filters{}, 10)
		if err != nil || len(got) != 10 {
			t.Fatalf("SearchLexical(%q): %d hits, %v", terms, len(got), err)
		}
		all := orQueryText(terms)
		rows, _ := conn.Query(ctx, testLexicalQuery, all, []string{}, "", false, []string{}, []string{}, 10, all)
		want, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (knowledge.Hit, error) {
			var h knowledge.Hit
			vals, err := row.Values()
			if err == nil {
				h.Chunk.ID, h.Chunk.HeadTerms, h.Score = vals[0].(int64), vals[5].(string), float64(vals[13].(float32))
			}
			return h, err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(" "+w.Chunk.HeadTerms+" ", " khai_sinh_hiem ") {
				continue
			}
			i := slices.IndexFunc(got, func(h knowledge.Hit) bool { return h.Chunk.ID == w.Chunk.ID })
			if i < 0 || math.Abs(got[i].Score-w.Score) > 1e-6 {
				t.Errorf("SearchLexical(%q) misses chunk %d (rank %v) of the exact top 10", terms, w.Chunk.ID, w.Score)
			}
		}
		for i := 1; i < len(got); i++ {
			if got[i].Score > got[i-1].Score {
				t.Errorf("hits not in rank order: %v", got)
			}
		}
	}
}

// indexScans returns the number of scans of each index of the chunks table (statistics reach
// the view within a second or so of a transaction's end).
func indexScans(tb testing.TB, conn *pgx.Conn) map[string]int64 {
	tb.Helper()
	rows, _ := conn.Query(context.Background(), `SELECT indexrelname, idx_scan FROM pg_stat_user_indexes WHERE relname = 'chunks'`)
	out := map[string]int64{}
	var name string
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&name, &n}, func() error { out[name] = n; return nil }); err != nil {
		tb.Fatal(err)
	}
	return out
}

// vectorText formats a vector as pgvector's text input, for queries sent without the store.
func vectorText(v []float32) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, x := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%g", x)
	}
	b.WriteByte(']')
	return b.String()
}

// Benchmarks. Run them through pg_virtualenv, e.g.
//
//	pg_virtualenv -v 15 go test ./knowledge/ -run '^$' -bench Postgres -benchtime 400x
//
// Documents come from the procedure corpus in ../../shared/corpus/procedures when present,
// otherwise from a generator drawing Vietnamese syllables with a Zipf distribution.

type benchDoc struct {
	doc    knowledge.Document
	chunks []knowledge.Chunk
}

const benchDim = 384

// BenchmarkPostgresPut measures PutDocument of procedure documents with dim-384 vectors, by one
// writer and by four; "no-vectors" shows what maintaining the HNSW index costs.
func BenchmarkPostgresPut(b *testing.B) {
	pgtest.AdminConfig(b) // skip before reading the corpus when there is no server
	docs := benchDocs(b, 1000)
	var chunks int
	for _, d := range docs {
		chunks += len(d.chunks)
	}
	b.Logf("%d documents, %.1f chunks each", len(docs), float64(chunks)/float64(len(docs)))
	for _, bc := range []struct {
		name    string
		writers int
		vectors bool
	}{
		{"serial", 1, true},
		{"writers-4", 4, true},
		{"serial-no-vectors", 1, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			s := openStore(b, pgtest.Database(b))
			if err := s.ResetEmbeddings(ctx, knowledge.IndexInfo{Embedder: "bench", Dim: benchDim}); err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for range bc.writers {
				wg.Go(func() {
					for {
						i := int(next.Add(1)) - 1
						if i >= b.N {
							return
						}
						d := docs[i%len(docs)]
						doc := d.doc
						doc.Source = fmt.Sprintf("%s#%d", doc.Source, i/len(docs))
						cs := slices.Clone(d.chunks)
						if !bc.vectors {
							for j := range cs {
								cs[j].Embedding = nil
							}
						}
						if err := s.PutDocument(ctx, &doc, cs); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
		})
	}
}

// searchCorpusChunks is the size of the corpus BenchmarkPostgresSearch searches.
const searchCorpusChunks = 100_000

func BenchmarkPostgresSearch(b *testing.B) {
	ctx := context.Background()
	dbURL := pgtest.Database(b)
	s := openStore(b, dbURL)
	conn := connect(b, dbURL)
	docs := benchDocs(b, 0)
	start := time.Now()
	n := loadCorpus(b, s, conn, docs, searchCorpusChunks)
	b.Logf("loaded %d chunks in %v", n, time.Since(start).Round(time.Second))
	start = time.Now()
	if _, err := s.Stats(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("first Stats, folding the term counts of the whole load: %v", time.Since(start).Round(time.Millisecond))

	queries := benchQueries()
	vectors := make([][]float32, 64)
	for i := range vectors {
		d := docs[(i*37)%len(docs)]
		vectors[i] = noisy(d.chunks[i%len(d.chunks)].Embedding, 0.3, uint64(i))
	}
	b.Logf("lexical query terms: %q", queries[0])
	noFilter := []any{[]string{}, "", false, []string{}, []string{}, 20}
	lq := orQueryText(queries[0])
	b.Logf("lexical plan, all terms ranked:\n%s", explain(b, conn, nil, testLexicalQuery, append(append([]any{lq}, noFilter...), lq)...))
	b.Logf("lexical plan, rarest term ranked:\n%s", explain(b, conn, nil, testLexicalQuery, append(append([]any{orQueryText(queries[0][4:5])}, noFilter...), lq)...))
	b.Logf("vector plan:\n%s", trimVector(explain(b, conn, vectorSettings, testVectorQuery, append([]any{vectorText(vectors[0])}, noFilter...)...)))

	filtered := knowledge.Filters{Kinds: []knowledge.Kind{knowledge.KindProcedure}, Locality: "Hà Nội", LocalityOrNational: true}
	search := []struct {
		name string
		run  func(i int) ([]knowledge.Hit, error)
	}{
		{"lexical", func(i int) ([]knowledge.Hit, error) {
			return s.SearchLexical(ctx, queries[i%len(queries)], knowledge.Filters{}, 20)
		}},
		{"lexical-filtered", func(i int) ([]knowledge.Hit, error) {
			return s.SearchLexical(ctx, queries[i%len(queries)], filtered, 20)
		}},
		{"vector", func(i int) ([]knowledge.Hit, error) {
			return s.SearchVector(ctx, vectors[i%len(vectors)], knowledge.Filters{}, 20)
		}},
		{"vector-filtered", func(i int) ([]knowledge.Hit, error) {
			return s.SearchVector(ctx, vectors[i%len(vectors)], filtered, 20)
		}},
		// Both halves of a hybrid search, run at the same time as the retriever runs them.
		{"hybrid", func(i int) ([]knowledge.Hit, error) {
			var vhits []knowledge.Hit
			var verr error
			var wg sync.WaitGroup
			wg.Go(func() { vhits, verr = s.SearchVector(ctx, vectors[i%len(vectors)], knowledge.Filters{}, 20) })
			lhits, err := s.SearchLexical(ctx, queries[i%len(queries)], knowledge.Filters{}, 20)
			wg.Wait()
			return append(lhits, vhits...), errors.Join(err, verr)
		}},
	}
	for _, sb := range search {
		b.Run(sb.name, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			var hits int
			for i := range b.N {
				t0 := time.Now()
				h, err := sb.run(i)
				if err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(t0))
				hits += len(h)
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
		})
	}
	b.Run("stats", func(b *testing.B) {
		for range b.N {
			st, err := s.Stats(ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(len(st.DF)), "terms")
		}
	})
}

// loadCorpus puts documents until the store holds at least target chunks, copying documents
// under new storetest.Sources and localities as needed (a procedure exists once per province). It drops
// the HNSW index while loading and builds it once at the end, which is how a bulk load is fast.
func loadCorpus(b *testing.B, s *postgres.Store, conn *pgx.Conn, docs []benchDoc, target int) int {
	b.Helper()
	ctx := context.Background()
	if err := s.ResetEmbeddings(ctx, knowledge.IndexInfo{Embedder: "bench", Dim: benchDim}); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "DROP INDEX chunks_embedding_idx"); err != nil {
		b.Fatal(err)
	}
	provinces := []string{"", "Hà Nội", "Đồng Nai", "Hải Dương", "Sơn La", "Cần Thơ", "Đà Nẵng", "Nghệ An"}
	work := make(chan benchDoc)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			for d := range work {
				if err := s.PutDocument(ctx, &d.doc, d.chunks); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	total := 0
	for i := 0; total < target; i++ {
		d := docs[i%len(docs)]
		round := i / len(docs)
		d.doc.Source = fmt.Sprintf("%s#%d", d.doc.Source, round)
		d.doc.Locality = provinces[(i+round)%len(provinces)]
		if i%10 == 0 {
			d.doc.Kind = knowledge.KindPlan
		}
		d.chunks = slices.Clone(d.chunks)
		select {
		case work <- d:
		case err := <-errs:
			b.Fatal(err)
		}
		total += len(d.chunks)
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	for _, stmt := range []string{
		"SET maintenance_work_mem = '1GB'",
		"CREATE INDEX chunks_embedding_idx ON chunks USING hnsw (embedding vector_cosine_ops)",
		"VACUUM ANALYZE",
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			b.Fatalf("%s: %v", stmt, err)
		}
	}
	return total
}

// benchQueries returns the terms of citizens' questions as a retriever would send them: the
// question's bigrams first, then its folded syllables, without stop words, eight at most.
func benchQueries() [][]string {
	questions := []string{
		"lệ phí đăng ký thường trú là bao nhiêu",
		"thời hạn giải quyết cấp giấy phép xây dựng",
		"hồ sơ đăng ký kết hôn gồm những gì",
		"thủ tục cấp đổi giấy phép lái xe",
		"cấp giấy chứng nhận quyền sử dụng đất cần giấy tờ gì",
		"trợ cấp thất nghiệp nộp hồ sơ ở đâu",
		"đăng ký khai sinh cho con trực tuyến",
		"xin cấp hộ chiếu phổ thông mất bao lâu",
	}
	var out [][]string
	for _, q := range questions {
		var bigrams, folded []string
		for _, t := range vietnamese.NewAnalyzer(nil).Terms(q) {
			switch {
			case t.Stop:
			case t.Class == vietnamese.Bigram:
				bigrams = append(bigrams, t.Text)
			case t.Class == vietnamese.Folded:
				folded = append(folded, t.Text)
			}
		}
		terms := slices.Compact(append(bigrams, folded...))
		out = append(out, terms[:min(8, len(terms))])
	}
	return out
}

// orQueryText is the tsquery the store builds for terms free of quotes and backslashes.
func orQueryText(terms []string) string {
	return "'" + strings.Join(terms, "' | '") + "'"
}

// benchDocs returns up to limit documents (all when limit is 0) of the procedure corpus, or
// generated ones when the corpus is absent, with dim-384 vectors clustered by document.
func benchDocs(tb testing.TB, limit int) []benchDoc {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "..", "shared", "corpus", "procedures", "*", "*.json"))
	if len(files) == 0 {
		n := limit
		if n == 0 {
			n = 3000
		}
		return syntheticCorpus(n, 20, benchDim, 2)
	}
	slices.Sort(files)
	if limit > 0 && len(files) > limit {
		files = files[:limit]
	}
	docs := make([]benchDoc, len(files))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, f := range files {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			d, err := procedureDoc(f, uint64(i))
			if err != nil {
				tb.Error(err)
			}
			docs[i] = d
		})
	}
	wg.Wait()
	return slices.DeleteFunc(docs, func(d benchDoc) bool { return len(d.chunks) == 0 })
}

// procedureFields are the procedure record's fields cut into passages, in order.
var procedureFields = []struct{ key, section string }{
	{"trinh_tu_thuc_hien", "Trình tự thực hiện"},
	{"cach_thuc_thuc_hien", "Cách thức thực hiện"},
	{"thanh_phan_ho_so", "Thành phần hồ sơ"},
	{"doi_tuong_thuc_hien", "Đối tượng thực hiện"},
	{"ket_qua_xu_ly", "Kết quả"},
	{"yeu_cau_dieu_kien", "Yêu cầu, điều kiện"},
	{"can_cu_phap_ly", "Căn cứ pháp lý"},
	{"raw_text", "Toàn văn"},
}

// procedureDoc reads one record of the procedure corpus and cuts it into passages of about
// 700 characters, at most 30, with analysed terms and vectors.
func procedureDoc(path string, seed uint64) (benchDoc, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return benchDoc{}, err
	}
	var rec map[string]any
	if err := json.Unmarshal(raw, &rec); err != nil {
		return benchDoc{}, fmt.Errorf("%s: %w", path, err)
	}
	str := func(k string) string { s, _ := rec[k].(string); return strings.TrimSpace(s) }
	title := str("ten_thu_tuc")
	d := benchDoc{doc: knowledge.Document{
		Source: "thu-tuc/" + filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path), Title: title,
		Kind: knowledge.KindProcedure, Issuer: str("co_quan_thuc_hien"), Number: str("so_quyet_dinh"),
		URL: str("detail_url"), ContentHash: fmt.Sprint(len(raw)), Enabled: true,
	}}
	rng := mrand.New(mrand.NewPCG(seed, 1))
	centre := randomUnit(rng, benchDim)
	for _, f := range procedureFields {
		for _, text := range split(str(f.key), 700) {
			if len(d.chunks) == 30 {
				break
			}
			c := storetest.Chunk(title, f.section, text, nil)
			c.Embedding = noisy(centre, 0.6, rng.Uint64())
			d.chunks = append(d.chunks, c)
		}
	}
	return d, nil
}

// split cuts text at line ends into pieces of about size bytes.
func split(text string, size int) []string {
	var out []string
	var cur strings.Builder
	for line := range strings.SplitSeq(text, "\n") {
		if cur.Len() > 0 && cur.Len()+len(line) > size {
			out = append(out, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(line)
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, cur.String())
	}
	return out
}

// syllables are common syllables of administrative Vietnamese, most frequent first.
var syllables = strings.Fields(`hồ sơ thủ tục cấp đăng ký giấy phép xã huyện tỉnh người dân công ty quyết định
	ngày làm việc nộp trực tiếp tuyến bản chính sao chứng nhận cơ quan thực hiện kết quả giải quyết thời hạn lệ phí
	đồng văn bản đề nghị tờ khai mẫu số điều khoản luật nghị định thông tư ban hành quy định trường hợp đơn vị
	bộ phận tiếp nhận trả thẩm định phê duyệt xác nhận thông tin cá nhân tổ chức doanh nghiệp đất đai xây dựng
	hộ tịch khai sinh kết hôn thường trú tạm trú chứng thực lao động việc làm bảo hiểm xã hội y tế giáo dục
	đào tạo nông nghiệp môi trường tài nguyên giao thông vận tải tư pháp công an quốc phòng tài chính thuế
	ngân hàng kho bạc điện tử mạng dịch vụ công bưu chính lần đầu đổi lại bổ sung điều chỉnh thu hồi hủy bỏ`)

// syntheticCorpus generates n documents of perDoc passages from Zipf-distributed syllables.
func syntheticCorpus(n, perDoc, dim int, seed uint64) []benchDoc {
	rng := mrand.New(mrand.NewPCG(seed, 2))
	zipf := func() string {
		// P(rank k) ∝ 1/(k+1): inverse transform over the harmonic weights.
		u := rng.Float64() * math.Log(float64(len(syllables)+1))
		k := int(math.Exp(u)) - 1
		return syllables[min(max(k, 0), len(syllables)-1)]
	}
	words := func(k int) string {
		w := make([]string, k)
		for i := range w {
			w[i] = zipf()
		}
		return strings.Join(w, " ")
	}
	localities := []string{"", "Hà Nội", "Đồng Nai", "Hải Dương"}
	kinds := []knowledge.Kind{knowledge.KindProcedure, knowledge.KindPlan, knowledge.KindFAQ, knowledge.KindOther}
	docs := make([]benchDoc, n)
	for i := range docs {
		title := words(8)
		docs[i].doc = knowledge.Document{Source: fmt.Sprintf("gen/%05d.txt", i), Title: title, Kind: kinds[i%len(kinds)],
			Locality: localities[i%len(localities)], Enabled: true}
		centre := randomUnit(rng, dim)
		for j := range perDoc {
			docs[i].chunks = append(docs[i].chunks, storetest.Chunk(title, fmt.Sprintf("Mục %d", j+1), words(110)+".", noisy(centre, 0.6, rng.Uint64())))
		}
	}
	return docs
}

func randomUnit(rng *mrand.Rand, dim int) []float32 {
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return normalize(v)
}

// noisy returns the storetest.Unit vector of v plus Gaussian noise of the given scale.
func noisy(v []float32, scale float64, seed uint64) []float32 {
	rng := mrand.New(mrand.NewPCG(seed, 3))
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = x + float32(scale*rng.NormFloat64()/math.Sqrt(float64(len(v))))
	}
	return normalize(out)
}

func normalize(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	n = math.Sqrt(n)
	for i := range v {
		v[i] = float32(float64(v[i]) / n)
	}
	return v
}

// trimVector shortens the vector literals of a plan.
func trimVector(plan string) string {
	var b strings.Builder
	for {
		i := strings.Index(plan, "'[")
		j := strings.Index(plan[max(i, 0):], "]'")
		if i < 0 || j < 0 {
			b.WriteString(plan)
			return b.String()
		}
		b.WriteString(plan[:i] + "'[…]'")
		plan = plan[i+j+2:]
	}
}
