package vietnamese

import "strings"

// TermClass tells how a term was derived from the text, so that ranking can weigh it.
type TermClass uint8

// Term classes.
const (
	Exact     TermClass = iota // the written form with its diacritics, when it has any: "đăng"
	Folded                     // the folded form of a syllable, figure or code: "dang", "47/2020/nd-cp"
	Bigram                     // two consecutive folded syllables: "dang_ky"
	Expansion                  // derived from an abbreviation, either direction: "cds" ↔ "chuyen doi so"
)

// Term is one index or query term.
type Term struct {
	Text  string
	Class TermClass
	Pos   int // position of the token the term comes from
	// Stop marks a function word or question word ("là", "bao nhiêu", "ở đâu"), or a bigram
	// with one: it carries little meaning for retrieval and is weighted down in queries.
	Stop bool
	// Part marks a term from a part of a compound ("47" of "47/2020/NĐ-CP").
	Part bool
	// Weak marks a word typed without diacritics that may be a function word or a content
	// word ("muon": muốn, want, or muộn, late), and a bigram with one ("tri_muon", but also
	// "dang_ky"). A weak word counts for less than a word that can only be content.
	Weak bool
}

// Analyzer turns text into index and query terms. The same analysis runs on documents and on
// questions, which is what makes "ty le ho so" find "tỷ lệ hồ sơ" and "CĐS" find "chuyển đổi số".
type Analyzer struct {
	dict *Dictionary
}

// NewAnalyzer returns an analyzer that expands abbreviations from dict (the default dictionary
// when dict is nil).
func NewAnalyzer(dict *Dictionary) *Analyzer {
	if dict == nil {
		dict = DefaultDictionary()
	}
	return &Analyzer{dict: dict}
}

// Dictionary returns the analyzer's abbreviation dictionary.
func (a *Analyzer) Dictionary() *Dictionary { return a.dict }

// BigramSep joins the two syllables of a Bigram term.
const BigramSep = "_"

// Terms returns the terms of text in order of appearance: for each token its exact form (when it
// has diacritics) and folded form, bigrams of consecutive syllables, and abbreviation
// expansions in both directions.
func (a *Analyzer) Terms(text string) []Term {
	return a.terms(Tokenize(text), false)
}

// QueryTerms returns the terms of a question: as Terms, except that no bigram spans a comma,
// dash or slash ("bố tôi mất, làm giấy khai tử" has no "mất làm"). Passages keep those
// bigrams, so that a question saying "sở ban ngành" finds "sở, ban, ngành".
func (a *Analyzer) QueryTerms(text string) []Term {
	return a.terms(Tokenize(text), true)
}

// TermsOf is Terms for text already tokenised.
func (a *Analyzer) TermsOf(toks []Token) []Term { return a.terms(toks, false) }

