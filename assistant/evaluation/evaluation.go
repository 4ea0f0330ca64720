// Package evaluation asks question sets (the format of ../shared/eval/*.jsonl) of an assistant
// and of its search, and reports how the answers and the retrieved passages did: expected
// sources cited, expected facts stated, out-of-scope questions refused, latencies. The
// assistant command's eval subcommand and the shared-corpus tests use it; it is no part of
// answering.
package evaluation

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// Item is one conversation of a question set (the format of ../shared/eval/*.jsonl).
type Item struct {
	ID       string `json:"id"`
	Audience string `json:"audience"`
	Turns    []Turn `json:"turns"`
}

// Turn is one question with what a good answer shows.
type Turn struct {
	Q        string   `json:"q"`
	Doc      string   `json:"doc"`
	Docs     []string `json:"docs"`
	Any      []string `json:"any"`
	All      []string `json:"all"`
	Grounded *bool    `json:"grounded"`
}

// Read reads a question set file.
func Read(file string) ([]Item, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("read questions: %w", err)
	}
	defer f.Close()
	var items []Item
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		// A misspelt or misplaced field ("grounded" beside "turns" instead of in a turn) is an
		// error, not a question silently measured as something else.
		var it Item
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&it); err != nil {
			return nil, fmt.Errorf("read questions: %s line %d: %w", file, line, err)
		}
		if len(it.Turns) == 0 {
			return nil, fmt.Errorf("read questions: %s line %d: no turns", file, line)
		}
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read questions: %w", err)
	}
	return items, nil
}

// Result is the outcome of one asked question.
type Result struct {
	Item, Question string
	InScope        bool
	SourceFound    bool // an expected source among the top-5 citations
	FactsFound     bool // the expected facts stated in the answer
	HasFacts       bool
	Refused        bool // answered "not in the knowledge base" (offering choices is no refusal)
	Grounded       bool
	// ChoicesOffered is set when the assistant asked back with procedures to choose from;
	// Chosen when one of them was an expected source and was picked (the answer scored is then
	// the one given for it).
	ChoicesOffered, Chosen bool
	Latency                time.Duration
	AnswerRunes            int
	Answer                 string
	Cited                  []string
}

// Report aggregates a question set's results.
type Report struct {
	Results []Result
}

// Asker answers questions; *assistant.Assistant is one.
type Asker interface {
	Ask(ctx context.Context, req assistant.Request, onDelta func(string)) (assistant.Reply, error)
}

// Answers asks every question of the items (the turns of an item in one conversation) and
// checks the answers. When the assistant asks back with choices and one of them is an
// expected source, it is picked by its number, as a person would, and the answer to that is
// the one checked.
func Answers(ctx context.Context, a Asker, items []Item) (Report, error) {
	var rep Report
	for _, it := range items {
		aud, err := assistant.ParseAudience(it.Audience)
		if err != nil {
			return rep, fmt.Errorf("item %s: %w", it.ID, err)
		}
		session := ""
		for _, t := range it.Turns {
			start := time.Now()
			reply, err := a.Ask(ctx, assistant.Request{Message: t.Q, SessionID: session, Audience: aud, Channel: "eval"}, nil)
			if err != nil {
				return rep, fmt.Errorf("item %s: %w", it.ID, err)
			}
			latency := time.Since(start)
			want := t.Docs
			if t.Doc != "" {
				want = append(want, t.Doc)
			}
			offered, chosen := len(reply.Choices) > 0, false
			for _, c := range reply.Choices {
				if !expected(c.Source, want) {
					continue
				}
				start := time.Now()
				reply, err = a.Ask(ctx, assistant.Request{Message: strconv.Itoa(c.N), SessionID: reply.SessionID, Audience: aud, Channel: "eval"}, nil)
				if err != nil {
					return rep, fmt.Errorf("item %s: choice %d: %w", it.ID, c.N, err)
				}
				latency, chosen = max(latency, time.Since(start)), true
				break
			}
			res := Result{Item: it.ID, Question: t.Q, Latency: latency, Grounded: reply.Grounded, Answer: reply.Answer,
				AnswerRunes: utf8.RuneCountInString(reply.Answer), ChoicesOffered: offered, Chosen: chosen}
			session = reply.SessionID
			res.InScope = t.Grounded == nil || *t.Grounded
			res.Refused = !reply.Grounded && len(reply.Choices) == 0
			for i, c := range reply.Citations {
				res.Cited = append(res.Cited, c.Source)
				if i >= 5 {
					continue
				}
				if expected(c.Source, want) {
					res.SourceFound = true
				}
			}
			res.HasFacts = len(t.Any)+len(t.All) > 0
			res.FactsFound = factsStated(reply.Answer, t.Any, t.All)
			rep.Results = append(rep.Results, res)
		}
	}
	return rep, nil
}

