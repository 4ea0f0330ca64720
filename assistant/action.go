package assistant

import "github.com/trolyao/trolyao/knowledge"

// Action is what a person wants done with a licence, a registration or an office, when the
// question says: many procedures come in variants that differ only by it ("Cấp giấy phép…",
// "Cấp lại giấy phép…", "Sửa đổi, bổ sung giấy phép…", "Gia hạn…").
type Action string

// Actions.
const (
	ActionAmend     Action = "amend"     // sửa giấy phép, đổi tên, điều chỉnh
	ActionRelocate  Action = "relocate"  // dời trụ sở, chuyển sang chỗ mới
	ActionReissue   Action = "reissue"   // bị mất, bị hỏng, xin lại
	ActionRenew     Action = "renew"     // sắp hết hạn, gia hạn
	ActionTerminate Action = "terminate" // giải thể, ngừng hoạt động
)

// actionPhrases are how people say an action (on the question's key) and how procedure titles
// name it (on the title's key).
var actionPhrases = []struct {
	action Action
	asked  []string
	titled []string
}{
	{ActionRelocate,
		[]string{"doi dia diem", "chuyen dia diem", "dia diem moi", "sang cho moi", "cho moi", "doi tru so", "chuyen tru so", "tru so moi", "chuyen sang dia diem"},
		[]string{"thay doi dia diem", "chuyen dia diem", "dia diem dat tru so", "thay doi tru so"}},
	{ActionAmend,
		[]string{"sua giay", "sua lai", "sua doi", "chinh sua", "dieu chinh", "doi ten", "thay doi noi dung", "sua noi dung", "sua thong tin", "bo sung noi dung"},
		[]string{"sua doi", "dieu chinh", "thay doi noi dung", "thay doi ten"}},
	{ActionReissue,
		[]string{"bi mat", "lam mat", "danh mat", "mat giay", "bi hong", "bi rach", "xin lai", "cap lai", "lam lai"},
		[]string{"cap lai"}},
	{ActionRenew,
		[]string{"het han", "gia han", "keo dai thoi han"},
		[]string{"gia han"}},
	{ActionTerminate,
		[]string{"giai the", "cham dut", "ngung hoat dong", "dong cua", "thoi hoat dong", "dung hoat dong"},
		[]string{"giai the", "cham dut", "thu hoi"}},
}

// askedActions returns the actions a question's key says.
func askedActions(key string) []Action {
	var out []Action
	for _, ap := range actionPhrases {
		if hasAnyPhrase(key, ap.asked) {
			out = append(out, ap.action)
		}
	}
	return out
}

// titleActs reports whether a procedure's title names one of the actions.
func titleActs(title string, actions []Action) bool {
	key := keyText(title)
	for _, ap := range actionPhrases {
		for _, a := range actions {
			if ap.action == a && hasAnyPhrase(key, ap.titled) {
				return true
			}
		}
	}
	return false
}

// preferAskedAction puts first, among procedures ranked nearly as high as the first, one whose
// title names the action the question asks for, when the first's does not: "công ty đổi tên,
// phải sửa giấy phép" means "Sửa đổi, bổ sung giấy phép…", not "Cấp giấy phép…" that shares
// all its other words.
func preferAskedAction(results []knowledge.Result, c Cues) []knowledge.Result {
	if len(c.Actions) == 0 || len(results) < 2 || results[0].Doc.Kind != knowledge.KindProcedure ||
		titleActs(results[0].Doc.Title, c.Actions) {
		return results
	}
	for i, r := range results {
		if i == 0 || r.Doc.Kind != knowledge.KindProcedure || r.Score < 0.85*results[0].Score {
			continue
		}
		if titleActs(r.Doc.Title, c.Actions) {
			return documentFirst(results, r.Doc.ID)
		}
	}
	return results
}

// documentFirst returns results with the passages of document id first, the order otherwise
// kept.
func documentFirst(results []knowledge.Result, id string) []knowledge.Result {
	out := make([]knowledge.Result, 0, len(results))
	for _, r := range results {
		if r.Doc.ID == id {
			out = append(out, r)
		}
	}
	for _, r := range results {
		if r.Doc.ID != id {
			out = append(out, r)
		}
	}
	return out
}
