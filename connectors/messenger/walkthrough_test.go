package messenger_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trolyao/trolyao/connectors/connectortest"
)

// TestWalkthrough records one exchange against the fake Graph API: run with -v to see the
// signed delivery, the acknowledgement, the typing indicator and the reply.
func TestWalkthrough(t *testing.T) {
	graph := newFakeGraph(t)
	f := setup(t, graph, "", nil, nil)
	body := delivery(textEvent("m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P", "Thủ tục đăng ký thường trú cần những giấy tờ gì?"))
	req, _ := http.NewRequest(http.MethodPost, f.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range sign(body, appSecret) {
		req.Header.Set(k, v)
	}
	start := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	ack := time.Since(start)
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	f.drain(t)
	connectortest.LogExchange(t, req, body, res.StatusCode, graph.Calls(""), "access_token", "appsecret_proof")
	t.Logf("acknowledged in %s; %d calls to the platform", ack, len(graph.Calls("")))
	if res.StatusCode != http.StatusOK || len(graph.texts(t)) != 1 {
		t.Fatalf("status %d, %d sends", res.StatusCode, len(graph.texts(t)))
	}
}

// BenchmarkWebhookAck fires batches of 200 concurrent signed deliveries at the handler over
// HTTP while the assistant takes 200 ms per answer (8 workers: the queue backs up), and
// reports acknowledgement latency percentiles as the platform sees them (ack-*, round trip
// over loopback) and inside the handler (handler-*): acks must not wait for answers.
func BenchmarkWebhookAck(b *testing.B) {
	graph := newFakeGraph(b)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f := setup(b, graph, "", map[string]string{"MESSENGER_QUEUE_SIZE": "1000000"}, quiet)
	f.asst.Delay = 200 * time.Millisecond
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 200}}
	var lat connectortest.Latencies
	var seq, failed atomic.Int64
	for b.Loop() {
		var wg sync.WaitGroup
		for range 200 {
			wg.Go(func() {
				body := delivery(textEvent(fmt.Sprintf("m_bench_%d", seq.Add(1)), "Thủ tục cấp đổi căn cước công dân?"))
				req, _ := http.NewRequest(http.MethodPost, f.url, bytes.NewReader(body))
				for k, v := range sign(body, appSecret) {
					req.Header.Set(k, v)
				}
				start := time.Now()
				res, err := client.Do(req)
				if err != nil || res.StatusCode != http.StatusOK {
					failed.Add(1)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				lat.Add(time.Since(start))
			})
		}
		wg.Wait()
	}
	b.StopTimer()
	if failed.Load() > 0 {
		b.Fatalf("%d deliveries not acknowledged with 200", failed.Load())
	}
	lat.Report(b, "ack")
	f.acks.Report(b, "handler")
	b.ReportMetric(0, "ns/op")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = f.h.Close(ctx)
}
