package messenger_test

import (
	"strings"
	"testing"

	"github.com/trolyao/trolyao/knowledge"
)

// TestChoicesAsQuickReplies checks that an answer asking the person to choose carries a quick
// reply per choice, and that pressing one is asked as the choice's number, whatever its title.
func TestChoicesAsQuickReplies(t *testing.T) {
	graph := newFakeGraph(t)
	f := setup(t, graph, "", nil, nil)
	f.asst.Citations = []knowledge.Citation{}
	f.asst.Answer = "Tôi chưa chắc bạn hỏi về thủ tục nào. Bạn vui lòng chọn một thủ tục dưới đây (trả lời bằng số thứ tự):\n" +
		"1. Đăng ký thường trú\n2. Xóa đăng ký thường trú"
	f.asst.Choices = []knowledge.Choice{
		{N: 1, Title: "Đăng ký thường trú", Source: "a.json", DocumentID: "d1"},
		{N: 2, Title: "Xóa đăng ký thường trú", Source: "b.json", DocumentID: "d2"},
	}
	f.deliver(t, textEvent("m_q1", "thường trú"))
	press := textEvent("m_q2", "2. Xóa đăng ký…")
	press["message"].(map[string]any)["quick_reply"] = map[string]string{"payload": "choice:2"}
	f.deliver(t, press)
	f.drain(t)

	qrs := graph.quickReplies(t)
	if len(qrs) != 2 || len(qrs[0]) != 2 {
		t.Fatalf("quick replies sent = %+v, want 2 on the first answer", qrs)
	}
	if q := qrs[0][0]; q.Title != "1. Đăng ký thường…" || q.Payload != "choice:1" {
		t.Errorf("first quick reply = %+v", q)
	}
	if q := qrs[0][1]; !strings.HasPrefix(q.Title, "2. ") || q.Payload != "choice:2" {
		t.Errorf("second quick reply = %+v", q)
	}
	reqs := f.asst.Requests()
	if len(reqs) != 2 || reqs[1].Message != "2" {
		t.Fatalf("asked %+v, want the press asked as \"2\"", reqs)
	}
}
