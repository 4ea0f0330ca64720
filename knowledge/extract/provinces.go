package extract

import (
	"strings"
	"unicode"

	"github.com/trolyao/trolyao/knowledge/layout"
)

// province is a province or centrally-run city, with spellings beyond its canonical name.
type province struct {
	name    string
	city    bool     // centrally-run city ("thành phố"), else "tỉnh"
	aliases []string // other spellings, matched like the name (diacritics optional)
	strict  bool     // counted only after "tỉnh", "thành phố" or "TP" or through an alias
}

// provinces lists the 63 provinces and cities before the 2025 merger plus Huế, which became
// a centrally-run city in 2025; the names kept by the 2025 merger are all among them.
var provinces = []province{
	{name: "Hà Nội", city: true, aliases: []string{"Ha Noi", "Hanoi"}},
	{name: "Hồ Chí Minh", city: true, aliases: []string{"TP.HCM", "TPHCM", "TP HCM", "TP. HCM", "Sài Gòn"}, strict: true},
	{name: "Hải Phòng", city: true},
	{name: "Đà Nẵng", city: true, aliases: []string{"Da Nang"}},
	{name: "Cần Thơ", city: true},
	{name: "Huế", city: true},
	{name: "An Giang"},
	{name: "Bà Rịa - Vũng Tàu", aliases: []string{"Bà Rịa Vũng Tàu", "BR-VT"}},
	{name: "Bắc Giang"},
	{name: "Bắc Kạn", aliases: []string{"Bắc Cạn"}},
	{name: "Bạc Liêu"},
	{name: "Bắc Ninh"},
	{name: "Bến Tre"},
	{name: "Bình Định"},
	{name: "Bình Dương"},
	{name: "Bình Phước"},
	{name: "Bình Thuận"},
	{name: "Cà Mau"},
	{name: "Cao Bằng"},
	{name: "Đắk Lắk", aliases: []string{"Đắc Lắc", "Daklak", "Dak Lak", "Đăk Lăk"}},
	{name: "Đắk Nông", aliases: []string{"Đăk Nông", "Dak Nong"}},
	{name: "Điện Biên"},
	{name: "Đồng Nai"},
	{name: "Đồng Tháp"},
	{name: "Gia Lai"},
	{name: "Hà Giang"},
	{name: "Hà Nam"},
	{name: "Hà Tĩnh"},
	{name: "Hải Dương"},
	{name: "Hậu Giang"},
	{name: "Hòa Bình", strict: true},
	{name: "Hưng Yên"},
	{name: "Khánh Hòa"},
	{name: "Kiên Giang"},
	{name: "Kon Tum", aliases: []string{"Kontum"}},
	{name: "Lai Châu"},
	{name: "Lâm Đồng"},
	{name: "Lạng Sơn"},
	{name: "Lào Cai"},
	{name: "Long An"},
	{name: "Nam Định"},
	{name: "Nghệ An"},
	{name: "Ninh Bình"},
	{name: "Ninh Thuận"},
	{name: "Phú Thọ"},
	{name: "Phú Yên"},
	{name: "Quảng Bình"},
	{name: "Quảng Nam"},
	{name: "Quảng Ngãi"},
	{name: "Quảng Ninh"},
	{name: "Quảng Trị"},
	{name: "Sóc Trăng"},
	{name: "Sơn La"},
	{name: "Tây Ninh"},
	{name: "Thái Bình"},
	{name: "Thái Nguyên"},
	{name: "Thanh Hóa"},
	{name: "Thừa Thiên Huế", aliases: []string{"Thừa Thiên - Huế", "TT-Huế"}},
	{name: "Tiền Giang"},
	{name: "Trà Vinh"},
	{name: "Tuyên Quang"},
	{name: "Vĩnh Long"},
	{name: "Vĩnh Phúc"},
	{name: "Yên Bái"},
}

// token is one word of a text with its folded form and byte offset.
type token struct {
	text   string // as written
	folded string // without diacritics, lowercase
	start  int    // byte offset in the text
	end    int
}

// tokenize splits s into words (letters and digits) with their folded forms.
func tokenize(s string) []token {
	var toks []token
	start := -1
	for i, r := range s {
		word := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		if word && start < 0 {
			start = i
		}
		if !word && start >= 0 {
			toks = append(toks, token{text: s[start:i], folded: layout.Fold(s[start:i]), start: start, end: i})
			start = -1
		}
	}
	if start >= 0 {
		toks = append(toks, token{text: s[start:], folded: layout.Fold(s[start:]), start: start, end: len(s)})
	}
	return toks
}

// provinceForm is one spelling of a province as folded words.
type provinceForm struct {
	p     *province
	words []string
	alias bool
}

// forms holds every spelling of every province, built once; it is never written afterwards.
var forms = provinceForms()

// provinceForms returns every spelling, longest first so "Thừa Thiên Huế" wins over "Huế".
func provinceForms() []provinceForm {
	var forms []provinceForm
	for i := range provinces {
		p := &provinces[i]
		forms = append(forms, provinceForm{p, strings.Fields(layout.FoldKey(p.name)), false})
		for _, a := range p.aliases {
			forms = append(forms, provinceForm{p, strings.Fields(layout.FoldKey(a)), true})
		}
	}
	for i := 1; i < len(forms); i++ {
		for j := i; j > 0 && len(forms[j].words) > len(forms[j-1].words); j-- {
			forms[j], forms[j-1] = forms[j-1], forms[j]
		}
	}
	return forms
}

// provinceMention is one place a province is named.
type provinceMention struct {
	p        *province
	start    int  // byte offset of the first word
	end      int  // byte offset after the last word
	prefixed bool // after "tỉnh", "thành phố", "TP"
}

// findProvinces returns the provinces named in s in order. Names count only when written with
// capitals (so "hòa bình", peace, is not Hòa Bình); strict names need a prefix or an alias.
func findProvinces(s string) []provinceMention {
	toks := tokenize(s)
	var out []provinceMention
	for i := 0; i < len(toks); i++ {
		for _, f := range forms {
			n := len(f.words)
			if i+n > len(toks) {
				continue
			}
			match := true
			for k, w := range f.words {
				t := toks[i+k]
				if t.folded != w || !unicode.IsUpper(layout.FirstRune(t.text)) {
					match = false
					break
				}
			}
			if !match {
				continue
			}
			prefixed := hasProvincePrefix(toks, i)
			if f.p.strict && !prefixed && !f.alias {
				continue
			}
			out = append(out, provinceMention{f.p, toks[i].start, toks[i+n-1].end, prefixed})
			i += n - 1
			break
		}
	}
	return out
}

// hasProvincePrefix reports whether the words before toks[i] are "tỉnh", "thành phố" or "TP".
func hasProvincePrefix(toks []token, i int) bool {
	if i >= 1 && (toks[i-1].folded == "tinh" || toks[i-1].folded == "tp") {
		return true
	}
	return i >= 2 && toks[i-2].folded == "thanh" && toks[i-1].folded == "pho"
}

// provinceByName returns the province with the canonical name, or nil.
func provinceByName(name string) *province {
	for i := range provinces {
		if provinces[i].name == name {
			return &provinces[i]
		}
	}
	return nil
}

// unitPrefix returns "tỉnh" or "thành phố" for the province.
func (p *province) unitPrefix() string {
	if p.city {
		return "thành phố"
	}
	return "tỉnh"
}
