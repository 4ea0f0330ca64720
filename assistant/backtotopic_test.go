package assistant_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trolyao/trolyao/assistant"
)

// TestBackToTopic checks that a short question in words of its own, asking what procedures
// answer (a fee, online submission), is answered from the procedure the conversation is about
// when the knowledge base as a whole has nothing for those words, and that neither a long
// message telling a new story nor the same question in a new conversation is.
func TestBackToTopic(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			st := newStack(t, backend)
			ctx := context.Background()
			first, err := st.asst.Ask(ctx, assistant.Request{Message: "Cấp giấy phép treo biển quảng cáo cần giấy tờ gì?"}, nil)
			if err != nil || !first.Grounded {
				t.Fatalf("first question: %v\n%s", err, first.Answer)
			}
			follow := "nộp qua VNeID được không?"
			reply, err := st.asst.Ask(ctx, assistant.Request{Message: follow, SessionID: first.SessionID}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reply.Grounded || len(reply.Citations) == 0 || reply.Citations[0].URL != first.Citations[0].URL {
				t.Fatalf("%q was not answered from the procedure under discussion:\n%s\n%+v", follow, reply.Answer, reply.Citations)
			}
			if !strings.Contains(norm(reply.Answer), norm("trực tuyến")) {
				t.Errorf("%q: answer does not say how to hand in online:\n%s", follow, reply.Answer)
			}

			fresh, err := st.asst.Ask(ctx, assistant.Request{Message: follow}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if fresh.Grounded && len(fresh.Citations) > 0 && fresh.Citations[0].URL == first.Citations[0].URL {
				t.Errorf("%q in a new conversation was answered from a procedure it does not name:\n%s", follow, fresh.Answer)
			}

			story := "Nhà tôi ở quê có mảnh vườn trồng cà phê, năm nay mất mùa vì hạn hán kéo dài, tôi muốn hỏi nhà nước có hỗ trợ tiền cho nông dân bị thiệt hại không và nộp ở đâu?"
			other, err := st.asst.Ask(ctx, assistant.Request{Message: story, SessionID: first.SessionID}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if other.Grounded && len(other.Citations) > 0 && other.Citations[0].URL == first.Citations[0].URL {
				t.Errorf("a long message telling a new story was answered from the previous procedure:\n%s", other.Answer)
			}
		})
	}
}
