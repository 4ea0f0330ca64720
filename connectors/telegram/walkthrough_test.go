package telegram_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trolyao/trolyao/connectors/connectortest"
	"github.com/trolyao/trolyao/connectors/telegram"
)

// TestWalkthrough records one exchange against the fake Bot API: run with -v to see the
// update, the acknowledgement, the typing actions and the HTML reply.
func TestWalkthrough(t *testing.T) {
	api := newFakeBotAPI(t)
	f := setup(t, api, "", nil, nil, telegram.WithTypingInterval(100*time.Millisecond))
	f.asst.Delay = 250 * time.Millisecond
	body := encode(update(736410021, "Đăng ký khai sinh cho con ở đâu, có mất phí không?"))
	req, _ := http.NewRequest(http.MethodPost, f.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", webhookSecret)
	start := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	ack := time.Since(start)
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	f.drain(t)
	connectortest.LogExchange(t, req, body, res.StatusCode, api.Calls(""), "X-Telegram-Bot-Api-Secret-Token", "path:"+botToken)
	t.Logf("acknowledged in %s; %d calls to the platform", ack, len(api.Calls("")))
	if res.StatusCode != http.StatusOK || len(api.sends(t)) != 1 {
		t.Fatalf("status %d, %d sends", res.StatusCode, len(api.sends(t)))
	}
}

// BenchmarkWebhookAck fires batches of 200 concurrent deliveries at the handler over HTTP
// while the assistant takes 200 ms per answer (8 workers: the queue backs up), and reports
// acknowledgement latency percentiles as the platform sees them (ack-*, round trip over
// loopback) and inside the handler (handler-*): acks must not wait for answers.
func BenchmarkWebhookAck(b *testing.B) {
	api := newFakeBotAPI(b)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f := setup(b, api, "", map[string]string{"TELEGRAM_QUEUE_SIZE": "1000000"}, quiet)
	f.asst.Delay = 200 * time.Millisecond
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 200}}
	var lat connectortest.Latencies
	var seq, failed atomic.Int64
	for b.Loop() {
		var wg sync.WaitGroup
		for range 200 {
			wg.Go(func() {
				body := encode(update(seq.Add(1), "Thủ tục cấp đổi căn cước công dân?"))
				req, _ := http.NewRequest(http.MethodPost, f.url, bytes.NewReader(body))
				req.Header.Set("X-Telegram-Bot-Api-Secret-Token", webhookSecret)
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
