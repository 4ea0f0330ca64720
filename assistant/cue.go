package assistant

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/trolyao/trolyao/knowledge/extract"
	"github.com/trolyao/trolyao/knowledge/procedure"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// Intent is what a question asks for.
type Intent string

// Intents. The first group is about procedures, the second about plans and documents.
const (
	IntentNone       Intent = ""
	IntentFee        Intent = "fee"        // lệ phí
	IntentTime       Intent = "time"       // thời hạn giải quyết
	IntentPapers     Intent = "papers"     // thành phần hồ sơ
	IntentPlace      Intent = "place"      // nơi nộp, cơ quan thực hiện
	IntentSteps      Intent = "steps"      // trình tự thực hiện
	IntentOnline     Intent = "online"     // có nộp trực tuyến được không
	IntentConditions Intent = "conditions" // yêu cầu, điều kiện
	IntentResult     Intent = "result"     // kết quả
	IntentLegal      Intent = "legal"      // căn cứ pháp lý
	IntentSubjects   Intent = "subjects"   // đối tượng thực hiện

	IntentPercent  Intent = "percent"  // bao nhiêu phần trăm, tỷ lệ
	IntentNumber   Intent = "number"   // bao nhiêu, mấy (a count or amount)
	IntentDocument Intent = "document" // số mấy, văn bản nào
	IntentAgency   Intent = "agency"   // cơ quan nào, đơn vị nào
	IntentWhen     Intent = "when"     // khi nào, đến năm nào
	IntentList     Intent = "list"     // những … nào, gồm những gì
)

// Cues are what the question says beyond its words: the place, administrative level, year,
// document number, submission channel and what is being asked.
type Cues struct {
	Intents  []Intent
	Locality string // canonical province name, "" when none
	Level    string // "tỉnh", "huyện", "xã", "sở", "bộ", "trung ương"
	Year     string
	Number   string // a document number written in the question
	// Focus is what a count question counts, as folded words: "nhom nhiem vu" in "có bao
	// nhiêu nhóm nhiệm vụ".
	Focus   []string
	Channel string // procedure.ChannelOnline, ChannelInPerson, ChannelPostal or ""
	// Actions are what the person wants done ("sửa giấy phép", "dời trụ sở"): procedures
	// named for them are preferred (preferAskedAction).
	Actions []Action
	// Age is the age in years of the person the question is about ("con tôi 15 tuổi"), when
	// AgeGiven; an age in months counts as 0 years.
	Age      int
	AgeGiven bool
	// Greeting, Thanks and Injection classify messages that are not questions.
	Greeting, Thanks bool
	// Status is set for a question about the progress of the person's own application ("hồ
	// sơ của tôi đến bước nào rồi", "thẻ căn cước đã in xong chưa"): no knowledge base holds
	// that, and the person is told where to look it up.
	Status bool
	// Injection is set for attempts to change the assistant's instructions or make it reveal
	// its configuration; such messages are answered like any other question.
	Injection bool
}

// reAge finds an age in a question's key: "15 tuoi", "6 thang tuoi".
var reAge = regexp.MustCompile(` (\d{1,3}) (thang )?tuoi `)

