package connectors

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"time"
)

// Retry is the policy for calls to a platform API: up to Attempts tries, waiting an
// exponentially growing, jittered delay between them (Base, doubling, at most Max), or the
// delay the platform asked for.
type Retry struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
}

// DefaultRetry returns the policy the connectors use unless given another (their WithRetry
// options): 5 attempts, from half a second up to 30 seconds apart.
func DefaultRetry() Retry {
	return Retry{Attempts: 5, Base: 500 * time.Millisecond, Max: 30 * time.Second}
}

// Temporary wraps an error worth retrying (network failure, 5xx, 429); after, when positive,
// is the delay the platform asked for.
func Temporary(err error, after time.Duration) error { return &temporaryError{err, after} }

type temporaryError struct {
	err   error
	after time.Duration
}

func (e *temporaryError) Error() string { return e.err.Error() }
func (e *temporaryError) Unwrap() error { return e.err }

// Do calls fn until it succeeds, returns an error not made with Temporary, the attempts run
// out or ctx ends. It returns fn's last error (unwrapped from Temporary) with the number of
// attempts made.
func (p Retry) Do(ctx context.Context, fn func(ctx context.Context) error) (int, error) {
	attempts := max(p.Attempts, 1)
	var err error
	for i := range attempts {
		err = fn(ctx)
		t, ok := errors.AsType[*temporaryError](err)
		if !ok {
			return i + 1, err
		}
		err = t.err
		if i == attempts-1 {
			break
		}
		wait := t.after
		if wait <= 0 {
			wait = p.backoff(i)
		} else if p.Max > 0 && wait > p.Max {
			return i + 1, fmt.Errorf("platform asked to wait %s, more than %s: %w", wait, p.Max, err)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return i + 1, fmt.Errorf("%w (last error: %w)", ctx.Err(), err)
		case <-timer.C:
		}
	}
	return attempts, fmt.Errorf("gave up after %d attempts: %w", attempts, err)
}

// backoff returns the delay before retry i+1: full jitter over Base·2^i, capped at Max.
func (p Retry) backoff(i int) time.Duration {
	d := p.Base << min(i, 20)
	if p.Max > 0 && (d > p.Max || d <= 0) {
		d = p.Max
	}
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// RedactURL removes a URL from a net/http error, since API URLs can carry tokens (a
// Telegram bot token in the path, a Graph access token in the query).
func RedactURL(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
