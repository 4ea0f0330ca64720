package connectors_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trolyao/trolyao/connectors"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestQueueKeepsEachUsersOrder(t *testing.T) {
	q := connectors.NewQueue("test", 4, 400, discard)
	var mu sync.Mutex
	got := map[string][]int{}
	for i := range 50 {
		for _, user := range []string{"a", "b", "c"} {
			err := q.Push(user, func(context.Context) {
				mu.Lock()
				got[user] = append(got[user], i)
				mu.Unlock()
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for user, seq := range got {
		if len(seq) != 50 {
			t.Fatalf("user %s: %d jobs ran, want 50", user, len(seq))
		}
		for i, v := range seq {
			if v != i {
				t.Fatalf("user %s: job %d ran at position %d", user, v, i)
			}
		}
	}
}

func TestQueueFullThenClosed(t *testing.T) {
	q := connectors.NewQueue("test", 1, 2, discard)
	release := make(chan struct{})
	started := make(chan struct{})
	if err := q.Push("u", func(context.Context) { close(started); <-release }); err != nil {
		t.Fatal(err)
	}
	<-started // the worker holds the first job; two slots remain
	for i := range 2 {
		if err := q.Push("u", func(context.Context) {}); err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
	}
	if err := q.Push("u", func(context.Context) {}); !errors.Is(err, connectors.ErrQueueFull) {
		t.Fatalf("push on a full queue: %v, want ErrQueueFull", err)
	}
	close(release)
	if err := q.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := q.Push("u", func(context.Context) {}); !errors.Is(err, connectors.ErrQueueClosed) {
		t.Fatalf("push after Close: %v, want ErrQueueClosed", err)
	}
}

func TestQueueCloseDrainsOrCancels(t *testing.T) {
	t.Run("drains", func(t *testing.T) {
		q := connectors.NewQueue("test", 2, 10, discard)
		var ran atomic.Int32
		for i := range 10 {
			_ = q.Push(fmt.Sprint(i), func(context.Context) { time.Sleep(10 * time.Millisecond); ran.Add(1) })
		}
		if err := q.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		if ran.Load() != 10 {
			t.Fatalf("%d jobs ran before Close returned, want 10", ran.Load())
		}
	})
	t.Run("deadline cancels running and drops waiting", func(t *testing.T) {
		q := connectors.NewQueue("test", 1, 10, discard)
		var cancelled, ran atomic.Int32
		for range 5 {
			_ = q.Push("u", func(ctx context.Context) {
				ran.Add(1)
				<-ctx.Done()
				cancelled.Add(1)
			})
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if err := q.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Close: %v, want DeadlineExceeded", err)
		}
		if ran.Load() != 1 || cancelled.Load() != 1 {
			t.Fatalf("ran %d, cancelled %d: want the running job cancelled and the rest dropped", ran.Load(), cancelled.Load())
		}
	})
}
