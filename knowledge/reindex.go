package knowledge

import (
	"context"
	"fmt"
	"log/slog"
)

// EnsureEmbeddings makes the store's vectors those of the embedder described by info: when the
// store was built by another embedder (or another dimension) every vector is cleared, then every
// passage without a vector is embedded, in batches. Vectors of two embedders are never mixed.
// It returns when all passages have vectors, or with the first error (the next call resumes).
func EnsureEmbeddings(ctx context.Context, store Store, e Embedder, info IndexInfo, logger *slog.Logger) error {
	cur, err := store.IndexInfo(ctx)
	if err != nil {
		return fmt.Errorf("ensure embeddings: %w", err)
	}
	if cur != info {
		if cur.Embedder != "" {
			logger.InfoContext(ctx, "embedder changed: rebuilding passage vectors",
				slog.String("from", cur.Embedder), slog.Int("from_dim", cur.Dim), slog.String("to", info.Embedder), slog.Int("to_dim", info.Dim))
		}
		if err := store.ResetEmbeddings(ctx, info); err != nil {
			return fmt.Errorf("ensure embeddings: %w", err)
		}
	}
	total := 0
	for {
		chunks, err := store.ChunksWithoutEmbedding(ctx, 256)
		if err != nil {
			return fmt.Errorf("ensure embeddings: %w", err)
		}
		if len(chunks) == 0 {
			break
		}
		if err := embedChunks(ctx, e, chunks); err != nil {
			return fmt.Errorf("ensure embeddings: %w", err)
		}
		vecs := make(map[int64][]float32, len(chunks))
		for _, c := range chunks {
			if len(c.Embedding) != info.Dim {
				return fmt.Errorf("ensure embeddings: embedder returned %d dimensions, expected %d", len(c.Embedding), info.Dim)
			}
			vecs[c.ID] = c.Embedding
		}
		if err := store.SetEmbeddings(ctx, vecs); err != nil {
			return fmt.Errorf("ensure embeddings: %w", err)
		}
		total += len(chunks)
	}
	if total > 0 {
		logger.InfoContext(ctx, "passage vectors built", slog.Int("passages", total), slog.String("embedder", info.Embedder))
	}
	return nil
}
