package knowledge

import (
	"cmp"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
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

	"github.com/trolyao/trolyao/knowledge/procedure"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

//go:embed migrations/postgres/*.sql
var postgresMigrations embed.FS

// PostgresStore is the Store kept in PostgreSQL with the pgvector extension: full-text search
// over a GIN-indexed tsvector of the analysed terms, vector search over an HNSW index.
type PostgresStore struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
	// lastPurge is the Unix time of the last deletion of old connector event claims.
	lastPurge atomic.Int64
	// termStats caches the column statistics SearchLexical prunes with, and termDF the exact
	// counts of the last Stats, which it prefers.
	termStats atomic.Pointer[pgTermFrequencies]
	termDF    atomic.Pointer[termTable]
	// bulk is set between BeginBulk and EndBulk: the term statistics of new documents are
	// summed in bulkDF and recorded by EndBulk in one change.
	bulk   atomic.Bool
	bulkMu sync.Mutex
	bulkDF map[string]int32
}

var _ Store = (*PostgresStore)(nil)

// OpenPostgres connects to the database at databaseURL (a postgres:// URL or libpq
// keyword/value string; empty uses the PG* environment variables), applies the pending
// migrations and returns the store. The caller closes it with Close.
func OpenPostgres(ctx context.Context, databaseURL string, logger *slog.Logger) (*PostgresStore, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	// The vector type exists only once the first migration has run, so migrate on a
	// connection of its own before the pool registers the type on each of its connections.
	if err := pgMigrate(ctx, cfg.ConnConfig.Copy(), logger); err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	// Statements are prepared once per connection and keep their generic plan: planning a
	// search for its values costs more than running it (the tsvector column's statistics are
	// large). Filtered searches, whose selectivity varies widely, are planned for their values
	// (see searchConn).
	cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	// HNSW searches keep pgMinEFSearch candidates and go on past them (in relaxed order) when
	// filters drop some: SearchVector then needs no settings of its own.
	cfg.ConnConfig.RuntimeParams["hnsw.ef_search"] = strconv.Itoa(pgMinEFSearch)
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
	if err := pool.QueryRow(ctx, pgMissingIndexes).Scan(&n); err != nil {
		pool.Close()
		return nil, pgDBError("open", err)
	}
	if n < 2 {
		if err := ensureSearchIndexes(ctx, pool); err != nil {
			pool.Close()
			return nil, err
		}
	}
	return &PostgresStore{pool: pool, logger: logger}, nil
}

// Close closes every connection of the pool, waiting for those in use to be released.
func (s *PostgresStore) Close() error {
	s.pool.Close()
	return nil
}

// pgMigrationLockKey is the advisory lock that serialises migrations ("trolyao" in ASCII).
const pgMigrationLockKey int64 = 0x74726f6c79616f

const (
	pgMigrationsLock   = `SELECT pg_advisory_xact_lock($1)`
	pgMigrationsTable  = `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`
	pgMigrationsDone   = `SELECT version FROM schema_migrations`
	pgMigrationsRecord = `INSERT INTO schema_migrations (version) VALUES ($1)`
)

// pgMigrate applies the embedded migrations not yet recorded in schema_migrations, all in
// one transaction under an advisory lock, so that processes starting together apply them once.
func pgMigrate(ctx context.Context, cfg *pgx.ConnConfig, logger *slog.Logger) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	files, err := fs.Glob(postgresMigrations, "migrations/postgres/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	type migration struct {
		version int
		name    string
	}
	var all []migration
	for _, f := range files {
		name := path.Base(f)
		prefix, _, _ := strings.Cut(name, "_")
		v, err := strconv.Atoi(prefix)
		if err != nil {
			return fmt.Errorf("migrate: file %s has no version number", name)
		}
		all = append(all, migration{version: v, name: name})
	}
	slices.SortFunc(all, func(a, b migration) int { return a.version - b.version })

	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, pgMigrationsLock, pgMigrationLockKey); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		if _, err := tx.Exec(ctx, pgMigrationsTable); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		rows, _ := tx.Query(ctx, pgMigrationsDone)
		done, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		for _, m := range all {
			if slices.Contains(done, m.version) {
				continue
			}
			sql, err := postgresMigrations.ReadFile("migrations/postgres/" + m.name)
			if err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			if _, err := tx.Exec(ctx, string(sql)); err != nil {
				return fmt.Errorf("migrate: %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, pgMigrationsRecord, m.version); err != nil {
				return fmt.Errorf("migrate: %s: %w", m.name, err)
			}
			logger.Info("applied migration", slog.String("file", m.name))
		}
		return nil
	})
}

// pgDBError maps a driver error to the store's sentinel errors, keeping the driver error in the
// chain, and prefixes it with op.
func pgDBError(op string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: %s: %w", op, ErrNotFound)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505": // unique_violation
			return fmt.Errorf("postgres: %s: %w: %w", op, ErrConflict, err)
		case pgErr.Code == "23503": // foreign_key_violation: the referenced row is gone
			return fmt.Errorf("postgres: %s: %w: %w", op, ErrNotFound, err)
		case pgErr.Code == "23502", pgErr.Code == "23514", // not_null, check
			strings.HasPrefix(pgErr.Code, "22"): // data exceptions: bad JSON, vector dimensions
			return fmt.Errorf("postgres: %s: %w: %w", op, ErrInvalid, err)
		}
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// pgIsUUID reports whether s is a UUID that PostgreSQL accepts. Lookups by a malformed ID find
// nothing rather than fail.
func pgIsUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil
}