// expected reports whether source is one of the expected documents (matched on the file name
// or the path below the corpus folder).
func expected(source string, want []string) bool {
	for _, w := range want {
		if source == w || strings.HasSuffix(source, "/"+w) {
			return true
		}
	}
	return false
}

// factKey compares facts without diacritics, case or spacing differences.
func factKey(s string) string {
	return strings.Join(strings.Fields(vietnamese.Key(s)), " ")
}

func factsStated(answer string, anyOf, allOf []string) bool {
	if len(anyOf)+len(allOf) == 0 {
		return true
	}
	key := factKey(answer)
	for _, f := range allOf {
		if !strings.Contains(key, factKey(f)) {
			return false
		}
	}
	if len(anyOf) == 0 {
		return true
	}
	for _, f := range anyOf {
		if strings.Contains(key, factKey(f)) {
			return true
		}
	}
	return false
}

// Summary is the report's figures.
type Summary struct {
	Questions, InScope, OutOfScope     int
	SourceFound, FactsFound, WithFacts int
	CorrectRefusals, GroundedInScope   int
	ChoicesOffered, Chosen             int
	P50, P95                           time.Duration
	MedianAnswerRunes                  int
}

// Summary computes the report's figures.
func (r Report) Summary() Summary {
	var s Summary
	var lat []time.Duration
	var lengths []int
	for _, x := range r.Results {
		s.Questions++
		lat = append(lat, x.Latency)
		if x.ChoicesOffered {
			s.ChoicesOffered++
		}
		if x.Chosen {
			s.Chosen++
		}
		if !x.InScope {
			s.OutOfScope++
			if x.Refused {
				s.CorrectRefusals++
			}
			continue
		}
		s.InScope++
		lengths = append(lengths, x.AnswerRunes)
		if x.SourceFound {
			s.SourceFound++
		}
		if x.HasFacts {
			s.WithFacts++
			if x.FactsFound {
				s.FactsFound++
			}
		}
		if x.Grounded {
			s.GroundedInScope++
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	sort.Ints(lengths)
	if len(lat) > 0 {
		s.P50 = lat[len(lat)/2]
		s.P95 = lat[min(len(lat)-1, (len(lat)*95+99)/100-1)]
	}
	if len(lengths) > 0 {
		s.MedianAnswerRunes = lengths[len(lengths)/2]
	}
	return s
}

func pct(n, d int) string {
	if d == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%d/%d (%.0f%%)", n, d, 100*float64(n)/float64(d))
}

// Print writes the report: one line per question (failures with the answer) and the figures.
func (r Report) Print(w io.Writer, verbose bool) {
	for _, x := range r.Results {
		status := "ok"
		switch {
		case !x.InScope && !x.Refused:
			status = "NOT REFUSED"
		case !x.InScope:
			status = "refused ok"
		case x.Refused:
			status = "REFUSED"
		case !x.SourceFound && !x.FactsFound:
			status = "MISS source+facts"
		case !x.SourceFound:
			status = "MISS source"
		case !x.FactsFound:
			status = "MISS facts"
		}
		switch {
		case x.Chosen:
			status += " (chose)"
		case x.ChoicesOffered:
			status += " (choices)"
		}
		fmt.Fprintf(w, "%-6s %-18s %6s  %s\n", x.Item, status, x.Latency.Round(100*time.Microsecond), x.Question)
		if verbose || (status != "ok" && status != "refused ok") {
			fmt.Fprintf(w, "       cited: %s\n       answer: %s\n", strings.Join(x.Cited, ", "), strings.ReplaceAll(x.Answer, "\n", "\n               "))
		}
	}
	s := r.Summary()
	fmt.Fprintf(w, "\nquestions %d (in scope %d, out of scope %d)\n", s.Questions, s.InScope, s.OutOfScope)
	fmt.Fprintf(w, "expected source in top-5 citations: %s\n", pct(s.SourceFound, s.InScope))
	fmt.Fprintf(w, "expected facts in the answer:       %s\n", pct(s.FactsFound, s.WithFacts))
	fmt.Fprintf(w, "correct refusals:                   %s\n", pct(s.CorrectRefusals, s.OutOfScope))
	fmt.Fprintf(w, "grounded in-scope answers:          %s\n", pct(s.GroundedInScope, s.InScope))
	fmt.Fprintf(w, "choices offered:                    %s (an expected source picked in %d)\n", pct(s.ChoicesOffered, s.Questions), s.Chosen)
	fmt.Fprintf(w, "latency p50 %s, p95 %s\n", s.P50.Round(10*time.Microsecond), s.P95.Round(10*time.Microsecond))
	fmt.Fprintf(w, "median answer length: %d characters\n", s.MedianAnswerRunes)
}

// RetrievalResult is how retrieval did on one question, before any answer is composed.
type RetrievalResult struct {
	Item, Question string
	Rank           int  // 1-based rank of the first passage from an expected document; 0 when absent
	FactsInTop3    bool // the expected facts appear in the text of the top three passages
	HasFacts       bool
	Latency        time.Duration
}

// Searcher searches the knowledge base; *knowledge.Index is one.
type Searcher interface {
	Search(ctx context.Context, q knowledge.Query) ([]knowledge.Result, error)
}

// Retrieval searches every in-scope question of the items (follow-ups with the previous
// question as context) and checks where the expected documents and facts rank among k passages.
func Retrieval(ctx context.Context, index Searcher, items []Item, k int) ([]RetrievalResult, error) {
	var out []RetrievalResult
	for _, it := range items {
		prev := ""
		for _, t := range it.Turns {
			if t.Grounded != nil && !*t.Grounded {
				continue
			}
			start := time.Now()
			results, err := index.Search(ctx, knowledge.Query{Text: t.Q, Context: prev, K: k})
			if err != nil {
				return out, fmt.Errorf("item %s: %w", it.ID, err)
			}
			res := RetrievalResult{Item: it.ID, Question: t.Q, Latency: time.Since(start), HasFacts: len(t.Any)+len(t.All) > 0}
			prev = t.Q
			want := t.Docs
			if t.Doc != "" {
				want = append(want, t.Doc)
			}
			var top3 strings.Builder
			for i, r := range results {
				if i < 3 {
					top3.WriteString(r.Chunk.Text + "\n")
				}
				for _, w := range want {
					if res.Rank == 0 && (r.Doc.Source == w || strings.HasSuffix(r.Doc.Source, "/"+w)) {
						res.Rank = i + 1
					}
				}
			}
			res.FactsInTop3 = res.HasFacts && factsStated(top3.String(), t.Any, t.All)
			out = append(out, res)
		}
	}
	return out, nil
}

// PrintRetrieval writes the retrieval results and their figures.
func PrintRetrieval(w io.Writer, rs []RetrievalResult, k int) {
	found, facts, withFacts := 0, 0, 0
	var lat []time.Duration
	for _, r := range rs {
		status := "ok"
		if r.Rank == 0 {
			status = "MISS"
		} else {
			found++
		}
		if r.HasFacts {
			withFacts++
			if r.FactsInTop3 {
				facts++
			} else {
				status += " (facts not in top 3)"
			}
		}
		lat = append(lat, r.Latency)
		fmt.Fprintf(w, "%-6s rank %-2d %-24s %8s  %s\n", r.Item, r.Rank, status, r.Latency.Round(10*time.Microsecond), r.Question)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	fmt.Fprintf(w, "\nexpected document in the top %d passages: %s\n", k, pct(found, len(rs)))
	fmt.Fprintf(w, "expected facts in the top 3 passages:    %s\n", pct(facts, withFacts))
	if len(lat) > 0 {
		fmt.Fprintf(w, "search latency p50 %s, p95 %s\n", lat[len(lat)/2].Round(10*time.Microsecond), lat[min(len(lat)-1, (len(lat)*95+99)/100-1)].Round(10*time.Microsecond))
	}
}
