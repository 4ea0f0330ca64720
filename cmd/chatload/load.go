package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// defaultQuestions are asked when no -questions file is given; the sample knowledge base
// answers them.
var defaultQuestions = []string{
	"Đăng ký khai sinh có mất phí không?",
	"Lệ phí đăng ký tạm trú trực tuyến bao nhiêu?",
	"Tỷ lệ hồ sơ giải quyết trực tuyến cấp xã của tỉnh Thái Sơn?",
	"Đăng ký tạm trú cần giấy tờ gì?",
	"Thời hạn cấp bản sao trích lục hộ tịch là bao lâu?",
}

// options are the command's flags.
type options struct {
	url       string
	origin    string
	n         int
	dialers   int
	questions []string
	duration  time.Duration
	once      bool
	think     time.Duration
	timeout   time.Duration

	idle   bool
	hold   time.Duration
	settle time.Duration
	pid    int
	vars   string
}

func parseFlags(args []string, stdout io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("chatload", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.StringVar(&o.url, "url", "ws://127.0.0.1:8080/ws/chat", "websocket URL of the chat")
	fs.StringVar(&o.origin, "origin", "", "Origin header to send (none by default)")
	fs.IntVar(&o.n, "n", 100, "concurrent sessions (connections)")
	fs.IntVar(&o.dialers, "dialers", 100, "connections opened at once while ramping up")
	questions := fs.String("questions", "", "file of questions, one per line (default: built-in Vietnamese questions)")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long sessions keep asking (ask mode)")
	fs.BoolVar(&o.once, "once", false, "each session asks each question once, then stops")
	fs.DurationVar(&o.think, "think", 0, "pause between a session's questions (±50% jitter; first questions spread over it)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "give up on an answer after this long")
	fs.BoolVar(&o.idle, "idle", false, "idle mode: hold connections open and measure the server's memory")
	fs.DurationVar(&o.hold, "hold", 0, "idle mode: keep the connections open this long after measuring")
	fs.DurationVar(&o.settle, "settle", 3*time.Second, "idle mode: wait this long before measuring")
	fs.IntVar(&o.pid, "pid", 0, "idle mode: server process to read VmRSS of (/proc/PID/status)")
	fs.StringVar(&o.vars, "vars", "", "idle mode: the server's /debug/vars URL")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	u, err := url.Parse(o.url)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		return o, fmt.Errorf("-url must be a ws:// or wss:// URL, not %q", o.url)
	}
	if o.n < 1 || o.dialers < 1 {
		return o, errors.New("-n and -dialers must be positive")
	}
	o.questions = defaultQuestions
	if *questions != "" {
		if o.questions, err = readQuestions(*questions); err != nil {
			return o, err
		}
	}
	return o, nil
}

func readQuestions(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	defer f.Close()
	var qs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if q := strings.TrimSpace(sc.Text()); q != "" && !strings.HasPrefix(q, "#") {
			qs = append(qs, q)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("questions: %s has none", path)
	}
	return qs, nil
}

// run parses args and runs the load, writing its report to stdout. It returns when the load
// is done or ctx ends, with every connection it opened closed.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parseFlags(args, stdout)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if o.idle {
		return idle(ctx, o, stdout)
	}
	return ask(ctx, o, stdout)
}

// frame is a server frame, decoded.
type frame struct {
	Type      string `json:"type"`
	SessionID string `json:"session_id"`
	Code      string `json:"code"`
	Message   string `json:"message"`
}

func dialer() *websocket.Dialer {
	return &websocket.Dialer{
		HandshakeTimeout: 30 * time.Second,
		ReadBufferSize:   1024,
		WriteBufferSize:  1024,
		WriteBufferPool:  &sync.Pool{},
	}
}

// dialAll opens n connections, at most o.dialers at a time, and calls use for each in its own
// goroutine (failed, if not nil, for each that could not be opened); it returns when every
// use has returned, with the dial errors by cause.
func dialAll(ctx context.Context, o options, use func(i int, c *websocket.Conn), failed func()) map[string]int {
	d := dialer()
	hdr := http.Header{}
	if o.origin != "" {
		hdr.Set("Origin", o.origin)
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		errs   = map[string]int{}
		tokens = make(chan struct{}, o.dialers)
	)
	for i := range o.n {
		select {
		case tokens <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return errs
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, resp, err := d.DialContext(ctx, o.url, hdr)
			<-tokens
			if err != nil {
				cause := err.Error()
				if resp != nil {
					cause = "HTTP " + strconv.Itoa(resp.StatusCode)
				}
				mu.Lock()
				errs[cause]++
				mu.Unlock()
				if failed != nil {
					failed()
				}
				return
			}
			defer c.Close()
			use(i, c)
		}()
	}
	wg.Wait()
	return errs
}