// pgOrEmpty returns s, or an empty non-nil slice for a NOT NULL array column.
func pgOrEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// pgOrEmptyIDs returns ids, or an empty non-nil slice (an empty array rather than NULL).
func pgOrEmptyIDs(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// pgStringOrNil returns nil (SQL NULL) for an empty string.
func pgStringOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// pgBumpGeneration is run by every transaction that changes what searches or Stats see.
const pgBumpGeneration = `UPDATE knowledge_state SET generation = generation + 1`

// pgDocumentColumns are read by every query that returns a whole document; pgDocumentListColumns
// leave out the procedure record.
const (
	pgDocumentListColumns = `id, source, title, kind, issuer, locality, number, dates, url, enabled, version, content_hash, locked, created_at, updated_at`
	pgDocumentColumns     = pgDocumentListColumns + `, procedure`
)

// pgScanDocument reads the columns of pgDocumentColumns, or of pgDocumentListColumns when
// withProcedure is false.
func pgScanDocument(row pgx.Row, withProcedure bool) (Document, error) {
	var d Document
	var proc []byte
	dest := []any{&d.ID, &d.Source, &d.Title, &d.Kind, &d.Issuer, &d.Locality, &d.Number, &d.Dates, &d.URL,
		&d.Enabled, &d.Version, &d.ContentHash, &d.Locked, &d.CreatedAt, &d.UpdatedAt}
	if withProcedure {
		dest = append(dest, &proc)
	}
	if err := row.Scan(dest...); err != nil {
		return Document{}, err
	}
	if len(proc) > 0 {
		d.Procedure = new(procedure.Record)
		if err := json.Unmarshal(proc, d.Procedure); err != nil {
			return Document{}, fmt.Errorf("procedure of %s: %w", d.Source, err)
		}
	}
	return d, nil
}

const pgPutDocumentUpsert = `
INSERT INTO documents AS d (source, title, kind, issuer, locality, locality_key, number, dates, url,
	enabled, content_hash, procedure, locked)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (source) DO UPDATE SET
	title        = CASE WHEN 'title'    = ANY (d.locked) THEN d.title        ELSE excluded.title        END,
	kind         = CASE WHEN 'kind'     = ANY (d.locked) THEN d.kind         ELSE excluded.kind         END,
	issuer       = CASE WHEN 'issuer'   = ANY (d.locked) THEN d.issuer       ELSE excluded.issuer       END,
	locality     = CASE WHEN 'locality' = ANY (d.locked) THEN d.locality     ELSE excluded.locality     END,
	locality_key = CASE WHEN 'locality' = ANY (d.locked) THEN d.locality_key ELSE excluded.locality_key END,
	number       = CASE WHEN 'number'   = ANY (d.locked) THEN d.number       ELSE excluded.number       END,
	url          = CASE WHEN 'url'      = ANY (d.locked) THEN d.url          ELSE excluded.url          END,
	enabled      = CASE WHEN 'enabled'  = ANY (d.locked) THEN d.enabled      ELSE excluded.enabled      END,
	dates        = excluded.dates,
	content_hash = excluded.content_hash,
	procedure    = excluded.procedure,
	version      = d.version + 1,
	updated_at   = now()
RETURNING ` + pgDocumentListColumns

// pgPutDocumentOld locks the stored document, if any, and tells whether its chunks are counted
// in term_df.
const pgPutDocumentOld = `SELECT enabled FROM documents WHERE source = $1 FOR UPDATE`

// pgPutDocumentReplace deletes the document's old chunks ($1 the document, $2 the new chunks)
// and records the change to term_df: -1 ($3) for each old chunk holding a term when the stored
// document was enabled, +1 ($4) for each new one when the new version is.
const pgPutDocumentReplace = `
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

// pgDocumentDF records the change to term_df of adding $2 (1 or -1) for every term of the
// document $1's chunks.
const pgDocumentDF = `
INSERT INTO term_df_changes (terms, counts)
SELECT array_agg(lexeme), array_agg(n)
FROM (
	SELECT lexeme, $2::integer * count(*)::integer AS n
	FROM chunks c, unnest(tsvector_to_array(c.terms)) AS lexeme
	WHERE c.document_id = $1
	GROUP BY lexeme
) d
HAVING count(*) > 0`

// pgWeight returns sign when the chunks are counted in term_df, else 0.
func pgWeight(counted bool, sign int) int {
	if counted {
		return sign
	}
	return 0
}

const pgPutDocumentChunkIDs = `SELECT nextval('chunks_id_seq') FROM generate_series(1, $1)`

// pgChunkCopyColumns are the columns PutDocument copies, in the order of chunkRow.
var pgChunkCopyColumns = []string{"id", "document_id", "ord", "section", "text", "head_terms", "body_terms",
	"head_len", "body_len", "terms", "embedding", "doc_enabled", "doc_kind", "doc_locality_key"}

// PutDocument inserts or replaces the document with doc.Source and all of its chunks in one
// transaction, so that readers see either the old or the new version. It keeps the stored
// values of the fields in the stored document's Locked, and fills doc and the chunks' IDs.
func (s *PostgresStore) PutDocument(ctx context.Context, doc *Document, chunks []Chunk) error {
	return s.PutDocuments(ctx, []*Document{doc}, [][]Chunk{chunks})
}

// PutDocuments writes several documents (each as PutDocument would) in one transaction: all are
// stored or none. Ingestion batches documents this way to save round trips and commits.
func (s *PostgresStore) PutDocuments(ctx context.Context, docs []*Document, chunks [][]Chunk) error {
	if len(docs) != len(chunks) {
		return fmt.Errorf("postgres: put documents: %w: %d documents, %d chunk lists", ErrInvalid, len(docs), len(chunks))
	}
	for _, doc := range docs {
		if err := pgCheckPut(doc); err != nil {
			return err
		}
	}
	// The rows of the next document are built while the server stores the previous one.
	puts := make([]pgPut, len(docs))
	ready := make([]chan error, len(docs))
	for i := range ready {
		ready[i] = make(chan error, 1)
	}
	go func() {
		for i, doc := range docs {
			var err error
			puts[i], err = pgPreparePut(doc, chunks[i])
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
		for i := range puts {
			err := <-ready[i]
			prepared++
			if err != nil {
				return err
			}
			if err := puts[i].exec(ctx, tx, bulk); err != nil {
				return fmt.Errorf("%s: %w", puts[i].doc.Source, err)
			}
		}
		_, err := tx.Exec(ctx, pgBumpGeneration)
		return err
	})
	if err != nil {
		return pgDBError("put documents", err)
	}
	if late := s.countBulk(puts); late != nil {
		terms, counts := pgDFArrays(late)
		if _, err := s.pool.Exec(ctx, pgRecordDF, terms, counts); err != nil {
			return pgDBError("put documents: term statistics", err)
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

// pgPut is one document being written: its rows, then what the database assigned.
type pgPut struct {
	doc    *Document
	proc   []byte
	rows   [][]any
	df     map[string]int32 // chunks holding each term: the new version's share of term_df
	stored Document
	ids    []int64
	// counted is set when exec left the new version's df to the caller (bulk mode).
	counted bool
}

// pgCheckPut checks that a document can be stored.
func pgCheckPut(doc *Document) error {
	if doc.Source == "" || !doc.Kind.Valid() {
		return fmt.Errorf("postgres: put document %q: %w: source and a known kind are required", doc.Source, ErrInvalid)
	}
	return nil
}

// pgPreparePut builds the rows of a checked document's chunks.
func pgPreparePut(doc *Document, chunks []Chunk) (pgPut, error) {
	p := pgPut{doc: doc}
	if doc.Procedure != nil {
		var err error
		if p.proc, err = json.Marshal(doc.Procedure); err != nil {
			return pgPut{}, fmt.Errorf("postgres: put document %s: %w", doc.Source, err)
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
		tsv := pgTermVector(c.HeadTerms, c.BodyTerms, set)
		for _, l := range tsv.Lexemes {
			p.df[l.Word]++
		}
		p.rows[i] = []any{nil, nil, i, c.Section, c.Text, c.HeadTerms, c.BodyTerms,
			termCount(c.HeadTerms), termCount(c.BodyTerms), tsv, emb, nil, nil, nil}
	}
	return p, nil
}

// exec writes the document within tx: upsert, new chunks copied in, old ones deleted, term
// statistics recorded (unless in bulk mode).
func (p *pgPut) exec(ctx context.Context, tx pgx.Tx, bulk bool) error {
	doc, rows := p.doc, p.rows
	var oldEnabled, oldExists bool
	b := &pgx.Batch{}
	b.Queue(pgPutDocumentOld, doc.Source).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&oldEnabled)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		oldExists = err == nil
		return err
	})
	b.Queue(pgPutDocumentUpsert, doc.Source, doc.Title, string(doc.Kind), doc.Issuer, doc.Locality,
		pgLocalityKey(doc.Locality), doc.Number, pgOrEmpty(doc.Dates), doc.URL, doc.Enabled, doc.ContentHash, p.proc,
		pgOrEmpty(doc.Locked)).QueryRow(func(row pgx.Row) error {
		var err error
		p.stored, err = pgScanDocument(row, false)
		return err
	})
	if len(rows) > 0 {
		b.Queue(pgPutDocumentChunkIDs, len(rows)).Query(func(r pgx.Rows) error {
			var err error
			p.ids, err = pgx.CollectRows(r, pgx.RowTo[int64])
			return err
		})
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	if len(rows) > 0 {
		// The stored document's fields: operator-locked ones may differ from doc's.
		for i := range rows {
			rows[i][0], rows[i][1] = p.ids[i], p.stored.ID
			rows[i][11], rows[i][12], rows[i][13] = p.stored.Enabled, string(p.stored.Kind), pgLocalityKey(p.stored.Locality)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"chunks"}, pgChunkCopyColumns, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
	}
	if oldExists {
		// A replacement: the server takes the old chunks' terms out of the statistics.
		_, err := tx.Exec(ctx, pgPutDocumentReplace, p.stored.ID, pgOrEmptyIDs(p.ids), pgWeight(oldEnabled, -1), pgWeight(p.stored.Enabled, 1))
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
	terms, counts := pgDFArrays(p.df)
	_, err := tx.Exec(ctx, pgRecordDF, terms, counts)
	return err
}

// pgRecordDF appends a change of term statistics.
const pgRecordDF = `INSERT INTO term_df_changes (terms, counts) VALUES ($1, $2)`

// pgDFArrays returns the terms and counts of a df map as parallel arrays.
func pgDFArrays(df map[string]int32) ([]string, []int32) {
	terms := make([]string, 0, len(df))
	counts := make([]int32, 0, len(df))
	for t, n := range df {
		terms = append(terms, t)
		counts = append(counts, n)
	}
	return terms, counts
}

// pgSyncChunkFilters copies a document's filter fields to its chunks.
const pgSyncChunkFilters = `UPDATE chunks SET doc_enabled = $2, doc_kind = $3, doc_locality_key = $4
WHERE document_id = $1 AND (doc_enabled, doc_kind, doc_locality_key) IS DISTINCT FROM ($2, $3, $4)`

// pgLocalityKey is the folded form of a locality that filters compare.
func pgLocalityKey(locality string) string {
	return vietnamese.Key(strings.TrimSpace(locality))
}

// pgMaxLexeme is the longest lexeme, in bytes, that a tsvector holds.
const pgMaxLexeme = 2046

// pgTermVector builds the tsvector of a chunk from its analysed terms, taken as they are: every
// distinct head term at position 1 with weight A, every distinct body term at position 2 with
// weight B. The terms go to the server in binary form, through no text-search parser. set is
// scratch space, reused across calls (a passage repeats its terms: collecting the distinct ones
// in a set and sorting those costs far less than sorting every occurrence).
func pgTermVector(head, body string, set map[string]uint8) pgtype.TSVector {
	const inHead, inBody = 1, 2
	clear(set)
	pgAddTerms(set, head, inHead)
	pgAddTerms(set, body, inBody)
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

// pgAddTerms marks in set, with flag, the space-separated terms of s that a tsvector can hold.
func pgAddTerms(set map[string]uint8, s string, flag uint8) {
	for t := range strings.FieldsSeq(s) {
		if len(t) > pgMaxLexeme || strings.IndexByte(t, 0) >= 0 {
			continue
		}
		set[t] |= flag
	}
}

// pgTwoOfQuery returns the text of a tsquery matching chunks that hold at least two of terms.
func pgTwoOfQuery(terms []string) string {
	var pairs []string
	for i := range terms {
		for j := i + 1; j < len(terms); j++ {
			pairs = append(pairs, "("+pgOrQuery(terms[i:i+1])+" & "+pgOrQuery(terms[j:j+1])+")")
		}
	}
	return strings.Join(pairs, " | ")
}

// pgOrQuery returns the text of a tsquery matching any of terms (from pgQueryTerms), each
// quoted as one exact lexeme (a quote doubled, a backslash escaped), so that no term is read as
// query syntax.
func pgOrQuery(terms []string) string {
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

const pgDocumentByID = `SELECT ` + pgDocumentColumns + ` FROM documents WHERE id = $1`

// Document returns the document with the given ID, or ErrNotFound.
func (s *PostgresStore) Document(ctx context.Context, id string) (Document, error) {
	if !pgIsUUID(id) {
		return Document{}, fmt.Errorf("postgres: document %s: %w", id, ErrNotFound)
	}
	d, err := pgScanDocument(s.pool.QueryRow(ctx, pgDocumentByID, id), true)
	if err != nil {
		return Document{}, pgDBError("document "+id, err)
	}
	return d, nil
}

const pgDocumentBySource = `SELECT ` + pgDocumentColumns + ` FROM documents WHERE source = $1`

// DocumentBySource returns the document with the given source, or ErrNotFound.
func (s *PostgresStore) DocumentBySource(ctx context.Context, source string) (Document, error) {
	d, err := pgScanDocument(s.pool.QueryRow(ctx, pgDocumentBySource, source), true)
	if err != nil {
		return Document{}, pgDBError("document "+source, err)
	}
	return d, nil
}

const pgDocumentsList = `SELECT ` + pgDocumentListColumns + ` FROM documents WHERE $1 = '' OR kind = $1 ORDER BY source`

// Documents lists documents without their procedure records, ordered by source, only those
// of the given kind when kind is not empty.
func (s *PostgresStore) Documents(ctx context.Context, kind Kind) ([]Document, error) {
	rows, err := s.pool.Query(ctx, pgDocumentsList, string(kind))
	if err != nil {
		return nil, pgDBError("documents", err)
	}
	docs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Document, error) {
		return pgScanDocument(row, false)
	})
	if err != nil {
		return nil, pgDBError("documents", err)
	}
	return docs, nil
}

const pgUpdateDocument = `
UPDATE documents SET
	title        = COALESCE($2, title),
	kind         = COALESCE($3, kind),
	issuer       = COALESCE($4, issuer),
	locality     = COALESCE($5, locality),
	locality_key = COALESCE($6, locality_key),
	number       = COALESCE($7, number),
	url          = COALESCE($8, url),
	enabled      = COALESCE($9, enabled),
	locked       = ARRAY(SELECT DISTINCT f FROM unnest(locked || $10::text[]) AS f ORDER BY f),
	updated_at   = now()
WHERE id = $1
RETURNING ` + pgDocumentColumns

// UpdateDocument applies patch, adds the fields it sets to the document's Locked list and
// returns the updated document, or ErrNotFound.
func (s *PostgresStore) UpdateDocument(ctx context.Context, id string, patch DocumentPatch) (Document, error) {
	if !pgIsUUID(id) {
		return Document{}, fmt.Errorf("postgres: update document %s: %w", id, ErrNotFound)
	}
	locked := []string{}
	var kind, locKey *string
	if patch.Title != nil {
		locked = append(locked, "title")
	}
	if patch.Kind != nil {
		if !patch.Kind.Valid() {
			return Document{}, fmt.Errorf("postgres: update document %s: %w: kind %q", id, ErrInvalid, *patch.Kind)
		}
		k := string(*patch.Kind)
		kind = &k
		locked = append(locked, "kind")
	}
	if patch.Issuer != nil {
		locked = append(locked, "issuer")
	}
	if patch.Locality != nil {
		k := pgLocalityKey(*patch.Locality)
		locKey = &k
		locked = append(locked, "locality")
	}
	if patch.Number != nil {
		locked = append(locked, "number")
	}
	if patch.URL != nil {
		locked = append(locked, "url")
	}
	if patch.Enabled != nil {
		locked = append(locked, "enabled")
	}
	var d Document
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var wasEnabled bool
		if err := tx.QueryRow(ctx, pgLockDocument, id).Scan(&wasEnabled); err != nil {
			return err
		}
		var err error
		d, err = pgScanDocument(tx.QueryRow(ctx, pgUpdateDocument, id, patch.Title, kind, patch.Issuer, patch.Locality,
			locKey, patch.Number, patch.URL, patch.Enabled, locked), true)
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		switch {
		case d.Enabled && !wasEnabled:
			b.Queue(pgDocumentDF, id, 1)
		case !d.Enabled && wasEnabled:
			b.Queue(pgDocumentDF, id, -1)
		}
		b.Queue(pgSyncChunkFilters, id, d.Enabled, string(d.Kind), pgLocalityKey(d.Locality))
		b.Queue(pgBumpGeneration)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return Document{}, pgDBError("update document "+id, err)
	}
	return d, nil
}

// pgLockDocument locks a document row and tells whether its chunks are counted in term_df.
const pgLockDocument = `SELECT enabled FROM documents WHERE id = $1 FOR UPDATE`

const pgDeleteDocument = `DELETE FROM documents WHERE id = $1`

// DeleteDocument removes a document and its chunks, or returns ErrNotFound.
func (s *PostgresStore) DeleteDocument(ctx context.Context, id string) error {
	if !pgIsUUID(id) {
		return fmt.Errorf("postgres: delete document %s: %w", id, ErrNotFound)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var enabled bool
		if err := tx.QueryRow(ctx, pgLockDocument, id).Scan(&enabled); err != nil {
			return err
		}
		b := &pgx.Batch{}
		if enabled {
			b.Queue(pgDocumentDF, id, -1)
		}
		b.Queue(pgDeleteDocument, id)
		b.Queue(pgBumpGeneration)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return pgDBError("delete document "+id, err)
	}
	return nil
}

// pgChunkColumns are read by every query that returns chunks, in the order of pgScanChunk.
const pgChunkColumns = `c.id, c.document_id, c.ord, c.section, c.text, c.head_terms, c.body_terms`

func pgScanChunk(row pgx.CollectableRow) (Chunk, error) {
	var c Chunk
	err := row.Scan(&c.ID, &c.DocumentID, &c.Ord, &c.Section, &c.Text, &c.HeadTerms, &c.BodyTerms)
	return c, err
}

const pgDocumentChunks = `SELECT ` + pgChunkColumns + ` FROM chunks c WHERE c.document_id = $1 ORDER BY c.ord`

// DocumentChunks returns a document's chunks in order, without embeddings.
func (s *PostgresStore) DocumentChunks(ctx context.Context, documentID string) ([]Chunk, error) {
	if !pgIsUUID(documentID) {
		return []Chunk{}, nil // no such document
	}
	rows, err := s.pool.Query(ctx, pgDocumentChunks, documentID)
	if err != nil {
		return nil, pgDBError("document chunks", err)
	}
	chunks, err := pgx.CollectRows(rows, pgScanChunk)
	if err != nil {
		return nil, pgDBError("document chunks", err)
	}
	return chunks, nil
}

// pgSearchFilter restricts both searches to enabled documents passing Filters, on the chunks'
// copies of their documents' fields. Its parameters
// are $2 kinds, $3 locality key, $4 locality-or-national, $5 sources, $6 document IDs; an empty
// array or locality key means no restriction.
const pgSearchFilter = `c.doc_enabled
	AND (COALESCE(cardinality($2::text[]), 0) = 0 OR c.doc_kind = ANY ($2::text[]))
	AND ($3::text = '' OR c.doc_locality_key = $3::text OR ($4::boolean AND c.doc_locality_key = ''))
	AND (COALESCE(cardinality($5::text[]), 0) = 0 OR c.document_id IN (SELECT id FROM documents WHERE source = ANY ($5::text[])))
	AND (COALESCE(cardinality($6::uuid[]), 0) = 0 OR c.document_id = ANY ($6::uuid[]))`

// pgHitColumns follow pgChunkColumns in search results, before the score.
const pgHitColumns = `d.source, d.title, d.kind, d.locality, d.number, d.url`

// pgFilterArgs returns the arguments $2 to $6 of pgSearchFilter, and false when the filters admit
// no document at all (document IDs were given and none is a UUID).
func pgFilterArgs(f Filters) ([]any, bool) {
	kinds := make([]string, len(f.Kinds))
	for i, k := range f.Kinds {
		kinds[i] = string(k)
	}
	ids := make([]string, 0, len(f.DocumentIDs))
	for _, id := range f.DocumentIDs {
		if pgIsUUID(id) {
			ids = append(ids, id)
		}
	}
	if len(f.DocumentIDs) > 0 && len(ids) == 0 {
		return nil, false
	}
	return []any{kinds, pgLocalityKey(f.Locality), f.LocalityOrNational, pgOrEmpty(f.Sources), ids}, true
}

func pgScanHit(row pgx.CollectableRow) (Hit, error) {
	var h Hit
	err := row.Scan(&h.Chunk.ID, &h.Chunk.DocumentID, &h.Chunk.Ord, &h.Chunk.Section, &h.Chunk.Text,
		&h.Chunk.HeadTerms, &h.Chunk.BodyTerms,
		&h.Doc.Source, &h.Doc.Title, &h.Doc.Kind, &h.Doc.Locality, &h.Doc.Number, &h.Doc.URL, &h.Score)
	h.Doc.ID = h.Chunk.DocumentID
	return h, err
}

// pgSearchLexical ranks with ts_rank, by all the query's terms ($8), the chunks matching $1: all
// the terms, or only the rarer ones (see SearchLexical). Head terms (weight A) count 1.0, body
// terms (weight B) 0.4.
const pgSearchLexical = `
SELECT ` + pgChunkColumns + `, ` + pgHitColumns + `, r.rank
FROM (
	SELECT c.id, ts_rank('{0.1, 0.2, 0.4, 1.0}', c.terms, $8::tsquery) AS rank
	FROM chunks c
	WHERE c.terms @@ $1::tsquery AND ` + pgSearchFilter + `
	ORDER BY rank DESC, c.id
	LIMIT $7
) r
JOIN chunks c ON c.id = r.id
JOIN documents d ON d.id = c.document_id
ORDER BY r.rank DESC, c.id`

// pgLexicalBudget is the number of chunks, estimated from the column statistics, that
// SearchLexical ranks at first; pgLexicalMaxRows the most it ranks when that gives too few hits.
// Ranking costs about 10 µs a chunk (decompressing and reading its tsvector).
const (
	pgLexicalBudget  = 600
	pgLexicalMaxRows = 4000
	// pgLexicalEnough is how many hits make the rarer terms' candidates enough: more terms are
	// taken only when they give fewer (a caller's limit is a pool it re-ranks, not a need).
	pgLexicalEnough = 50
)

// SearchLexical returns up to limit passages of enabled documents containing any of terms as an
// exact lexeme in head or body, best ts_rank (over all the terms) first.
//
// Ranking every chunk that holds a common term ("dang", "ho_so": half the corpus) would read
// most of the table, so the candidates are the chunks holding the rarer terms: terms are taken
// rarest first, by the statistics ANALYZE keeps on the column, while their estimated chunks
// stay within pgLexicalBudget (the rarest term always). The common terms then only add to the
// rank of those candidates. When the candidates give fewer than pgLexicalEnough hits, more terms
// are taken, up to pgLexicalMaxRows. On a small corpus, or before ANALYZE, every matching chunk is
// ranked.
func (s *PostgresStore) SearchLexical(ctx context.Context, terms []string, f Filters, limit int) ([]Hit, error) {
	terms = pgQueryTerms(terms)
	args, ok := pgFilterArgs(f)
	if len(terms) == 0 || limit <= 0 || !ok {
		return []Hit{}, nil
	}
	var hits []Hit
	err := s.searchConn(ctx, f, 0, func(q pgQuerier) error {
		var err error
		hits, err = s.searchLexicalPruned(ctx, q, terms, args, limit)
		return err
	})
	if err != nil {
		return nil, pgDBError("search lexical", err)
	}
	return hits, nil
}

// pgQuerier is a pool or a transaction.
type pgQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// searchConn runs a search on the pool, with the connection's generic plans and HNSW candidate
// list, or, for a filtered search or a longer candidate list (ef > pgMinEFSearch), in a
// read-only transaction that plans each statement for its values and sets the list.
func (s *PostgresStore) searchConn(ctx context.Context, f Filters, ef int, fn func(pgQuerier) error) error {
	filtered := len(f.Kinds) > 0 || f.Locality != "" || len(f.Sources) > 0 || len(f.DocumentIDs) > 0
	if !filtered && ef <= pgMinEFSearch {
		return fn(s.pool)
	}
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		plan := "force_generic_plan"
		if filtered {
			plan = "force_custom_plan"
		}
		if _, err := tx.Exec(ctx, pgSearchSettings, plan, strconv.Itoa(max(ef, pgMinEFSearch))); err != nil {
			return err
		}
		return fn(tx)
	})
}

// pgSearchSettings sets, for one transaction, how statements are planned ($1) and the HNSW
// candidate list ($2).
const pgSearchSettings = `SELECT set_config('plan_cache_mode', $1, true), set_config('hnsw.ef_search', $2, true)`

// searchLexicalPruned is SearchLexical's candidate pruning (see there).
func (s *PostgresStore) searchLexicalPruned(ctx context.Context, q pgQuerier, terms []string, args []any, limit int) ([]Hit, error) {
	freq := s.termFrequencies(ctx)
	slices.SortStableFunc(terms, func(a, b string) int { return cmp.Compare(freq.rows(a), freq.rows(b)) })
	rank := pgOrQuery(terms)
	// Take terms[:n], the rarest, while their chunks fit in budget.
	n, rows := 1, freq.rows(terms[0])
	take := func(budget float64) {
		for n < len(terms) && rows+freq.rows(terms[n]) <= budget {
			rows += freq.rows(terms[n])
			n++
		}
	}
	take(pgLexicalBudget)
	// When even the rarest term is common, first rank only the chunks holding two of the
	// three rarest terms: far fewer, and the ones that matter.
	if rows > pgLexicalBudget && len(terms) >= 2 {
		hits, err := s.searchLexical(ctx, q, pgTwoOfQuery(terms[:min(3, len(terms))]), rank, args, limit)
		if err != nil || len(hits) >= min(limit, pgLexicalEnough) {
			return hits, err
		}
	}
	for {
		match := rank
		if n < len(terms) {
			match = pgOrQuery(terms[:n])
		}
		hits, err := s.searchLexical(ctx, q, match, rank, args, limit)
		if err != nil || len(hits) >= min(limit, pgLexicalEnough) || n == len(terms) || rows+freq.rows(terms[n]) > pgLexicalMaxRows {
			return hits, err
		}
		rows += freq.rows(terms[n])
		n++
		take(max(2*rows, pgLexicalBudget))
	}
}

func (s *PostgresStore) searchLexical(ctx context.Context, q pgQuerier, match, rank string, filter []any, limit int) ([]Hit, error) {
	args := make([]any, 0, 8)
	args = append(args, match)
	args = append(args, filter...)
	args = append(args, limit, rank)
	rows, err := q.Query(ctx, pgSearchLexical, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgScanHit)
}

// pgTermStats reads what ANALYZE found about the terms column: the most common lexemes with
// the fraction of chunks holding each, and the number of chunks.
const pgTermStats = `
SELECT COALESCE(s.most_common_elems::text::text[], '{}'), COALESCE(s.most_common_elem_freqs, '{}'), c.reltuples
FROM pg_class c
LEFT JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = 'chunks' AND s.attname = 'terms'
WHERE c.oid = 'chunks'::regclass`

// pgTermStatsTTL is how long SearchLexical reuses the column statistics.
const pgTermStatsTTL = time.Minute

// pgTermFrequencies estimates how many chunks hold a term.
type pgTermFrequencies struct {
	exact   termTable          // the term counts of the last Stats, when there is one
	common  map[string]float64 // chunks holding each of the most common terms
	rare    float64            // chunks holding any other term
	fetched time.Time
}

// rows returns the estimated number of chunks holding term.
func (f *pgTermFrequencies) rows(term string) float64 {
	if f.exact != nil {
		// A term missing from the counts came after them: a rare one.
		return float64(max(f.exact.get(term), 1))
	}
	if n, ok := f.common[term]; ok {
		return n
	}
	return f.rare
}

// termFrequencies returns the exact term counts read by the last Stats (a searching Index
// reads them again whenever the store changes), or else the column statistics, read again
// when older than pgTermStatsTTL. Without either every term looks rare, and SearchLexical
// ranks every match in one pass.
func (s *PostgresStore) termFrequencies(ctx context.Context) *pgTermFrequencies {
	if df := s.termDF.Load(); df != nil {
		return &pgTermFrequencies{exact: *df}
	}
	if f := s.termStats.Load(); f != nil && time.Since(f.fetched) < pgTermStatsTTL {
		return f
	}
	var elems []string
	var freqs []float64
	var rows float64
	f := &pgTermFrequencies{fetched: time.Now()}
	if err := s.pool.QueryRow(ctx, pgTermStats).Scan(&elems, &freqs, &rows); err != nil {
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

// pgQueryTerms returns the distinct terms a tsquery can hold, in their first order.
func pgQueryTerms(terms []string) []string {
	out := make([]string, 0, len(terms))
	for _, t := range terms {
		if t != "" && len(t) <= pgMaxLexeme && strings.IndexByte(t, 0) < 0 && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

const pgSearchVector = `
SELECT ` + pgChunkColumns + `, ` + pgHitColumns + `, c.embedding <=> $1 AS distance
FROM chunks c
JOIN documents d ON d.id = c.document_id
WHERE c.embedding IS NOT NULL AND ` + pgSearchFilter + `
ORDER BY c.embedding <=> $1
LIMIT $7`

// pgMinEFSearch is the smallest HNSW candidate list a search uses, set on every connection.
// Questions are short beside passages, and their nearest passages are harder for the graph to
// reach: with the built-in embedder a list of 40 finds 68% of a question's 40 nearest passages
// (exact search over 36,000 procedure passages, 64 questions), 80 finds 84%, at about the same
// latency beside the lexical half.
const pgMinEFSearch = 80

// SearchVector returns up to limit passages of enabled documents nearest to vec by cosine
// distance through the HNSW index, best first; Score is 1 - distance.
func (s *PostgresStore) SearchVector(ctx context.Context, vec []float32, f Filters, limit int) ([]Hit, error) {
	args, ok := pgFilterArgs(f)
	if len(vec) == 0 {
		return nil, fmt.Errorf("postgres: search vector: %w: empty vector", ErrInvalid)
	}
	if limit <= 0 || !ok {
		return []Hit{}, nil
	}
	args = append([]any{pgvector.NewVector(vec)}, args...)
	args = append(args, limit)
	var hits []Hit
	err := s.searchConn(ctx, f, limit, func(q pgQuerier) error {
		// A vector of another dimension than the stored ones fails in the distance operator
		// (a data exception: ErrInvalid).
		rows, err := q.Query(ctx, pgSearchVector, args...)
		if err == nil {
			hits, err = pgx.CollectRows(rows, pgScanHit)
		}
		return err
	})
	if err != nil {
		return nil, pgDBError("search vector", err)
	}
	for i := range hits {
		hits[i].Score = 1 - hits[i].Score
	}
	// An iterative scan returns rows in a relaxed order.
	slices.SortStableFunc(hits, func(a, b Hit) int {
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

// pgFoldTermDF moves the recorded changes into term_df. Concurrent folds apply each change
// once (the second DELETE skips the rows the first removed) and take the row locks of term_df
// in term order, so they cannot deadlock.
const pgFoldTermDF = `
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
	pgStatsCounts = `
SELECT count(*), COALESCE(avg(c.head_len), 0), COALESCE(avg(c.body_len), 0)
FROM chunks c
WHERE c.doc_enabled`
	pgStatsDF = `SELECT term, df FROM term_df WHERE df > 0`
)

