package web

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// clients counts the open websockets of each client address and meters the frames they send
// with one rate limiter per address. An address is forgotten when its last socket closes.
type clients struct {
	maxConns int        // -1: unlimited
	rate     rate.Limit // frames per second; rate.Inf: unlimited
	burst    int

	mu     sync.Mutex
	byAddr map[string]*client
}

// client is one address's share: its open sockets and its limiter.
type client struct {
	addr    string
	conns   int
	limiter *rate.Limiter
}

// newClients meters msgRate frames per second with bursts of burst per address; a negative
// msgRate (-1) disables the limit, a negative maxConns the connection bound.
func newClients(maxConns int, msgRate float64, burst int) *clients {
	limit := rate.Limit(msgRate)
	if msgRate < 0 {
		limit = rate.Inf
	}
	return &clients{maxConns: maxConns, rate: limit, burst: burst, byAddr: map[string]*client{}}
}

// acquire counts a new socket of addr, or reports false when the address has too many.
func (cs *clients) acquire(addr string) (*client, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c := cs.byAddr[addr]
	if c == nil {
		c = &client{addr: addr, limiter: rate.NewLimiter(cs.rate, cs.burst)}
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

// allow lets one frame of c's address through at now, reporting false when the address is
// over its rate.
func (c *client) allow(now time.Time) bool { return c.limiter.AllowN(now, 1) }

// ClientAddr returns the address a request comes from: the last value of the trusted proxy's
// header (RealIPHeader) when one is configured, else the peer's IP.
func ClientAddr(r *http.Request, header string) string {
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