// questionAge returns the age, in years, a question's key gives.
func questionAge(key string) (int, bool) {
	m := reAge.FindStringSubmatch(key)
	if m == nil {
		return 0, false
	}
	if m[2] != "" {
		return 0, true
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n > 130 {
		return 0, false
	}
	return n, true
}

// Has reports whether the cues include intent i.
func (c Cues) Has(i Intent) bool {
	for _, x := range c.Intents {
		if x == i {
			return true
		}
	}
	return false
}

// intentPhrases are matched on the question's key (lower case, without diacritics), on word
// boundaries. Order matters only for reading.
var intentPhrases = []struct {
	intent  Intent
	phrases []string
}{
	{IntentFee, []string{"le phi", "phi", "mat phi", "bao nhieu tien", "ton bao nhieu", "chi phi", "mien phi", "mat tien", "bao nhieu tien", "gia bao nhieu", "nop bao nhieu"}},
	{IntentTime, []string{"bao lau", "bao nhieu ngay", "may ngay", "thoi gian", "thoi han", "mat bao lau", "trong bao lau", "khi nao co ket qua", "bao nhieu ngay lam viec", "may hom", "bao gio co"}},
	{IntentPapers, []string{"giay to", "ho so gom", "thanh phan ho so", "can nhung gi", "can gi", "chuan bi gi", "chuan bi nhung gi", "mang theo", "can giay", "ho so can", "bo ho so", "can nhung giay",
		"mau nao", "mau so may", "theo mau", "mau don nao", "mau to khai", "gui kem"}},
	{IntentPlace, []string{"o dau", "noi nao", "co quan nao", "cho nao", "den dau", "tai dau", "ve dau", "gui dau", "nop dau", "nop o", "lam o", "dia chi", "noi nop", "noi tiep nhan", "nop ho so o",
		"ung dung nao", "phan mem nao", "trang nao", "website nao", "cong nao", "tren trang", "qua ung dung"}},
	{IntentSteps, []string{"cac buoc", "trinh tu", "nhu the nao", "the nao", "lam sao", "quy trinh", "huong dan", "cach lam", "cach thuc", "thu tuc ra sao", "ra sao",
		"buoc nao", "nhung buoc", "may buoc", "bao nhieu buoc", "buoc thuc hien", "tien hanh", "lam gi", "phai lam gi", "can lam gi"}},
	{IntentOnline, []string{"truc tuyen duoc khong", "online duoc khong", "qua mang duoc khong", "nop online", "lam online", "nop truc tuyen", "lam truc tuyen", "co truc tuyen"}},
	{IntentConditions, []string{"dieu kien", "yeu cau gi", "can dap ung"}},
	{IntentResult, []string{"ket qua", "nhan duoc gi", "duoc cap gi", "nhan duoc giay", "nhan giay gi", "duoc cap giay", "cap giay gi", "duoc giay gi"}},
	{IntentLegal, []string{"can cu", "van ban nao quy dinh", "quy dinh tai", "theo quy dinh nao", "co so phap ly"}},
	{IntentSubjects, []string{"ai duoc", "doi tuong", "ai co the", "ai phai"}},
	{IntentPercent, []string{"bao nhieu phan tram", "phan tram", "ty le", "ti le", "%"}},
	{IntentNumber, []string{"bao nhieu", "may"}},
	{IntentDocument, []string{"so may", "so bao nhieu", "nghi dinh nao", "quyet dinh nao", "thong tu nao", "van ban nao", "ke hoach nao", "ke hoach so", "quyet dinh so", "so hieu", "la van ban"}},
	{IntentAgency, []string{"co quan nao", "don vi nao", "ai chu tri", "so nao", "ban nao", "bo nao", "ai phu trach", "dau moi", "giao cho", "chu tri"}},
	{IntentWhen, []string{"khi nao", "nam nao", "ngay nao", "thang nao", "luc nao", "bao gio", "den nam", "thoi diem", "han chot", "tu ngay", "hieu luc"}},
	{IntentList, []string{"nhung gi", "gom nhung", "nhung nao", "cac nao", "nao"}},
}

// paperNouns and paperAsks together ask which papers a procedure needs.
var (
	paperNouns = []string{"giay to", "ho so", "to khai", "mau don", "don de nghi"}
	paperAsks  = []string{"gi", "nhung gi", "nao", "gom", "chuan bi"}
)

var (
	greetingPhrases = []string{"xin chao", "chao ban", "chao", "hello", "hi", "alo", "chao em", "chao anh", "chao chi", "kinh chao", "good morning"}
	thanksPhrases   = []string{"cam on", "cam on ban", "thank", "thanks", "cam on nhieu", "tot qua", "ok cam on"}
	levelPhrases    = []struct{ key, level string }{
		{"cap tinh", "tỉnh"}, {"cap huyen", "huyện"}, {"cap xa", "xã"}, {"cap so", "sở"}, {"cap bo", "bộ"},
		{"cap trung uong", "trung ương"}, {"cap phuong", "xã"}, {"cap quan", "huyện"},
		// The body named says the level: "lên Chủ tịch UBND tỉnh", "ra công an xã".
		{"ubnd tinh", "tỉnh"}, {"uy ban nhan dan tinh", "tỉnh"}, {"cong an tinh", "tỉnh"},
		{"ubnd huyen", "huyện"}, {"uy ban nhan dan huyen", "huyện"}, {"cong an huyen", "huyện"},
		{"ubnd xa", "xã"}, {"uy ban nhan dan xa", "xã"}, {"cong an xa", "xã"}, {"ubnd phuong", "xã"}, {"cong an phuong", "xã"},
	}
	channelPhrases = []struct{ key, channel string }{
		{"truc tuyen", procedure.ChannelOnline}, {"online", procedure.ChannelOnline}, {"qua mang", procedure.ChannelOnline}, {"cong dich vu cong", procedure.ChannelOnline},
		{"dich vu cong truc tuyen", procedure.ChannelOnline}, {"dvctt", procedure.ChannelOnline}, {"vneid", procedure.ChannelOnline},
		{"truc tiep", procedure.ChannelInPerson}, {"tai quay", procedure.ChannelInPerson}, {"den tan noi", procedure.ChannelInPerson},
		{"buu chinh", procedure.ChannelPostal}, {"buu dien", procedure.ChannelPostal}, {"qua duong buu", procedure.ChannelPostal},
	}
	channelAsks = []string{"duoc khong", "duoc ko", "duoc k", "co duoc", "nop qua", "lam qua", "nop tren", "lam tren", "dang ky qua", "dang ky tren", "gui qua"}
	reYear      = regexp.MustCompile(`\b(19[5-9]\d|20\d\d)\b`)
)

// keyText is a question's matching form: lower case, folded, words separated by single spaces,
// with a space at each end so that phrases match on word boundaries.
func keyText(s string) string {
	var b strings.Builder
	b.WriteByte(' ')
	for _, t := range vietnamese.Tokenize(s) {
		if t.Part {
			continue
		}
		b.WriteString(t.Fold)
		b.WriteByte(' ')
	}
	if strings.Contains(s, "%") {
		b.WriteString("% ")
	}
	return b.String()
}

func hasPhrase(key, phrase string) bool {
	return strings.Contains(key, " "+phrase+" ")
}

// ExtractCues reads the cues of a question.
func ExtractCues(question string) Cues {
	key := keyText(question)
	var c Cues
	for _, ip := range intentPhrases {
		for _, p := range ip.phrases {
			if hasPhrase(key, p) {
				c.Intents = append(c.Intents, ip.intent)
				break
			}
		}
	}
	// Papers asked about in other words: a word for papers and a word that asks ("chuẩn bị hồ sơ
	// gì", "có mẫu tờ khai nào không"), unless the question asks what is received.
	if !c.Has(IntentPapers) && !c.Has(IntentResult) && hasAnyPhrase(key, paperNouns) && hasAnyPhrase(key, paperAsks) {
		c.Intents = append(c.Intents, IntentPapers)
	}
	// "mấy" and "nào" alone are weak; keep them only without a more specific intent.
	if c.Has(IntentNumber) && (c.Has(IntentPercent) || c.Has(IntentTime) || c.Has(IntentFee) || c.Has(IntentDocument)) {
		c.Intents = removeIntent(c.Intents, IntentNumber)
	}
	if c.Has(IntentList) && len(c.Intents) > 1 {
		c.Intents = removeIntent(c.Intents, IntentList)
	}
	for _, lp := range levelPhrases {
		if hasPhrase(key, lp.key) {
			c.Level = lp.level
			break
		}
	}
	for _, cp := range channelPhrases {
		if hasPhrase(key, cp.key) {
			c.Channel = cp.channel
			break
		}
	}
	// An online channel named with a word that asks whether or how it is used asks about
	// online submission: "nộp qua VNeID được không", "làm trên cổng dịch vụ công".
	if c.Channel == procedure.ChannelOnline && !c.Has(IntentOnline) && hasAnyPhrase(key, channelAsks) {
		c.Intents = append(c.Intents, IntentOnline)
	}
	if m := vietnamese.TypedDocumentNumber(question); m != "" {
		c.Number = m
	}
	// A year inside a document number ("47/2020/NĐ-CP") is not the year asked about.
	if m := reYear.FindString(vietnamese.WithoutTypedDocumentNumbers(question)); m != "" {
		c.Year = m
	}
	c.Age, c.AgeGiven = questionAge(key)
	c.Actions = askedActions(key)
	c.Focus = focusWords(key)
	if locs := extract.Localities(question); len(locs) > 0 {
		c.Locality = locs[0]
	}
	words := len(strings.Fields(key))
	for _, p := range greetingPhrases {
		if hasPhrase(key, p) && words <= len(strings.Fields(p))+3 {
			c.Greeting = true
		}
	}
	for _, p := range thanksPhrases {
		if hasPhrase(key, p) && words <= len(strings.Fields(p))+4 {
			c.Thanks = true
		}
	}
	c.Injection = injectionKey(key)
	c.Status = hasAnyPhrase(key, statusAsks) || hasAnyPhrase(key, ownDossier) && hasAnyPhrase(key, stillPending)
	return c
}

// Questions about one's own application: asked outright ("đến bước nào rồi", "xong chưa"),
// or the application named as one's own with a word saying it is still waiting ("hồ sơ tôi
// nộp 3 tuần rồi vẫn chưa thấy ai gọi").
var (
	statusAsks = []string{"den dau roi", "den buoc nao", "toi buoc nao", "xu ly den dau", "giai quyet den dau", "xong chua",
		"co ket qua chua", "da duyet chua", "duoc duyet chua", "tinh trang ho so", "trang thai ho so", "tien do ho so",
		"kiem tra giup", "tra cuu giup", "check giup"}
	ownDossier = []string{"ho so cua toi", "ho so cua minh", "ho so cua em", "ho so toi nop", "ho so minh nop", "ho so em nop",
		"ho so nha toi", "toi da nop", "minh da nop", "em da nop", "da nop tu", "nop tu"}
	stillPending = []string{"chua thay", "van chua", "chua nhan duoc", "chua co ket qua", "chua duoc giai quyet", "lau qua"}
)

func removeIntent(is []Intent, x Intent) []Intent {
	out := is[:0]
	for _, i := range is {
		if i != x {
			out = append(out, i)
		}
	}
	return out
}

// focusWords returns up to three words after "bao nhiêu" or "mấy": the thing counted.
func focusWords(key string) []string {
	words := strings.Fields(key)
	for i, w := range words {
		start := -1
		switch {
		case w == "bao" && i+1 < len(words) && words[i+1] == "nhieu":
			start = i + 2
		case w == "may":
			start = i + 1
		}
		if start < 0 {
			continue
		}
		var out []string
		for _, f := range words[start:] {
			if len(out) == 3 || vietnamese.IsStopword(f) || f == "phan" || f == "%" {
				break
			}
			out = append(out, f)
		}
		return out
	}
	return nil
}

var reMarkup = regexp.MustCompile(`</?[a-zA-Z_][^<>]{0,200}>`)

// questionText is what of a message the assistant answers: markup is removed, and so are the
// sentences that try to change its instructions ("Bỏ qua hướng dẫn…") when the message also
// asks something else. A message that is only such an attempt is kept whole: it is then
// answered like any question, and refused for want of anything relevant.
func questionText(msg string) string {
	msg = strings.TrimSpace(reMarkup.ReplaceAllString(msg, " "))
	sents := vietnamese.Sentences(msg)
	var keep []string
	for _, s := range sents {
		if !ExtractCues(s).Injection {
			keep = append(keep, s)
		}
	}
	if len(keep) == 0 || len(keep) == len(sents) {
		return msg
	}
	return strings.Join(keep, " ")
}
