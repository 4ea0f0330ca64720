package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Bulk loading. Keeping the HNSW and GIN indexes up to date costs far more per passage than
// building them once over all passages, so a large ingestion drops them first (BeginBulk) and
// builds them at the end (EndBulk). Searches stay correct meanwhile (sequential scans), only
// slower. A process that dies in between leaves the indexes missing: Open rebuilds them.

const (
	dropSearchIndexes = `DROP INDEX IF EXISTS chunks_embedding_idx; DROP INDEX IF EXISTS chunks_terms_idx`
	createTermsIndex  = `CREATE INDEX IF NOT EXISTS chunks_terms_idx ON chunks USING gin (terms)`
	// The vector index needs a typed column: it exists once an embedder is recorded.
	createVectorIndex = `CREATE INDEX IF NOT EXISTS chunks_embedding_idx ON chunks USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 40)`
	vectorDim         = `SELECT dim FROM knowledge_state`
	missingIndexes    = `SELECT count(*) FROM pg_indexes WHERE tablename = 'chunks' AND indexname IN ('chunks_terms_idx', 'chunks_embedding_idx')`
)

// BeginBulk drops the search indexes before a large ingestion; until EndBulk, this process's
// writes leave the term statistics to be recomputed at the end.
func (s *Store) BeginBulk(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, dropSearchIndexes); err != nil {
		return dbError("begin bulk load", err)
	}
	s.bulkMu.Lock()
	s.bulkDF = map[string]int32{}
	s.bulkMu.Unlock()
	s.bulk.Store(true)
	s.logger.InfoContext(ctx, "search indexes dropped for a bulk load")
	return nil
}

// EndBulk recomputes the term statistics and builds the search indexes again, with memory and
// parallel workers for the build.
func (s *Store) EndBulk(ctx context.Context) error {
	start := time.Now()
	s.bulk.Store(false)
	s.bulkMu.Lock()
	df := s.bulkDF
	s.bulkDF = nil
	s.bulkMu.Unlock()
	if len(df) > 0 {
		terms, counts := dfArrays(df)
		if _, err := s.pool.Exec(ctx, recordDF, terms, counts); err != nil {
			return dbError("end bulk load: term statistics", err)
		}
	}
	if err := ensureSearchIndexes(ctx, s.pool); err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "search indexes built", slog.Duration("took", time.Since(start)))
	return nil
}

// countBulk adds to bulkDF the statistics of the new documents exec left uncounted. When
// EndBulk has run meanwhile it returns them instead, for the caller to record.
func (s *Store) countBulk(puts []put) map[string]int32 {
	s.bulkMu.Lock()
	defer s.bulkMu.Unlock()
	var late map[string]int32
	for _, p := range puts {
		if !p.counted {
			continue
		}
		dst := s.bulkDF
		if dst == nil {
			if late == nil {
				late = map[string]int32{}
			}
			dst = late
		}
		for t, n := range p.df {
			dst[t] += n
		}
	}
	return late
}

// ensureSearchIndexes creates the full-text and vector indexes when they are missing. The two
// builds run side by side on their own connections (CREATE INDEX takes a lock that lets
// another CREATE INDEX on the table proceed): the GIN build has a single process, and the HNSW
// build takes one parallel worker beside its leader. The statistics gathered afterwards are
// those of the columns searches filter or plan on, not of the texts and vectors.
func ensureSearchIndexes(ctx context.Context, pool *pgxpool.Pool) error {
	var dim int
	if err := pool.QueryRow(ctx, vectorDim).Scan(&dim); err != nil {
		return dbError("build search indexes", err)
	}
	builds := [][]string{{`SET maintenance_work_mem = '256MB'`, createTermsIndex}}
	if dim > 0 {
		builds = append(builds, []string{`SET maintenance_work_mem = '512MB'`,
			`SET max_parallel_maintenance_workers = 1`, createVectorIndex})
	}
	errs := make([]error, len(builds))
	var wg sync.WaitGroup
	for i, stmts := range builds {
		wg.Go(func() { errs[i] = runOnOwnConn(ctx, pool, stmts) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, analyzeChunks); err != nil {
		return dbError("build search indexes: analyze", err)
	}
	return nil
}

// analyzeChunks gathers the statistics of the chunks' filter columns and terms (whose most
// common lexemes steer lexical pruning when no exact counts are at hand).
const analyzeChunks = `ANALYZE chunks (document_id, doc_enabled, doc_kind, doc_locality_key, terms)`

// runOnOwnConn runs stmts on a connection of their own, closed afterwards so that the session
// settings they make go with it.
func runOnOwnConn(ctx context.Context, pool *pgxpool.Pool, stmts []string) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return dbError("build search indexes", err)
	}
	defer conn.Release()
	defer func() {
		// Settings stay with the session: it is not handed to anyone else.
		_ = conn.Conn().Close(context.WithoutCancel(ctx))
	}()
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("postgres: build search indexes: %s: %w", q, err)
		}
	}
	return nil
}
