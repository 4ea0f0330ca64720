package knowledge

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// Index is hybrid search over a Store: the store proposes candidates from its full-text and
// vector indexes, and the index ranks them the same way whichever store is behind it, with
// BM25F over the analysed terms (title and section path weighted apart from the passage text)
// fused by reciprocal rank with vector similarity and with how much of the document title the
// question names.
type Index struct {
	store    Store
	analyzer *vietnamese.Analyzer
	embedder Embedder
	logger   *slog.Logger

	statsMu   sync.Mutex
	stats     *statsSnapshot
	loading   bool
	checkedAt time.Time

	// titles caches the content terms of document titles, by title.
	titleMu sync.Mutex
	titles  map[string][]string
}

type statsSnapshot struct {
	gen int64
	Stats
	df termTable // Stats.DF by hash; Stats.DF itself is dropped
}

// NewIndex returns an index over store. embedder may be nil (lexical search only).
func NewIndex(store Store, analyzer *vietnamese.Analyzer, embedder Embedder, logger *slog.Logger) *Index {
	return &Index{store: store, analyzer: analyzer, embedder: embedder, logger: logger}
}

// Ping reports whether the store behind the index answers.
func (x *Index) Ping(ctx context.Context) error {
	if _, err := x.store.Generation(ctx); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	return nil
}

// Query is a search request.
type Query struct {
	Text    string
	K       int     // results wanted (default 5)
	Filters Filters // hard restrictions
	// Locality softly prefers documents about this place (and national ones) over others.
	Locality string
	// Kinds softly prefers documents of these kinds.
	Kinds []Kind
	// Sections softly prefers passages whose section path starts with one of these (the
	// section a question asks about: "Cách thức thực hiện" for a fee).
	Sections []string
	// Context is earlier conversation text whose terms help with low weight (follow-ups).
	Context string
	// PerDocument caps the passages of one document in the results (0: no cap).
	PerDocument int
	// SkipSnippets leaves Result.Snippet empty, for callers that quote passages their own way
	// (Snippet computes one on demand).
	SkipSnippets bool
}

// Result is one ranked passage.
type Result struct {
	Chunk   Chunk
	Doc     DocRef
	Snippet string // the passage's sentences that match best, for display
	// Score is the fused rank score relative to the best result's (1 for the best), for display
	// and ordering; Relevance says how well a passage covers the question.
	Score float64
	// Coverage is the share of the question's informative weight (IDF-weighted content terms)
	// that this passage contains; the assistant uses it to decide whether the knowledge base
	// answers the question at all.
	Coverage float64
	// PhraseCoverage is the same share counting only the question's word pairs (IDF-weighted
	// bigrams of content words): phrases say more about relevance than single syllables.
	PhraseCoverage float64
	// DocRelevance is Relevance over all the passages of the document that search proposed
	// together: a question about a procedure names it in the title and asks about one section.
	DocRelevance float64
	// TitleCoverage is the share of the document title's content terms the question names.
	TitleCoverage float64
	// TitleMatch weighs TitleCoverage with the share of the question the title names (their
	// harmonic mean): how well the title and the question name the same thing.
	TitleMatch float64
	Lexical    float64 // BM25F score
	Vector     float64 // cosine similarity, 0 when vector search did not propose it
}

// Ranking parameters. BM25F with the head (title and section path) and body fields.
const (
	bm25K1      = 1.2
	bm25BHead   = 0.4
	bm25BBody   = 0.75
	headWeight  = 2.0
	rrfK        = 60.0
	lexicalPool = 100
	vectorPool  = 40
)

// queryTerm is a distinct term of the question with its ranking weight.
type queryTerm struct {
	text    string
	weight  float64
	idf     float64
	content bool // counts toward coverage
	phrase  bool // a content bigram: counts toward phrase coverage
	word    bool // a word of the question itself, as written or folded, not a function word
}

