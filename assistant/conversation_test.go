package assistant_test

import (
	"context"
	"errors"
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
