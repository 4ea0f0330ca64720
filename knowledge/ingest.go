package knowledge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/trolyao/trolyao/knowledge/extract"
)

// pipelineVersion is part of every document's content hash: bump it when extraction, chunking
// or analysis change so that re-ingesting unchanged files rebuilds their passages.
const pipelineVersion = "pipeline-5"

// Ingester reads files into the knowledge base: extraction, chunking, embedding, and an atomic
// replacement of each document.
type Ingester struct {
	store    Store
	chunker  *Chunker
	embedder Embedder
	logger   *slog.Logger
	// MaxFileSize is the largest file accepted, in bytes.
	MaxFileSize int64
	// Workers is how many files are prepared concurrently.
	Workers int
	// BulkThreshold is the number of files from which a run uses the store's bulk-load mode
	// (indexes built once at the end rather than maintained after every write).
	BulkThreshold int
}

// NewIngester returns an ingester writing to store.
func NewIngester(store Store, chunker *Chunker, embedder Embedder, logger *slog.Logger) *Ingester {
	return &Ingester{store: store, chunker: chunker, embedder: embedder, logger: logger, MaxFileSize: 20 << 20, Workers: runtime.GOMAXPROCS(0) + 1,
		BulkThreshold: 500}
}

// Outcome says what ingestion did with one file.
type Outcome string

// Outcomes.
const (
	Added     Outcome = "added"
	Updated   Outcome = "updated"
	Unchanged Outcome = "unchanged"
	Failed    Outcome = "failed"
)

// FileResult is the result of ingesting one file.
type FileResult struct {
	Path    string // the file as found on disk
	Source  string // the document's source
	Outcome Outcome
	Chunks  int
	Err     error
}

// Report summarises an ingestion run.
type Report struct {
	Files []FileResult
}

// Count returns how many files had the outcome.
func (r Report) Count(o Outcome) int {
	n := 0
	for _, f := range r.Files {
		if f.Outcome == o {
			n++
		}
	}
	return n
}

// ErrFileTooLarge reports a file over the configured size limit.
var ErrFileTooLarge = errors.New("file too large")

// input is one file to ingest with the source name it will have.
type input struct {
	path, source string
	unchanged    bool // found unchanged by a scan before the run: not read again
}

