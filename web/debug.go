package web

import (
	"net"
	"net/http"
	"runtime"
)

// debugVars is the body of GET /debug/vars: the Go runtime's memory statistics (as expvar
// publishes them) and the websocket layer's counts.
type debugVars struct {
	MemStats   runtime.MemStats `json:"memstats"`
	Goroutines int              `json:"goroutines"`
	Sockets    int              `json:"sockets"`
	Streams    int              `json:"streams"`
	Answered   int64            `json:"answered"`
}

// handleDebugVars serves memory statistics to loopback clients (the load command); ?gc=1
// collects garbage first, so that heap figures count live memory only.
func (h *Handler) handleDebugVars(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() || r.Header.Get("X-Forwarded-For") != "" {
		http.NotFound(w, r)
		return
	}
	if r.URL.Query().Get("gc") == "1" {
		runtime.GC()
	}
	var v debugVars
	runtime.ReadMemStats(&v.MemStats)
	v.Goroutines = runtime.NumGoroutine()
	h.mu.Lock()
	v.Sockets = len(h.sockets)
	h.mu.Unlock()
	v.Streams = h.streams.len()
	v.Answered = h.answered.Load()
	writeJSON(w, http.StatusOK, v)
}
