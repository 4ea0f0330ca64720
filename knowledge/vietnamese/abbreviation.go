package vietnamese

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// defaultAbbreviations lists the administrative abbreviations of Vietnamese public documents
// with their expansions. Ambiguous short forms (TT: thông tư / thông tin / trung tâm) are left
// out on purpose: expanding them would add noise to every query.
var defaultAbbreviations = [][2]string{
	{"CĐS", "chuyển đổi số"},
	{"DVC", "dịch vụ công"},
	{"DVCTT", "dịch vụ công trực tuyến"},
	{"DVCQG", "dịch vụ công quốc gia"},
	{"TTHC", "thủ tục hành chính"},
	{"CCHC", "cải cách hành chính"},
	{"UBND", "ủy ban nhân dân"},
	{"HĐND", "hội đồng nhân dân"},
	{"CNTT", "công nghệ thông tin"},
	{"ATTT", "an toàn thông tin"},
	{"CSDL", "cơ sở dữ liệu"},
	{"CCCD", "căn cước công dân"},
	{"CMND", "chứng minh nhân dân"},
	{"LGSP", "nền tảng tích hợp, chia sẻ dữ liệu cấp tỉnh"},
	{"NDXP", "nền tảng tích hợp, chia sẻ dữ liệu quốc gia"},
	{"DN", "doanh nghiệp"},
	{"DNNVV", "doanh nghiệp nhỏ và vừa"},
	{"KH&CN", "khoa học và công nghệ"},
	{"KHCN", "khoa học và công nghệ"},
	{"TT&TT", "thông tin và truyền thông"},
	{"TT-TT", "thông tin và truyền thông"},
	{"TTTT", "thông tin và truyền thông"},
	{"KH&ĐT", "kế hoạch và đầu tư"},
	{"KH-ĐT", "kế hoạch và đầu tư"},
	{"KHĐT", "kế hoạch và đầu tư"},
	{"LĐ-TB&XH", "lao động - thương binh và xã hội"},
	{"LĐTBXH", "lao động - thương binh và xã hội"},
	{"NN&PTNT", "nông nghiệp và phát triển nông thôn"},
	{"TN&MT", "tài nguyên và môi trường"},
	{"TNMT", "tài nguyên và môi trường"},
	{"GD&ĐT", "giáo dục và đào tạo"},
	{"GDĐT", "giáo dục và đào tạo"},
	{"VH-TT&DL", "văn hóa, thể thao và du lịch"},
	{"BHXH", "bảo hiểm xã hội"},
	{"BHYT", "bảo hiểm y tế"},
	{"GPLX", "giấy phép lái xe"},
	{"QSDĐ", "quyền sử dụng đất"},
	{"GCN", "giấy chứng nhận"},
	{"ĐKKD", "đăng ký kinh doanh"},
	{"HKD", "hộ kinh doanh"},
	{"MST", "mã số thuế"},
	{"TP", "thành phố"},
	{"TP.HCM", "thành phố hồ chí minh"},
	{"TPHCM", "thành phố hồ chí minh"},
	{"HCM", "hồ chí minh"},
	{"CQNN", "cơ quan nhà nước"},
	{"CQĐT", "chính quyền điện tử"},
	{"CPĐT", "chính phủ điện tử"},
	{"CPS", "chính phủ số"},
	{"KTS", "kinh tế số"},
	{"XHS", "xã hội số"},
	{"THDL", "tích hợp dữ liệu"},
	{"GRDP", "tổng sản phẩm trên địa bàn"},
	{"AI", "trí tuệ nhân tạo"},
	{"IoT", "internet kết nối vạn vật"},
	{"NĐ-CP", "nghị định của chính phủ"},
	{"QĐ-TTg", "quyết định của thủ tướng chính phủ"},
	{"KH-UBND", "kế hoạch của ủy ban nhân dân"},
	{"QĐ-UBND", "quyết định của ủy ban nhân dân"},
	{"TTĐT", "thông tin điện tử"},
}