// Search returns the passages that best answer q.
func (x *Index) Search(ctx context.Context, q Query) ([]Result, error) {
	if q.K <= 0 {
		q.K = 5
	}
	st, err := x.currentStats(ctx)
	if err != nil {
		return nil, err
	}
	terms := x.queryTerms(q.Text, q.Context, st)
	if len(terms) == 0 {
		return nil, nil
	}
	lexTerms := selectLexicalTerms(terms, st)

	type cand struct {
		hit      Hit
		lexRank  int
		vecRank  int
		vecScore float64
	}
	// The vector half runs beside the lexical half: they wait on different indexes.
	var (
		vecHits []Hit
		vecErr  error
		wg      sync.WaitGroup
	)
	if x.embedder != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			vecHits, vecErr = x.searchVector(ctx, q)
		}()
	}
	lexHits, err := x.store.SearchLexical(ctx, lexTerms, q.Filters, lexicalPool)
	wg.Wait()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if vecErr != nil {
		return nil, fmt.Errorf("search: %w", vecErr)
	}
	// Candidates in a fixed order (the lexical ones by rank, then the vector-only ones by
	// rank), so that equal scores rank the same way on every run.
	cands := make([]*cand, 0, len(lexHits)+len(vecHits))
	byID := make(map[int64]*cand, len(lexHits)+len(vecHits))
	for i, h := range lexHits {
		c := &cand{hit: h, lexRank: i + 1}
		cands, byID[h.Chunk.ID] = append(cands, c), c
	}
	for i, h := range vecHits {
		c, ok := byID[h.Chunk.ID]
		if !ok {
			c = &cand{hit: h}
			cands, byID[h.Chunk.ID] = append(cands, c), c
		}
		c.vecRank, c.vecScore = i+1, h.Score
	}
	if len(cands) == 0 {
		return nil, nil
	}

	// Score every candidate the same way whatever store proposed it.
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
		cov, phr := coverageOf(terms, matched)
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
	docRelevance := make(map[string]float64, len(docMatched))
	for id, m := range docMatched {
		cov, phr := coverageOf(terms, m)
		if unknown {
			phr = min(phr, cov)
		}
		docRelevance[id] = (cov + phr) / 2
	}
	for i := range results {
		results[i].DocRelevance = docRelevance[results[i].Doc.ID]
	}
	// Ranks by each signal, then reciprocal-rank fusion.
	lexOrder := rankBy(results, func(r *Result) float64 { return r.Lexical })
	vecOrder := rankBy(results, func(r *Result) float64 { return r.Vector })
	locKey := vietnamese.Key(q.Locality)
	for i := range results {
		r := &results[i]
		s := 1/(rrfK+float64(lexOrder[i])) + 0.6/(rrfK+float64(vecOrder[i]))
		// A question that names the whole title of a document (a procedure's name) points at
		// it rather than at documents whose titles only share some words.
		s *= 1 + 1.2*r.TitleMatch*r.TitleMatch
		if r.Lexical == 0 {
			s *= 0.5
		}
		if locKey != "" {
			switch vietnamese.Key(r.Doc.Locality) {
			case locKey:
				s *= 1.25
			case "":
			default:
				s *= 0.7
			}
		}
		if len(q.Kinds) > 0 && !containsKind(q.Kinds, r.Doc.Kind) {
			s *= 0.8
		}
		for _, sec := range q.Sections {
			if strings.HasPrefix(r.Chunk.Section, sec) {
				s *= 1.3
				break
			}
		}
		r.Score = s
	}
	// Sorted through pointers: a Result is too large to move around.
	order := make([]*Result, len(results))
	for i := range results {
		order[i] = &results[i]
	}
	slices.SortStableFunc(order, func(a, b *Result) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Chunk.ID, b.Chunk.ID)
	})
	// Cap passages per document, keep K, normalise scores for display.
	out := make([]Result, 0, q.K)
	perDoc := map[string]int{}
	best := order[0].Score
	for _, rp := range order {
		r := *rp
		if q.PerDocument > 0 && perDoc[r.Doc.ID] >= q.PerDocument {
			continue
		}
		perDoc[r.Doc.ID]++
		r.Score = math.Round(r.Score/best*1000) / 1000
		out = append(out, r)
		if len(out) == q.K {
			break
		}
	}
	if !q.SkipSnippets {
		inParallel(len(out), 4, func(i int) { out[i].Snippet = x.snippet(out[i].Chunk.Text, terms) })
	}
	return out, nil
}

// Relevance is how much of the question a passage covers, by words and by word pairs: the
// measure the assistant compares with its threshold to decide whether the knowledge base
// answers a question at all.
func (r Result) Relevance() float64 { return (r.Coverage + r.PhraseCoverage) / 2 }

// searchVector embeds the question and searches the vectors. A failing embedder (a model server
// down) leaves the search lexical rather than failing it.
func (x *Index) searchVector(ctx context.Context, q Query) ([]Hit, error) {
	vec, err := x.embedder.EmbedQuery(ctx, q.Text)
	if err != nil {
		x.logger.WarnContext(ctx, "query embedding failed; lexical search only", slog.Any("error", err))
		return nil, nil
	}
	if zeroVector(vec) {
		return nil, nil
	}
	hits, err := x.store.SearchVector(ctx, vec, q.Filters, vectorPool)
	if errors.Is(err, ErrInvalid) {
		x.logger.WarnContext(ctx, "query vector does not fit the index; lexical search only", slog.Any("error", err))
		return nil, nil
	}
	return hits, err
}