// results gathers what the sessions measured.
type results struct {
	mu          sync.Mutex
	first       []time.Duration
	answer      []time.Duration
	errors      map[string]int
	asked       atomic.Int64
	established atomic.Int64
}

func (r *results) fail(cause string) {
	r.mu.Lock()
	r.errors[cause]++
	r.mu.Unlock()
}

func ask(ctx context.Context, o options, stdout io.Writer) error {
	r := &results{errors: map[string]int{}}
	runCtx := ctx
	if !o.once {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, o.duration)
		defer cancel()
	}
	start := time.Now()
	dialErrs := dialAll(runCtx, o, func(i int, c *websocket.Conn) {
		r.established.Add(1)
		session(runCtx, o, i, c, r)
	}, nil)
	took := time.Since(start)

	fmt.Fprintf(stdout, "sessions    %d opened of %d", r.established.Load(), o.n)
	printCauses(stdout, dialErrs)
	fmt.Fprintf(stdout, "\nduration    %s\n", took.Round(time.Millisecond))
	fmt.Fprintf(stdout, "questions   %d asked, %d answered (%.0f answers/s)\n", r.asked.Load(), len(r.answer), float64(len(r.answer))/took.Seconds())
	n := 0
	for _, v := range r.errors {
		n += v
	}
	fmt.Fprintf(stdout, "errors      %d", n)
	printCauses(stdout, r.errors)
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "first delta %s\n", percentiles(r.first))
	fmt.Fprintf(stdout, "answer      %s\n", percentiles(r.answer))
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return nil
}

// session asks questions on one connection until ctx ends or, with -once, until each has been
// asked.
func session(ctx context.Context, o options, i int, c *websocket.Conn, r *results) {
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	_ = c.SetReadDeadline(time.Now().Add(o.timeout))
	var f frame
	if err := c.ReadJSON(&f); err != nil || f.Type != "session" {
		r.fail("no session frame")
		return
	}
	if o.think > 0 { // spread the sessions' first questions over one think time
		select {
		case <-time.After(time.Duration(rand.Int64N(int64(o.think)))):
		case <-ctx.Done():
			return
		}
	}
	for k := 0; !o.once || k < len(o.questions); k++ {
		if ctx.Err() != nil {
			return
		}
		q := o.questions[(i+k)%len(o.questions)]
		sent := time.Now()
		_ = c.SetWriteDeadline(sent.Add(o.timeout))
		if err := c.WriteJSON(map[string]string{"type": "message", "text": q}); err != nil {
			if ctx.Err() == nil {
				r.fail("send: " + short(err))
			}
			return
		}
		r.asked.Add(1)
		var first time.Duration
		for done := false; !done; {
			_ = c.SetReadDeadline(sent.Add(o.timeout))
			if err := c.ReadJSON(&f); err != nil {
				if ctx.Err() == nil {
					r.fail("read: " + short(err))
				}
				return
			}
			switch f.Type {
			case "delta":
				if first == 0 {
					first = time.Since(sent)
				}
			case "answer":
				took := time.Since(sent)
				if first == 0 {
					first = took
				}
				r.mu.Lock()
				r.first = append(r.first, first)
				r.answer = append(r.answer, took)
				r.mu.Unlock()
				done = true
			case "error":
				r.fail("error frame: " + f.Code)
				done = true
			}
		}
		if o.think > 0 {
			pause := time.Duration(float64(o.think) * (0.5 + rand.Float64()))
			select {
			case <-time.After(pause):
			case <-ctx.Done():
				return
			}
		}
	}
}

func short(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && !strings.HasPrefix(s, "websocket: close") {
		s = s[i+2:]
	}
	return s
}

func printCauses(w io.Writer, causes map[string]int) {
	if len(causes) == 0 {
		return
	}
	keys := make([]string, 0, len(causes))
	for k := range causes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool { return causes[keys[a]] > causes[keys[b]] })
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, causes[k]))
	}
	fmt.Fprintf(w, " (%s)", strings.Join(parts, ", "))
}

// percentiles formats the nearest-rank p50, p95, p99 and the maximum of ds.
func percentiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "no samples"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(p float64) time.Duration {
		i := int(float64(len(s))*p+0.999999) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	r := func(d time.Duration) string { return d.Round(10 * time.Microsecond).String() }
	return fmt.Sprintf("p50 %s  p95 %s  p99 %s  max %s  (n=%d)", r(at(0.50)), r(at(0.95)), r(at(0.99)), r(s[len(s)-1]), len(s))
}
