package knowledge

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// Forms the knowledge base teaches itself: short forms people type for phrases its documents
// write out. Two sources, both re-learned from the store whenever it changes:
//
//   - a short form a document defines: "Trung tâm Phục vụ hành chính công (TTPVHCC)", "(sau
//     đây gọi tắt là NNT)", found at ingestion (DefinedForms) and kept with the document;
//   - the initials of a phrase many titles share: "hộ kinh doanh" → HKD, "giấy chứng nhận" →
//     GCN, "quyền sử dụng đất" → QSDĐ (learnTitleForms).
//
// A question's words that are such short forms are read as the phrases they stand for, the way
// the built-in abbreviations are (LearnedForms.Analyzer).

// Form is a short form and the phrase it stands for.
type Form struct {
	Short string `json:"short"` // as written: "TTPVHCC", or the initials of a title phrase in capitals
	Long  string `json:"long"`  // the phrase, lower case: "trung tâm phục vụ hành chính công"
	// Origin says where it was learned: FormDefined or FormTitle.
	Origin string `json:"origin"`
	// Documents is how many documents define it or hold the phrase in their title (learned
	// forms only; 0 in a document's own list).
	Documents int `json:"documents,omitempty"`
}

// Origins of a learned form.
const (
	FormDefined = "defined" // a document defines it: "phrase (ABBR)"
	FormTitle   = "title"   // initials of a phrase shared by document titles
)

// Learning thresholds.
const (
	// minTitleDocuments is how many titles must share a phrase before its initials are read
	// as a short form for it, and titleDominance how many times more titles it must have than
	// any other phrase with the same initials.
	minTitleDocuments = 3
	titleDominance    = 2
	// The phrases whose initials are learned, in words: three letters at least, so that no
	// two-letter word ("ai", "có") is read as a short form.
	minFormWords = 3
	maxFormWords = 7
	// maxFormsPerDocument bounds what one document may define.
	maxFormsPerDocument = 50
)

// DefinedForms returns the short forms text defines: a phrase followed by its initials in
// capitals in brackets ("Người nộp thuế (NNT)", "Ủy ban nhân dân (sau đây gọi tắt là UBND)").
// The words just before the bracket must have the short form's letters as initials, so that a
// bracketed code after a phrase it does not abbreviate ("Tờ khai (Mẫu 02)") is not learned.
func DefinedForms(text string) []Form {
	var out []Form
	seen := map[string]bool{}
	for rest := text; len(out) < maxFormsPerDocument; {
		open := strings.IndexByte(rest, '(')
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest[open:], ')')
		if end < 0 {
			break
		}
		before, inner := rest[:open], rest[open+1:open+end]
		rest = rest[open+end+1:]
		short := definedShort(inner)
		if short == "" {
			continue
		}
		long := phraseWithInitials(before, initialsOf(short))
		if long == "" || seen[vietnamese.Key(short)] {
			continue
		}
		seen[vietnamese.Key(short)] = true
		out = append(out, Form{Short: short, Long: long, Origin: FormDefined})
	}
	return out
}

