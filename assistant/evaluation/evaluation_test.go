package evaluation_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/assistant/evaluation"
	"github.com/trolyao/trolyao/knowledge"
)

// cannedAsker answers each question with the reply given for it, in one conversation per item.
type cannedAsker map[string]assistant.Reply

func (c cannedAsker) Ask(_ context.Context, req assistant.Request, _ func(string)) (assistant.Reply, error) {
	r := c[req.Message]
	r.SessionID = "s"
	return r, nil
}

func TestAnswers(t *testing.T) {
	file := filepath.Join(t.TempDir(), "set.jsonl")
	set := `{"id":"a","audience":"citizen","turns":[{"q":"phí khai sinh?","doc":"tu-phap/khai-sinh.json","any":["miễn phí","0 đồng"]},{"q":"mất bao lâu?","doc":"tu-phap/khai-sinh.json","all":["1 ngày","làm việc"]}]}

{"id":"b","audience":"staff","turns":[{"q":"giá vàng?","grounded":false}]}
`
	if err := os.WriteFile(file, []byte(set), 0o644); err != nil {
		t.Fatal(err)
	}
	items, err := evaluation.Read(file)
	if err != nil || len(items) != 2 {
		t.Fatalf("Read = %+v, %v", items, err)
	}
	cite := []knowledge.Citation{{N: 1, Source: "bo/tu-phap/khai-sinh.json"}}
	asker := cannedAsker{
		"phí khai sinh?": {Answer: "Lệ phí: MIEN PHI [1]", Grounded: true, Citations: cite},
		"mất bao lâu?":   {Answer: "Thời hạn: 1 ngày [1]", Grounded: true, Citations: cite},
		"giá vàng?":      {Answer: "Xin lỗi, tôi chưa tìm thấy thông tin."},
	}
	rep, err := evaluation.Answers(context.Background(), asker, items)
	if err != nil {
		t.Fatal(err)
	}
	sum := rep.Summary()
	// The second answer gives the duration but not "làm việc": an "all" fact is missing.
	if sum.Questions != 3 || sum.InScope != 2 || sum.SourceFound != 2 || sum.FactsFound != 1 || sum.WithFacts != 2 ||
		sum.CorrectRefusals != 1 || sum.GroundedInScope != 2 {
		t.Errorf("summary = %+v", sum)
	}
	var out strings.Builder
	rep.Print(&out, true)
	if !strings.Contains(out.String(), "expected facts in the answer:       1/2 (50%)") {
		t.Errorf("printed report:\n%s", out.String())
	}
}

func TestReadRejectsBadLines(t *testing.T) {
	for _, tt := range []struct{ name, line, want string }{
		{"not JSON", `{"id":`, "line 1"},
		{"no turns", `{"id":"x","turns":[]}`, "no turns"},
		{"misplaced field", `{"id":"x","grounded":false,"turns":[{"q":"giá vàng hôm nay"}]}`, `unknown field "grounded"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "set.jsonl")
			if err := os.WriteFile(file, []byte(tt.line+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := evaluation.Read(file); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Read = %v, want an error naming %q", err, tt.want)
			}
		})
	}
}
