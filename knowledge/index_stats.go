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
	// forms is what the documents of this generation teach about short forms.
	forms *LearnedForms
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
	docs, err := x.store.Documents(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("search: learn short forms: %w", err)
	}
	snap := &statsSnapshot{gen: gen, Stats: st, forms: LearnForms(docs, x.analyzer)}
	x.statsMu.Lock()
	x.stats = snap
	x.statsMu.Unlock()
	return snap, nil
}

// Forms returns the short forms the knowledge base has taught itself (LearnForms), as of its
// current contents.
func (x *Index) Forms(ctx context.Context) (*LearnedForms, error) {
	st, err := x.currentStats(ctx)
	if err != nil {
		return nil, err
	}
	return st.forms, nil
}

// learnedForms returns the short forms of the statistics loaded last, nil before the first
// load (Warm loads them at start).
func (x *Index) learnedForms() *LearnedForms {
	x.statsMu.Lock()
	defer x.statsMu.Unlock()
	if x.stats == nil {
		return nil
	}
	return x.stats.forms
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
