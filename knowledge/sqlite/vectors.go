package sqlite

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// vectorIndex is the embedded store's in-memory copy of the passage vectors, searched by an
// exact scan. It follows the database: writes by this process mark it dirty; commits by other
// processes are noticed through the generation counter, checked at most every checkEvery.
type vectorIndex struct {
	mu        sync.RWMutex
	dim       int
	gen       int64
	dirty     bool
	checkedAt time.Time
	ids       []int64   // chunk IDs
	docs      []string  // document ID of each vector
	vecs      []float32 // len(ids)*dim values
	pos       map[int64]int
	docMeta   map[string]docFilterMeta
}

// docFilterMeta is what vector-search filters need of a document.
type docFilterMeta struct {
	enabled     bool
	kind        knowledge.Kind
	localityKey string
	source      string
}

const checkEvery = 500 * time.Millisecond

func newVectorIndex() *vectorIndex {
	return &vectorIndex{pos: map[int64]int{}, docMeta: map[string]docFilterMeta{}, dirty: true}
}

func (v *vectorIndex) markDirty() {
	v.mu.Lock()
	v.dirty = true
	v.mu.Unlock()
}

func (v *vectorIndex) reset() {
	v.mu.Lock()
	v.ids, v.docs, v.vecs, v.pos = nil, nil, nil, map[int64]int{}
	v.dirty = true
	v.mu.Unlock()
}