// Dictionary holds abbreviations and their expansions, looked up both ways. It is immutable
// once built and safe for concurrent use.
type Dictionary struct {
	// byAbbr maps the compact key of an abbreviation ("khcn" for KH&CN) to its expansions' keys.
	byAbbr map[string][]phrase
	// byFirst maps the first syllable key of an expansion to the expansions that start with it.
	byFirst map[string][]phrase
	entries [][2]string
}

type phrase struct {
	abbr  string   // compact key of the abbreviation, e.g. "cds"
	words []string // syllable keys of the expansion, e.g. ["chuyen", "doi", "so"]
	text  string   // the expansion as written, lower case
	toks  []Token  // the expansion's tokens
}

// DefaultDictionary returns a dictionary with the built-in abbreviations.
func DefaultDictionary() *Dictionary {
	d, _ := NewDictionary(nil)
	return d
}

// NewDictionary returns a dictionary with the built-in abbreviations plus extra, each entry an
// abbreviation and its expansion. An entry whose expansion is empty is an error.
func NewDictionary(extra [][2]string) (*Dictionary, error) {
	d := &Dictionary{byAbbr: map[string][]phrase{}, byFirst: map[string][]phrase{}}
	for _, e := range defaultAbbreviations {
		d.add(e[0], e[1])
	}
	for _, e := range extra {
		if strings.TrimSpace(e[0]) == "" || strings.TrimSpace(e[1]) == "" {
			return nil, fmt.Errorf("abbreviation %q: abbreviation and expansion must both be given", e[0])
		}
		d.add(e[0], e[1])
	}
	d.sortByLength()
	return d, nil
}

// With returns a dictionary holding d's abbreviations and then extra ones (each an
// abbreviation and its expansion; entries with an empty side are skipped). d is unchanged.
func (d *Dictionary) With(extra [][2]string) *Dictionary {
	n := &Dictionary{byAbbr: map[string][]phrase{}, byFirst: map[string][]phrase{}}
	for _, e := range d.entries {
		n.add(e[0], e[1])
	}
	for _, e := range extra {
		n.add(e[0], e[1])
	}
	n.sortByLength()
	return n
}

// sortByLength puts the longest expansions first, so that phrase matching prefers them.
func (d *Dictionary) sortByLength() {
	for _, ps := range d.byFirst {
		sort.Slice(ps, func(i, j int) bool { return len(ps[i].words) > len(ps[j].words) })
	}
}

// ReadDictionary parses extra abbreviations, one per line as "ABBR = expansion" (blank lines and
// lines starting with # are skipped), and returns the built-in dictionary extended with them.
func ReadDictionary(r io.Reader) (*Dictionary, error) {
	var extra [][2]string
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		abbr, exp, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: want \"ABBR = expansion\", got %q", line, s)
		}
		extra = append(extra, [2]string{strings.TrimSpace(abbr), strings.TrimSpace(exp)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read abbreviations: %w", err)
	}
	return NewDictionary(extra)
}

func (d *Dictionary) add(abbr, expansion string) {
	p := phrase{abbr: compactKey(abbr), text: strings.ToLower(Normalize(expansion))}
	p.toks = Tokenize(p.text)
	for _, t := range p.toks {
		if !t.Part {
			p.words = append(p.words, t.Fold)
		}
	}
	if p.abbr == "" || len(p.words) == 0 {
		return
	}
	d.entries = append(d.entries, [2]string{abbr, expansion})
	d.byAbbr[p.abbr] = append(d.byAbbr[p.abbr], p)
	d.byFirst[p.words[0]] = append(d.byFirst[p.words[0]], p)
}

// Entries returns the dictionary's abbreviations and expansions in the order they were added.
func (d *Dictionary) Entries() [][2]string { return append([][2]string(nil), d.entries...) }

// Expand returns the expansions of an abbreviation as written ("KH&CN", "kh-cn", "khcn"), or nil.
func (d *Dictionary) Expand(abbr string) []string {
	var out []string
	for _, p := range d.byAbbr[compactKey(abbr)] {
		out = append(out, p.text)
	}
	return out
}

// compactKey folds an abbreviation and removes its punctuation: "KH&ĐT" → "khdt".
func compactKey(s string) string {
	var b strings.Builder
	for _, r := range Key(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}
