package procedure

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge/layout"
)

// stepMarker is a "Bước N" marker: where it starts (at its bullet, if any) and its number.
type stepMarker struct {
	start, n int
}

// stepMarkers finds the "Bước N" markers that stand at the start of the text, after white space
// or after punctuation (".", ";", ":"), possibly behind a bullet. It scans for the word instead
// of running a regular expression at every position: procedure texts are long.
func stepMarkers(text string) []stepMarker {
	var out []stepMarker
	for from := 0; from < len(text); {
		i := indexStepWord(text[from:])
		if i < 0 {
			break
		}
		pos := from + i
		from = pos + len("Bước")
		// The number: optional spaces, then one or two digits.
		j := from
		for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
			j++
		}
		k := j
		for k < len(text) && k-j < 3 && text[k] >= '0' && text[k] <= '9' {
			k++
		}
		if k == j || k-j > 2 {
			continue
		}
		n, _ := strconv.Atoi(text[j:k])
		// What precedes: optional spaces and a bullet, then the start, a space or punctuation.
		start := pos
		b := strings.TrimRight(text[:pos], " \t")
		if strings.HasSuffix(b, "-") || strings.HasSuffix(b, "+") || strings.HasSuffix(b, "•") {
			_, size := utf8.DecodeLastRuneInString(b)
			start = len(b) - size
			b = strings.TrimRight(b[:start], " \t")
			if len(b) == start && start > 0 && !strings.ContainsRune("\n.;:", rune(b[len(b)-1])) {
				continue // a bullet glued to a word
			}
		} else if start > 0 && len(b) == start && !strings.ContainsRune("\n.;:", rune(b[len(b)-1])) {
			continue // "…xBước": no space or punctuation before
		}
		out = append(out, stepMarker{start: start, n: n})
	}
	return out
}

// indexStepWord returns the index of the first "Bước" or "BƯỚC" in s, or -1.
func indexStepWord(s string) int {
	i, j := strings.Index(s, "Bước"), strings.Index(s, "BƯỚC")
	switch {
	case i < 0:
		return j
	case j < 0 || i < j:
		return i
	}
	return j
}

// parseSteps splits trinh_tu_thuc_hien into steps: at "Bước 1", "Bước 2", ... when the
// numbers run in order, else at the items of the outermost list, else at paragraphs.
func parseSteps(s string) []string {
	if isBlank(s) {
		return nil
	}
	text := strings.Join(layout.CleanLines(s), "\n")
	if steps := splitNumberedSteps(text); len(steps) >= 2 {
		return steps
	}
	paras := layout.Paragraphs(layout.NonEmpty(strings.Split(text, "\n")))
	top := ""
	for _, p := range paras {
		if _, f, _ := layout.SplitMarker(p); f != "" {
			top = f
			break
		}
	}
	var steps []string
	for _, p := range paras {
		_, f, _ := layout.SplitMarker(p)
		if len(steps) == 0 || top == "" || f == top {
			steps = append(steps, p)
			continue
		}
		steps[len(steps)-1] += " " + p
	}
	return steps
}

// splitNumberedSteps splits text at "Bước 1", "Bước 2", ... in order.
func splitNumberedSteps(text string) []string {
	var cuts []int // start of each step's marker
	want := 1
	for _, m := range stepMarkers(text) {
		if m.n != want {
			continue
		}
		cuts = append(cuts, m.start)
		want++
	}
	if len(cuts) < 2 {
		return nil
	}
	var steps []string
	if pre := layout.Clean(text[:cuts[0]]); pre != "" && !isBlank(pre) && layout.FoldKey(pre) != "trinh tu thuc hien" {
		steps = append(steps, pre)
	}
	for i, c := range cuts {
		end := len(text)
		if i+1 < len(cuts) {
			end = cuts[i+1]
		}
		step := layout.Clean(text[c:end])
		step = strings.TrimLeft(step, "-+• ")
		steps = append(steps, step)
	}
	return steps
}
