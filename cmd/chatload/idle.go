package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// memory is what the server uses, as far as the tool can see.
type memory struct {
	rss        int64 // bytes, from /proc/PID/status
	heap       int64 // live heap bytes after a collection
	stacks     int64 // goroutine stacks in use
	sys        int64 // bytes obtained from the OS by the Go runtime
	goroutines int64
	sockets    int64
}

// serverVars is the part of the server's /debug/vars the tool reads.
type serverVars struct {
	MemStats struct {
		HeapAlloc  int64
		StackInuse int64
		Sys        int64
	} `json:"memstats"`
	Goroutines int64 `json:"goroutines"`
	Sockets    int64 `json:"sockets"`
}

func measure(ctx context.Context, o options) (memory, error) {
	var m memory
	if o.pid > 0 {
		rss, err := readRSS(o.pid)
		if err != nil {
			return m, err
		}
		m.rss = rss
	}
	if o.vars != "" {
		u := o.vars
		if strings.Contains(u, "?") {
			u += "&gc=1"
		} else {
			u += "?gc=1"
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return m, fmt.Errorf("vars: %w", err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return m, fmt.Errorf("vars: %w", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return m, fmt.Errorf("vars: %s answered %s (start the server with ASSISTANT_DEBUG_VARS=1)", o.vars, resp.Status)
		}
		var v serverVars
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			return m, fmt.Errorf("vars: %w", err)
		}
		m.heap, m.stacks, m.sys, m.goroutines, m.sockets = v.MemStats.HeapAlloc, v.MemStats.StackInuse, v.MemStats.Sys, v.Goroutines, v.Sockets
	}
	return m, nil
}

// readRSS returns the resident set size of a process.
func readRSS(pid int) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("rss: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("rss: %q: %w", v, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("rss: no VmRSS in /proc/%d/status", pid)
}

// idle opens o.n connections that only answer pings, measures the server before and after,
// optionally holds them, then closes them all.
func idle(ctx context.Context, o options, stdout io.Writer) error {
	if o.pid == 0 && o.vars == "" {
		fmt.Fprintln(stdout, "note: without -pid or -vars only the connections are counted")
	}
	before, err := measure(ctx, o)
	if err != nil {
		return err
	}
	var (
		open    atomic.Int64
		dropped atomic.Int64
		ready   sync.WaitGroup
		release = make(chan struct{})
	)
	ready.Add(o.n)
	var dialErrs map[string]int
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		dialErrs = dialAll(ctx, o, func(i int, c *websocket.Conn) {
			_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
			var f frame
			if err := c.ReadJSON(&f); err != nil || f.Type != "session" {
				ready.Done()
				return
			}
			open.Add(1)
			ready.Done()
			// Read (answering pings) until released.
			_ = c.SetReadDeadline(time.Time{})
			stop := context.AfterFunc(ctx, func() { c.Close() })
			defer stop()
			gone := make(chan struct{})
			go func() {
				defer close(gone)
				for {
					if _, _, err := c.ReadMessage(); err != nil {
						return
					}
				}
			}()
			select {
			case <-release:
				_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(5*time.Second))
				select {
				case <-gone:
				case <-time.After(5 * time.Second):
				}
			case <-gone:
				dropped.Add(1)
			}
		}, ready.Done)
	}()
	readyc := make(chan struct{})
	go func() { ready.Wait(); close(readyc) }()
	select {
	case <-readyc:
	case <-done: // dial errors or ctx end cut the ramp short
	}
	ramp := time.Since(start)
	select {
	case <-time.After(o.settle):
	case <-ctx.Done():
	}
	after, err := measure(ctx, o)
	if err == nil && o.hold > 0 {
		select {
		case <-time.After(o.hold):
		case <-ctx.Done():
		}
	}
	close(release)
	<-done
	if err != nil {
		return err
	}
	n := open.Load()
	fmt.Fprintf(stdout, "connections %d open of %d in %s", n, o.n, ramp.Round(time.Millisecond))
	printCauses(stdout, dialErrs)
	fmt.Fprintf(stdout, ", %d dropped by the server before the end\n", dropped.Load())
	if n == 0 {
		return fmt.Errorf("no connection opened")
	}
	per := func(b, a int64) string {
		return fmt.Sprintf("%8.1f KiB → %8.1f KiB  (%+.2f KiB per connection)", float64(b)/1024, float64(a)/1024, float64(a-b)/1024/float64(n))
	}
	if o.pid > 0 {
		fmt.Fprintf(stdout, "server RSS        %s\n", per(before.rss, after.rss))
	}
	if o.vars != "" {
		fmt.Fprintf(stdout, "Go heap (live)    %s\n", per(before.heap, after.heap))
		fmt.Fprintf(stdout, "goroutine stacks  %s\n", per(before.stacks, after.stacks))
		fmt.Fprintf(stdout, "heap + stacks     %s\n", per(before.heap+before.stacks, after.heap+after.stacks))
		fmt.Fprintf(stdout, "Go runtime Sys    %s\n", per(before.sys, after.sys))
		fmt.Fprintf(stdout, "server goroutines %d → %d, sockets %d → %d\n", before.goroutines, after.goroutines, before.sockets, after.sockets)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return nil
}
