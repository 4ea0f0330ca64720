package knowledge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strings"

	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// Embedder turns passages and questions into vectors. HashEmbedder (built in, no model, no
// network) and the langchaingo embedders for OpenAI-compatible and Ollama servers satisfy it.
type Embedder interface {
	EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error)
	EmbedQuery(ctx context.Context, text string) ([]float32, error)
}

// termEmbedder is implemented by embedders that can embed analysed terms directly, which spares
// the ingestion a second analysis of every passage.
type termEmbedder interface {
	embedIndexText(head, body string) []float32
}

// HashEmbedder is the built-in embedder: a deterministic feature-hashing vector of a passage's
// folded syllables, syllable bigrams, accented forms and abbreviation expansions, weighted by
// kind, dampened by frequency (square root per dimension) and L2-normalised. It needs no model and no network, and gives
// the vector half of hybrid search a bag-of-words view that tolerates missing diacritics.
type HashEmbedder struct {
	analyzer *vietnamese.Analyzer
	dim      int
}

// HashEmbedderName identifies the built-in embedder's feature set in the index; change it when
// the features change so that stored vectors are rebuilt.
const HashEmbedderName = "builtin-hash-v3"

// NewHashEmbedder returns a built-in embedder of dim dimensions.
func NewHashEmbedder(a *vietnamese.Analyzer, dim int) *HashEmbedder {
	return &HashEmbedder{analyzer: a, dim: dim}
}

// Info returns the index identity of the embedder.
func (e *HashEmbedder) Info() IndexInfo { return IndexInfo{Embedder: HashEmbedderName, Dim: e.dim} }

// EmbedDocuments embeds each text. It never fails.
func (e *HashEmbedder) EmbedDocuments(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = e.embedIndexText("", vietnamese.IndexText(e.analyzer.Terms(t)))
	}
	return out, nil
}

// EmbedQuery embeds a question. It never fails.
func (e *HashEmbedder) EmbedQuery(_ context.Context, text string) ([]float32, error) {
	return e.embedIndexText("", vietnamese.IndexText(e.analyzer.Terms(text))), nil
}

// termWeight is the weight of a term's feature in the built-in embedding and in ranking.
func termWeight(t vietnamese.Term) float64 {
	w := 1.0
	switch t.Class {
	case vietnamese.Exact:
		w = 0.4
	case vietnamese.Expansion:
		w = 0.5
	case vietnamese.Bigram:
		w = 1.0
	}
	if t.Stop {
		w *= 0.15
	}
	if t.Weak && t.Class != vietnamese.Bigram {
		w *= 0.5
	}
	return w
}

// featureWeight weighs an index term by its shape, the same for passages and questions.
func featureWeight(term string) float64 {
	switch {
	case strings.Contains(term, vietnamese.BigramSep):
		return 1.0
	case vietnamese.IsStopTerm(term):
		return 0.15
	case vietnamese.HasMarks(term):
		return 0.4
	}
	return 1.0
}

func (e *HashEmbedder) embedIndexText(head, body string) []float32 {
	v := make([]float64, e.dim)
	e.addFeatures(v, body, 1)
	e.addFeatures(v, head, 0.5)
	// Frequency dampening: a dimension's weight grows with the square root of its count, so
	// repeated words do not drown the others.
	var n float64
	for i, x := range v {
		if x < 0 {
			v[i] = -math.Sqrt(-x)
		} else {
			v[i] = math.Sqrt(x)
		}
		n += v[i] * v[i]
	}
	out := make([]float32, e.dim)
	if n == 0 {
		return out
	}
	inv := 1 / math.Sqrt(n)
	for i, x := range v {
		out[i] = float32(x * inv)
	}
	return out
}

// addFeatures adds the hashed terms of an index text to v with their weights, each term in
// the dimension and with the sign its hash picks.
func (e *HashEmbedder) addFeatures(v []float64, text string, scale float64) {
	for text != "" {
		i := strings.IndexByte(text, ' ')
		term := text
		if i >= 0 {
			term, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		if term == "" {
			continue
		}
		h := fnv64a(term)
		w := scale * featureWeight(term)
		if h>>63 == 1 {
			w = -w
		}
		v[h%uint64(e.dim)] += w
	}
}

// fnv64a is the 64-bit FNV-1a hash of s.
func fnv64a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// PrefixedEmbedder puts Query before every question and Document before every passage it
// embeds, for models trained with such prefixes (e5's "query: " and "passage: ",
// Qwen3-Embedding's instruction before queries).
type PrefixedEmbedder struct {
	Embedder
	Query, Document string
}

// EmbedDocuments embeds the passages with the Document prefix.
func (p PrefixedEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	if p.Document == "" {
		return p.Embedder.EmbedDocuments(ctx, texts)
	}
	prefixed := make([]string, len(texts))
	for i, t := range texts {
		prefixed[i] = p.Document + t
	}
	return p.Embedder.EmbedDocuments(ctx, prefixed)
}

// EmbedQuery embeds the question with the Query prefix.
func (p PrefixedEmbedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	return p.Embedder.EmbedQuery(ctx, p.Query+text)
}

// Identity returns the name under which an index embedded with this embedder's passages is
// kept (IndexInfo.Embedder): name, and a digest of the Document prefix when there is one, so
// that changing it rebuilds the embeddings. The Query prefix changes no stored vector.
func (p PrefixedEmbedder) Identity(name string) string {
	if p.Document == "" {
		return name
	}
	sum := sha256.Sum256([]byte(p.Document))
	return name + "+doc-" + hex.EncodeToString(sum[:4])
}
