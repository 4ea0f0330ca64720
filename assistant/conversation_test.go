package assistant_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
)

// TestConversations drives a conversation through the assistant's own methods, as the web
// chat and the connectors do: start, ask, replay, rate, mark a reply undelivered.
func TestConversations(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st := newStack(t, backend)
			id, err := st.asst.StartConversation(ctx, "web", "")
			if err != nil {
				t.Fatal(err)
			}
			if err := st.asst.CheckConversation(ctx, id); err != nil {
				t.Errorf("CheckConversation of a web conversation: %v", err)
			}
			reply, err := st.asst.Ask(ctx, assistant.Request{Message: "Đăng ký khai sinh có mất phí không?", SessionID: id, Channel: "web"}, nil)
			if err != nil || reply.SessionID != id {
				t.Fatalf("Ask = %+v, %v", reply, err)
			}
			hist, err := st.asst.History(ctx, id, 0)
			if err != nil || len(hist) != 2 || hist[0].Role != knowledge.RoleUser || hist[1].ID != reply.MessageID || hist[1].Status != knowledge.StatusComplete {
				t.Fatalf("History = %+v, %v", hist, err)
			}
			question := hist[0].ID

			for _, tt := range []struct {
				name string
				r    assistant.Rating
				want error
			}{
				{"up", assistant.Rating{MessageID: reply.MessageID, Rating: "up", SessionID: id}, nil},
				{"down with a comment", assistant.Rating{MessageID: reply.MessageID, Rating: "down", Comment: "Thiếu địa chỉ"}, nil},
				{"no message", assistant.Rating{Rating: "up"}, assistant.ErrInvalidRequest},
				{"unknown rating", assistant.Rating{MessageID: reply.MessageID, Rating: "meh"}, assistant.ErrInvalidRequest},
				{"the question, not an answer", assistant.Rating{MessageID: question, Rating: "up"}, assistant.ErrInvalidRequest},
				{"no such message", assistant.Rating{MessageID: "00000000-0000-0000-0000-000000000000", Rating: "up"}, assistant.ErrUnknownMessage},
				{"another conversation's answer", assistant.Rating{MessageID: reply.MessageID, Rating: "up", SessionID: "00000000-0000-0000-0000-000000000001"}, assistant.ErrUnknownMessage},
			} {
				t.Run(tt.name, func(t *testing.T) {
					err := st.asst.Rate(ctx, tt.r)
					if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
						t.Errorf("Rate = %v, want %v", err, tt.want)
					}
				})
			}

			if err := st.asst.MarkUndelivered(ctx, reply.MessageID, "zalo: 0 of 1 parts sent"); err != nil {
				t.Fatal(err)
			}
			m, err := st.asst.Message(ctx, reply.MessageID)
			if err != nil || m.Status != knowledge.StatusUndelivered || m.Detail != "zalo: 0 of 1 parts sent" || m.Text != reply.Answer {
				t.Errorf("after MarkUndelivered: %+v, %v", m, err)
			}
			if err := st.asst.MarkUndelivered(ctx, "", "x"); !errors.Is(err, assistant.ErrUnknownMessage) {
				t.Errorf("MarkUndelivered without an ID = %v, want ErrUnknownMessage", err)
			}

			// A platform user's conversation is never shown to a browser.
			zr, err := st.asst.Ask(ctx, assistant.Request{Message: "Đăng ký khai sinh ở đâu?", Channel: "zalo", UserKey: "u-1"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, other := range []string{zr.SessionID, "00000000-0000-0000-0000-000000000000"} {
				if err := st.asst.CheckConversation(ctx, other); !errors.Is(err, assistant.ErrUnknownSession) {
					t.Errorf("CheckConversation(%s) = %v, want ErrUnknownSession", other, err)
				}
			}
		})
	}
}

