package connectors

import (
	"context"
	"sync"
	"time"
)

// KeepTyping shows a typing indicator: it calls send once before returning (waiting at most
// a few seconds), then every interval in a goroutine until the returned stop is called (or
// ctx ends). stop waits for the goroutine, so no indicator is sent after it returns, which
// lets the answer be the last thing the user sees. Errors of send are ignored: the indicator
// is a courtesy.
func KeepTyping(ctx context.Context, every time.Duration, send func(ctx context.Context) error) (stop func()) {
	first, cancelFirst := context.WithTimeout(ctx, 3*time.Second)
	_ = send(first)
	cancelFirst()
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			_ = send(ctx)
		}
	})
	return func() { cancel(); wg.Wait() }
}
