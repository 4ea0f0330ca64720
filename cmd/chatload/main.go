// Command chatload puts a running assistant's websocket chat under load. In ask mode it opens
// N sessions that each ask questions, continuously for a duration or each question once, and
// reports the time to the first delta and to the answer (p50, p95, p99) and the errors. In
// idle mode it holds N connections open and reports the server's memory per connection, read
// from /proc/PID/status (-pid) and from the server's GET /debug/vars (-vars, which the server
// serves to loopback clients when started with ASSISTANT_DEBUG_VARS=1).
//
//	chatload -url ws://127.0.0.1:8080/ws/chat -n 1000 -duration 30s
//	chatload -url ws://127.0.0.1:8080/ws/chat -idle -n 8000 -pid 1234 -vars http://127.0.0.1:8080/debug/vars
//
// The server must allow that many connections and messages from one address (set its
// per-address limits off for the run). Client and server share the machine's open-file limit.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "chatload:", err)
		os.Exit(1)
	}
}
