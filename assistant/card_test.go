package assistant_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/trolyao/trolyao/assistant"
)

// TestProcedureCard checks that an answer about a procedure carries the procedure at a glance
// (times and fees per channel in plain words, papers, place, online, link) and that an answer
// about a plan carries none.
func TestProcedureCard(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			st := newStack(t, backend)
			ctx := context.Background()
			reply, err := st.asst.Ask(ctx, assistant.Request{Message: "Lệ phí cấp giấy phép treo biển quảng cáo bao nhiêu?"}, nil)
			if err != nil || !reply.Grounded {
				t.Fatalf("%v\n%s", err, reply.Answer)
			}
			c := reply.Card
			if c == nil {
				t.Fatal("an answer about a procedure has no card")
			}
			want := []assistant.CardChannel{
				{Name: "Trực tiếp", Time: "10 ngày làm việc", Fee: "120.000 đồng"},
				{Name: "Trực tuyến", Time: "8 ngày làm việc", Fee: "60.000 đồng"},
			}
			if !slices.Equal(c.Channels, want) {
				t.Errorf("channels %+v, want %+v", c.Channels, want)
			}
			if c.N != reply.Citations[0].N || c.DocumentID != reply.Citations[0].DocumentID || c.Title != "Cấp giấy phép treo biển quảng cáo" ||
				c.Level != "Cấp huyện" || c.Agency != "Phòng Văn hóa và Thông tin cấp huyện" || c.Place != "Bộ phận Một cửa Ủy ban nhân dân cấp huyện" ||
				!c.Online || c.URL != "https://dichvucong.example.vn/thu-tuc/TEST.0001" || len(c.Papers) != 3 || c.MorePapers != 0 {
				t.Errorf("card %+v", c)
			}
			// The next questions suggested are the facets the question did not ask about, and
			// each is answered from the same procedure.
			if want := []string{"Cần chuẩn bị giấy tờ gì?", "Mất bao lâu thì có kết quả?", "Nộp hồ sơ ở đâu?"}; !slices.Equal(reply.Suggestions, want) {
				t.Errorf("suggestions %q, want %q", reply.Suggestions, want)
			}
			for _, s := range reply.Suggestions {
				next, err := st.asst.Ask(ctx, assistant.Request{Message: s, SessionID: reply.SessionID}, nil)
				if err != nil || !next.Grounded || next.Citations[0].URL != reply.Citations[0].URL {
					t.Errorf("suggested %q: %v\n%s", s, err, next.Answer)
				}
			}
			plan, err := st.asst.Ask(ctx, assistant.Request{Message: "Lâm Đồng đặt tỷ lệ hồ sơ trực tuyến cấp sở là bao nhiêu?"}, nil)
			if err != nil || !plan.Grounded || plan.Card != nil || plan.Suggestions != nil {
				t.Errorf("a plan answer: card %+v, suggestions %q, %v", plan.Card, plan.Suggestions, err)
			}
		})
	}
}

// TestDeleteConversationAndHistoryCards checks that a replayed conversation has the cards its
// answers had, and that a conversation erased at the person's request is gone.
func TestDeleteConversationAndHistoryCards(t *testing.T) {
	st := newStack(t, "sqlite")
	ctx := context.Background()
	first, err := st.asst.Ask(ctx, assistant.Request{Message: "Lệ phí cấp giấy phép treo biển quảng cáo bao nhiêu?"}, nil)
	if err != nil || first.Card == nil {
		t.Fatalf("%v, card %+v", err, first.Card)
	}
	msgs, err := st.asst.History(ctx, first.SessionID, 0)
	if err != nil {
		t.Fatal(err)
	}
	cards := st.asst.HistoryCards(ctx, msgs)
	if c := cards[first.MessageID]; c == nil || c.Title != first.Card.Title || !slices.Equal(c.Channels, first.Card.Channels) || len(cards) != 1 {
		t.Errorf("history cards %+v, want the answer's card", cards)
	}
	if err := st.asst.DeleteConversation(ctx, first.SessionID); err != nil {
		t.Fatal(err)
	}
	if err := st.asst.CheckConversation(ctx, first.SessionID); !errors.Is(err, assistant.ErrUnknownSession) {
		t.Errorf("a deleted conversation can be continued: %v", err)
	}
	if err := st.asst.DeleteConversation(ctx, first.SessionID); !errors.Is(err, assistant.ErrUnknownSession) {
		t.Errorf("deleting it again: %v, want ErrUnknownSession", err)
	}
}
