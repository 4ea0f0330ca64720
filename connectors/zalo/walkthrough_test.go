package zalo_test

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

// TestWalkthrough records one exchange against the fake Zalo: run with -v to see the signed
// event coming in, the acknowledgement, the token refresh and the reply going out.
func TestWalkthrough(t *testing.T) {
	fake := newFakeZalo(t, "AT-live", "RT-0") // the configured access token has expired
	f := setup(t, fake, "", nil, nil)
	now := time.Now()
	body := event("user_send_text", "cb31dff1c39642cc1b83", "Đăng ký khai sinh cho con ở đâu, có mất phí không?", now)
	req, _ := http.NewRequest(http.MethodPost, f.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range sign(body, now, oaSecretKey) {
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
	connectortest.LogExchange(t, req, body, res.StatusCode, fake.Calls(""), "access_token", "secret_key", "refresh_token")
	t.Logf("acknowledged in %s; %d calls to the platform", ack, len(fake.Calls("")))
	if res.StatusCode != http.StatusOK || len(fake.texts(t)) != 2 {
		t.Fatalf("status %d, %d sends", res.StatusCode, len(fake.texts(t)))
	}
}

// BenchmarkWebhookAck fires batches of 200 concurrent signed deliveries at the handler over
// HTTP while the assistant takes 200 ms per answer (8 workers: the queue backs up), and
// reports acknowledgement latency percentiles as the platform sees them (ack-*, round trip
// over loopback) and inside the handler (handler-*): acks must not wait for answers.
func BenchmarkWebhookAck(b *testing.B) {
	fake := newFakeZalo(b, "AT-0", "RT-0")
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f := setup(b, fake, "", map[string]string{"ZALO_QUEUE_SIZE": "1000000"}, quiet)
	f.asst.Delay = 200 * time.Millisecond
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 200}}
	var lat connectortest.Latencies
	var seq, failed atomic.Int64
	for b.Loop() {
		var wg sync.WaitGroup
		for range 200 {
			wg.Go(func() {
				now := time.Now()
				body := event("user_send_text", fmt.Sprintf("bench-%d", seq.Add(1)), "Thủ tục cấp đổi căn cước công dân?", now)
				req, _ := http.NewRequest(http.MethodPost, f.url, bytes.NewReader(body))
				for k, v := range sign(body, now, oaSecretKey) {
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
	b.ReportMetric(0, "ns/op") // a batch's duration says nothing here
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = f.h.Close(ctx) // drop what the slow assistant has not answered
}
