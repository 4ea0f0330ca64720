package assistant

import (
	"regexp"
	"strings"

	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// colloquialTerms maps what citizens say to what procedure records say: "lấy vợ người nước
// ngoài" is "kết hôn có yếu tố nước ngoài" in a record, "bằng lái" a "giấy phép lái xe". Only
// phrases whose everyday meaning is unambiguous are listed; longer phrases come before the
// shorter ones they contain. accented marks phrases whose unaccented form means something else
// ("so do" is also "sơ đồ", a diagram): those match only as written with their marks.
var colloquialTerms = []struct {
	phrases  []string
	official string
	accented bool
}{
	{phrases: []string{"lấy vợ", "lấy chồng", "cưới vợ", "cưới chồng"}, official: "kết hôn"},
	{phrases: []string{"giấy xác nhận độc thân", "xác nhận độc thân", "giấy độc thân"}, official: "xác nhận tình trạng hôn nhân"},
	{phrases: []string{"bằng lái xe"}, official: "giấy phép lái xe"},
	{phrases: []string{"bằng lái"}, official: "giấy phép lái"}, // "bằng lái máy bay" is no driving licence
	{phrases: []string{"nhập hộ khẩu", "đăng ký hộ khẩu"}, official: "đăng ký thường trú"},
	{phrases: []string{"tách hộ khẩu", "tách khẩu"}, official: "tách hộ"},
	{phrases: []string{"sổ hồng"}, official: "giấy chứng nhận quyền sử dụng đất"},
	{phrases: []string{"sổ đỏ"}, official: "giấy chứng nhận quyền sử dụng đất", accented: true},
	{phrases: []string{"chứng minh thư"}, official: "thẻ căn cước"},
	{phrases: []string{"làm thẻ căn cước", "làm căn cước"}, official: "cấp thẻ căn cước"},
	{phrases: []string{"làm hộ chiếu"}, official: "cấp hộ chiếu"},
	{phrases: []string{"công chứng bản sao"}, official: "chứng thực bản sao"},
	{phrases: []string{"giấy chứng tử"}, official: "khai tử"},
	{phrases: []string{"mở công ty", "lập công ty", "mở doanh nghiệp"}, official: "thành lập doanh nghiệp"},
}

// colloquialRule is a compiled entry of colloquialTerms.
type colloquialRule struct {
	re       *regexp.Regexp
	official string
}

var colloquialRules = compileColloquial()

// compileColloquial builds, for every phrase, a case-insensitive pattern matching it on word
// boundaries, each syllable as written or without its marks.
func compileColloquial() []colloquialRule {
	var rules []colloquialRule
	for _, e := range colloquialTerms {
		for _, p := range e.phrases {
			var syl []string
			for _, w := range strings.Fields(vietnamese.Normalize(p)) {
				alt := regexp.QuoteMeta(w)
				if f := vietnamese.Fold(w); f != w && !e.accented {
					alt = "(?:" + alt + "|" + regexp.QuoteMeta(f) + ")"
				}
				syl = append(syl, alt)
			}
			re := regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}])` + strings.Join(syl, `\s+`) + `($|[^\p{L}\p{N}])`)
			rules = append(rules, colloquialRule{re: re, official: e.official})
		}
	}
	return rules
}

// officialWording returns the question with everyday phrases replaced by the wording of
// procedure records, for searching and for choosing sentences.
func officialWording(text string) string {
	text = vietnamese.Normalize(text)
	for _, r := range colloquialRules {
		text = r.re.ReplaceAllString(text, "${1}"+r.official+"${2}")
	}
	return text
}