// Stats returns the number of enabled passages, their mean head and body lengths, and for every
// term the number of enabled passages holding it in head or body. It first folds the changes
// writers recorded into the term counts (a second or two after loading 100,000 chunks, little
// afterwards); counts and lengths then come from one snapshot, in which the term counts may miss
// the writes committed while Stats was folding.
func (s *PostgresStore) Stats(ctx context.Context) (Stats, error) {
	if _, err := s.pool.Exec(ctx, pgFoldTermDF); err != nil {
		return Stats{}, pgDBError("stats", err)
	}
	var st Stats
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err := pgx.BeginTxFunc(ctx, s.pool, opts, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, pgStatsCounts).Scan(&st.Chunks, &st.AvgHeadLen, &st.AvgBodyLen); err != nil {
			return err
		}
		st.DF = make(map[string]int32)
		rows, err := tx.Query(ctx, pgStatsDF)
		if err != nil {
			return err
		}
		var word string
		var n int32
		_, err = pgx.ForEachRow(rows, []any{&word, &n}, func() error {
			st.DF[word] = n
			return nil
		})
		return err
	})
	if err != nil {
		return Stats{}, pgDBError("stats", err)
	}
	table := newTermTable(st.DF)
	s.termDF.Store(&table)
	st.table = table
	return st, nil
}

