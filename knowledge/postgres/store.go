package postgres

import (
	"cmp"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/procedure"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the knowledge.Store kept in PostgreSQL with the pgvector extension: full-text search
// over a GIN-indexed tsvector of the analysed terms, vector search over an HNSW index.
type Store struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
	// lastPurge is the Unix time of the last deletion of old connector event claims.
	lastPurge atomic.Int64
	// termStats caches the column statistics SearchLexical prunes with, and termDF the exact
	// counts of the last Stats, which it prefers.
	termStats atomic.Pointer[termFrequencies]
	termDF    atomic.Pointer[knowledge.TermCounts]
	// bulk is set between BeginBulk and EndBulk: the term statistics of new documents are
	// summed in bulkDF and recorded by EndBulk in one change.
	bulk   atomic.Bool
	bulkMu sync.Mutex
	bulkDF map[string]int32
}

var _ knowledge.Store = (*Store)(nil)

// Open connects to the database at databaseURL (a postgres:// URL or libpq
// keyword/value string; empty uses the PG* environment variables), applies the pending
// migrations and returns the store. The caller closes it with Close.
func Open(ctx context.Context, databaseURL string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	// The vector type exists only once the first migration has run, so migrate on a
	// connection of its own before the pool registers the type on each of its connections.
	if err := migrate(ctx, cfg.ConnConfig.Copy(), logger); err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	// Statements are prepared once per connection and keep their generic plan: planning a
	// search for its values costs more than running it (the tsvector column's statistics are
	// large). Filtered searches, whose selectivity varies widely, are planned for their values
	// (see searchConn).
	cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	// HNSW searches keep minEFSearch candidates and go on past them (in relaxed order) when
	// filters drop some: SearchVector then needs no settings of its own.
	cfg.ConnConfig.RuntimeParams["hnsw.ef_search"] = strconv.Itoa(minEFSearch)
	cfg.ConnConfig.RuntimeParams["hnsw.iterative_scan"] = "relaxed_order"
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		return pgxvec.RegisterTypes(ctx, conn)
	}
	// A search uses two connections at once (its lexical and vector halves): keep two open, with
	// their prepared statements, rather than connecting when a question comes after a quiet
	// spell. pool_min_conns in the URL overrides this.
	if cfg.MinConns == 0 {
		cfg.MinConns = 2
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	// A bulk load that did not finish leaves the search indexes missing.
	var n int
	if err := pool.QueryRow(ctx, missingIndexes).Scan(&n); err != nil {
		pool.Close()
		return nil, dbError("open", err)
	}
	if n < 2 {
		if err := ensureSearchIndexes(ctx, pool); err != nil {
			pool.Close()
			return nil, err
		}
	}
	return &Store{pool: pool, logger: logger}, nil
}

// Close closes every connection of the pool, waiting for those in use to be released.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// migrationLockKey is the advisory lock that serialises migrations ("trolyao" in ASCII).
const migrationLockKey int64 = 0x74726f6c79616f

const (
	migrationsLock   = `SELECT pg_advisory_xact_lock($1)`
	migrationsTable  = `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`
	migrationsDone   = `SELECT version FROM schema_migrations`
	migrationsRecord = `INSERT INTO schema_migrations (version) VALUES ($1)`
)

// migrate applies the embedded migrations not yet recorded in schema_migrations, all in
// one transaction under an advisory lock, so that processes starting together apply them once.
func migrate(ctx context.Context, cfg *pgx.ConnConfig, logger *slog.Logger) error {
	all, err := knowledge.Migrations(migrations, "migrations")
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, migrationsLock, migrationLockKey); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		applied, err := knowledge.Migrate(ctx, migrationTx{tx}, all)
		for _, m := range applied {
			logger.Info("applied migration", slog.String("file", m.Name))
		}
		return err
	})
}

// migrationTx is the migrations' transaction.
type migrationTx struct{ tx pgx.Tx }

// Applied returns the versions recorded in schema_migrations.
func (m migrationTx) Applied(ctx context.Context) ([]int, error) {
	if _, err := m.tx.Exec(ctx, migrationsTable); err != nil {
		return nil, err
	}
	rows, _ := m.tx.Query(ctx, migrationsDone)
	return pgx.CollectRows(rows, pgx.RowTo[int])
}

// Apply runs a migration and records its version.
func (m migrationTx) Apply(ctx context.Context, mig knowledge.Migration) error {
	if _, err := m.tx.Exec(ctx, mig.SQL); err != nil {
		return err
	}
	_, err := m.tx.Exec(ctx, migrationsRecord, mig.Version)
	return err
}

// dbError maps a driver error to the store's sentinel errors, keeping the driver error in the
// chain, and prefixes it with op.
func dbError(op string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: %s: %w", op, knowledge.ErrNotFound)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505": // unique_violation
			return fmt.Errorf("postgres: %s: %w: %w", op, knowledge.ErrConflict, err)
		case pgErr.Code == "23503": // foreign_key_violation: the referenced row is gone
			return fmt.Errorf("postgres: %s: %w: %w", op, knowledge.ErrNotFound, err)
		case pgErr.Code == "23502", pgErr.Code == "23514", // not_null, check
			strings.HasPrefix(pgErr.Code, "22"): // data exceptions: bad JSON, vector dimensions
			return fmt.Errorf("postgres: %s: %w: %w", op, knowledge.ErrInvalid, err)
		}
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// isUUID reports whether s is a UUID that PostgreSQL accepts. Lookups by a malformed ID find
// nothing rather than fail.
func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil
}