func (a *Analyzer) terms(toks []Token, query bool) []Term {
	out := make([]Term, 0, len(toks)*3)
	// main holds the indexes of the tokens that are not parts, for bigrams and phrase matching.
	main := make([]int, 0, len(toks))
	// Text typed with diacritics tells stop words by their marks ("đâu" but not "đầu"); text
	// typed without them only by words that are stop words whatever their marks.
	marked := false
	for _, t := range toks {
		if t.Text != t.Fold {
			marked = true
			break
		}
	}
	questionWords := questionPhraseTokens(toks)
	// stopTok[i]: token i is a stop word (looked up once, for the token and its bigrams).
	stopTok := make([]bool, len(toks))
	for i, t := range toks {
		stopTok[i] = isStopword(t, marked)
		stop := !t.Part && (stopTok[i] || questionWords[i])
		if t.Text != t.Fold {
			out = append(out, Term{Text: t.Text, Class: Exact, Pos: t.Pos, Stop: stop, Part: t.Part})
		}
		weak := !marked && !stop && !t.Part && t.Kind == Word && ambiguousStopwords[t.Fold]
		out = append(out, Term{Text: t.Fold, Class: Folded, Pos: t.Pos, Stop: stop, Part: t.Part, Weak: weak})
		if !t.Part {
			main = append(main, i)
		}
		// Abbreviation written in the text: add its expansion.
		if t.Part || (t.Kind != Word && t.Kind != Code) {
			continue
		}
		key := t.Fold
		if t.Kind == Code {
			key = compactKey(t.Fold)
		}
		if len(key) <= 2 && !t.Upper {
			continue // "ai", "dn" typed in lower case are words, not abbreviations
		}
		if ps := a.dict.byAbbr[key]; len(ps) > 0 {
			if key != t.Fold {
				out = append(out, Term{Text: key, Class: Expansion, Pos: t.Pos})
			}
			for _, p := range ps {
				out = appendPhrase(out, p, t.Pos)
			}
		}
	}
	for k := 0; k+1 < len(main); k++ {
		t1, t2 := toks[main[k]], toks[main[k+1]]
		if t2.Pos != t1.Pos+1 || t1.Kind == Code || t2.Kind == Code || query && t2.AfterComma {
			continue
		}
		stop := stopTok[main[k]] || stopTok[main[k+1]] || questionWords[main[k]] || questionWords[main[k+1]]
		weak := !stop && !marked && (ambiguousStopwords[t1.Fold] || ambiguousStopwords[t2.Fold])
		out = append(out, Term{Text: t1.Fold + BigramSep + t2.Fold, Class: Bigram, Pos: t1.Pos, Stop: stop, Weak: weak})
	}
	// Expansion written out in the text: add the abbreviation's key.
	for k := range main {
		for _, p := range a.dict.byFirst[toks[main[k]].Fold] {
			if k+len(p.words) > len(main) {
				continue
			}
			ok := true
			for w := range p.words {
				t := toks[main[k+w]]
				if t.Fold != p.words[w] || t.Pos != toks[main[k]].Pos+w {
					ok = false
					break
				}
			}
			if ok {
				out = append(out, Term{Text: p.abbr, Class: Expansion, Pos: toks[main[k]].Pos})
				break
			}
		}
	}
	return out
}

// appendPhrase adds the terms of an abbreviation's expansion at position pos.
func appendPhrase(out []Term, p phrase, pos int) []Term {
	prev := ""
	for _, t := range p.toks {
		if t.Part {
			continue
		}
		if t.Text != t.Fold {
			out = append(out, Term{Text: t.Text, Class: Expansion, Pos: pos})
		}
		out = append(out, Term{Text: t.Fold, Class: Expansion, Pos: pos, Stop: isStopword(t, true)})
		if prev != "" {
			out = append(out, Term{Text: prev + BigramSep + t.Fold, Class: Expansion, Pos: pos})
		}
		prev = t.Fold
	}
	return out
}

// IndexText returns the terms of text joined by spaces: the form full-text engines index.
func IndexText(terms []Term) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.Text)
	}
	return b.String()
}

// stopwords are function and question words, keyed by their written form (with diacritics), so
// that "đâu" (where) is a stop word but "đầu" (head, first) is not.
var stopwords = setOf(
	"là", "của", "và", "có", "không", "gì", "nào", "bao", "nhiêu", "mấy", "thế", "thì", "ở", "đâu",
	"cho", "tôi", "mình", "em", "anh", "chị", "ạ", "ơi", "nhé", "vậy", "sao", "như", "được",
	"cần", "phải", "làm", "muốn", "hỏi", "xin", "để", "với", "tại", "trong", "này", "đó", "các",
	"những", "một", "về", "khi", "nếu", "mà", "hay", "hoặc", "theo", "từ", "đến", "ra", "vào",
	"lên", "bị", "đã", "sẽ", "đang", "rồi", "nữa", "thôi", "ai", "gồm", "vui", "lòng", "giúp",
	"biết", "hết", "bạn", "chúng", "ta", "họ", "nó", "cũng", "rằng", "nên", "còn",
)

