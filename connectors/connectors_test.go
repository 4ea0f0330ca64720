package connectors_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/connectors"
	"github.com/trolyao/trolyao/knowledge"
)

func TestUserKey(t *testing.T) {
	k := connectors.UserKey("0123456789abcdef", "zalo", "8412345678")
	if len(k) != 64 || strings.Contains(k, "8412345678") {
		t.Fatalf("UserKey = %q: want 64 hex digits hiding the id", k)
	}
	if k != connectors.UserKey("0123456789abcdef", "zalo", "8412345678") {
		t.Fatal("UserKey is not stable")
	}
	if k == connectors.UserKey("0123456789abcdef", "telegram", "8412345678") {
		t.Fatal("the same id on two channels gives the same key")
	}
	if k == connectors.UserKey("another-secret-0000", "zalo", "8412345678") {
		t.Fatal("the key does not depend on the secret")
	}
}

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    connectors.Config
		wantErr string
	}{
		{"defaults", nil, connectors.Config{Audience: assistant.Citizen, Workers: connectors.DefaultWorkers,
			QueueSize: connectors.DefaultQueueSize, MaxBody: connectors.DefaultMaxBody}, ""},
		{"set", map[string]string{"ZALO_AUDIENCE": "staff", "ZALO_LOCALITY": " Quận Hoàn Kiếm ", "ZALO_WORKERS": "3",
			"ZALO_QUEUE_SIZE": "50", "ASSISTANT_USER_KEY_SECRET": "a-long-enough-secret"},
			connectors.Config{Audience: assistant.Staff, Locality: "Quận Hoàn Kiếm", Workers: 3, QueueSize: 50,
				UserKeySecret: "a-long-enough-secret", MaxBody: connectors.DefaultMaxBody}, ""},
		{"bad audience", map[string]string{"ZALO_AUDIENCE": "everyone"}, connectors.Config{}, "ZALO_AUDIENCE"},
		{"bad workers", map[string]string{"ZALO_WORKERS": "0"}, connectors.Config{}, "ZALO_WORKERS"},
		{"bad queue", map[string]string{"ZALO_QUEUE_SIZE": "many"}, connectors.Config{}, "ZALO_QUEUE_SIZE"},
		{"short secret", map[string]string{"ASSISTANT_USER_KEY_SECRET": "short"}, connectors.Config{}, "ASSISTANT_USER_KEY_SECRET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := connectors.LoadConfig("ZALO", func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestRetry(t *testing.T) {
	fast := connectors.Retry{Attempts: 4, Base: time.Millisecond, Max: 10 * time.Millisecond}
	tests := []struct {
		name      string
		errs      []error
		wantCalls int
		wantErr   bool
	}{
		{"success", []error{nil}, 1, false},
		{"temporary then success", []error{connectors.Temporary(errors.New("503"), 0), nil}, 2, false},
		{"permanent is not retried", []error{errors.New("bad request")}, 1, true},
		{"gives up", []error{connectors.Temporary(errors.New("503"), 0)}, 4, true},
		{"asked to wait too long", []error{connectors.Temporary(errors.New("429"), time.Hour)}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			n, err := fast.Do(context.Background(), func(context.Context) error {
				e := tt.errs[min(calls, len(tt.errs)-1)]
				calls++
				return e
			})
			if calls != tt.wantCalls || n != calls || (err != nil) != tt.wantErr {
				t.Fatalf("calls %d (reported %d), err %v; want %d calls, error %t", calls, n, err, tt.wantCalls, tt.wantErr)
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	got := connectors.PlainText("Bạn cần nộp tờ khai [1] và giấy chứng sinh [2].", connectors.Sources([]knowledge.Citation{
		{N: 2, Title: "Quyết định công bố thủ tục hành chính lĩnh vực hộ tịch của Bộ Tư pháp năm 2024", URL: "https://example.gov.vn/qd"},
		{N: 1, Title: "Thủ tục đăng ký khai sinh", URL: "https://dichvucong.gov.vn/tt/1"},
		{N: 1, Title: "Thủ tục đăng ký khai sinh", URL: "https://dichvucong.gov.vn/tt/1"},
		{N: 3, Source: "faq/42"},
	}))
	want := "Bạn cần nộp tờ khai [1] và giấy chứng sinh [2].\n\nNguồn tham khảo:\n" +
		"[1] Thủ tục đăng ký khai sinh — https://dichvucong.gov.vn/tt/1\n" +
		"[2] Quyết định công bố thủ tục hành chính lĩnh vực hộ tịch của Bộ Tư pháp năm 2024 — https://example.gov.vn/qd\n" +
		"[3] faq/42"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if s := connectors.ShortTitle("Quyết định công bố thủ tục hành chính lĩnh vực hộ tịch", 30); s != "Quyết định công bố thủ tục…" {
		t.Fatalf("ShortTitle = %q", s)
	}
}