// chunksForms returns the short forms a document's passages define, each once.
func chunksForms(chunks []Chunk) []Form {
	var out []Form
	seen := map[string]bool{}
	for _, c := range chunks {
		for _, f := range DefinedForms(c.Text) {
			if key := initialsOf(f.Short); !seen[key] && len(out) < maxFormsPerDocument {
				seen[key] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// definedShort returns the short form a bracket defines ("TTPVHCC", "sau đây gọi tắt là
// NNT", "viết tắt: QSDĐ"), or "".
func definedShort(inner string) string {
	s := strings.TrimSpace(inner)
	lower := strings.ToLower(s)
	for _, lead := range []string{"sau đây gọi tắt là", "sau đây viết tắt là", "gọi tắt là", "viết tắt là", "viết tắt"} {
		if strings.HasPrefix(lower, lead) {
			s = strings.TrimLeft(s[len(lead):], " :")
			break
		}
	}
	s = strings.Trim(s, " \"“”'")
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			letters++
		case r == '&' || r == '-' || r == '.':
		default:
			return ""
		}
	}
	if letters < minFormWords || letters > maxFormWords {
		return ""
	}
	return s
}

// initialsOf returns the folded letters of a short form: "KH&ĐT" → "khdt".
func initialsOf(short string) string {
	var b strings.Builder
	for _, r := range vietnamese.Key(short) {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// phraseWithInitials returns the last words of text whose initials are initials, lower case,
// or "" when they are not.
func phraseWithInitials(text, initials string) string {
	var words []vietnamese.Token
	for _, t := range vietnamese.Tokenize(text) {
		if !t.Part {
			words = append(words, t)
		}
	}
	n := utf8.RuneCountInString(initials)
	if n == 0 || len(words) < n {
		return ""
	}
	words = words[len(words)-n:]
	for i, t := range words {
		if t.Kind != vietnamese.Word || t.Fold == "" || t.Fold[0] != initials[i] || i > 0 && t.AfterComma {
			return ""
		}
	}
	texts := make([]string, n)
	for i, t := range words {
		texts[i] = t.Text
	}
	return strings.Join(texts, " ")
}

// LearnedForms is what a knowledge base has taught itself, looked up by the folded letters of
// a short form. It is immutable once built.
type LearnedForms struct {
	byKey    map[string]Form
	list     []Form
	analyzer *vietnamese.Analyzer
}

// LearnForms learns the short forms of docs (their titles and the forms they define) beside
// those base's dictionary knows. Short forms that dictionary already knows are left to it, and so are those shaped like a Vietnamese syllable
// ("cho", "tai"): a typed word is read as itself.
func LearnForms(docs []Document, base *vietnamese.Analyzer) *LearnedForms {
	dict := base.Dictionary()
	known := func(key string) bool {
		return vietnamese.IsSyllable(key) || len(dict.Expand(key)) > 0
	}
	lf := &LearnedForms{byKey: map[string]Form{}}
	// Defined forms first: a document saying what its short form means is the better witness.
	defined := map[string]map[string]int{}
	for _, d := range docs {
		for _, f := range d.Forms {
			key := initialsOf(f.Short)
			if defined[key] == nil {
				defined[key] = map[string]int{}
			}
			defined[key][f.Long]++
		}
	}
	for key, longs := range defined {
		if known(key) {
			continue
		}
		long, n := dominant(longs, 1)
		if long == "" {
			continue
		}
		lf.byKey[key] = Form{Short: strings.ToUpper(key), Long: long, Origin: FormDefined, Documents: n}
	}
	for key, longs := range learnTitlePhrases(docs) {
		if _, ok := lf.byKey[key]; ok || known(key) {
			continue
		}
		long, n := dominant(longs, minTitleDocuments)
		if long == "" {
			continue
		}
		lf.byKey[key] = Form{Short: shortOf(long), Long: long, Origin: FormTitle, Documents: n}
	}
	for _, d := range docs {
		for _, f := range d.Forms {
			if lf.byKey[initialsOf(f.Short)].Long == f.Long && lf.byKey[initialsOf(f.Short)].Origin == FormDefined {
				g := lf.byKey[initialsOf(f.Short)]
				g.Short = f.Short // as the documents write it: "KH&ĐT"
				lf.byKey[initialsOf(f.Short)] = g
			}
		}
	}
	for _, f := range lf.byKey {
		lf.list = append(lf.list, f)
	}
	slices.SortFunc(lf.list, func(a, b Form) int {
		return cmp.Or(cmp.Compare(b.Documents, a.Documents), cmp.Compare(a.Short, b.Short))
	})
	extra := make([][2]string, len(lf.list))
	for i, f := range lf.list {
		extra[i] = [2]string{f.Short, f.Long}
	}
	lf.analyzer = vietnamese.NewAnalyzer(dict.With(extra))
	return lf
}

// dominant returns the phrase with the most documents when it has at least min and
// titleDominance times as many as the next one.
func dominant(longs map[string]int, min int) (string, int) {
	best, bestN, second := "", 0, 0
	for long, n := range longs {
		switch {
		case n > bestN || n == bestN && long < best:
			if n > bestN {
				second = bestN
			} else {
				second = n
			}
			best, bestN = long, n
		case n > second:
			second = n
		}
	}
	if bestN < min || second > 0 && bestN < titleDominance*second {
		return "", 0
	}
	return best, bestN
}

// learnTitlePhrases counts, by initials, the documents whose title holds each phrase of
// minFormWords to maxFormWords words that neither starts nor ends with a function word and is
// no fragment of a longer phrase: when most titles holding "cấp giấy chứng" go on with "nhận",
// the phrase is "cấp giấy chứng nhận".
func learnTitlePhrases(docs []Document) map[string]map[string]int {
	counts := map[string]int{}
	for _, d := range docs {
		seen := map[string]bool{}
		for _, run := range titleRuns(withoutNamingPrefix(d.Title)) {
			for i := range run {
				for n := minFormWords; n <= maxFormWords+1 && i+n <= len(run); n++ {
					texts := make([]string, n)
					for k, t := range run[i : i+n] {
						texts[k] = t.Text
					}
					if long := strings.Join(texts, " "); !seen[long] {
						seen[long] = true
						counts[long]++
					}
				}
			}
		}
	}
	// extended[p]: the most titles holding p with one more word before or after it.
	extended := map[string]int{}
	for long, n := range counts {
		words := strings.Fields(long)
		if len(words) <= minFormWords {
			continue
		}
		for _, sub := range []string{strings.Join(words[1:], " "), strings.Join(words[:len(words)-1], " ")} {
			extended[sub] = max(extended[sub], n)
		}
	}
	out := map[string]map[string]int{}
	for long, n := range counts {
		words := strings.Fields(long)
		if len(words) > maxFormWords || n < minTitleDocuments || 10*extended[long] >= 7*n ||
			vietnamese.IsStopword(words[0]) || vietnamese.IsStopword(words[len(words)-1]) {
			continue
		}
		key := initialsOf(initialsWithD(long))
		if out[key] == nil {
			out[key] = map[string]int{}
		}
		out[key][long] = n
	}
	return out
}

// titleRuns splits a title into runs of words that punctuation, figures and codes do not
// interrupt.
func titleRuns(title string) [][]vietnamese.Token {
	var runs [][]vietnamese.Token
	var cur []vietnamese.Token
	flush := func() {
		if len(cur) >= minFormWords {
			runs = append(runs, cur)
		}
		cur = nil
	}
	for _, t := range vietnamese.Tokenize(title) {
		if t.Part {
			continue
		}
		if t.Kind != vietnamese.Word || t.AfterComma || len(cur) > 0 && t.Pos != cur[len(cur)-1].Pos+1 {
			flush()
			if t.Kind != vietnamese.Word {
				continue
			}
		}
		cur = append(cur, t)
	}
	flush()
	return runs
}

// shortOf returns the capital initials of a phrase, keeping Đ: "quyền sử dụng đất" → "QSDĐ".
func shortOf(phrase string) string {
	var b strings.Builder
	for _, r := range initialsWithD(phrase) {
		if r != 'đ' {
			r = []rune(vietnamese.Fold(string(r)))[0]
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// initialsWithD returns the first letter of each word of a phrase, keeping đ: "quyền sử
// dụng đất" → "qsdđ".
func initialsWithD(phrase string) string {
	var b strings.Builder
	for _, w := range strings.Fields(phrase) {
		r, _ := utf8.DecodeRuneInString(w)
		b.WriteRune(r)
	}
	return b.String()
}

// Len returns how many forms were learned.
func (lf *LearnedForms) Len() int {
	if lf == nil {
		return 0
	}
	return len(lf.list)
}

// List returns the learned forms, those with the most documents first.
func (lf *LearnedForms) List() []Form {
	if lf == nil {
		return nil
	}
	return slices.Clone(lf.list)
}

// Analyzer returns base (as given to LearnForms) reading the learned short forms too: a question
// saying "htx" also holds the terms of "hợp tác xã", with the weight of an expansion. Passages
// are analysed by base, so that learning never calls for re-indexing.
func (lf *LearnedForms) Analyzer() *vietnamese.Analyzer { return lf.analyzer }

// Lookup returns the form a typed short form ("hkd", "QSDĐ", "gcn") stands for.
func (lf *LearnedForms) Lookup(short string) (Form, bool) {
	if lf == nil {
		return Form{}, false
	}
	f, ok := lf.byKey[vietnamese.Key(short)]
	return f, ok
}