// TestChoices: a question that fits several procedures about as well is asked back with them as
// choices; the next message picks one by its number, in words, or by its name, and is answered
// from it. A question the knowledge base has nothing on gets no choices.
func TestChoices(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st := newStackFrom(t, backend, "testdata/choices", assistant.DefaultConfig())
			const question = "giấy phép bến thủy lệ phí bao nhiêu"
			for _, tt := range []struct{ pick, want string }{
				{"2", ""}, {"cái thứ hai", ""}, {"chọn số 1", ""}, {"cấp lại khi bị mất", "cap-lai-phep-ben.json"},
			} {
				t.Run(tt.pick, func(t *testing.T) {
					asked, err := st.asst.Ask(ctx, assistant.Request{Message: question, Channel: "web"}, nil)
					if err != nil {
						t.Fatal(err)
					}
					if len(asked.Choices) < 2 || asked.Grounded || len(asked.Citations) != 0 {
						t.Fatalf("reply = %+v, want choices, not grounded, nothing cited", asked)
					}
					for _, c := range asked.Choices {
						if !strings.Contains(asked.Answer, fmt.Sprintf("%d. %s", c.N, c.Title)) || c.DocumentID == "" || c.Source == "" {
							t.Errorf("choice %+v not listed in the answer:\n%s", c, asked.Answer)
						}
					}
					want := tt.want
					if want == "" {
						n := map[string]int{"2": 2, "cái thứ hai": 2, "chọn số 1": 1}[tt.pick]
						want = asked.Choices[n-1].Source
					}
					reply, err := st.asst.Ask(ctx, assistant.Request{Message: tt.pick, SessionID: asked.SessionID, Channel: "web"}, nil)
					if err != nil {
						t.Fatal(err)
					}
					if !reply.Grounded || len(reply.Choices) != 0 || len(reply.Citations) == 0 || reply.Citations[0].Source != want ||
						!strings.Contains(reply.Answer, "Lệ phí") {
						t.Errorf("after picking %q: want the fee from %s, got %+v", tt.pick, want, reply)
					}
					hist, err := st.asst.History(ctx, asked.SessionID, 0)
					if err != nil || len(hist) != 4 || len(hist[1].Choices) != len(asked.Choices) || len(hist[3].Choices) != 0 {
						t.Errorf("history keeps the choices with the answer that offered them: %+v, %v", hist, err)
					}
				})
			}
			for _, q := range []string{"giá vàng hôm nay bao nhiêu", "thời tiết ngày mai thế nào"} {
				reply, err := st.asst.Ask(ctx, assistant.Request{Message: q}, nil)
				if err != nil || len(reply.Choices) != 0 || reply.Grounded {
					t.Errorf("%q: %+v, %v; want a refusal without choices", q, reply, err)
				}
			}
			// A new question instead of a pick is answered as a question.
			asked, err := st.asst.Ask(ctx, assistant.Request{Message: question}, nil)
			if err != nil || len(asked.Choices) == 0 {
				t.Fatalf("%+v, %v", asked, err)
			}
			reply, err := st.asst.Ask(ctx, assistant.Request{Message: "Gia hạn giấy phép hoạt động bến thủy nội địa mất bao lâu?", SessionID: asked.SessionID}, nil)
			if err != nil || !reply.Grounded || reply.Citations[0].Source != "gia-han-phep-ben.json" || !strings.Contains(reply.Answer, "4 ngày làm việc") {
				t.Errorf("a new question after choices: %+v, %v", reply, err)
			}
		})
	}
}

// TestWhereToSubmit: asked where or whether online, the answer adds the record's own sentence
// saying how the application is handed in.
func TestWhereToSubmit(t *testing.T) {
	ctx := context.Background()
	st := newStackFrom(t, "sqlite", "testdata/choices", assistant.DefaultConfig())
	for _, tt := range []struct{ q, want string }{
		{"Gia hạn giấy phép hoạt động bến thủy nội địa nộp hồ sơ ở đâu?", "nộp hồ sơ tại Trung tâm Phục vụ hành chính công tỉnh"},
		{"Gia hạn giấy phép hoạt động bến thủy nội địa có nộp online được không?", "Cổng Dịch vụ công quốc gia"},
	} {
		reply, err := st.asst.Ask(ctx, assistant.Request{Message: tt.q}, nil)
		if err != nil || !reply.Grounded || !strings.Contains(reply.Answer, tt.want) {
			t.Errorf("%q: %v\n%s\nwant it to say %q", tt.q, err, reply.Answer, tt.want)
		}
	}
}