// IngestPaths ingests files and folders (recursively; hidden files and folders are skipped). A
// document's source is its path relative to the folder given, or its base name for a file
// given directly. Each file succeeds or fails on its own; the run returns an error only when it
// could not proceed at all (a path that does not exist is a failed file, not a run error). It
// returns when every file is done or ctx is cancelled.
func (in *Ingester) IngestPaths(ctx context.Context, paths []string) (Report, error) {
	var inputs []input
	var rep Report
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			rep.Files = append(rep.Files, FileResult{Path: p, Source: filepath.Base(p), Outcome: Failed, Err: fmt.Errorf("cannot read: %w", err)})
			continue
		}
		if !fi.IsDir() {
			inputs = append(inputs, input{path: p, source: filepath.Base(p)})
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				rep.Files = append(rep.Files, FileResult{Path: path, Source: path, Outcome: Failed, Err: fmt.Errorf("cannot read: %w", err)})
				return nil
			}
			name := d.Name()
			if path != p && strings.HasPrefix(name, ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() || !d.Type().IsRegular() {
				return nil
			}
			rel, err := filepath.Rel(p, path)
			if err != nil {
				return err
			}
			inputs = append(inputs, input{path: path, source: filepath.ToSlash(rel)})
			return nil
		})
		if err != nil {
			return rep, fmt.Errorf("ingest: walk %s: %w", p, err)
		}
	}
	sort.SliceStable(inputs, func(i, j int) bool { return inputs[i].source < inputs[j].source })
	// Bulk mode rebuilds the search indexes over the whole knowledge base: worth it when many
	// files will be written, and they are a good share of what the knowledge base will hold
	// (keeping the indexes up to date costs a few times more per passage than building them).
	bulk := false
	if len(inputs) >= in.BulkThreshold {
		changed, stored := in.markUnchanged(ctx, inputs)
		bulk = changed >= in.BulkThreshold && changed >= stored/3
	}
	if bulk {
		if err := in.store.BeginBulk(ctx); err != nil {
			return rep, fmt.Errorf("ingest: %w", err)
		}
		defer func() {
			// The index must be rebuilt even when the run was cancelled.
			if err := in.store.EndBulk(context.WithoutCancel(ctx)); err != nil {
				in.logger.ErrorContext(ctx, "rebuild indexes after ingestion", slog.Any("error", err))
			}
		}()
	}

	// Workers read and prepare files concurrently; one writer stores them, several documents
	// per transaction when they come faster than they are written.
	jobs := make(chan input)
	prepared := make(chan pending, 4*maxBatch)
	var wg sync.WaitGroup
	for range max(in.Workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				prepared <- in.prepareFile(ctx, f)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, f := range inputs {
			select {
			case jobs <- f:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(prepared)
	}()
	for batch := range batches(prepared, maxBatch) {
		for _, r := range in.write(ctx, batch) {
			if r.Err != nil {
				in.logger.WarnContext(ctx, "ingest failed", slog.String("source", r.Source), slog.Any("error", r.Err))
			}
			rep.Files = append(rep.Files, r)
		}
	}
	sort.SliceStable(rep.Files, func(i, j int) bool { return rep.Files[i].Source < rep.Files[j].Source })
	if !bulk && rep.Count(Added)+rep.Count(Updated) > 0 { // a bulk run's end optimizes anyway
		if err := in.Optimize(ctx); err != nil {
			in.logger.WarnContext(ctx, "optimize the index after ingestion", slog.Any("error", err))
		}
	}
	return rep, ctx.Err()
}

// markUnchanged marks the inputs whose stored version has the same content hash (prepare's
// comparison, for all of them in one listing), and returns how many others there are and how
// many documents are stored. Files it cannot read count as changed (prepare reports them); so
// does every file when the stored documents cannot be listed.
func (in *Ingester) markUnchanged(ctx context.Context, inputs []input) (changed, stored int) {
	docs, err := in.store.Documents(ctx, "")
	if err != nil {
		in.logger.WarnContext(ctx, "list documents to count changed files", slog.Any("error", err))
		return len(inputs), 0
	}
	hashes := make(map[string]string, len(docs))
	for _, d := range docs {
		hashes[d.Source] = d.ContentHash
	}
	for i, f := range inputs {
		h, ok := hashes[f.source]
		if !ok {
			changed++
			continue
		}
		data, err := readLimited(f.path, in.MaxFileSize)
		if err != nil || contentHash(data) != h {
			changed++
			continue
		}
		inputs[i].unchanged = true
	}
	return changed, len(docs)
}

// contentHash identifies a file's content as ingested by this pipeline version.
func contentHash(data []byte) string {
	sum := sha256.Sum256(append([]byte(pipelineVersion+"\x00"), data...))
	return hex.EncodeToString(sum[:])
}

// optimizer is implemented by stores whose indexes benefit from compaction after writes.
type optimizer interface {
	Optimize(ctx context.Context) error
}

// Optimize compacts the store's indexes when the store supports it; call it after a series of
// Ingest calls (IngestPaths does it itself).
func (in *Ingester) Optimize(ctx context.Context) error {
	if o, ok := in.store.(optimizer); ok {
		return o.Optimize(ctx)
	}
	return nil
}

// maxBatch is the most documents written in one transaction.
const maxBatch = 32

// pending is a prepared file waiting to be written, or its result when there is nothing to
// write (unchanged or failed).
type pending struct {
	result FileResult
	doc    *Document
	chunks []Chunk
}

// batches groups what arrives on in: whatever is ready, up to max, without waiting for more.
// The returned channel is closed after in is.
func batches(in <-chan pending, max int) <-chan []pending {
	out := make(chan []pending)
	go func() {
		defer close(out)
		for p := range in {
			batch := []pending{p}
		fill:
			for len(batch) < max {
				select {
				case q, ok := <-in:
					if !ok {
						break fill
					}
					batch = append(batch, q)
				default:
					break fill
				}
			}
			out <- batch
		}
	}()
	return out
}

// write stores the prepared documents of a batch and returns the results of all its files.
func (in *Ingester) write(ctx context.Context, batch []pending) []FileResult {
	var todo []int
	out := make([]FileResult, len(batch))
	for i, p := range batch {
		out[i] = p.result
		if p.doc != nil {
			todo = append(todo, i)
		}
	}
	if len(todo) > 1 {
		docs, chunks := make([]*Document, len(todo)), make([][]Chunk, len(todo))
		for k, i := range todo {
			docs[k], chunks[k] = batch[i].doc, batch[i].chunks
		}
		if err := in.store.PutDocuments(ctx, docs, chunks); err == nil {
			for _, i := range todo {
				out[i] = written(out[i], batch[i].doc, len(batch[i].chunks))
			}
			return out
		}
		// One bad document fails the whole transaction: write them one by one to find it.
	}
	for _, i := range todo {
		if err := in.store.PutDocument(ctx, batch[i].doc, batch[i].chunks); err != nil {
			out[i].Outcome, out[i].Err = Failed, err
			continue
		}
		out[i] = written(out[i], batch[i].doc, len(batch[i].chunks))
	}
	return out
}

func written(r FileResult, doc *Document, chunks int) FileResult {
	r.Outcome, r.Chunks, r.Err = Added, chunks, nil
	if doc.Version > 1 {
		r.Outcome = Updated
	}
	return r
}

// prepareFile reads, extracts, chunks and embeds one file, unless it is unchanged.
func (in *Ingester) prepareFile(ctx context.Context, f input) pending {
	p := pending{result: FileResult{Path: f.path, Source: f.source, Outcome: Failed}}
	if f.unchanged {
		p.result.Outcome = Unchanged
		return p
	}
	data, err := readLimited(f.path, in.MaxFileSize)
	if err != nil {
		p.result.Err = err
		return p
	}
	doc, chunks, unchanged, err := in.prepare(ctx, f.source, data)
	switch {
	case err != nil:
		p.result.Err = err
	case unchanged:
		p.result.Outcome = Unchanged
	default:
		p.doc, p.chunks = &doc, chunks
	}
	return p
}

func readLimited(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: over the limit of %d bytes", ErrFileTooLarge, limit)
	}
	return data, nil
}

