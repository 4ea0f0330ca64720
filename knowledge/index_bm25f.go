package knowledge

import (
	"slices"
	"strings"
	"sync"
)

// score scores every candidate the same way whatever store proposed it: BM25F over head and
// body, the share of the question it covers (by words and by word pairs), the title the
// question names, and the coverage of all the candidate passages of its document together.
func (x *Index) score(cands []*candidate, terms []queryTerm, st *statsSnapshot) []Result {
	termIndex := newTermPositions(terms)
	unknown := hasUnknownWord(terms, st)
	results := make([]Result, 0, len(cands))
	titleCov := map[string][2]float64{}
	titleQ := newTitleQuestion(terms)
	docMatched := map[string][]bool{} // the question terms any candidate passage of a document holds
	type bm25f struct {
		score   float64
		matched []bool
	}
	scores := make([]bm25f, len(cands))
	inParallel(len(cands), 64, func(i int) {
		scores[i].score, scores[i].matched = scoreBM25F(cands[i].hit.Chunk, terms, termIndex, st)
	})
	for i, c := range cands {
		lex, matched := scores[i].score, scores[i].matched
		cov, phr := coverageOf(terms, matched, false)
		if unknown {
			phr = min(phr, cov)
		}
		tc, ok := titleCov[c.hit.Doc.ID]
		if !ok {
			tc[0], tc[1] = x.titleCoverage(c.hit.Doc.Title, titleQ)
			titleCov[c.hit.Doc.ID] = tc
		}
		if dm, ok := docMatched[c.hit.Doc.ID]; ok {
			for i, m := range matched {
				dm[i] = dm[i] || m
			}
		} else {
			docMatched[c.hit.Doc.ID] = slices.Clone(matched)
		}
		results = append(results, Result{Chunk: c.hit.Chunk, Doc: c.hit.Doc, Lexical: lex, Coverage: cov, PhraseCoverage: phr, TitleCoverage: tc[0], TitleMatch: tc[1], Vector: c.vecScore})
	}
	hasFocus := slices.ContainsFunc(terms, func(t queryTerm) bool { return t.focus })
	docRelevance := make(map[string][2]float64, len(docMatched))
	for id, m := range docMatched {
		var rel [2]float64
		for k, focus := range []bool{false, true} {
			if focus && !hasFocus {
				break
			}
			cov, phr := coverageOf(terms, m, focus)
			if unknown {
				phr = min(phr, cov)
			}
			rel[k] = (cov + phr) / 2
		}
		docRelevance[id] = rel
	}
	for i := range results {
		rel := docRelevance[results[i].Doc.ID]
		results[i].DocRelevance, results[i].DocFocusRelevance = rel[0], rel[1]
	}
	return results
}

// scoreBM25F scores a passage for the question and returns the share of the question's
// informative weight it contains.
func scoreBM25F(c Chunk, terms []queryTerm, index *termPositions, st *statsSnapshot) (score float64, matched []bool) {
	head, headLen := countQueryTerms(c.HeadTerms, index)
	body, bodyLen := countQueryTerms(c.BodyTerms, index)
	avgHead, avgBody := max(st.AvgHeadLen, 1), max(st.AvgBodyLen, 1)
	normHead := 1 - bm25BHead + bm25BHead*headLen/avgHead
	normBody := 1 - bm25BBody + bm25BBody*bodyLen/avgBody
	matched = make([]bool, len(terms))
	for i, t := range terms {
		tf := headWeight*float64(head[i])/normHead + float64(body[i])/normBody
		if tf > 0 {
			score += t.weight * t.idf * tf / (bm25K1 + tf)
			matched[i] = true
		}
	}
	return score, matched
}

// termPositions finds the question's terms by their position in the question's term list.
// Most words of a passage are not in the question, and the passage's words that are recur:
// a table indexed by a hash of (first two bytes, last byte, length) holds the position of the
// question term with that hash, checked by one string comparison. The map serves the hashes
// that two question terms share.
type termPositions struct {
	texts []string         // the question's terms, by position
	slots [termSlots]int16 // position + 1; 0 for no question term, -1 for several
	pos   map[string]int   // the terms whose slot holds several, by first position
}

const termSlots = 1 << 12

// termSlot returns the table slot of a non-empty term.
func termSlot(term string) uint32 {
	n := len(term)
	h := uint32(term[0])<<16 ^ uint32(term[min(1, n-1)])<<8 ^ uint32(term[n-1]) ^ uint32(n)<<24
	h *= 0x9e3779b1
	return h >> (32 - 12)
}

func newTermPositions(terms []queryTerm) *termPositions {
	p := &termPositions{texts: make([]string, len(terms))}
	for i, t := range terms {
		p.texts[i] = t.text
		if t.text == "" {
			continue
		}
		slot := &p.slots[termSlot(t.text)]
		if *slot == 0 {
			*slot = int16(i + 1)
			continue
		}
		if *slot > 0 { // a second term for this slot: both are looked up in the map
			if p.pos == nil {
				p.pos = map[string]int{}
			}
			p.pos[p.texts[*slot-1]] = int(*slot - 1)
			*slot = -1
		}
		if _, ok := p.pos[t.text]; !ok {
			p.pos[t.text] = i
		}
	}
	return p
}

// lookup returns the position of term in the question's terms.
func (p *termPositions) lookup(term string) (int, bool) {
	switch v := p.slots[termSlot(term)]; {
	case v == 0:
		return 0, false
	case v > 0:
		return int(v - 1), p.texts[v-1] == term
	default:
		k, ok := p.pos[term]
		return k, ok
	}
}

// countQueryTerms counts, in an index text, the occurrences of each question term (by its
// position in index) and the text's length in terms.
func countQueryTerms(s string, index *termPositions) ([]int, float64) {
	counts := make([]int, len(index.texts))
	n := 0
	for s != "" {
		i := strings.IndexByte(s, ' ')
		term := s
		if i >= 0 {
			term, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if term == "" {
			continue
		}
		n++
		if k, ok := index.lookup(term); ok {
			counts[k]++
		}
	}
	return counts, float64(n)
}

// inParallel calls fn for every index below n, in two halves side by side when n is at least
// threshold (a search's own work then uses the second core an idle server has), and returns when
// every call has returned.
func inParallel(n, threshold int, fn func(i int)) {
	half := 0
	var wg sync.WaitGroup
	if n >= threshold {
		half = n / 2
		wg.Go(func() {
			for i := range half {
				fn(i)
			}
		})
	}
	for i := half; i < n; i++ {
		fn(i)
	}
	wg.Wait()
}
