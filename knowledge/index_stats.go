package knowledge

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// statsSnapshot is the statistics of one generation of the store.
type statsSnapshot struct {
	gen int64
	Stats
}

// currentStats returns the corpus statistics, reloading them when the store changed. The first
// call loads synchronously; later reloads happen in the background while the previous
// statistics keep serving.
func (x *Index) currentStats(ctx context.Context) (*statsSnapshot, error) {
	x.statsMu.Lock()
	cur := x.stats
	check := cur == nil || time.Since(x.checkedAt) > time.Second
	if check {
		x.checkedAt = time.Now()
	}
	x.statsMu.Unlock()
	if !check {
		return cur, nil
	}
	gen, err := x.store.Generation(ctx)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if cur != nil && cur.gen == gen {
		return cur, nil
	}
	if cur == nil {
		return x.loadStats(ctx, gen)
	}
	x.statsMu.Lock()
	if !x.loading {
		x.loading = true
		go func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
			defer cancel()
			if _, err := x.loadStats(ctx, gen); err != nil {
				x.logger.Error("reload search statistics", slog.Any("error", err))
			}
			x.statsMu.Lock()
			x.loading = false
			x.statsMu.Unlock()
		}()
	}
	x.statsMu.Unlock()
	return cur, nil
}

func (x *Index) loadStats(ctx context.Context, gen int64) (*statsSnapshot, error) {
	st, err := x.store.Stats(ctx)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	snap := &statsSnapshot{gen: gen, Stats: st}
	x.statsMu.Lock()
	x.stats = snap
	x.statsMu.Unlock()
	return snap, nil
}

// Warm loads what searches need (corpus statistics) ahead of the first question.
func (x *Index) Warm(ctx context.Context) error {
	_, err := x.currentStats(ctx)
	return err
}

// RefreshStats reloads corpus statistics now (after an ingestion in this process).
func (x *Index) RefreshStats(ctx context.Context) error {
	gen, err := x.store.Generation(ctx)
	if err != nil {
		return fmt.Errorf("refresh statistics: %w", err)
	}
	_, err = x.loadStats(ctx, gen)
	return err
}