// orEmpty returns s, or an empty non-nil slice for a NOT NULL array or JSON list column.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// orEmptyIDs returns ids, or an empty non-nil slice (an empty array rather than NULL).
func orEmptyIDs(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// stringOrNil returns nil (SQL NULL) for an empty string.
func stringOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// bumpGeneration is run by every transaction that changes what searches or Stats see.
const bumpGeneration = `UPDATE knowledge_state SET generation = generation + 1`

// documentColumns are read by every query that returns a whole document; documentListColumns
// leave out the procedure record.
const (
	documentListColumns = `id, source, title, kind, issuer, locality, number, dates, url, enabled, version, content_hash, locked, forms, created_at, updated_at`
	documentColumns     = documentListColumns + `, procedure`
)

// scanDocument reads the columns of documentColumns, or of documentListColumns when withRecord
// is false.
func scanDocument(row pgx.Row, withRecord bool) (knowledge.Document, error) {
	var d knowledge.Document
	var proc []byte
	dest := []any{&d.ID, &d.Source, &d.Title, &d.Kind, &d.Issuer, &d.Locality, &d.Number, &d.Dates, &d.URL,
		&d.Enabled, &d.Version, &d.ContentHash, &d.Locked, &d.Forms, &d.CreatedAt, &d.UpdatedAt}
	if withRecord {
		dest = append(dest, &proc)
	}
	if err := row.Scan(dest...); err != nil {
		return knowledge.Document{}, err
	}
	if len(proc) > 0 {
		d.Procedure = new(procedure.Record)
		if err := json.Unmarshal(proc, d.Procedure); err != nil {
			return knowledge.Document{}, fmt.Errorf("procedure of %s: %w", d.Source, err)
		}
	}
	return d, nil
}

const putDocumentUpsert = `
INSERT INTO documents AS d (source, title, kind, issuer, locality, locality_key, number, dates, url,
	enabled, content_hash, procedure, locked, forms)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (source) DO UPDATE SET
	title        = excluded.title,
	kind         = excluded.kind,
	issuer       = excluded.issuer,
	locality     = excluded.locality,
	locality_key = excluded.locality_key,
	number       = excluded.number,
	url          = excluded.url,
	enabled      = excluded.enabled,
	dates        = excluded.dates,
	content_hash = excluded.content_hash,
	procedure    = excluded.procedure,
	forms        = excluded.forms,
	version      = d.version + 1,
	updated_at   = now()
RETURNING ` + documentListColumns

// putDocumentsStored locks and reads the stored documents a batch replaces, in source order (a
// lock order concurrent batches share).
const putDocumentsStored = `SELECT ` + documentListColumns + ` FROM documents WHERE source = ANY ($1) ORDER BY source FOR UPDATE`

// putDocumentReplace deletes the document's old chunks ($1 the document, $2 the new chunks)
// and records the change to term_df: -1 ($3) for each old chunk holding a term when the stored
// document was enabled, +1 ($4) for each new one when the new version is.
const putDocumentReplace = `
WITH old AS (
	DELETE FROM chunks WHERE document_id = $1 AND id <> ALL ($2::bigint[]) RETURNING terms
), delta AS (
	SELECT lexeme, sum(w)::integer AS n
	FROM (
		SELECT unnest(tsvector_to_array(terms)) AS lexeme, $3::integer AS w FROM old
		UNION ALL
		SELECT unnest(tsvector_to_array(terms)), $4::integer FROM chunks WHERE id = ANY ($2::bigint[])
	) t
	GROUP BY lexeme
)
INSERT INTO term_df_changes (terms, counts)
SELECT array_agg(lexeme), array_agg(n) FROM delta WHERE n <> 0 HAVING count(*) > 0`

// documentDF records the change to term_df of adding $2 (1 or -1) for every term of the
// document $1's chunks.
const documentDF = `
INSERT INTO term_df_changes (terms, counts)
SELECT array_agg(lexeme), array_agg(n)
FROM (
	SELECT lexeme, $2::integer * count(*)::integer AS n
	FROM chunks c, unnest(tsvector_to_array(c.terms)) AS lexeme
	WHERE c.document_id = $1
	GROUP BY lexeme
) d
HAVING count(*) > 0`

// weight returns sign when the chunks are counted in term_df, else 0.
func weight(counted bool, sign int) int {
	if counted {
		return sign
	}
	return 0
}

const putDocumentChunkIDs = `SELECT nextval('chunks_id_seq') FROM generate_series(1, $1)`

// chunkCopyColumns are the columns PutDocument copies, in the order of chunkRow.
var chunkCopyColumns = []string{"id", "document_id", "ord", "section", "text", "head_terms", "body_terms",
	"head_len", "body_len", "terms", "embedding", "doc_enabled", "doc_kind", "doc_locality_key"}

// PutDocument inserts or replaces the document with doc.Source and all of its chunks in one
// transaction, so that readers see either the old or the new version. It keeps the stored
// values of the fields in the stored document's Locked, and fills doc and the chunks' IDs.
func (s *Store) PutDocument(ctx context.Context, doc *knowledge.Document, chunks []knowledge.Chunk) error {
	return s.PutDocuments(ctx, []*knowledge.Document{doc}, [][]knowledge.Chunk{chunks})
}

// PutDocuments writes several documents (each as PutDocument would) in one transaction: all are
// stored or none. Ingestion batches documents this way to save round trips and commits.
func (s *Store) PutDocuments(ctx context.Context, docs []*knowledge.Document, chunks [][]knowledge.Chunk) error {
	if len(docs) != len(chunks) {
		return fmt.Errorf("postgres: put documents: %w: %d documents, %d chunk lists", knowledge.ErrInvalid, len(docs), len(chunks))
	}
	for _, doc := range docs {
		if err := doc.Prepare(); err != nil {
			return fmt.Errorf("postgres: put document: %w", err)
		}
	}
	// The rows of the next document are built while the server stores the previous one.
	puts := make([]put, len(docs))
	ready := make([]chan error, len(docs))
	for i := range ready {
		ready[i] = make(chan error, 1)
	}
	go func() {
		for i, doc := range docs {
			var err error
			puts[i], err = preparePut(doc, chunks[i])
			ready[i] <- err
		}
	}()
	prepared := 0 // the puts whose ready has been received
	defer func() {
		for ; prepared < len(docs); prepared++ {
			<-ready[prepared] // the builder writes puts until it is done
		}
	}()
	bulk := s.bulk.Load()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		stored, err := lockStored(ctx, tx, docs)
		if err != nil {
			return err
		}
		for i := range puts {
			err := <-ready[i]
			prepared++
			if err != nil {
				return err
			}
			p := &puts[i]
			// The operator's fields of the version replaced are kept; a new document has none.
			old, replaces := stored[p.doc.Source]
			if replaces {
				p.doc.KeepLocked(old)
			} else {
				p.doc.Locked = nil
			}
			p.replaces, p.wasEnabled = replaces, old.Enabled
			if err := p.exec(ctx, tx, bulk); err != nil {
				return fmt.Errorf("%s: %w", p.doc.Source, err)
			}
			stored[p.doc.Source] = p.stored
		}
		_, err = tx.Exec(ctx, bumpGeneration)
		return err
	})
	if err != nil {
		return dbError("put documents", err)
	}
	if late := s.countBulk(puts); late != nil {
		terms, counts := dfArrays(late)
		if _, err := s.pool.Exec(ctx, recordDF, terms, counts); err != nil {
			return dbError("put documents: term statistics", err)
		}
	}
	for i := range puts {
		p := &puts[i]
		p.stored.Procedure = p.doc.Procedure
		*p.doc = p.stored
		for k := range chunks[i] {
			chunks[i][k].ID, chunks[i][k].DocumentID, chunks[i][k].Ord = p.ids[k], p.stored.ID, k
		}
	}
	return nil
}

