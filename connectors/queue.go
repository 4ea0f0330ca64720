package connectors

import (
	"context"
	"errors"
	"hash/fnv"
	"log/slog"
	"sync"
	"sync/atomic"
)

// Errors returned by Queue.Push.
var (
	// ErrQueueFull: every slot is taken; the webhook answers 503 so the platform redelivers.
	ErrQueueFull = errors.New("queue full")
	// ErrQueueClosed: the queue is shutting down.
	ErrQueueClosed = errors.New("queue closed")
)

// Job is the work done for one message; ctx is cancelled when Close gives up waiting.
type Job func(ctx context.Context)

// Queue is a bounded work queue with a fixed number of workers. Jobs pushed with the same key
// (a user key) go to the same worker and run in order, so one user's messages are answered in
// the order they were sent; different users are served concurrently.
type Queue struct {
	name   string
	logger *slog.Logger
	shards []chan Job
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.RWMutex // guards closed against sends on closed channels
	closed bool

	full     atomic.Bool  // set while pushes are being rejected, to log once
	rejected atomic.Int64 // pushes rejected since the queue became full
	dropped  atomic.Int64 // jobs dropped at a forced shutdown
}

// NewQueue starts workers goroutines sharing capacity slots (at least one per worker). They
// run until Close. name labels log lines.
func NewQueue(name string, workers, capacity int, logger *slog.Logger) *Queue {
	workers = max(workers, 1)
	per := max((capacity+workers-1)/workers, 1)
	ctx, cancel := context.WithCancel(context.Background())
	q := &Queue{name: name, logger: logger, shards: make([]chan Job, workers), ctx: ctx, cancel: cancel}
	for i := range q.shards {
		q.shards[i] = make(chan Job, per)
		q.wg.Add(1)
		go q.work(q.shards[i])
	}
	return q
}

func (q *Queue) work(jobs <-chan Job) {
	defer q.wg.Done()
	for job := range jobs {
		if q.ctx.Err() != nil {
			q.dropped.Add(1)
			continue
		}
		job(q.ctx)
	}
}

// Push queues job on the worker for key without blocking. It returns ErrQueueFull when that
// worker's slots are taken (logged once until a push succeeds again) and ErrQueueClosed after
// Close.
func (q *Queue) Push(key string, job Job) error {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return ErrQueueClosed
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	select {
	case q.shards[h.Sum32()%uint32(len(q.shards))] <- job:
		if q.full.Load() && q.full.CompareAndSwap(true, false) {
			q.logger.Info("queue accepting work again", slog.String("queue", q.name),
				slog.Int64("rejected", q.rejected.Swap(0)))
		}
		return nil
	default:
		q.rejected.Add(1)
		if q.full.CompareAndSwap(false, true) {
			q.logger.Warn("queue full: deliveries answered 503 until workers catch up",
				slog.String("queue", q.name))
		}
		return ErrQueueFull
	}
}

// Close stops accepting jobs and waits for the queued ones to finish. If ctx ends first, the
// running jobs' context is cancelled, the jobs not yet started are dropped (and counted in the
// log), and Close returns ctx.Err() once the workers have returned.
func (q *Queue) Close(ctx context.Context) error {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		for _, s := range q.shards {
			close(s)
		}
	}
	q.mu.Unlock()

	done := make(chan struct{})
	go func() { q.wg.Wait(); close(done) }()
	select {
	case <-done:
		q.cancel()
		return nil
	case <-ctx.Done():
		q.cancel()
		<-done
		q.logger.Warn("queue closed before draining", slog.String("queue", q.name),
			slog.Int64("dropped", q.dropped.Load()))
		return ctx.Err()
	}
}
