package web

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
)

// TestCitationWireFormat pins the JSON clients receive for citations and choices, in the chat API's reply
// (and the answer frame) and in the history frame, byte for byte: it does not depend on how
// the knowledge base encodes its own citations.
func TestCitationWireFormat(t *testing.T) {
	cites := []knowledge.Citation{
		{N: 1, Source: "procedures/1.001193.md", Title: "Thủ tục đăng ký khai sinh", Snippet: "Miễn lệ phí <đúng hạn> & \"60 ngày\"",
			URL: "https://dichvucong.gov.vn/p?ma=1.001193&x=1", Score: 0.8125, DocumentID: "doc-1", ChunkID: 42, Section: "Lệ phí"},
		{N: 2, Source: "faq/42"},
	}
	card1 := &assistant.Card{N: 1, Title: "Đăng ký khai sinh", Level: "Cấp xã", Agency: "UBND cấp xã", Place: "Bộ phận Một cửa",
		Channels: []assistant.CardChannel{{Name: "Trực tiếp", Time: "Trong ngày làm việc", Fee: "Miễn phí"}, {Name: "Trực tuyến"}},
		Papers:   []string{"Tờ khai (1 bản chính)"}, MorePapers: 2, Online: true, URL: "https://dichvucong.gov.vn/p", Source: "a.json", DocumentID: "d1"}
	const card1JSON = `{"n":1,"title":"Đăng ký khai sinh","level":"Cấp xã","agency":"UBND cấp xã","place":"Bộ phận Một cửa",` +
		`"channels":[{"name":"Trực tiếp","time":"Trong ngày làm việc","fee":"Miễn phí"},{"name":"Trực tuyến"}],` +
		`"papers":["Tờ khai (1 bản chính)"],"more_papers":2,"online":true,"url":"https://dichvucong.gov.vn/p","source":"a.json","document_id":"d1"}`
	picks := []knowledge.Choice{{N: 1, Title: "Cấp giấy phép", Source: "a.json", DocumentID: "d1"}, {N: 2, Title: "Gia hạn giấy phép", Source: "b.json", DocumentID: "d2"}}
	at := time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)
	encode := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"reply with sources", encode(chatReply(assistant.Reply{SessionID: "s", MessageID: "m", Answer: "a", Grounded: true, Citations: cites})),
			`{"session_id":"s","message_id":"m","answer":"a","grounded":true,"citations":[{"n":1,"source":"procedures/1.001193.md","title":"Thủ tục đăng ký khai sinh","snippet":"Miễn lệ phí \u003cđúng hạn\u003e \u0026 \"60 ngày\"","url":"https://dichvucong.gov.vn/p?ma=1.001193\u0026x=1","score":0.8125,"document_id":"doc-1","chunk_id":42,"section":"Lệ phí"},{"n":2,"source":"faq/42","title":"","snippet":"","score":0}]}`},
		{"reply without sources", encode(chatReply(assistant.Reply{SessionID: "s", MessageID: "m", Answer: "a"})),
			`{"session_id":"s","message_id":"m","answer":"a","grounded":false,"citations":[]}`},
		{"history", string(newHistoryFrame("s", []knowledge.Message{
			{ID: "u", Role: "user", Text: "q", Status: "complete", CreatedAt: at},
			{ID: "m", Role: "assistant", Text: "a", Grounded: true, Citations: cites, Status: "complete", CreatedAt: at},
			{ID: "e", Role: "assistant", Text: "b", Citations: []knowledge.Citation{}, Status: "undelivered", CreatedAt: at},
		}, nil)), `{"type":"history","session_id":"s","messages":[{"id":"u","role":"user","text":"q","status":"complete","created_at":"2026-12-02T09:30:00Z"},{"id":"m","role":"assistant","text":"a","grounded":true,"citations":[{"n":1,"source":"procedures/1.001193.md","title":"Thủ tục đăng ký khai sinh","snippet":"Miễn lệ phí \u003cđúng hạn\u003e \u0026 \"60 ngày\"","url":"https://dichvucong.gov.vn/p?ma=1.001193\u0026x=1","score":0.8125,"document_id":"doc-1","chunk_id":42,"section":"Lệ phí"},{"n":2,"source":"faq/42","title":"","snippet":"","score":0}],"status":"complete","created_at":"2026-12-02T09:30:00Z"},{"id":"e","role":"assistant","text":"b","status":"undelivered","created_at":"2026-12-02T09:30:00Z"}]}`},
		{"reply with choices", encode(chatReply(assistant.Reply{SessionID: "s", MessageID: "m", Answer: "Bạn hỏi thủ tục nào?", Choices: picks})),
			`{"session_id":"s","message_id":"m","answer":"Bạn hỏi thủ tục nào?","grounded":false,"citations":[],"choices":[{"n":1,"title":"Cấp giấy phép","source":"a.json","document_id":"d1"},{"n":2,"title":"Gia hạn giấy phép","source":"b.json","document_id":"d2"}]}`},
		{"reply about a procedure", encode(chatReply(assistant.Reply{SessionID: "s", MessageID: "m", Answer: "a", Grounded: true, Card: card1,
			Suggestions: []string{"Cần chuẩn bị giấy tờ gì?"}})),
			`{"session_id":"s","message_id":"m","answer":"a","grounded":true,"citations":[],"procedure":` + card1JSON + `,"suggestions":["Cần chuẩn bị giấy tờ gì?"]}`},
		{"history with a card", string(newHistoryFrame("s", []knowledge.Message{
			{ID: "m", Role: "assistant", Text: "a", Grounded: true, Status: "complete", CreatedAt: at},
		}, map[string]*assistant.Card{"m": card1})), `{"type":"history","session_id":"s","messages":[{"id":"m","role":"assistant","text":"a","grounded":true,"procedure":` + card1JSON + `,"status":"complete","created_at":"2026-12-02T09:30:00Z"}]}`},
		{"history with choices", string(newHistoryFrame("s", []knowledge.Message{
			{ID: "m", Role: "assistant", Text: "Bạn hỏi thủ tục nào?", Choices: picks, Status: "complete", CreatedAt: at},
		}, nil)), `{"type":"history","session_id":"s","messages":[{"id":"m","role":"assistant","text":"Bạn hỏi thủ tục nào?","choices":[{"n":1,"title":"Cấp giấy phép","source":"a.json","document_id":"d1"},{"n":2,"title":"Gia hạn giấy phép","source":"b.json","document_id":"d2"}],"status":"complete","created_at":"2026-12-02T09:30:00Z"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got  %s\nwant %s", tt.got, tt.want)
			}
		})
	}
}