// put is one document being written: its rows, then what the database assigned.
type put struct {
	doc    *knowledge.Document
	proc   []byte
	rows   [][]any
	df     map[string]int32 // chunks holding each term: the new version's share of term_df
	stored knowledge.Document
	ids    []int64
	// replaces is set when a stored version is replaced, wasEnabled when that version's
	// chunks are counted in term_df.
	replaces, wasEnabled bool
	// counted is set when exec left the new version's df to the caller (bulk mode).
	counted bool
}

// lockStored locks and returns, by source, the stored documents that docs replace.
func lockStored(ctx context.Context, tx pgx.Tx, docs []*knowledge.Document) (map[string]knowledge.Document, error) {
	sources := make([]string, len(docs))
	for i, d := range docs {
		sources[i] = d.Source
	}
	rows, err := tx.Query(ctx, putDocumentsStored, sources)
	if err != nil {
		return nil, err
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (knowledge.Document, error) { return scanDocument(row, false) })
	if err != nil {
		return nil, err
	}
	out := make(map[string]knowledge.Document, len(list))
	for _, d := range list {
		out[d.Source] = d
	}
	return out, nil
}

// preparePut builds the rows of a checked document's chunks.
func preparePut(doc *knowledge.Document, chunks []knowledge.Chunk) (put, error) {
	p := put{doc: doc}
	if doc.Procedure != nil {
		var err error
		if p.proc, err = json.Marshal(doc.Procedure); err != nil {
			return put{}, fmt.Errorf("postgres: put document %s: %w", doc.Source, err)
		}
	}
	p.rows = make([][]any, len(chunks))
	p.df = make(map[string]int32, 512)
	set := make(map[string]uint8, 256)
	for i, c := range chunks {
		var emb any
		if len(c.Embedding) > 0 {
			emb = pgvector.NewVector(c.Embedding)
		}
		tsv := termVector(c.HeadTerms, c.BodyTerms, set)
		for _, l := range tsv.Lexemes {
			p.df[l.Word]++
		}
		p.rows[i] = []any{nil, nil, i, c.Section, c.Text, c.HeadTerms, c.BodyTerms,
			knowledge.TermCount(c.HeadTerms), knowledge.TermCount(c.BodyTerms), tsv, emb, nil, nil, nil}
	}
	return p, nil
}

