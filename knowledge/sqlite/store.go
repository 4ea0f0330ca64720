package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/procedure"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the embedded, zero-setup knowledge.Store: one SQLite database file (pure Go, no external
// process) with an FTS5 full-text index, and an in-memory copy of the passage vectors scanned
// exactly at query time. It is crash-safe (write-ahead log; every change is one transaction) and
// may be written by another process (an ingestion run) while it serves: it notices their
// commits and refreshes its vectors.
type Store struct {
	db     *sql.DB
	logger *slog.Logger
	// writeMu serialises this process's write transactions (SQLite has one writer).
	writeMu sync.Mutex
	vectors *vectorIndex
	// stmts caches prepared read statements by their SQL: parsing SQL costs as much as running
	// a small query.
	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
	// stopCheckpoints ends checkpointLoop, which closes checkpointsDone.
	stopCheckpoints, checkpointsDone chan struct{}
	// passages caches the passages searches return, with their documents' fields: reading
	// rows costs more than finding them.
	passages passageCache
}

// passageCache keeps search hits (without scores) by chunk ID for one generation of the store:
// chunk IDs are never reused, and any change to documents bumps the generation.
type passageCache struct {
	mu  sync.Mutex
	gen int64
	m   map[int64]knowledge.Hit
}

// passageCacheSize bounds the passages kept (a few kilobytes each); the cache empties when full.
const passageCacheSize = 8192

// get returns the cached passages of ids for generation gen, and the IDs it lacks.
func (c *passageCache) get(gen int64, ids []int64) (map[int64]knowledge.Hit, []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.m == nil {
		c.gen, c.m = gen, make(map[int64]knowledge.Hit, 256)
	}
	found := make(map[int64]knowledge.Hit, len(ids))
	var missing []int64
	for _, id := range ids {
		if h, ok := c.m[id]; ok {
			found[id] = h
		} else {
			missing = append(missing, id)
		}
	}
	return found, missing
}

func (c *passageCache) put(gen int64, hits []knowledge.Hit) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.m)+len(hits) > passageCacheSize {
		clear(c.m)
	}
	for _, h := range hits {
		h.Score = 0
		c.m[h.Chunk.ID] = h
	}
}

// Open opens (creating when needed) the database file at path, applies migrations and
// loads the vectors. Close releases it.
func Open(ctx context.Context, path string, logger *slog.Logger) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: create data directory: %w", err)
	}
	// Checkpoints run in the background (checkpointLoop), not in whichever write happens to
	// fill the log: a checkpoint syncs the database file, which would stall every writer behind
	// that one.
	dsn := "file:" + path + "?_txlock=immediate" +
		"&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)" +
		"&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(67108864)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(0)
	s := &Store{db: db, logger: logger, vectors: newVectorIndex(), stmts: map[string]*sql.Stmt{}}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.refreshVectors(ctx, true); err != nil {
		db.Close()
		return nil, err
	}
	s.stopCheckpoints = make(chan struct{})
	s.checkpointsDone = make(chan struct{})
	go s.checkpointLoop()
	return s, nil
}

// checkpointEvery is how often the write-ahead log is copied back into the database.
const checkpointEvery = time.Second

// checkpointLoop checkpoints the write-ahead log every checkpointEvery without blocking
// readers or writers (PASSIVE), until Close. It returns when Close signals it.
func (s *Store) checkpointLoop() {
	defer close(s.checkpointsDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stopCheckpoints:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
				s.logger.Warn("sqlite: checkpoint", slog.Any("error", err))
			}
			cancel()
		}
	}
}

// Close stops the background checkpoints, folds the log into the database and closes it.
func (s *Store) Close() error {
	if s.stopCheckpoints != nil {
		close(s.stopCheckpoints)
		<-s.checkpointsDone
		s.stopCheckpoints = nil
		if _, err := s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			s.logger.Warn("sqlite: final checkpoint", slog.Any("error", err))
		}
	}
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
	s.stmtMu.Unlock()
	return s.db.Close()
}

// query runs a read query through the statement cache.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := s.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.db.QueryContext(ctx, q, args...)
}

// queryRow runs a single-row read query through the statement cache.
func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := s.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.db.QueryRowContext(ctx, q, args...)
}