const pgGeneration = `SELECT generation FROM knowledge_state`

// Generation returns a number that changes whenever documents, chunks or vectors change.
func (s *PostgresStore) Generation(ctx context.Context) (int64, error) {
	var g int64
	if err := s.pool.QueryRow(ctx, pgGeneration).Scan(&g); err != nil {
		return 0, pgDBError("generation", err)
	}
	return g, nil
}

const pgIndexInfo = `SELECT embedder, dim FROM knowledge_state`

// IndexInfo returns the embedder that built the stored vectors; the zero value when none.
func (s *PostgresStore) IndexInfo(ctx context.Context) (IndexInfo, error) {
	var info IndexInfo
	if err := s.pool.QueryRow(ctx, pgIndexInfo).Scan(&info.Embedder, &info.Dim); err != nil {
		return IndexInfo{}, pgDBError("index info", err)
	}
	return info, nil
}

const pgResetEmbeddings = `SELECT knowledge_reset_embeddings($1, $2)`

// ResetEmbeddings records info, clears every stored vector, sets the vector column to
// info.Dim dimensions and rebuilds the HNSW index. It locks the chunks table while it runs.
func (s *PostgresStore) ResetEmbeddings(ctx context.Context, info IndexInfo) error {
	if info.Dim < 1 || info.Dim > 2000 {
		return fmt.Errorf("postgres: reset embeddings: %w: dimension %d, want 1 to 2000", ErrInvalid, info.Dim)
	}
	if _, err := s.pool.Exec(ctx, pgResetEmbeddings, info.Embedder, info.Dim); err != nil {
		return pgDBError("reset embeddings", err)
	}
	return nil
}