func containsKind(ks []Kind, k Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func zeroVector(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

// rankBy returns, for each result, its 1-based rank by key (descending); results with key 0
// share the last rank.
func rankBy(rs []Result, key func(*Result) float64) []int {
	keys := make([]float64, len(rs))
	idx := make([]int, len(rs))
	for i := range rs {
		keys[i], idx[i] = key(&rs[i]), i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(keys[b], keys[a]) })
	ranks := make([]int, len(rs))
	for r, i := range idx {
		if keys[i] == 0 {
			ranks[i] = len(rs) + 1
			continue
		}
		ranks[i] = r + 1
	}
	return ranks
}

// queryTerms analyses the question (and, with low weight, the conversation context) into
// distinct weighted terms with their IDF.
func (x *Index) queryTerms(text, context string, st *statsSnapshot) []queryTerm {
	byText := map[string]*queryTerm{}
	var order []string
	add := func(t vietnamese.Term, scale float64) {
		w := termWeight(t) * scale
		// A word pair across a word that may be a function word ("tri_muon" of "quang tri
		// muon kinh te so …" typed without diacritics) that no passage holds is likely no
		// phrase of the question: it counts half.
		if t.Class == vietnamese.Bigram && t.Weak && st.df.get(t.Text) == 0 {
			w /= 2
		}
		if qt, ok := byText[t.Text]; ok {
			qt.weight = max(qt.weight, w)
			qt.content = qt.content || (scale == 1 && isContent(t))
			qt.phrase = qt.phrase || (scale == 1 && isContent(t) && t.Class == vietnamese.Bigram)
			return
		}
		byText[t.Text] = &queryTerm{text: t.Text, weight: w, idf: idf(st, t.Text), content: scale == 1 && isContent(t),
			phrase: scale == 1 && isContent(t) && t.Class == vietnamese.Bigram,
			word:   scale == 1 && (t.Class == vietnamese.Exact || t.Class == vietnamese.Folded) && !t.Stop && !t.Part && !t.Weak}
		order = append(order, t.Text)
	}
	for _, t := range x.analyzer.QueryTerms(text) {
		add(t, 1)
	}
	if context != "" {
		for _, t := range x.analyzer.QueryTerms(context) {
			if !t.Stop {
				add(t, 0.35)
			}
		}
	}
	out := make([]queryTerm, 0, len(order))
	for _, s := range order {
		out = append(out, *byText[s])
	}
	return out
}

// isContent reports whether a question term counts toward coverage: folded words and codes
// that are not stop words, and bigrams of two such words.
func isContent(t vietnamese.Term) bool {
	switch t.Class {
	case vietnamese.Folded:
		return !t.Stop && !t.Part
	case vietnamese.Bigram:
		return !t.Stop
	}
	return false
}

func idf(st *statsSnapshot, term string) float64 {
	n := float64(st.Chunks)
	df := float64(st.df.get(term))
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// selectLexicalTerms picks the terms the store's full-text query ORs. The store ranks every
// passage that matches any of them, so very common terms ("đăng", "ký") are left to the
// re-ranking: the query keeps the rarer terms — which is where a question's meaning is — up to
// a budget of matching passages, and always the rarest few.
func selectLexicalTerms(terms []queryTerm, st *statsSnapshot) []string {
	type td struct {
		text string
		df   int
	}
	var all []td
	for _, t := range terms {
		if t.weight < 0.2 {
			continue // stop words
		}
		all = append(all, td{t.text, int(st.df.get(t.text))})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].df < all[j].df })
	perTerm := max(400, st.Chunks/40)
	budget := max(2500, st.Chunks/12)
	var out []string
	sum := 0
	for i, t := range all {
		if i >= 3 && (t.df > perTerm || sum+t.df > budget) {
			break
		}
		sum += t.df
		out = append(out, t.text)
	}
	return out
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

// hasUnknownWord reports whether the question holds a word, spelled with letters, that no
// passage of the knowledge base holds ("VN-Index", "iPhone", "RON95"): what it asks about is
// then likely not there, and the phrases a passage shares with the question ("chứng khoán")
// must not make up for the words it lacks. A word counts as written ("cưng" of "thú cưng" is
// unknown even though "cung" is common) and folded; words that may be function words when
// typed without diacritics do not count.
func hasUnknownWord(terms []queryTerm, st *statsSnapshot) bool {
	for _, t := range terms {
		if !t.word || st.df.get(t.text) > 0 {
			continue
		}
		if strings.IndexFunc(t.text, unicode.IsLetter) >= 0 {
			return true
		}
	}
	return false
}

// coverageOf returns the share of the question's informative weight among the matched terms,
// counting words and word pairs, then word pairs only.
func coverageOf(terms []queryTerm, matched []bool) (coverage, phrases float64) {
	var covered, total, pCovered, pTotal float64
	for i, t := range terms {
		if t.content {
			total += t.weight * t.idf
			if matched[i] {
				covered += t.weight * t.idf
			}
		}
		if t.phrase {
			pTotal += t.weight * t.idf
			if matched[i] {
				pCovered += t.weight * t.idf
			}
		}
	}
	if total > 0 {
		coverage = covered / total
	}
	if pTotal > 0 {
		phrases = pCovered / pTotal
	}
	return coverage, phrases
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

// Snippet returns the sentences of a passage's text that best match the question, up to about
// 300 runes.
func (x *Index) Snippet(ctx context.Context, text, question string) string {
	st, err := x.currentStats(ctx)
	if err != nil {
		return truncateRunes(text, 300)
	}
	return x.snippet(text, x.queryTerms(question, "", st))
}

// snippet returns the passage's best-matching sentences, up to about 300 runes.
func (x *Index) snippet(text string, terms []queryTerm) string {
	sents := vietnamese.Sentences(text)
	if len(sents) <= 1 {
		return truncateRunes(text, 300)
	}
	weights := make(map[string]float64, len(terms))
	for _, t := range terms {
		weights[t.text] = t.weight * t.idf
	}
	bestI, bestS := 0, -1.0
	seen := map[string]bool{}
	for i, s := range sents {
		var sc float64
		clear(seen)
		for _, t := range x.analyzer.Terms(s) {
			if !seen[t.Text] {
				seen[t.Text] = true
				sc += weights[t.Text]
			}
		}
		if sc > bestS {
			bestI, bestS = i, sc
		}
	}
	out := sents[bestI]
	if next := bestI + 1; next < len(sents) && utf8.RuneCountInString(out)+utf8.RuneCountInString(sents[next]) < 300 {
		out += " " + sents[next]
	}
	return truncateRunes(out, 300)
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	if i := strings.LastIndexByte(string(r), ' '); i > n/2 {
		return string(r)[:i] + "…"
	}
	return string(r) + "…"
}

// currentStats returns the corpus statistics, reloading them when the store changed. The first
// call loads synchronously; later reloads happen in the background while the previous
// statistics keep serving.
func (x *Index) currentStats(ctx context.Context) (*statsSnapshot, error) {
	x.statsMu.Lock()
	cur := x.stats
	check := cur == nil || time.Since(x.checkedAt) > time.Second
	if check {
		x.checkedAt = time.Now()
	}
	x.statsMu.Unlock()
	if !check {
		return cur, nil
	}
	gen, err := x.store.Generation(ctx)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if cur != nil && cur.gen == gen {
		return cur, nil
	}
	if cur == nil {
		return x.loadStats(ctx, gen)
	}
	x.statsMu.Lock()
	if !x.loading {
		x.loading = true
		go func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
			defer cancel()
			if _, err := x.loadStats(ctx, gen); err != nil {
				x.logger.Error("reload search statistics", slog.Any("error", err))
			}
			x.statsMu.Lock()
			x.loading = false
			x.statsMu.Unlock()
		}()
	}
	x.statsMu.Unlock()
	return cur, nil
}

func (x *Index) loadStats(ctx context.Context, gen int64) (*statsSnapshot, error) {
	st, err := x.store.Stats(ctx)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	df := st.table
	if df == nil {
		df = newTermTable(st.DF)
	}
	snap := &statsSnapshot{gen: gen, Stats: st, df: df}
	snap.DF, snap.table = nil, nil
	x.statsMu.Lock()
	x.stats = snap
	x.statsMu.Unlock()
	return snap, nil
}

// Warm loads what searches need (corpus statistics) ahead of the first question.
func (x *Index) Warm(ctx context.Context) error {
	_, err := x.currentStats(ctx)
	return err
}

// RefreshStats reloads corpus statistics now (after an ingestion in this process).
func (x *Index) RefreshStats(ctx context.Context) error {
	gen, err := x.store.Generation(ctx)
	if err != nil {
		return fmt.Errorf("refresh statistics: %w", err)
	}
	_, err = x.loadStats(ctx, gen)
	return err
}