// stmt returns the cached prepared statement for q, preparing it on first use, or nil when q
// is not to be cached: the cache is full (filtered searches vary), the store is closed, or q
// does not prepare (running it directly then reports the error).
func (s *Store) stmt(ctx context.Context, q string) *sql.Stmt {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if st, ok := s.stmts[q]; ok {
		return st
	}
	if s.stmts == nil || len(s.stmts) >= 256 {
		return nil
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	s.stmts[q] = st
	return st
}

// BeginBulk prepares the full-text index for a large ingestion: segments are no longer merged
// after each write (which costs as much as the writes themselves), until EndBulk merges them
// all at once. Searches stay correct meanwhile, only slower.
func (s *Store) BeginBulk(ctx context.Context) error {
	err := s.write(ctx, false, func(tx writeTx) error {
		for _, q := range []string{
			`INSERT INTO chunks_fts (chunks_fts, rank) VALUES ('automerge', 0)`,
			`INSERT INTO chunks_fts (chunks_fts, rank) VALUES ('crisismerge', 256)`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return mapErr(err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: begin bulk load: %w", err)
	}
	return nil
}

// EndBulk restores incremental merging and merges the full-text index into one segment.
func (s *Store) EndBulk(ctx context.Context) error {
	err := s.write(ctx, false, func(tx writeTx) error {
		for _, q := range []string{
			`INSERT INTO chunks_fts (chunks_fts, rank) VALUES ('automerge', 4)`,
			`INSERT INTO chunks_fts (chunks_fts, rank) VALUES ('crisismerge', 16)`,
			`INSERT INTO chunks_fts (chunks_fts) VALUES ('optimize')`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return mapErr(err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: end bulk load: %w", err)
	}
	return nil
}

// Optimize merges the full-text index's segments into one, which makes searches faster after
// many small writes. Ingestion calls it at the end of a run.
func (s *Store) Optimize(ctx context.Context) error {
	err := s.write(ctx, false, func(tx writeTx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO chunks_fts (chunks_fts) VALUES ('optimize')`)
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: optimize: %w", err)
	}
	return nil
}

// migrate applies the embedded migrations not yet recorded in schema_migrations, in one
// transaction (SQLite has one writer at a time).
func (s *Store) migrate(ctx context.Context) error {
	all, err := knowledge.Migrations(migrations, "migrations")
	if err != nil {
		return err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := knowledge.Migrate(ctx, migrationTx{tx}, all); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// migrationTx is the migrations' transaction.
type migrationTx struct{ tx *sql.Tx }

// Applied returns the versions recorded in schema_migrations.
func (m migrationTx) Applied(ctx context.Context) ([]int, error) {
	if _, err := m.tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return nil, err
	}
	rows, err := m.tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Apply runs a migration and records its version.
func (m migrationTx) Apply(ctx context.Context, mig knowledge.Migration) error {
	if _, err := m.tx.ExecContext(ctx, mig.SQL); err != nil {
		return err
	}
	_, err := m.tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, mig.Version, time.Now().UnixMicro())
	return err
}

// write runs fn in a write transaction and bumps the generation when bump is set.
func (s *Store) write(ctx context.Context, bump bool, fn func(tx writeTx) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	tx := writeTx{Tx: sqlTx, s: s}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if bump {
		if _, err := tx.ExecContext(ctx, `UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'`); err != nil {
			return mapErr(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return mapErr(err)
	}
	if bump {
		s.vectors.markDirty()
	}
	return nil
}

// writeTx is a write transaction whose statements come from the store's statement cache:
// preparing one costs as much as running it.
type writeTx struct {
	*sql.Tx
	s *Store
}

func (t writeTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := t.s.stmt(ctx, q); st != nil {
		return t.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, q, args...)
}

func (t writeTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := t.s.stmt(ctx, q); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, q, args...)
}

func (t writeTx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := t.s.stmt(ctx, q); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, q, args...)
}

func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return knowledge.ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CONSTRAINT:
			if se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY {
				return fmt.Errorf("%w: %v", knowledge.ErrNotFound, err)
			}
			return fmt.Errorf("%w: %v", knowledge.ErrConflict, err)
		}
	}
	return err
}

func now() int64 { return time.Now().UnixMicro() }

func fromMicro(us int64) time.Time { return time.UnixMicro(us).UTC() }

// PutDocument inserts or atomically replaces a document and its chunks.
func (s *Store) PutDocument(ctx context.Context, doc *knowledge.Document, chunks []knowledge.Chunk) error {
	return s.PutDocuments(ctx, []*knowledge.Document{doc}, [][]knowledge.Chunk{chunks})
}

// PutDocuments writes several documents (each as PutDocument would) in one transaction: all are
// stored or none. Ingestion batches documents this way to spare the full-text index a flush per
// document.
func (s *Store) PutDocuments(ctx context.Context, docs []*knowledge.Document, chunks [][]knowledge.Chunk) error {
	if len(docs) != len(chunks) {
		return fmt.Errorf("sqlite: put documents: %w: %d documents, %d chunk lists", knowledge.ErrInvalid, len(docs), len(chunks))
	}
	dim := -1
	procedures := make([]sql.NullString, len(docs))
	for i, doc := range docs {
		if err := doc.Prepare(); err != nil {
			return fmt.Errorf("sqlite: put document: %w", err)
		}
		for _, c := range chunks[i] {
			if len(c.Embedding) == 0 {
				continue
			}
			if dim < 0 {
				info, err := s.IndexInfo(ctx)
				if err != nil {
					return err
				}
				dim = info.Dim
			}
			if len(c.Embedding) != dim {
				return fmt.Errorf("sqlite: put document %s: %w: embedding has %d dimensions, the index %d", doc.Source, knowledge.ErrInvalid, len(c.Embedding), dim)
			}
		}
		p, err := marshalProcedure(doc.Procedure)
		if err != nil {
			return fmt.Errorf("sqlite: put document %s: %w", doc.Source, err)
		}
		procedures[i] = p
	}
	err := s.write(ctx, true, func(tx writeTx) error {
		for i, doc := range docs {
			if err := s.putDocument(ctx, tx, doc, chunks[i], procedures[i]); err != nil {
				return fmt.Errorf("%s: %w", doc.Source, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: put documents: %w", err)
	}
	return nil
}

// putDocument writes one document and its chunks within tx.
func (s *Store) putDocument(ctx context.Context, tx writeTx, doc *knowledge.Document, chunks []knowledge.Chunk, record sql.NullString) error {
	ts := now()
	var (
		oldID      string
		oldVersion int
		created    int64
		lockedJSON string
	)
	err := tx.QueryRowContext(ctx, `SELECT id, version, created_at, locked FROM documents WHERE source = ?`, doc.Source).
		Scan(&oldID, &oldVersion, &created, &lockedJSON)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		doc.ID = uuid.NewString()
		doc.Version = 1
		doc.CreatedAt = fromMicro(ts)
		doc.Locked = nil
		const insertDoc = `INSERT INTO documents (id, source, title, kind, issuer, locality, locality_key, number, dates, url,
			enabled, version, content_hash, procedure, locked, forms, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, '[]', ?, ?, ?)`
		if _, err := tx.ExecContext(ctx, insertDoc, doc.ID, doc.Source, doc.Title, string(doc.Kind), doc.Issuer, doc.Locality,
			vietnamese.Key(doc.Locality), doc.Number, jsonList(doc.Dates), doc.URL, doc.Enabled, doc.ContentHash, record,
			jsonList(doc.Forms), ts, ts); err != nil {
			return mapErr(err)
		}
	case err != nil:
		return mapErr(err)
	default:
		var stored knowledge.Document
		if err := s.scanDocumentRow(tx.QueryRowContext(ctx, selectDocument+` WHERE id = ?`, oldID), &stored); err != nil {
			return err
		}
		doc.KeepLocked(stored)
		doc.ID, doc.Version, doc.CreatedAt = oldID, oldVersion+1, fromMicro(created)
		if err := s.deleteChunks(ctx, tx, oldID); err != nil {
			return err
		}
		const updateDoc = `UPDATE documents SET title = ?, kind = ?, issuer = ?, locality = ?, locality_key = ?, number = ?,
			dates = ?, url = ?, enabled = ?, version = ?, content_hash = ?, procedure = ?, forms = ?, updated_at = ? WHERE id = ?`
		if _, err := tx.ExecContext(ctx, updateDoc, doc.Title, string(doc.Kind), doc.Issuer, doc.Locality, vietnamese.Key(doc.Locality),
			doc.Number, jsonList(doc.Dates), doc.URL, doc.Enabled, doc.Version, doc.ContentHash, record, jsonList(doc.Forms), ts, doc.ID); err != nil {
			return mapErr(err)
		}
	}
	doc.UpdatedAt = fromMicro(ts)
	return s.insertChunks(ctx, tx, doc, chunks)
}

func (s *Store) insertChunks(ctx context.Context, tx writeTx, doc *knowledge.Document, chunks []knowledge.Chunk) error {
	ins, err := tx.PrepareContext(ctx, `INSERT INTO chunks (document_id, ord, section, text, head_terms, body_terms, head_len, body_len, embedding)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return mapErr(err)
	}
	defer ins.Close()
	fts, err := tx.PrepareContext(ctx, `INSERT INTO chunks_fts (rowid, head, body) VALUES (?, ?, ?)`)
	if err != nil {
		return mapErr(err)
	}
	defer fts.Close()
	for i := range chunks {
		c := &chunks[i]
		c.DocumentID, c.Ord = doc.ID, i
		res, err := ins.ExecContext(ctx, doc.ID, i, c.Section, c.Text, c.HeadTerms, c.BodyTerms,
			knowledge.TermCount(c.HeadTerms), knowledge.TermCount(c.BodyTerms), encodeVector(c.Embedding))
		if err != nil {
			return mapErr(err)
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return mapErr(err)
		}
		if doc.Enabled {
			if _, err := fts.ExecContext(ctx, c.ID, c.HeadTerms, c.BodyTerms); err != nil {
				return mapErr(err)
			}
		}
	}
	return nil
}

// deleteChunks removes a document's chunks from the table and the full-text index.
func (s *Store) deleteChunks(ctx context.Context, tx writeTx, docID string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM chunks_fts WHERE rowid IN (SELECT id FROM chunks WHERE document_id = ?)`, docID); err != nil {
		return mapErr(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM chunks WHERE document_id = ?`, docID); err != nil {
		return mapErr(err)
	}
	return nil
}

const selectDocument = `SELECT id, source, title, kind, issuer, locality, number, dates, url, enabled, version, content_hash,
	procedure, locked, forms, created_at, updated_at FROM documents`

type rowScanner interface{ Scan(dest ...any) error }

func (s *Store) scanDocumentRow(row rowScanner, d *knowledge.Document) error {
	var (
		kind, dates, locked, forms string
		record                     sql.NullString
		created, updated           int64
	)
	if err := row.Scan(&d.ID, &d.Source, &d.Title, &kind, &d.Issuer, &d.Locality, &d.Number, &dates, &d.URL, &d.Enabled,
		&d.Version, &d.ContentHash, &record, &locked, &forms, &created, &updated); err != nil {
		return mapErr(err)
	}
	d.Kind = knowledge.Kind(kind)
	d.CreatedAt, d.UpdatedAt = fromMicro(created), fromMicro(updated)
	if err := json.Unmarshal([]byte(dates), &d.Dates); err != nil {
		return fmt.Errorf("decode dates: %w", err)
	}
	if err := json.Unmarshal([]byte(locked), &d.Locked); err != nil {
		return fmt.Errorf("decode locked: %w", err)
	}
	if err := json.Unmarshal([]byte(forms), &d.Forms); err != nil {
		return fmt.Errorf("decode forms: %w", err)
	}
	if record.Valid && record.String != "" {
		d.Procedure = new(procedure.Record)
		if err := json.Unmarshal([]byte(record.String), d.Procedure); err != nil {
			return fmt.Errorf("decode procedure: %w", err)
		}
	}
	return nil
}

// Document returns a document by ID.
func (s *Store) Document(ctx context.Context, id string) (knowledge.Document, error) {
	var d knowledge.Document
	if err := s.scanDocumentRow(s.queryRow(ctx, selectDocument+` WHERE id = ?`, id), &d); err != nil {
		return knowledge.Document{}, fmt.Errorf("sqlite: document %s: %w", id, err)
	}
	return d, nil
}

// DocumentBySource returns a document by source.
func (s *Store) DocumentBySource(ctx context.Context, source string) (knowledge.Document, error) {
	var d knowledge.Document
	if err := s.scanDocumentRow(s.queryRow(ctx, selectDocument+` WHERE source = ?`, source), &d); err != nil {
		return knowledge.Document{}, fmt.Errorf("sqlite: document %s: %w", source, err)
	}
	return d, nil
}

// Documents lists documents ordered by source, without their procedure records.
func (s *Store) Documents(ctx context.Context, kind knowledge.Kind) ([]knowledge.Document, error) {
	const q = `SELECT id, source, title, kind, issuer, locality, number, dates, url, enabled, version, content_hash,
		NULL, locked, forms, created_at, updated_at FROM documents WHERE (? = '' OR kind = ?) ORDER BY source`
	rows, err := s.db.QueryContext(ctx, q, string(kind), string(kind))
	if err != nil {
		return nil, fmt.Errorf("sqlite: documents: %w", mapErr(err))
	}
	defer rows.Close()
	var out []knowledge.Document
	for rows.Next() {
		var d knowledge.Document
		if err := s.scanDocumentRow(rows, &d); err != nil {
			return nil, fmt.Errorf("sqlite: documents: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: documents: %w", err)
	}
	return out, nil
}

// UpdateDocument applies an operator's change to a document's metadata.
func (s *Store) UpdateDocument(ctx context.Context, id string, patch knowledge.DocumentPatch) (knowledge.Document, error) {
	var out knowledge.Document
	err := s.write(ctx, true, func(tx writeTx) error {
		var d knowledge.Document
		if err := s.scanDocumentRow(tx.QueryRowContext(ctx, selectDocument+` WHERE id = ?`, id), &d); err != nil {
			return err
		}
		wasEnabled := d.Enabled
		if err := patch.Apply(&d); err != nil {
			return err
		}
		const q = `UPDATE documents SET title = ?, kind = ?, issuer = ?, locality = ?, locality_key = ?, number = ?, url = ?,
			enabled = ?, locked = ?, updated_at = ? WHERE id = ?`
		ts := now()
		if _, err := tx.ExecContext(ctx, q, d.Title, string(d.Kind), d.Issuer, d.Locality, vietnamese.Key(d.Locality), d.Number, d.URL,
			d.Enabled, jsonList(d.Locked), ts, id); err != nil {
			return mapErr(err)
		}
		d.UpdatedAt = fromMicro(ts)
		switch {
		case wasEnabled && !d.Enabled:
			if _, err := tx.ExecContext(ctx, `DELETE FROM chunks_fts WHERE rowid IN (SELECT id FROM chunks WHERE document_id = ?)`, id); err != nil {
				return mapErr(err)
			}
		case !wasEnabled && d.Enabled:
			if _, err := tx.ExecContext(ctx, `INSERT INTO chunks_fts (rowid, head, body) SELECT id, head_terms, body_terms FROM chunks WHERE document_id = ?`, id); err != nil {
				return mapErr(err)
			}
		}
		out = d
		return nil
	})
	if err != nil {
		return knowledge.Document{}, fmt.Errorf("sqlite: update document %s: %w", id, err)
	}
	return out, nil
}

// DeleteDocument removes a document and its chunks.
func (s *Store) DeleteDocument(ctx context.Context, id string) error {
	err := s.write(ctx, true, func(tx writeTx) error {
		if err := s.deleteChunks(ctx, tx, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM documents WHERE id = ?`, id)
		if err != nil {
			return mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return knowledge.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete document %s: %w", id, err)
	}
	return nil
}

// DocumentChunks returns a document's chunks in order.
func (s *Store) DocumentChunks(ctx context.Context, documentID string) ([]knowledge.Chunk, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, document_id, ord, section, text, head_terms, body_terms FROM chunks
		WHERE document_id = ? ORDER BY ord`, documentID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: chunks: %w", mapErr(err))
	}
	defer rows.Close()
	var out []knowledge.Chunk
	for rows.Next() {
		var c knowledge.Chunk
		if err := rows.Scan(&c.ID, &c.DocumentID, &c.Ord, &c.Section, &c.Text, &c.HeadTerms, &c.BodyTerms); err != nil {
			return nil, fmt.Errorf("sqlite: chunks: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: chunks: %w", err)
	}
	return out, nil
}

// filterSQL returns the WHERE conditions (on documents d) and arguments for f.
func filterSQL(f knowledge.Filters) (string, []any) {
	var conds []string
	var args []any
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		conds = append(conds, col+" IN ("+strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",")+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	kinds := make([]string, len(f.Kinds))
	for i, k := range f.Kinds {
		kinds[i] = string(k)
	}
	in("d.kind", kinds)
	in("d.source", f.Sources)
	in("d.id", f.DocumentIDs)
	if f.Locality != "" {
		if f.LocalityOrNational {
			conds = append(conds, "(d.locality_key = ? OR d.locality_key = '')")
		} else {
			conds = append(conds, "d.locality_key = ?")
		}
		args = append(args, vietnamese.Key(f.Locality))
	}
	conds = append(conds, "d.enabled = 1")
	return strings.Join(conds, " AND "), args
}

// ftsQuery ORs the terms as FTS5 phrases; characters outside terms cannot form query syntax.
func ftsQuery(terms []string) string {
	var parts []string
	seen := map[string]bool{}
	for _, t := range terms {
		if t == "" || seen[t] || !strings.ContainsFunc(t, isTermRune) {
			continue
		}
		seen[t] = true
		parts = append(parts, `"`+strings.ReplaceAll(t, `"`, `""`)+`"`)
	}
	return strings.Join(parts, " OR ")
}

func isTermRune(r rune) bool {
	return r > 0x7f || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
}

// SearchLexical returns passages containing any of the terms, best BM25 first.
func (s *Store) SearchLexical(ctx context.Context, terms []string, f knowledge.Filters, limit int) ([]knowledge.Hit, error) {
	match := ftsQuery(terms)
	if match == "" || limit <= 0 {
		return nil, nil
	}
	gen, err := s.searchGeneration(ctx)
	if err != nil {
		return nil, err
	}
	where, args := filterSQL(f)
	// The full-text query runs first and alone (its best matches by BM25 with the head column
	// weighted up); the join then filters. A generous inner limit keeps filtered searches full.
	// The passages themselves come from the cache, or are read after.
	q := `WITH m AS (SELECT rowid AS id, bm25(chunks_fts, 2.0, 1.0) AS score FROM chunks_fts WHERE chunks_fts MATCH ?
			ORDER BY score LIMIT ?)
		SELECT c.id, -m.score
		FROM m JOIN chunks c ON c.id = m.id JOIN documents d ON d.id = c.document_id
		WHERE ` + where + ` ORDER BY m.score LIMIT ?`
	inner := limit
	if where != "d.enabled = 1" {
		inner = limit * 20
	}
	all := append([]any{match, inner}, args...)
	all = append(all, limit)
	rows, err := s.query(ctx, q, all...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: lexical search: %w", mapErr(err))
	}
	defer rows.Close()
	var ids []int64
	var scores []float64
	for rows.Next() {
		var id int64
		var score float64
		if err := rows.Scan(&id, &score); err != nil {
			return nil, fmt.Errorf("sqlite: lexical search: %w", err)
		}
		ids, scores = append(ids, id), append(scores, score)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: lexical search: %w", mapErr(err))
	}
	rows.Close()
	hits, err := s.hits(ctx, gen, ids, scores)
	if err != nil || len(hits) == len(ids) {
		return hits, err
	}
	// A document was replaced or disabled between the two reads: read again in one statement,
	// which sees one state of the store.
	rows, err = s.query(ctx, strings.Replace(q, "SELECT c.id, -m.score", "SELECT "+sqliteHitColumns+", -m.score", 1), all...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: lexical search: %w", mapErr(err))
	}
	defer rows.Close()
	return scanHits(rows)
}

// searchGeneration returns the store generation the in-memory vectors and the passage cache
// are current for, refreshing them when the store changed.
func (s *Store) searchGeneration(ctx context.Context) (int64, error) {
	if err := s.refreshVectors(ctx, false); err != nil {
		return 0, err
	}
	s.vectors.mu.RLock()
	defer s.vectors.mu.RUnlock()
	return s.vectors.gen, nil
}

// hits returns the passages of ids (of enabled documents), in order, with their scores.
func (s *Store) hits(ctx context.Context, gen int64, ids []int64, scores []float64) ([]knowledge.Hit, error) {
	found, missing := s.passages.get(gen, ids)
	if len(missing) > 0 {
		// The IDs go as one JSON array, so that one cached statement serves every search.
		list := make([]byte, 0, 8*len(missing)+2)
		list = append(list, '[')
		for i, id := range missing {
			if i > 0 {
				list = append(list, ',')
			}
			list = strconv.AppendInt(list, id, 10)
		}
		list = append(list, ']')
		rows, err := s.query(ctx, sqliteHits, string(list))
		if err != nil {
			return nil, fmt.Errorf("sqlite: read passages: %w", mapErr(err))
		}
		read, err := scanHits(rows)
		rows.Close()
		if err != nil {
			return nil, err
		}
		s.passages.put(gen, read)
		for _, h := range read {
			found[h.Chunk.ID] = h
		}
	}
	out := make([]knowledge.Hit, 0, len(ids))
	for i, id := range ids {
		if h, ok := found[id]; ok {
			h.Score = scores[i]
			out = append(out, h)
		}
	}
	return out, nil
}

// sqliteHitColumns are what scanHits reads, before the score.
const sqliteHitColumns = `c.id, c.document_id, c.ord, c.section, c.text, c.head_terms, c.body_terms,
		d.id, d.source, d.title, d.kind, d.locality, d.number, d.url`

// sqliteHits reads passages of enabled documents by a JSON array of chunk IDs.
const sqliteHits = `SELECT ` + sqliteHitColumns + `, 0.0
	FROM chunks c JOIN documents d ON d.id = c.document_id
	WHERE d.enabled = 1 AND c.id IN (SELECT value FROM json_each(?))`

func scanHits(rows *sql.Rows) ([]knowledge.Hit, error) {
	var out []knowledge.Hit
	for rows.Next() {
		var h knowledge.Hit
		var kind string
		if err := rows.Scan(&h.Chunk.ID, &h.Chunk.DocumentID, &h.Chunk.Ord, &h.Chunk.Section, &h.Chunk.Text, &h.Chunk.HeadTerms,
			&h.Chunk.BodyTerms, &h.Doc.ID, &h.Doc.Source, &h.Doc.Title, &kind, &h.Doc.Locality, &h.Doc.Number, &h.Doc.URL, &h.Score); err != nil {
			return nil, fmt.Errorf("sqlite: scan hit: %w", err)
		}
		h.Doc.Kind = knowledge.Kind(kind)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: scan hits: %w", err)
	}
	return out, nil
}

// SearchVector returns the passages nearest to vec by an exact scan of the in-memory vectors.
func (s *Store) SearchVector(ctx context.Context, vec []float32, f knowledge.Filters, limit int) ([]knowledge.Hit, error) {
	gen, err := s.searchGeneration(ctx)
	if err != nil {
		return nil, err
	}
	top, err := s.vectors.search(vec, f, limit)
	if err != nil || len(top) == 0 {
		return nil, err
	}
	ids := make([]int64, len(top))
	scores := make([]float64, len(top))
	for i, t := range top {
		ids[i], scores[i] = t.id, t.score
	}
	return s.hits(ctx, gen, ids, scores)
}

// Stats returns corpus statistics over enabled documents.
func (s *Store) Stats(ctx context.Context) (knowledge.Stats, error) {
	var st knowledge.Stats
	var head, body sql.NullFloat64
	err := s.db.QueryRowContext(ctx, `SELECT count(*), avg(c.head_len), avg(c.body_len) FROM chunks c
		JOIN documents d ON d.id = c.document_id WHERE d.enabled = 1`).Scan(&st.Chunks, &head, &body)
	if err != nil {
		return knowledge.Stats{}, fmt.Errorf("sqlite: stats: %w", mapErr(err))
	}
	st.AvgHeadLen, st.AvgBodyLen = head.Float64, body.Float64
	rows, err := s.db.QueryContext(ctx, `SELECT term, doc FROM chunks_vocab`)
	if err != nil {
		return knowledge.Stats{}, fmt.Errorf("sqlite: stats: %w", mapErr(err))
	}
	defer rows.Close()
	st.DF = make(knowledge.TermCounts, 1<<14)
	for rows.Next() {
		var term string
		var n int32
		if err := rows.Scan(&term, &n); err != nil {
			return knowledge.Stats{}, fmt.Errorf("sqlite: stats: %w", err)
		}
		st.DF.Add(term, n)
	}
	if err := rows.Err(); err != nil {
		return knowledge.Stats{}, fmt.Errorf("sqlite: stats: %w", err)
	}
	return st, nil
}

// Generation returns the change counter.
func (s *Store) Generation(ctx context.Context) (int64, error) {
	var g int64
	if err := s.queryRow(ctx, `SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'`).Scan(&g); err != nil {
		return 0, fmt.Errorf("sqlite: generation: %w", mapErr(err))
	}
	return g, nil
}

// IndexInfo returns the embedder that built the stored vectors.
func (s *Store) IndexInfo(ctx context.Context) (knowledge.IndexInfo, error) {
	var info knowledge.IndexInfo
	rows, err := s.db.QueryContext(ctx, `SELECT key, value FROM meta WHERE key IN ('embedder', 'dim')`)
	if err != nil {
		return info, fmt.Errorf("sqlite: index info: %w", mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return info, fmt.Errorf("sqlite: index info: %w", err)
		}
		if k == "embedder" {
			info.Embedder = v
		} else {
			info.Dim, _ = strconv.Atoi(v)
		}
	}
	return info, rows.Err()
}

// ResetEmbeddings records a new embedder and clears every vector.
func (s *Store) ResetEmbeddings(ctx context.Context, info knowledge.IndexInfo) error {
	if info.Embedder == "" || info.Dim <= 0 {
		return fmt.Errorf("sqlite: reset embeddings: %w: embedder name and dimension required", knowledge.ErrInvalid)
	}
	err := s.write(ctx, true, func(tx writeTx) error {
		for _, kv := range [][2]string{{"embedder", info.Embedder}, {"dim", strconv.Itoa(info.Dim)}} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, kv[0], kv[1]); err != nil {
				return mapErr(err)
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE chunks SET embedding = NULL WHERE embedding IS NOT NULL`)
		return mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: reset embeddings: %w", err)
	}
	s.vectors.reset()
	return nil
}

// ChunksWithoutEmbedding returns chunks that have no vector yet.
func (s *Store) ChunksWithoutEmbedding(ctx context.Context, limit int) ([]knowledge.Chunk, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, document_id, ord, section, text, head_terms, body_terms FROM chunks
		WHERE embedding IS NULL ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: chunks without embedding: %w", mapErr(err))
	}
	defer rows.Close()
	var out []knowledge.Chunk
	for rows.Next() {
		var c knowledge.Chunk
		if err := rows.Scan(&c.ID, &c.DocumentID, &c.Ord, &c.Section, &c.Text, &c.HeadTerms, &c.BodyTerms); err != nil {
			return nil, fmt.Errorf("sqlite: chunks without embedding: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SetEmbeddings stores vectors by chunk ID.
func (s *Store) SetEmbeddings(ctx context.Context, vecs map[int64][]float32) error {
	info, err := s.IndexInfo(ctx)
	if err != nil {
		return err
	}
	err = s.write(ctx, true, func(tx writeTx) error {
		st, err := tx.PrepareContext(ctx, `UPDATE chunks SET embedding = ? WHERE id = ?`)
		if err != nil {
			return mapErr(err)
		}
		defer st.Close()
		for id, v := range vecs {
			if len(v) != info.Dim {
				return fmt.Errorf("%w: vector of %d dimensions for an index of %d", knowledge.ErrInvalid, len(v), info.Dim)
			}
			if _, err := st.ExecContext(ctx, encodeVector(v), id); err != nil {
				return mapErr(err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: set embeddings: %w", err)
	}
	return nil
}

func encodeVector(v []float32) []byte {
	if len(v) == 0 {
		return nil
	}
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func decodeVector(b []byte, dst []float32) {
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
}

func jsonList[T any](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func marshalProcedure(p *procedure.Record) (sql.NullString, error) {
	if p == nil {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return sql.NullString{}, fmt.Errorf("encode procedure: %w", err)
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}