// refreshVectors brings the in-memory vectors up to date with the database when this process
// wrote, when force is set, or when another process committed since the last check.
func (s *Store) refreshVectors(ctx context.Context, force bool) error {
	v := s.vectors
	v.mu.RLock()
	stale := force || v.dirty || time.Since(v.checkedAt) > checkEvery
	v.mu.RUnlock()
	if !stale {
		return nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	gen, err := s.Generation(ctx)
	if err != nil {
		return err
	}
	v.checkedAt = time.Now()
	if !force && !v.dirty && gen == v.gen {
		return nil
	}
	if err := s.loadVectors(ctx, v); err != nil {
		return fmt.Errorf("sqlite: load vectors: %w", err)
	}
	v.gen, v.dirty = gen, false
	return nil
}

// loadVectors reloads document metadata and brings vectors up to date incrementally: vectors of
// chunks that no longer exist are dropped, those of new chunks are read.
func (s *Store) loadVectors(ctx context.Context, v *vectorIndex) error {
	info, err := s.IndexInfo(ctx)
	if err != nil {
		return err
	}
	if info.Dim != v.dim {
		v.ids, v.docs, v.vecs, v.pos = nil, nil, nil, map[int64]int{}
		v.dim = info.Dim
	}
	meta := map[string]docFilterMeta{}
	rows, err := s.db.QueryContext(ctx, `SELECT id, enabled, kind, locality_key, source FROM documents`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, kind string
		var m docFilterMeta
		if err := rows.Scan(&id, &m.enabled, &kind, &m.localityKey, &m.source); err != nil {
			rows.Close()
			return err
		}
		m.kind = knowledge.Kind(kind)
		meta[id] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	v.docMeta = meta
	if v.dim == 0 {
		return nil
	}
	// Which chunks have vectors now.
	present := make(map[int64]string, len(v.ids))
	rows, err = s.db.QueryContext(ctx, `SELECT id, document_id FROM chunks WHERE embedding IS NOT NULL`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var doc string
		if err := rows.Scan(&id, &doc); err != nil {
			rows.Close()
			return err
		}
		present[id] = doc
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Compact away vectors of chunks that are gone.
	keep := 0
	for i, id := range v.ids {
		if _, ok := present[id]; !ok {
			delete(v.pos, id)
			continue
		}
		if keep != i {
			v.ids[keep], v.docs[keep] = v.ids[i], v.docs[i]
			copy(v.vecs[keep*v.dim:(keep+1)*v.dim], v.vecs[i*v.dim:(i+1)*v.dim])
			v.pos[id] = keep
		}
		keep++
	}
	v.ids, v.docs, v.vecs = v.ids[:keep], v.docs[:keep], v.vecs[:keep*v.dim]
	var missing []int64
	for id := range present {
		if _, ok := v.pos[id]; !ok {
			missing = append(missing, id)
		}
	}
	slices.Sort(missing)
	for len(missing) > 0 {
		n := min(len(missing), 500)
		if err := s.loadVectorBatch(ctx, v, missing[:n]); err != nil {
			return err
		}
		missing = missing[n:]
	}
	return nil
}

func (s *Store) loadVectorBatch(ctx context.Context, v *vectorIndex, ids []int64) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id, document_id, embedding FROM chunks WHERE id >= ? AND id <= ? AND embedding IS NOT NULL`,
		ids[0], ids[len(ids)-1])
	if err != nil {
		return err
	}
	defer rows.Close()
	want := make(map[int64]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	for rows.Next() {
		var id int64
		var doc string
		var blob []byte
		if err := rows.Scan(&id, &doc, &blob); err != nil {
			return err
		}
		if !want[id] || len(blob) != 4*v.dim {
			continue
		}
		v.pos[id] = len(v.ids)
		v.ids = append(v.ids, id)
		v.docs = append(v.docs, doc)
		v.vecs = append(v.vecs, make([]float32, v.dim)...)
		decodeVector(blob, v.vecs[len(v.vecs)-v.dim:])
	}
	return rows.Err()
}

type scored struct {
	id    int64
	score float64
}

// minHeap keeps the best k scores with the worst on top.
type minHeap []scored

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return h[i].score < h[j].score }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// search returns the limit passages with the highest cosine similarity to q (vectors are
// normalised by the embedders; q is normalised here) among documents passing f.
func (v *vectorIndex) search(q []float32, f knowledge.Filters, limit int) ([]scored, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.dim == 0 || len(v.ids) == 0 || limit <= 0 {
		if v.dim != 0 && len(q) != v.dim {
			return nil, fmt.Errorf("%w: query vector has %d dimensions, the index %d", knowledge.ErrInvalid, len(q), v.dim)
		}
		return nil, nil
	}
	if len(q) != v.dim {
		return nil, fmt.Errorf("%w: query vector has %d dimensions, the index %d", knowledge.ErrInvalid, len(q), v.dim)
	}
	q = normalized(q)
	allowed := v.allowedDocs(f)
	scores := v.scores(q)
	defer scorePool.Put(scores)
	h := make(minHeap, 0, limit+1)
	for i, doc := range v.docs {
		if !allowed[doc] {
			continue
		}
		s := float64((*scores)[i])
		if len(h) < limit {
			heap.Push(&h, scored{v.ids[i], s})
		} else if s > h[0].score {
			h[0] = scored{v.ids[i], s}
			heap.Fix(&h, 0)
		}
	}
	out := make([]scored, len(h))
	for i := len(h) - 1; i >= 0; i-- {
		out[i] = heap.Pop(&h).(scored)
	}
	return out, nil
}

// scorePool recycles the per-search buffers of similarity scores.
var scorePool = sync.Pool{New: func() any { return new([]float32) }}

// parallelRows is the index size from which the scan is split across processors.
const parallelRows = 16384

// scores computes the dot product of q with every vector (a matrix-vector product in BLAS,
// split across processors for large indexes). The caller returns the buffer to scorePool.
func (v *vectorIndex) scores(q []float32) *[]float32 {
	n := len(v.ids)
	buf := scorePool.Get().(*[]float32)
	if cap(*buf) < n {
		*buf = make([]float32, n)
	}
	*buf = (*buf)[:n]
	parts := 1
	if n >= parallelRows {
		parts = min(runtime.GOMAXPROCS(0), 4)
	}
	var wg sync.WaitGroup
	per := (n + parts - 1) / parts
	for p := 0; p < parts; p++ {
		lo, hi := p*per, min((p+1)*per, n)
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := blas32.General{Rows: hi - lo, Cols: v.dim, Stride: v.dim, Data: v.vecs[lo*v.dim : hi*v.dim]}
			blas32.Gemv(blas.NoTrans, 1, m, blas32.Vector{N: v.dim, Inc: 1, Data: q}, 0, blas32.Vector{N: hi - lo, Inc: 1, Data: (*buf)[lo:hi]})
		}()
	}
	wg.Wait()
	return buf
}

// allowedDocs evaluates the filters once per document.
func (v *vectorIndex) allowedDocs(f knowledge.Filters) map[string]bool {
	out := make(map[string]bool, len(v.docMeta))
	loc := vietnamese.Key(f.Locality)
	for id, m := range v.docMeta {
		ok := m.enabled
		if ok && len(f.Kinds) > 0 {
			ok = slices.Contains(f.Kinds, m.kind)
		}
		if ok && f.Locality != "" {
			ok = m.localityKey == loc || (f.LocalityOrNational && m.localityKey == "")
		}
		if ok && len(f.Sources) > 0 {
			ok = slices.Contains(f.Sources, m.source)
		}
		if ok && len(f.DocumentIDs) > 0 {
			ok = slices.Contains(f.DocumentIDs, id)
		}
		out[id] = ok
	}
	return out
}

func normalized(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n == 0 || (n > 0.9999 && n < 1.0001) {
		return v
	}
	inv := float32(1 / math.Sqrt(n))
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = x * inv
	}
	return out
}