// Ingest adds or replaces the document source with the content data (a file's bytes, format
// detected from the source's extension and the content). Unchanged content does nothing.
func (in *Ingester) Ingest(ctx context.Context, source string, data []byte) (Outcome, int, error) {
	doc, chunks, unchanged, err := in.prepare(ctx, source, data)
	switch {
	case err != nil:
		return Failed, 0, err
	case unchanged:
		return Unchanged, 0, nil
	}
	if err := in.store.PutDocument(ctx, &doc, chunks); err != nil {
		return Failed, 0, err
	}
	r := written(FileResult{}, &doc, len(chunks))
	return r.Outcome, r.Chunks, nil
}

// prepare turns content into a document with embedded passages, or reports it unchanged.
func (in *Ingester) prepare(ctx context.Context, source string, data []byte) (Document, []Chunk, bool, error) {
	hash := contentHash(data)
	existing, err := in.store.DocumentBySource(ctx, source)
	switch {
	case err == nil && existing.ContentHash == hash:
		return Document{}, nil, true, nil
	case err != nil && !errors.Is(err, ErrNotFound):
		return Document{}, nil, false, err
	}
	ex, err := extract.File(source, data)
	if err != nil {
		return Document{}, nil, false, err
	}
	doc, chunks, err := in.Prepare(ctx, ex)
	if err != nil {
		return Document{}, nil, false, err
	}
	doc.Source, doc.ContentHash = source, hash
	return doc, chunks, false, nil
}

// Prepare turns an extracted document into a knowledge-base document with embedded passages.
func (in *Ingester) Prepare(ctx context.Context, ex *extract.Document) (Document, []Chunk, error) {
	doc := Document{
		Title:     ex.Title,
		Kind:      Kind(ex.Kind),
		Issuer:    ex.Issuer,
		Locality:  ex.Locality,
		Number:    ex.Number,
		Dates:     ex.Dates,
		URL:       ex.URL,
		Enabled:   true,
		Procedure: ex.Procedure,
	}
	if !doc.Kind.Valid() {
		doc.Kind = KindOther
	}
	chunks := in.chunker.Chunks(ex)
	if len(chunks) == 0 {
		return Document{}, nil, fmt.Errorf("%w: nothing to index", extract.ErrEmpty)
	}
	doc.Forms = chunksForms(chunks)
	if err := embedChunks(ctx, in.embedder, chunks); err != nil {
		return Document{}, nil, err
	}
	return doc, chunks, nil
}

// embedChunks fills the chunks' embeddings, in batches for model servers.
func embedChunks(ctx context.Context, e Embedder, chunks []Chunk) error {
	if e == nil {
		return nil
	}
	if te, ok := e.(termEmbedder); ok {
		for i := range chunks {
			chunks[i].Embedding = te.embedIndexText(chunks[i].HeadTerms, chunks[i].BodyTerms)
		}
		return nil
	}
	const batch = 32
	for start := 0; start < len(chunks); start += batch {
		end := min(start+batch, len(chunks))
		texts := make([]string, 0, end-start)
		for _, c := range chunks[start:end] {
			texts = append(texts, EmbeddingText(c))
		}
		vecs, err := e.EmbedDocuments(ctx, texts)
		if err != nil {
			return fmt.Errorf("embed passages: %w", err)
		}
		if len(vecs) != len(texts) {
			return fmt.Errorf("embed passages: %d vectors for %d passages", len(vecs), len(texts))
		}
		for i, v := range vecs {
			chunks[start+i].Embedding = v
		}
	}
	return nil
}

// EmbeddingText is what a model embedder sees of a passage: its section path and text.
func EmbeddingText(c Chunk) string {
	if c.Section == "" {
		return c.Text
	}
	return c.Section + "\n" + c.Text
}