const pgChunksWithoutEmbedding = `SELECT ` + pgChunkColumns + ` FROM chunks c WHERE c.embedding IS NULL ORDER BY c.id LIMIT $1`

// ChunksWithoutEmbedding returns up to limit chunks whose vector is empty, in ID order.
func (s *PostgresStore) ChunksWithoutEmbedding(ctx context.Context, limit int) ([]Chunk, error) {
	if limit <= 0 {
		return []Chunk{}, nil
	}
	rows, err := s.pool.Query(ctx, pgChunksWithoutEmbedding, limit)
	if err != nil {
		return nil, pgDBError("chunks without embedding", err)
	}
	chunks, err := pgx.CollectRows(rows, pgScanChunk)
	if err != nil {
		return nil, pgDBError("chunks without embedding", err)
	}
	return chunks, nil
}

const pgSetEmbeddings = `
UPDATE chunks c SET embedding = v.embedding
FROM unnest($1::bigint[], $2::vector[]) AS v (id, embedding)
WHERE c.id = v.id`

// SetEmbeddings stores vectors by chunk ID; IDs of chunks that no longer exist are ignored, and
// a vector of the wrong dimension is ErrInvalid.
func (s *PostgresStore) SetEmbeddings(ctx context.Context, vecs map[int64][]float32) error {
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
		if _, err := tx.Exec(ctx, pgSetEmbeddings, ids, vs); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, pgBumpGeneration)
		return err
	})
	if err != nil {
		return pgDBError("set embeddings", err)
	}
	return nil
}