// exec writes the document within tx: upsert, new chunks copied in, old ones deleted, term
// statistics recorded (unless in bulk mode).
func (p *put) exec(ctx context.Context, tx pgx.Tx, bulk bool) error {
	doc, rows := p.doc, p.rows
	b := &pgx.Batch{}
	b.Queue(putDocumentUpsert, doc.Source, doc.Title, string(doc.Kind), doc.Issuer, doc.Locality,
		localityKey(doc.Locality), doc.Number, orEmpty(doc.Dates), doc.URL, doc.Enabled, doc.ContentHash, p.proc,
		orEmpty(doc.Locked), orEmpty(doc.Forms)).QueryRow(func(row pgx.Row) error {
		var err error
		p.stored, err = scanDocument(row, false)
		return err
	})
	if len(rows) > 0 {
		b.Queue(putDocumentChunkIDs, len(rows)).Query(func(r pgx.Rows) error {
			var err error
			p.ids, err = pgx.CollectRows(r, pgx.RowTo[int64])
			return err
		})
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	if len(rows) > 0 {
		for i := range rows {
			rows[i][0], rows[i][1] = p.ids[i], p.stored.ID
			rows[i][11], rows[i][12], rows[i][13] = p.stored.Enabled, string(p.stored.Kind), localityKey(p.stored.Locality)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"chunks"}, chunkCopyColumns, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
	}
	if p.replaces {
		// A replacement: the server takes the old chunks' terms out of the statistics.
		_, err := tx.Exec(ctx, putDocumentReplace, p.stored.ID, orEmptyIDs(p.ids), weight(p.wasEnabled, -1), weight(p.stored.Enabled, 1))
		return err
	}
	// A new document: its terms were counted when its rows were built.
	if !p.stored.Enabled || len(p.df) == 0 {
		return nil
	}
	if bulk {
		p.counted = true
		return nil
	}
	terms, counts := dfArrays(p.df)
	_, err := tx.Exec(ctx, recordDF, terms, counts)
	return err
}

// recordDF appends a change of term statistics.
const recordDF = `INSERT INTO term_df_changes (terms, counts) VALUES ($1, $2)`

// dfArrays returns the terms and counts of a df map as parallel arrays.
func dfArrays(df map[string]int32) ([]string, []int32) {
	terms := make([]string, 0, len(df))
	counts := make([]int32, 0, len(df))
	for t, n := range df {
		terms = append(terms, t)
		counts = append(counts, n)
	}
	return terms, counts
}

// syncChunkFilters copies a document's filter fields to its chunks.
const syncChunkFilters = `UPDATE chunks SET doc_enabled = $2, doc_kind = $3, doc_locality_key = $4
WHERE document_id = $1 AND (doc_enabled, doc_kind, doc_locality_key) IS DISTINCT FROM ($2, $3, $4)`

// localityKey is the folded form of a locality that filters compare.
func localityKey(locality string) string {
	return vietnamese.Key(strings.TrimSpace(locality))
}

// maxLexeme is the longest lexeme, in bytes, that a tsvector holds.
const maxLexeme = 2046

// termVector builds the tsvector of a chunk from its analysed terms, taken as they are: every
// distinct head term at position 1 with weight A, every distinct body term at position 2 with
// weight B. The terms go to the server in binary form, through no text-search parser. set is
// scratch space, reused across calls (a passage repeats its terms: collecting the distinct ones
// in a set and sorting those costs far less than sorting every occurrence).
func termVector(head, body string, set map[string]uint8) pgtype.TSVector {
	const inHead, inBody = 1, 2
	clear(set)
	addTerms(set, head, inHead)
	addTerms(set, body, inBody)
	words := make([]string, 0, len(set))
	for w := range set {
		words = append(words, w)
	}
	slices.Sort(words) // bytewise: the order of tsvector lexemes
	both := []pgtype.TSVectorPosition{
		{Position: 1, Weight: pgtype.TSVectorWeightA},
		{Position: 2, Weight: pgtype.TSVectorWeightB},
	}
	headOnly, bodyOnly := both[:1], both[1:]
	lex := make([]pgtype.TSVectorLexeme, len(words))
	for i, w := range words {
		pos := both
		switch set[w] {
		case inHead:
			pos = headOnly
		case inBody:
			pos = bodyOnly
		}
		lex[i] = pgtype.TSVectorLexeme{Word: w, Positions: pos}
	}
	return pgtype.TSVector{Lexemes: lex, Valid: true}
}

// addTerms marks in set, with flag, the space-separated terms of s that a tsvector can hold.
func addTerms(set map[string]uint8, s string, flag uint8) {
	for t := range strings.FieldsSeq(s) {
		if len(t) > maxLexeme || strings.IndexByte(t, 0) >= 0 {
			continue
		}
		set[t] |= flag
	}
}

// twoOfQuery returns the text of a tsquery matching chunks that hold at least two of terms.
func twoOfQuery(terms []string) string {
	var pairs []string
	for i := range terms {
		for j := i + 1; j < len(terms); j++ {
			pairs = append(pairs, "("+orQuery(terms[i:i+1])+" & "+orQuery(terms[j:j+1])+")")
		}
	}
	return strings.Join(pairs, " | ")
}

// orQuery returns the text of a tsquery matching any of terms (from queryTerms), each
// quoted as one exact lexeme (a quote doubled, a backslash escaped), so that no term is read as
// query syntax.
func orQuery(terms []string) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteByte('\'')
		for _, r := range t {
			switch r {
			case '\'':
				b.WriteString("''")
			case '\\':
				b.WriteString(`\\`)
			default:
				b.WriteRune(r)
			}
		}
		b.WriteByte('\'')
	}
	return b.String()
}

const documentByID = `SELECT ` + documentColumns + ` FROM documents WHERE id = $1`

// Document returns the document with the given ID, or ErrNotFound.
func (s *Store) Document(ctx context.Context, id string) (knowledge.Document, error) {
	if !isUUID(id) {
		return knowledge.Document{}, fmt.Errorf("postgres: document %s: %w", id, knowledge.ErrNotFound)
	}
	d, err := scanDocument(s.pool.QueryRow(ctx, documentByID, id), true)
	if err != nil {
		return knowledge.Document{}, dbError("document "+id, err)
	}
	return d, nil
}

const documentBySource = `SELECT ` + documentColumns + ` FROM documents WHERE source = $1`

// DocumentBySource returns the document with the given source, or ErrNotFound.
func (s *Store) DocumentBySource(ctx context.Context, source string) (knowledge.Document, error) {
	d, err := scanDocument(s.pool.QueryRow(ctx, documentBySource, source), true)
	if err != nil {
		return knowledge.Document{}, dbError("document "+source, err)
	}
	return d, nil
}

const documentsList = `SELECT ` + documentListColumns + ` FROM documents WHERE $1 = '' OR kind = $1 ORDER BY source`

// Documents lists documents without their procedure records, ordered by source, only those
// of the given kind when kind is not empty.
func (s *Store) Documents(ctx context.Context, kind knowledge.Kind) ([]knowledge.Document, error) {
	rows, err := s.pool.Query(ctx, documentsList, string(kind))
	if err != nil {
		return nil, dbError("documents", err)
	}
	docs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (knowledge.Document, error) {
		return scanDocument(row, false)
	})
	if err != nil {
		return nil, dbError("documents", err)
	}
	return docs, nil
}

