package web

import (
	"testing"
	"time"
)

// allowed counts how many of n frames sent at once at now get through.
func allowed(c *client, now time.Time, n int) int {
	ok := 0
	for range n {
		if c.allow(now) {
			ok++
		}
	}
	return ok
}

func TestClientsMeterEachAddress(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		rate  float64
		burst int
		check func(t *testing.T, cs *clients)
	}{
		{"burst, then the sustained rate", 0.5, 3, func(t *testing.T, cs *clients) {
			a, _ := cs.acquire("10.0.0.1")
			if got := allowed(a, t0, 5); got != 3 {
				t.Fatalf("%d of 5 frames at once got through, want the burst of 3", got)
			}
			if a.allow(t0.Add(1999 * time.Millisecond)) {
				t.Fatal("a frame got through before a token was earned (2 s at 0.5/s)")
			}
			if !a.allow(t0.Add(2 * time.Second)) {
				t.Fatal("the token earned in 2 s was refused")
			}
			if got := allowed(a, t0.Add(time.Hour), 5); got != 3 {
				t.Fatalf("after an hour %d frames got through, want the bucket full again at 3", got)
			}
		}},
		{"addresses apart", 0.5, 2, func(t *testing.T, cs *clients) {
			a, _ := cs.acquire("10.0.0.1")
			b, _ := cs.acquire("10.0.0.2")
			allowed(a, t0, 2)
			if got := allowed(b, t0, 3); got != 2 {
				t.Fatalf("the second address got %d frames through, want its own burst of 2", got)
			}
		}},
		{"sockets of one address share their limit", 0.5, 2, func(t *testing.T, cs *clients) {
			a, _ := cs.acquire("10.0.0.1")
			a2, _ := cs.acquire("10.0.0.1")
			allowed(a, t0, 2)
			if a2.allow(t0) {
				t.Fatal("a second socket of the address got a fresh bucket")
			}
		}},
		{"forgotten when the last socket closes", 0.5, 2, func(t *testing.T, cs *clients) {
			a, _ := cs.acquire("10.0.0.1")
			a2, _ := cs.acquire("10.0.0.1")
			allowed(a, t0, 2)
			cs.release(a)
			if a3, _ := cs.acquire("10.0.0.1"); a3.allow(t0) {
				t.Fatal("the address was forgotten while a socket was still open")
			}
			cs.release(a2)
			cs.release(a2) // the third socket
			if len(cs.byAddr) != 0 {
				t.Fatalf("%d addresses kept after their sockets closed", len(cs.byAddr))
			}
			a4, _ := cs.acquire("10.0.0.1")
			if got := allowed(a4, t0, 3); got != 2 {
				t.Fatalf("a returning address got %d frames through, want a full bucket of 2", got)
			}
		}},
		{"-1 disables the limit", -1, 10, func(t *testing.T, cs *clients) {
			a, _ := cs.acquire("10.0.0.1")
			if got := allowed(a, t0, 1000); got != 1000 {
				t.Fatalf("%d of 1000 frames got through without a limit", got)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, newClients(-1, tt.rate, tt.burst))
		})
	}
}

func TestClientsCountConnections(t *testing.T) {
	cs := newClients(2, 0.5, 10)
	a, ok1 := cs.acquire("10.0.0.1")
	_, ok2 := cs.acquire("10.0.0.1")
	if _, ok := cs.acquire("10.0.0.1"); !ok1 || !ok2 || ok {
		t.Fatalf("acquire: %t %t %t, want the third socket of the address refused", ok1, ok2, ok)
	}
	if _, ok := cs.acquire("10.0.0.2"); !ok {
		t.Fatal("another address refused")
	}
	cs.release(a)
	if _, ok := cs.acquire("10.0.0.1"); !ok {
		t.Fatal("a closed socket's slot was not freed")
	}
	if _, ok := newClients(-1, 0.5, 10).acquire("10.0.0.1"); !ok {
		t.Fatal("-1 does not lift the connection bound")
	}
}
