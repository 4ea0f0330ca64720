package web

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// clients counts the open websockets of each client address and meters the frames they send
// with one token bucket per address. An address is forgotten when its last socket closes.
type clients struct {
	maxConns int     // -1: unlimited
	rate     float64 // tokens per second; -1: unlimited
	burst    float64

	mu     sync.Mutex
	byAddr map[string]*client
}

// client is one address's share: its open sockets and its bucket.
type client struct {
	addr   string
	conns  int
	tokens float64
	last   time.Time
}

func newClients(maxConns int, rate float64, burst int) *clients {
	return &clients{maxConns: maxConns, rate: rate, burst: float64(burst), byAddr: map[string]*client{}}
}

// acquire counts a new socket of addr, or reports false when the address has too many.
func (cs *clients) acquire(addr string) (*client, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c := cs.byAddr[addr]
	if c == nil {
		c = &client{addr: addr, tokens: cs.burst, last: time.Now()}
		cs.byAddr[addr] = c
	}
	if cs.maxConns >= 0 && c.conns >= cs.maxConns {
		return nil, false
	}
	c.conns++
	return c, true
}

// release uncounts a socket of c.
func (cs *clients) release(c *client) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if c.conns--; c.conns == 0 {
		delete(cs.byAddr, c.addr)
	}
}

// allow takes a token from c's bucket, reporting false when it is empty.
func (cs *clients) allow(c *client, now time.Time) bool {
	if cs.rate < 0 {
		return true
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c.tokens = min(cs.burst, c.tokens+now.Sub(c.last).Seconds()*cs.rate)
	c.last = now
	if c.tokens < 1 {
		return false
	}
	c.tokens--
	return true
}

// clientAddr returns the address a request comes from: the last value of the trusted proxy's
// header when one is configured, else the peer's IP.
func clientAddr(r *http.Request, header string) string {
	if header != "" {
		if v := r.Header.Values(header); len(v) > 0 {
			last := v[len(v)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if last = strings.TrimSpace(last); last != "" {
				return last
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