const updateDocument = `
UPDATE documents SET title = $2, kind = $3, issuer = $4, locality = $5, locality_key = $6, number = $7, url = $8,
	enabled = $9, locked = $10, updated_at = now()
WHERE id = $1
RETURNING ` + documentColumns

// lockDocumentForPatch locks a document row and reads it whole.
const lockDocumentForPatch = `SELECT ` + documentColumns + ` FROM documents WHERE id = $1 FOR UPDATE`

// UpdateDocument applies patch (DocumentPatch.Apply) and returns the updated document, or
// ErrNotFound, or ErrInvalid for an invalid patch.
func (s *Store) UpdateDocument(ctx context.Context, id string, patch knowledge.DocumentPatch) (knowledge.Document, error) {
	if !isUUID(id) {
		return knowledge.Document{}, fmt.Errorf("postgres: update document %s: %w", id, knowledge.ErrNotFound)
	}
	if err := patch.Validate(); err != nil {
		return knowledge.Document{}, fmt.Errorf("postgres: update document %s: %w", id, err)
	}
	var d knowledge.Document
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		old, err := scanDocument(tx.QueryRow(ctx, lockDocumentForPatch, id), true)
		if err != nil {
			return err
		}
		d = old
		if err := patch.Apply(&d); err != nil {
			return err
		}
		if d, err = scanDocument(tx.QueryRow(ctx, updateDocument, id, d.Title, string(d.Kind), d.Issuer, d.Locality,
			localityKey(d.Locality), d.Number, d.URL, d.Enabled, orEmpty(d.Locked)), true); err != nil {
			return err
		}
		b := &pgx.Batch{}
		switch {
		case d.Enabled && !old.Enabled:
			b.Queue(documentDF, id, 1)
		case !d.Enabled && old.Enabled:
			b.Queue(documentDF, id, -1)
		}
		b.Queue(syncChunkFilters, id, d.Enabled, string(d.Kind), localityKey(d.Locality))
		b.Queue(bumpGeneration)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return knowledge.Document{}, dbError("update document "+id, err)
	}
	return d, nil
}

// lockDocument locks a document row and tells whether its chunks are counted in term_df.
const lockDocument = `SELECT enabled FROM documents WHERE id = $1 FOR UPDATE`

const deleteDocument = `DELETE FROM documents WHERE id = $1`

// DeleteDocument removes a document and its chunks, or returns ErrNotFound.
func (s *Store) DeleteDocument(ctx context.Context, id string) error {
	if !isUUID(id) {
		return fmt.Errorf("postgres: delete document %s: %w", id, knowledge.ErrNotFound)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var enabled bool
		if err := tx.QueryRow(ctx, lockDocument, id).Scan(&enabled); err != nil {
			return err
		}
		b := &pgx.Batch{}
		if enabled {
			b.Queue(documentDF, id, -1)
		}
		b.Queue(deleteDocument, id)
		b.Queue(bumpGeneration)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return dbError("delete document "+id, err)
	}
	return nil
}

// chunkColumns are read by every query that returns chunks, in the order of scanChunk.
const chunkColumns = `c.id, c.document_id, c.ord, c.section, c.text, c.head_terms, c.body_terms`

func scanChunk(row pgx.CollectableRow) (knowledge.Chunk, error) {
	var c knowledge.Chunk
	err := row.Scan(&c.ID, &c.DocumentID, &c.Ord, &c.Section, &c.Text, &c.HeadTerms, &c.BodyTerms)
	return c, err
}

const documentChunks = `SELECT ` + chunkColumns + ` FROM chunks c WHERE c.document_id = $1 ORDER BY c.ord`

// DocumentChunks returns a document's chunks in order, without embeddings.
func (s *Store) DocumentChunks(ctx context.Context, documentID string) ([]knowledge.Chunk, error) {
	if !isUUID(documentID) {
		return []knowledge.Chunk{}, nil // no such document
	}
	rows, err := s.pool.Query(ctx, documentChunks, documentID)
	if err != nil {
		return nil, dbError("document chunks", err)
	}
	chunks, err := pgx.CollectRows(rows, scanChunk)
	if err != nil {
		return nil, dbError("document chunks", err)
	}
	return chunks, nil
}

// searchFilter restricts both searches to enabled documents passing Filters, on the chunks'
// copies of their documents' fields. Its parameters
// are $2 kinds, $3 locality key, $4 locality-or-national, $5 sources, $6 document IDs; an empty
// array or locality key means no restriction.
const searchFilter = `c.doc_enabled
	AND (COALESCE(cardinality($2::text[]), 0) = 0 OR c.doc_kind = ANY ($2::text[]))
	AND ($3::text = '' OR c.doc_locality_key = $3::text OR ($4::boolean AND c.doc_locality_key = ''))
	AND (COALESCE(cardinality($5::text[]), 0) = 0 OR c.document_id IN (SELECT id FROM documents WHERE source = ANY ($5::text[])))
	AND (COALESCE(cardinality($6::uuid[]), 0) = 0 OR c.document_id = ANY ($6::uuid[]))`

// hitColumns follow chunkColumns in search results, before the score.
const hitColumns = `d.source, d.title, d.kind, d.locality, d.number, d.url`

