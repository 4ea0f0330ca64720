package assistant

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// When a question is about something the knowledge base holds but the assistant cannot tell
// which procedure it means well enough to answer, it asks back with the few procedures that
// fit best rather than refusing. The next message picks one by its number ("2", "cái thứ
// hai") or by its name, and the question is answered from that procedure.

// Choice thresholds.
const (
	// choiceRelevance is the least DocRelevance of the best result for choices to be offered.
	choiceRelevance = 0.15
	// choiceTitle is the least share of the best procedure's name that the question must give
	// (and, for a long message, of its ask that the procedure must cover).
	choiceTitle = 0.3
	// maxChoices bounds the procedures offered; choices need at least two.
	maxChoices = 4
)

// offerChoices returns the procedures to choose from for a question the gate did not let
// through: the distinct procedures leading the results, when the best of them is relevant
// enough to be worth asking about. It returns nil when nothing is (the question is then
// refused).
func offerChoices(results []knowledge.Result, r resolved) []knowledge.Choice {
	if len(results) == 0 {
		return nil
	}
	top := results[0]
	if top.Doc.Kind != knowledge.KindProcedure || top.Lexical == 0 || top.DocRelevance < choiceRelevance ||
		top.TitleCoverage < choiceTitle || r.Q.Focus != "" && top.DocFocusRelevance < choiceTitle {
		return nil
	}
	var out []knowledge.Choice
	for _, res := range results {
		if res.Doc.Kind != knowledge.KindProcedure || res.Lexical == 0 || res.DocRelevance < choiceRelevance/2 ||
			slices.ContainsFunc(out, func(c knowledge.Choice) bool { return c.DocumentID == res.Doc.ID }) {
			continue
		}
		out = append(out, knowledge.Choice{N: len(out) + 1, Title: res.Doc.Title, Source: res.Doc.Source, DocumentID: res.Doc.ID})
		if len(out) == maxChoices {
			break
		}
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// choicesText is the reply that asks which procedure is meant, listing the choices by number.
func choicesText(choices []knowledge.Choice) string {
	var b strings.Builder
	b.WriteString("Tôi chưa chắc bạn hỏi về thủ tục nào. Bạn vui lòng chọn một thủ tục dưới đây (trả lời bằng số thứ tự):")
	for _, c := range choices {
		fmt.Fprintf(&b, "\n%d. %s", c.N, c.Title)
	}
	b.WriteString("\nNếu không có thủ tục bạn cần, bạn hãy hỏi lại với tên thủ tục cụ thể hơn.")
	return b.String()
}

// choiceLead are the words a reply picking a choice may start with: "chọn", "cái thứ",
// "số", "phương án"… (matched on the key).
var choiceLead = []string{"toi chon", "minh chon", "em chon", "chon", "cai thu", "cai so", "cai", "thu tuc thu", "thu tuc so",
	"so thu tu", "so", "thu", "phuong an", "lua chon", "muc", "cau", "la"}

// choiceNumbers are the numbers a choice is picked by when written in words.
var choiceNumbers = map[string]int{"mot": 1, "nhat": 1, "hai": 2, "nhi": 2, "ba": 3, "bon": 4, "tu": 4, "dau": 1, "dau tien": 1}

// pickChoice returns the number of the choice a message picks, 0 when it picks none: a short
// reply giving its number ("2", "số 2", "cái thứ hai", "chọn cái đầu tiên", "cái cuối") or,
// asking nothing of its own, naming it better than the others ("cái cấp lại khi bị mất").
func pickChoice(msg string, choices []knowledge.Choice, a *vietnamese.Analyzer) int {
	key := strings.TrimSpace(keyText(strings.NewReplacer(".", " ", ")", " ", ":", " ").Replace(msg)))
	words := strings.Fields(key)
	if len(words) == 0 {
		return 0
	}
	if len(words) <= 6 {
		rest := " " + key + " "
		for _, l := range choiceLead {
			rest = strings.Replace(rest, " "+l+" ", " ", 1)
		}
		rest = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), " a"))
		rest = strings.TrimSpace(strings.TrimSuffix(rest, " nhe"))
		n, err := strconv.Atoi(rest)
		if err != nil {
			n = choiceNumbers[rest]
		}
		if rest == "cuoi" || rest == "cuoi cung" {
			n = len(choices)
		}
		if n >= 1 && n <= len(choices) {
			return n
		}
	}
	// By name: the choice whose title holds the most of the message's words, clearly. A message
	// that asks something of its own ("gia hạn thì mất bao lâu?") is a new question.
	if len(ExtractCues(msg).Intents) > 0 {
		return 0
	}
	var asked []string
	for _, t := range a.Terms(msg) {
		if isContentTerm(t) && !slices.Contains(asked, t.Text) {
			asked = append(asked, t.Text)
		}
	}
	if len(asked) == 0 {
		return 0
	}
	best, bestShare, second := 0, 0.0, 0.0
	for _, c := range choices {
		title := map[string]bool{}
		for _, t := range a.Terms(c.Title) {
			title[t.Text] = true
		}
		hit := 0
		for _, t := range asked {
			if title[t] {
				hit++
			}
		}
		share := float64(hit) / float64(len(asked))
		switch {
		case share > bestShare:
			best, bestShare, second = c.N, share, bestShare
		case share > second:
			second = share
		}
	}
	if bestShare >= 0.6 && bestShare > second {
		return best
	}
	return 0
}

// isContentTerm reports a folded word or a word pair that is not a stop word.
func isContentTerm(t vietnamese.Term) bool {
	return (t.Class == vietnamese.Folded || t.Class == vietnamese.Bigram) && !t.Stop && !t.Part
}
