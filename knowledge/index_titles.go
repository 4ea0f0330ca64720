package knowledge

import (
	"slices"
	"strings"

	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// titleQuestion is what titleCoverage needs of a question, gathered once for all titles.
type titleQuestion struct {
	weighty map[string]bool // the terms of weight 0.5 and more
	content []string        // the content terms
}

func newTitleQuestion(terms []queryTerm) titleQuestion {
	q := titleQuestion{weighty: make(map[string]bool, len(terms))}
	for _, t := range terms {
		if t.weight >= 0.5 {
			q.weighty[t.text] = true
		}
		if t.content {
			q.content = append(q.content, t.text)
		}
	}
	return q
}

// titleCoverage returns the share of the title's content terms (words and bigrams, IDF-free)
// that the question contains — "Đăng ký thường trú" is fully named by a question about
// registering permanent residence, "Xóa đăng ký thường trú" only partly — and the title match:
// the harmonic mean of that share and the share of the question's content terms the title
// holds, so that a title naming more of what is asked ("… có yếu tố nước ngoài" for a
// question about marrying a foreigner) wins over a shorter one.
func (x *Index) titleCoverage(title string, q titleQuestion) (coverage, match float64) {
	content := x.titleTerms(title)
	if len(content) == 0 || len(q.content) == 0 {
		return 0, 0
	}
	hit := 0
	for _, t := range content {
		if q.weighty[t] {
			hit++
		}
	}
	named := 0
	for _, t := range q.content {
		if slices.Contains(content, t) {
			named++
		}
	}
	coverage = float64(hit) / float64(len(content))
	explained := float64(named) / float64(len(q.content))
	if coverage+explained > 0 {
		match = 2 * coverage * explained / (coverage + explained)
	}
	return coverage, match
}

// titleTerms returns the content terms of a title (words and bigrams, repeats kept), analysed
// once and cached. The portal's naming prefix "Thủ tục" says nothing about which procedure it
// is and is left out, so that "Thủ tục đăng ký khai tử" is as fully named by a question about
// registering a death as "Đăng ký lại khai tử" is not.
func (x *Index) titleTerms(title string) []string {
	x.titleMu.Lock()
	defer x.titleMu.Unlock()
	if terms, ok := x.titles[title]; ok {
		return terms
	}
	if x.titles == nil || len(x.titles) > 50000 {
		x.titles = make(map[string][]string)
	}
	var terms []string
	for _, t := range x.analyzer.Terms(withoutNamingPrefix(title)) {
		if isContent(t) {
			terms = append(terms, t.Text)
		}
	}
	x.titles[title] = terms
	return terms
}

// withoutNamingPrefix removes a leading "Thủ tục" (any case, with or without marks).
func withoutNamingPrefix(title string) string {
	t := strings.TrimSpace(title)
	if fields := strings.Fields(t); len(fields) > 2 && vietnamese.Key(fields[0]+" "+fields[1]) == "thu tuc" {
		return strings.Join(fields[2:], " ")
	}
	return t
}