// filterArgs returns the arguments $2 to $6 of searchFilter, and false when the filters admit
// no document at all (document IDs were given and none is a UUID).
func filterArgs(f knowledge.Filters) ([]any, bool) {
	kinds := make([]string, len(f.Kinds))
	for i, k := range f.Kinds {
		kinds[i] = string(k)
	}
	ids := make([]string, 0, len(f.DocumentIDs))
	for _, id := range f.DocumentIDs {
		if isUUID(id) {
			ids = append(ids, id)
		}
	}
	if len(f.DocumentIDs) > 0 && len(ids) == 0 {
		return nil, false
	}
	return []any{kinds, localityKey(f.Locality), f.LocalityOrNational, orEmpty(f.Sources), ids}, true
}

func scanHit(row pgx.CollectableRow) (knowledge.Hit, error) {
	var h knowledge.Hit
	err := row.Scan(&h.Chunk.ID, &h.Chunk.DocumentID, &h.Chunk.Ord, &h.Chunk.Section, &h.Chunk.Text,
		&h.Chunk.HeadTerms, &h.Chunk.BodyTerms,
		&h.Doc.Source, &h.Doc.Title, &h.Doc.Kind, &h.Doc.Locality, &h.Doc.Number, &h.Doc.URL, &h.Score)
	h.Doc.ID = h.Chunk.DocumentID
	return h, err
}

// searchLexical ranks with ts_rank, by all the query's terms ($8), the chunks matching $1: all
// the terms, or only the rarer ones (see SearchLexical). Head terms (weight A) count 1.0, body
// terms (weight B) 0.4.
const searchLexical = `
SELECT ` + chunkColumns + `, ` + hitColumns + `, r.rank
FROM (
	SELECT c.id, ts_rank('{0.1, 0.2, 0.4, 1.0}', c.terms, $8::tsquery) AS rank
	FROM chunks c
	WHERE c.terms @@ $1::tsquery AND ` + searchFilter + `
	ORDER BY rank DESC, c.id
	LIMIT $7
) r
JOIN chunks c ON c.id = r.id
JOIN documents d ON d.id = c.document_id
ORDER BY r.rank DESC, c.id`

// lexicalBudget is the number of chunks, estimated from the column statistics, that
// SearchLexical ranks at first; lexicalMaxRows the most it ranks when that gives too few hits.
// Ranking costs about 10 µs a chunk (decompressing and reading its tsvector).
const (
	lexicalBudget  = 600
	lexicalMaxRows = 4000
	// lexicalEnough is how many hits make the rarer terms' candidates enough: more terms are
	// taken only when they give fewer (a caller's limit is a pool it re-ranks, not a need).
	lexicalEnough = 50
)

// SearchLexical returns up to limit passages of enabled documents containing any of terms as an
// exact lexeme in head or body, best ts_rank (over all the terms) first.
//
// Ranking every chunk that holds a common term ("dang", "ho_so": half the corpus) would read
// most of the table, so the candidates are the chunks holding the rarer terms: terms are taken
// rarest first, by the statistics ANALYZE keeps on the column, while their estimated chunks
// stay within lexicalBudget (the rarest term always). The common terms then only add to the
// rank of those candidates. When the candidates give fewer than lexicalEnough hits, more terms
// are taken, up to lexicalMaxRows. On a small corpus, or before ANALYZE, every matching chunk is
// ranked.
func (s *Store) SearchLexical(ctx context.Context, terms []string, f knowledge.Filters, limit int) ([]knowledge.Hit, error) {
	terms = queryTerms(terms)
	args, ok := filterArgs(f)
	if len(terms) == 0 || limit <= 0 || !ok {
		return []knowledge.Hit{}, nil
	}
	var hits []knowledge.Hit
	err := s.searchConn(ctx, f, 0, func(q querier) error {
		var err error
		hits, err = s.searchLexicalPruned(ctx, q, terms, args, limit)
		return err
	})
	if err != nil {
		return nil, dbError("search lexical", err)
	}
	return hits, nil
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// searchConn runs a search on the pool, with the connection's generic plans and HNSW candidate
// list, or, for a filtered search or a longer candidate list (ef > minEFSearch), in a
// read-only transaction that plans each statement for its values and sets the list.
func (s *Store) searchConn(ctx context.Context, f knowledge.Filters, ef int, fn func(querier) error) error {
	filtered := len(f.Kinds) > 0 || f.Locality != "" || len(f.Sources) > 0 || len(f.DocumentIDs) > 0
	if !filtered && ef <= minEFSearch {
		return fn(s.pool)
	}
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		plan := "force_generic_plan"
		if filtered {
			plan = "force_custom_plan"
		}
		if _, err := tx.Exec(ctx, searchSettings, plan, strconv.Itoa(max(ef, minEFSearch))); err != nil {
			return err
		}
		return fn(tx)
	})
}

// searchSettings sets, for one transaction, how statements are planned ($1) and the HNSW
// candidate list ($2).
const searchSettings = `SELECT set_config('plan_cache_mode', $1, true), set_config('hnsw.ef_search', $2, true)`

// searchLexicalPruned is SearchLexical's candidate pruning (see there).
func (s *Store) searchLexicalPruned(ctx context.Context, q querier, terms []string, args []any, limit int) ([]knowledge.Hit, error) {
	freq := s.termFrequencies(ctx)
	slices.SortStableFunc(terms, func(a, b string) int { return cmp.Compare(freq.rows(a), freq.rows(b)) })
	rank := orQuery(terms)
	// Take terms[:n], the rarest, while their chunks fit in budget.
	n, rows := 1, freq.rows(terms[0])
	take := func(budget float64) {
		for n < len(terms) && rows+freq.rows(terms[n]) <= budget {
			rows += freq.rows(terms[n])
			n++
		}
	}
	take(lexicalBudget)
	// When even the rarest term is common, first rank only the chunks holding two of the
	// three rarest terms: far fewer, and the ones that matter.
	if rows > lexicalBudget && len(terms) >= 2 {
		hits, err := s.searchLexical(ctx, q, twoOfQuery(terms[:min(3, len(terms))]), rank, args, limit)
		if err != nil || len(hits) >= min(limit, lexicalEnough) {
			return hits, err
		}
	}
	for {
		match := rank
		if n < len(terms) {
			match = orQuery(terms[:n])
		}
		hits, err := s.searchLexical(ctx, q, match, rank, args, limit)
		if err != nil || len(hits) >= min(limit, lexicalEnough) || n == len(terms) || rows+freq.rows(terms[n]) > lexicalMaxRows {
			return hits, err
		}
		rows += freq.rows(terms[n])
		n++
		take(max(2*rows, lexicalBudget))
	}
}