// foldedStopwords are the stop words of questions typed without diacritics. A folded word is a
// stop word only when every word it may stand for is one ("dau" may be "đầu", so it is not).
var foldedStopwords = setOf(
	"la", "cua", "va", "khong", "gi", "nao", "nhieu", "thi", "o", "cho", "toi", "em", "anh", "a",
	"oi", "nhe", "vay", "nhu", "duoc", "phai", "xin", "voi", "trong", "nay", "cac", "nhung", "mot",
	"ve", "khi", "neu", "hay", "hoac", "theo", "den", "ra", "vao", "bi", "se", "roi", "nua", "ai",
	"gom", "giup", "biet", "rang",
)

// ambiguousStopwords are the folded forms of stop words that other words share ("muon" is
// muốn and muộn, "dang" is đang and đăng): without diacritics they may be either.
var ambiguousStopwords = func() map[string]bool {
	m := map[string]bool{}
	for w := range stopwords {
		f := Fold(w)
		if _, ok := foldedStopwords[f]; !ok {
			m[f] = true
		}
	}
	return m
}()

func isStopword(t Token, marked bool) bool {
	if t.Kind != Word {
		return false
	}
	if marked {
		_, ok := stopwords[t.Text]
		return ok
	}
	_, ok := foldedStopwords[t.Fold]
	return ok
}

// IsStopword reports whether the word (as typed, with or without diacritics) is a function or
// question word that carries little meaning for retrieval.
func IsStopword(word string) bool {
	toks := Tokenize(word)
	return len(toks) == 1 && isStopword(toks[0], HasMarks(word))
}

func setOf(words ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(words))
	for _, w := range words {
		m[w] = struct{}{}
	}
	return m
}

// questionPhrases are the ways Vietnamese asks (how long, how much, where, how…, and the
// framing of questions about targets: "đặt mục tiêu", "phấn đấu"), as folded words. As phrases they are unambiguous with or without diacritics ("bao lâu" is never "báo
// lâu"), so their words count as stop words even where each word alone could be content.
var questionPhrases = [][]string{
	{"bao", "lau"}, {"bao", "nhieu"}, {"bao", "gio"}, {"o", "dau"}, {"the", "nao"}, {"ra", "sao"},
	{"la", "gi"}, {"lam", "sao"}, {"nhu", "nao"}, {"may", "ngay"}, {"duoc", "khong"}, {"co", "phai"},
	{"hay", "khong"}, {"khong", "a"}, {"the", "a"}, {"vay", "a"}, {"phan", "tram"},
	{"dat", "muc", "tieu"}, {"phan", "dau"}, {"de", "ra"},
}

// questionPhraseTokens marks the tokens that belong to a question phrase.
func questionPhraseTokens(toks []Token) map[int]bool {
	var marks map[int]bool
	for i, t := range toks {
		if t.Part || t.Kind != Word {
			continue
		}
		for _, p := range questionPhrasesByFirst[t.Fold] {
			if i+len(p) > len(toks) {
				continue
			}
			ok := true
			for k, w := range p {
				if toks[i+k].Part || toks[i+k].Kind != Word || toks[i+k].Fold != w {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			if marks == nil {
				marks = map[int]bool{}
			}
			for k := range p {
				marks[i+k] = true
			}
		}
	}
	return marks
}

// questionPhrasesByFirst indexes questionPhrases by their first word.
var questionPhrasesByFirst = func() map[string][][]string {
	m := map[string][][]string{}
	for _, p := range questionPhrases {
		m[p[0]] = append(m[p[0]], p)
	}
	return m
}()

// IsStopTerm reports whether an index term (lower case, as produced by Terms) is a stop word:
// a marked term by the marked list, an unmarked one by the list of words that are stop words
// whatever their marks.
func IsStopTerm(term string) bool {
	if _, ok := foldedStopwords[term]; ok {
		return true
	}
	_, ok := stopwords[term]
	return ok
}
