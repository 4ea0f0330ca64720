package knowledge

import (
	"context"
	"errors"
)

// Sentinel errors of the knowledge base. Stores map their driver errors to these.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	ErrInvalid  = errors.New("invalid")
)

// Chunk is one retrievable passage of a document.
type Chunk struct {
	ID         int64  // assigned by the store
	DocumentID string //
	Ord        int    // position in the document, from 0
	Section    string // section path, e.g. "Cách thức thực hiện › Trực tuyến"
	Text       string // the passage as shown to people
	// HeadTerms and BodyTerms are the analysed terms (vietnamese.IndexText) of the document
	// title plus section path, and of the passage text. Full-text engines index them.
	HeadTerms string
	BodyTerms string
	// Embedding is the passage vector; stores may leave it empty when reading.
	Embedding []float32
}

// Filters restrict retrieval. Zero values mean no restriction; disabled documents are never
// returned.
type Filters struct {
	Kinds       []Kind
	Locality    string   // matched on the folded key; documents without a locality also pass when LocalityOrNational is set
	Sources     []string // exact sources
	DocumentIDs []string
	// LocalityOrNational lets documents without a locality pass a Locality filter.
	LocalityOrNational bool
}

// Hit is one candidate passage returned by a store's lexical or vector search.
type Hit struct {
	Chunk Chunk
	Doc   DocRef
	// Score is the engine's own score: higher is better (stores negate distances).
	Score float64
}

// Stats are corpus statistics for ranking: how many passages contain each term.
type Stats struct {
	Chunks     int        // number of enabled passages
	AvgHeadLen float64    // mean number of head terms per passage
	AvgBodyLen float64    // mean number of body terms per passage
	DF         TermCounts // passages containing the term (head or body); read-only: a store may share it
}

// IndexInfo records which embedder built the stored vectors.
type IndexInfo struct {
	Embedder string // e.g. "builtin-hash-v1", "ollama:nomic-embed-text"
	Dim      int
}

// Store is the knowledge base's persistence: documents and passages with their full-text and
// vector indexes, conversations, feedback and connector state. postgres.Store and sqlite.Store
// implement it and pass the same contract tests.
type Store interface {
	// PutDocument inserts doc with its chunks, or replaces the document with the same Source and
	// all of its chunks, atomically: readers see the old or the new version, never a mix or
	// nothing. The document must pass Document.Prepare (ErrInvalid otherwise). It assigns
	// doc.ID (kept on replacement), doc.Version, chunk IDs, timestamps, and keeps the stored
	// document's operator-set fields (Document.KeepLocked); a new document has none.
	PutDocument(ctx context.Context, doc *Document, chunks []Chunk) error
	// PutDocuments writes several documents, each as PutDocument would, in one transaction:
	// all are stored or none. chunks[i] are the chunks of docs[i].
	PutDocuments(ctx context.Context, docs []*Document, chunks [][]Chunk) error
	// BeginBulk prepares the store for a large ingestion (a store may drop indexes it is
	// cheaper to build once); EndBulk, which must follow even when the ingestion fails, puts
	// them back. Reads stay correct in between, only slower.
	BeginBulk(ctx context.Context) error
	EndBulk(ctx context.Context) error
	// Document returns the document with the given ID, or ErrNotFound.
	Document(ctx context.Context, id string) (Document, error)
	// DocumentBySource returns the document with the given source, or ErrNotFound.
	DocumentBySource(ctx context.Context, source string) (Document, error)
	// Documents lists documents (without Procedure) ordered by source, filtered by kind when
	// kind is non-empty.
	Documents(ctx context.Context, kind Kind) ([]Document, error)
	// UpdateDocument applies patch (DocumentPatch.Apply) and returns the updated document, or
	// ErrNotFound; ErrInvalid when the patch is invalid.
	UpdateDocument(ctx context.Context, id string, patch DocumentPatch) (Document, error)
	// DeleteDocument removes a document and its chunks, or returns ErrNotFound.
	DeleteDocument(ctx context.Context, id string) error
	// DocumentChunks returns a document's chunks in order, without embeddings.
	DocumentChunks(ctx context.Context, documentID string) ([]Chunk, error)

	// SearchLexical returns up to limit passages of enabled documents that contain any of the
	// terms (matched in head or body), best full-text score first.
	SearchLexical(ctx context.Context, terms []string, f Filters, limit int) ([]Hit, error)
	// SearchVector returns up to limit passages of enabled documents nearest to vec by cosine
	// distance, using the approximate index; Score is 1 - distance.
	SearchVector(ctx context.Context, vec []float32, f Filters, limit int) ([]Hit, error)
	// Stats returns corpus statistics over enabled documents.
	Stats(ctx context.Context) (Stats, error)
	// Generation returns a number that changes whenever documents or chunks change.
	Generation(ctx context.Context) (int64, error)

	// IndexInfo returns the embedder that built the stored vectors; the zero value when none.
	IndexInfo(ctx context.Context) (IndexInfo, error)
	// ResetEmbeddings records info as the index's embedder and clears every stored vector
	// (changing the vector dimension if needed), so that they can be rebuilt with SetEmbeddings.
	ResetEmbeddings(ctx context.Context, info IndexInfo) error
	// ChunksWithoutEmbedding returns up to limit chunks (with Text, HeadTerms) whose vector is
	// empty.
	ChunksWithoutEmbedding(ctx context.Context, limit int) ([]Chunk, error)
	// SetEmbeddings stores vectors by chunk ID.
	SetEmbeddings(ctx context.Context, vecs map[int64][]float32) error

	ConversationStore
	OperatorStore

	// Close releases the store's resources.
	Close() error
}