func (s *Store) searchLexical(ctx context.Context, q querier, match, rank string, filter []any, limit int) ([]knowledge.Hit, error) {
	args := make([]any, 0, 8)
	args = append(args, match)
	args = append(args, filter...)
	args = append(args, limit, rank)
	rows, err := q.Query(ctx, searchLexical, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanHit)
}

// termStats reads what ANALYZE found about the terms column: the most common lexemes with
// the fraction of chunks holding each, and the number of chunks.
const termStats = `
SELECT COALESCE(s.most_common_elems::text::text[], '{}'), COALESCE(s.most_common_elem_freqs, '{}'), c.reltuples
FROM pg_class c
LEFT JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = 'chunks' AND s.attname = 'terms'
WHERE c.oid = 'chunks'::regclass`

// termStatsTTL is how long SearchLexical reuses the column statistics.
const termStatsTTL = time.Minute

// termFrequencies estimates how many chunks hold a term.
type termFrequencies struct {
	exact   knowledge.TermCounts // the term counts of the last Stats, when there is one
	common  map[string]float64   // chunks holding each of the most common terms
	rare    float64              // chunks holding any other term
	fetched time.Time
}

// rows returns the estimated number of chunks holding term.
func (f *termFrequencies) rows(term string) float64 {
	if f.exact != nil {
		// A term missing from the counts came after them: a rare one.
		return float64(max(f.exact.Get(term), 1))
	}
	if n, ok := f.common[term]; ok {
		return n
	}
	return f.rare
}

// termFrequencies returns the exact term counts read by the last Stats (a searching Index
// reads them again whenever the store changes), or else the column statistics, read again
// when older than termStatsTTL. Without either every term looks rare, and SearchLexical
// ranks every match in one pass.
func (s *Store) termFrequencies(ctx context.Context) *termFrequencies {
	if df := s.termDF.Load(); df != nil {
		return &termFrequencies{exact: *df}
	}
	if f := s.termStats.Load(); f != nil && time.Since(f.fetched) < termStatsTTL {
		return f
	}
	var elems []string
	var freqs []float64
	var rows float64
	f := &termFrequencies{fetched: time.Now()}
	if err := s.pool.QueryRow(ctx, termStats).Scan(&elems, &freqs, &rows); err != nil {
		// Statistics only steer the pruning; searching goes on without them.
		s.logger.Warn("read term statistics", slog.Any("error", err))
		return f
	}
	// most_common_elem_freqs holds one frequency per element, then their minimum and maximum
	// (and for some types the frequency of null elements).
	if rows > 0 && len(elems) > 0 && len(freqs) >= len(elems)+2 {
		f.common = make(map[string]float64, len(elems))
		for i, e := range elems {
			f.common[e] = freqs[i] * rows
		}
		f.rare = freqs[len(elems)] * rows / 2 // as the planner estimates a term missing from the list
	}
	s.termStats.Store(f)
	return f
}

// queryTerms returns the distinct terms a tsquery can hold, in their first order.
func queryTerms(terms []string) []string {
	out := make([]string, 0, len(terms))
	for _, t := range terms {
		if t != "" && len(t) <= maxLexeme && strings.IndexByte(t, 0) < 0 && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

const searchVector = `
SELECT ` + chunkColumns + `, ` + hitColumns + `, c.embedding <=> $1 AS distance
FROM chunks c
JOIN documents d ON d.id = c.document_id
WHERE c.embedding IS NOT NULL AND ` + searchFilter + `
ORDER BY c.embedding <=> $1
LIMIT $7`

// minEFSearch is the smallest HNSW candidate list a search uses, set on every connection.
// Questions are short beside passages, and their nearest passages are harder for the graph to
// reach: with the built-in embedder a list of 40 finds 68% of a question's 40 nearest passages
// (exact search over 36,000 procedure passages, 64 questions), 80 finds 84%, at about the same
// latency beside the lexical half.
const minEFSearch = 80

// SearchVector returns up to limit passages of enabled documents nearest to vec by cosine
// distance through the HNSW index, best first; Score is 1 - distance.
func (s *Store) SearchVector(ctx context.Context, vec []float32, f knowledge.Filters, limit int) ([]knowledge.Hit, error) {
	args, ok := filterArgs(f)
	if len(vec) == 0 {
		return nil, fmt.Errorf("postgres: search vector: %w: empty vector", knowledge.ErrInvalid)
	}
	if limit <= 0 || !ok {
		return []knowledge.Hit{}, nil
	}
	args = append([]any{pgvector.NewVector(vec)}, args...)
	args = append(args, limit)
	var hits []knowledge.Hit
	err := s.searchConn(ctx, f, limit, func(q querier) error {
		// A vector of another dimension than the stored ones fails in the distance operator
		// (a data exception: ErrInvalid).
		rows, err := q.Query(ctx, searchVector, args...)
		if err == nil {
			hits, err = pgx.CollectRows(rows, scanHit)
		}
		return err
	})
	if err != nil {
		return nil, dbError("search vector", err)
	}
	for i := range hits {
		hits[i].Score = 1 - hits[i].Score
	}
	// An iterative scan returns rows in a relaxed order.
	slices.SortStableFunc(hits, func(a, b knowledge.Hit) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	return hits, nil
}

// foldTermDF moves the recorded changes into term_df. Concurrent folds apply each change
// once (the second DELETE skips the rows the first removed) and take the row locks of term_df
// in term order, so they cannot deadlock.
const foldTermDF = `
WITH moved AS (
	DELETE FROM term_df_changes RETURNING terms, counts
)
INSERT INTO term_df AS t (term, df)
SELECT u.term, sum(u.n)
FROM moved, unnest(moved.terms, moved.counts) AS u (term, n)
GROUP BY u.term
HAVING sum(u.n) <> 0
ORDER BY u.term
ON CONFLICT (term) DO UPDATE SET df = t.df + excluded.df`

const (
	statsCounts = `
SELECT count(*), COALESCE(avg(c.head_len), 0), COALESCE(avg(c.body_len), 0)
FROM chunks c
WHERE c.doc_enabled`
	statsDF = `SELECT term, df FROM term_df WHERE df > 0`
)

// Stats returns the number of enabled passages, their mean head and body lengths, and for every
// term the number of enabled passages holding it in head or body. It first folds the changes
// writers recorded into the term counts (a second or two after loading 100,000 chunks, little
// afterwards); counts and lengths then come from one snapshot, in which the term counts may miss
// the writes committed while Stats was folding.
func (s *Store) Stats(ctx context.Context) (knowledge.Stats, error) {
	if _, err := s.pool.Exec(ctx, foldTermDF); err != nil {
		return knowledge.Stats{}, dbError("stats", err)
	}
	var st knowledge.Stats
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err := pgx.BeginTxFunc(ctx, s.pool, opts, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, statsCounts).Scan(&st.Chunks, &st.AvgHeadLen, &st.AvgBodyLen); err != nil {
			return err
		}
		st.DF = make(knowledge.TermCounts)
		rows, err := tx.Query(ctx, statsDF)
		if err != nil {
			return err
		}
		var word string
		var n int32
		_, err = pgx.ForEachRow(rows, []any{&word, &n}, func() error {
			st.DF.Add(word, n)
			return nil
		})
		return err
	})
	if err != nil {
		return knowledge.Stats{}, dbError("stats", err)
	}
	// Lexical pruning prefers these exact counts to the column statistics.
	s.termDF.Store(&st.DF)
	return st, nil
}

const generation = `SELECT generation FROM knowledge_state`

// Generation returns a number that changes whenever documents, chunks or vectors change.
func (s *Store) Generation(ctx context.Context) (int64, error) {
	var g int64
	if err := s.pool.QueryRow(ctx, generation).Scan(&g); err != nil {
		return 0, dbError("generation", err)
	}
	return g, nil
}

const indexInfo = `SELECT embedder, dim FROM knowledge_state`

// IndexInfo returns the embedder that built the stored vectors; the zero value when none.
func (s *Store) IndexInfo(ctx context.Context) (knowledge.IndexInfo, error) {
	var info knowledge.IndexInfo
	if err := s.pool.QueryRow(ctx, indexInfo).Scan(&info.Embedder, &info.Dim); err != nil {
		return knowledge.IndexInfo{}, dbError("index info", err)
	}
	return info, nil
}

const resetEmbeddings = `SELECT knowledge_reset_embeddings($1, $2)`

// ResetEmbeddings records info, clears every stored vector, sets the vector column to
// info.Dim dimensions and rebuilds the HNSW index. It locks the chunks table while it runs.
func (s *Store) ResetEmbeddings(ctx context.Context, info knowledge.IndexInfo) error {
	if info.Dim < 1 || info.Dim > 2000 {
		return fmt.Errorf("postgres: reset embeddings: %w: dimension %d, want 1 to 2000", knowledge.ErrInvalid, info.Dim)
	}
	if _, err := s.pool.Exec(ctx, resetEmbeddings, info.Embedder, info.Dim); err != nil {
		return dbError("reset embeddings", err)
	}
	return nil
}

const chunksWithoutEmbedding = `SELECT ` + chunkColumns + ` FROM chunks c WHERE c.embedding IS NULL ORDER BY c.id LIMIT $1`

// ChunksWithoutEmbedding returns up to limit chunks whose vector is empty, in ID order.
func (s *Store) ChunksWithoutEmbedding(ctx context.Context, limit int) ([]knowledge.Chunk, error) {
	if limit <= 0 {
		return []knowledge.Chunk{}, nil
	}
	rows, err := s.pool.Query(ctx, chunksWithoutEmbedding, limit)
	if err != nil {
		return nil, dbError("chunks without embedding", err)
	}
	chunks, err := pgx.CollectRows(rows, scanChunk)
	if err != nil {
		return nil, dbError("chunks without embedding", err)
	}
	return chunks, nil
}

const setEmbeddings = `
UPDATE chunks c SET embedding = v.embedding
FROM unnest($1::bigint[], $2::vector[]) AS v (id, embedding)
WHERE c.id = v.id`

// SetEmbeddings stores vectors by chunk ID; IDs of chunks that no longer exist are ignored, and
// a vector of the wrong dimension is ErrInvalid.
func (s *Store) SetEmbeddings(ctx context.Context, vecs map[int64][]float32) error {
	if len(vecs) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(vecs))
	for id := range vecs {
		ids = append(ids, id)
	}
	slices.Sort(ids) // a stable lock order for concurrent writers
	vs := make([]pgvector.Vector, len(ids))
	for i, id := range ids {
		vs[i] = pgvector.NewVector(vecs[id])
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, setEmbeddings, ids, vs); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, bumpGeneration)
		return err
	})
	if err != nil {
		return dbError("set embeddings", err)
	}
	return nil
}
