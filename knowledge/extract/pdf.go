package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
	"github.com/trolyao/trolyao/knowledge/layout"
)

// maxPDFPages bounds the work done on one file.
const maxPDFPages = 2000

// parsePDF reads the text layer of a PDF. Lines are rebuilt from text positions, wrapped
// lines are joined back into paragraphs, and the result goes through the plain-text rules.
func parsePDF(data []byte) (*Document, error) {
	if !bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("%PDF-")) {
		return nil, fmt.Errorf("%w: PDF: no %%PDF- header", ErrMalformed)
	}
	lines, err := pdfLines(data)
	if err != nil {
		return nil, err
	}
	letters := 0
	for _, l := range lines {
		for _, r := range l.text {
			if unicode.IsLetter(r) {
				letters++
			}
		}
	}
	if letters == 0 {
		return nil, fmt.Errorf("%w: PDF has no text layer (scanned pages?); run OCR first", ErrEmpty)
	}
	paras := pdfParagraphs(lines)
	var text []string
	for _, p := range paras {
		text = append(text, p, "")
	}
	title, body := cleanPage(text)
	return &Document{Title: title, Blocks: layout.Structure(body)}, nil
}

// pdfLine is one line of text on a page.
type pdfLine struct {
	page int
	y    float64 // baseline, in user space, growing upwards
	size float64 // font size in user space
	text string
}

// pdfLines reads every page's text operators and groups the shown text into lines by
// baseline. The reader panics on some malformed content; that is reported as ErrMalformed.
func pdfLines(data []byte) (lines []pdfLine, err error) {
	defer func() {
		if x := recover(); x != nil {
			lines, err = nil, fmt.Errorf("%w: PDF content cannot be read: %v", ErrMalformed, x)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		if errors.Is(err, pdf.ErrInvalidPassword) || strings.Contains(strings.ToLower(err.Error()), "encrypt") {
			return nil, fmt.Errorf("%w: PDF is encrypted", ErrUnsupported)
		}
		return nil, fmt.Errorf("%w: PDF: %v", ErrMalformed, err)
	}
	pages := pdfPages(r)
	if len(pages) == 0 {
		return nil, fmt.Errorf("%w: PDF has no pages", ErrMalformed)
	}
	for i, p := range pages {
		if p.V.Key("Contents").Kind() == pdf.Null {
			continue
		}
		pl, err := pageLines(p, i+1)
		if err != nil {
			return nil, err
		}
		lines = append(lines, pl...)
	}
	return lines, nil
}

// pdfPages lists the pages in order by walking the page tree. The reader's own lookup loops
// forever on a tree that refers to itself, so the walk bounds its depth and the number of
// nodes it visits.
func pdfPages(r *pdf.Reader) []pdf.Page {
	var pages []pdf.Page
	visited := 0
	var walk func(node pdf.Value, depth int)
	walk = func(node pdf.Value, depth int) {
		visited++
		if depth > 64 || visited > 4*maxPDFPages || len(pages) >= maxPDFPages {
			return
		}
		switch node.Key("Type").Name() {
		case "Pages":
			kids := node.Key("Kids")
			for i := 0; i < kids.Len(); i++ {
				walk(kids.Index(i), depth+1)
			}
		case "Page":
			pages = append(pages, pdf.Page{V: node})
		}
	}
	walk(r.Trailer().Key("Root").Key("Pages"), 0)
	return pages
}

// maxPDFStream bounds one decompressed content stream.
const maxPDFStream = 64 << 20

// checkStream reads a content stream (or an array of them) and rejects what the reader's
// lexer cannot finish: a hex string left open at the end of the stream makes it loop
// forever, so such streams are refused before interpretation.
func checkStream(v pdf.Value) error {
	if v.Kind() == pdf.Array {
		for i := 0; i < v.Len(); i++ {
			if err := checkStream(v.Index(i)); err != nil {
				return err
			}
		}
		return nil
	}
	if v.Kind() != pdf.Stream {
		return nil
	}
	rc := v.Reader()
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxPDFStream+1))
	if err != nil {
		return fmt.Errorf("reading stream: %v", err)
	}
	if len(b) > maxPDFStream {
		return fmt.Errorf("stream larger than %d bytes", maxPDFStream)
	}
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '%':
			for i < len(b) && b[i] != '\n' && b[i] != '\r' {
				i++
			}
		case '(':
			depth := 1
			for i++; i < len(b) && depth > 0; i++ {
				switch b[i] {
				case '\\':
					i++
				case '(':
					depth++
				case ')':
					depth--
				}
			}
			i--
		case '<':
			if i+1 < len(b) && b[i+1] == '<' {
				i++
				continue
			}
			end := bytes.IndexByte(b[i:], '>')
			if end < 0 {
				return errors.New("unterminated hex string")
			}
			i += end
		}
	}
	return nil
}

// matrix is a PDF transformation matrix [a b 0; c d 0; e f 1].
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func translate(tx, ty float64) matrix { return matrix{1, 0, 0, 1, tx, ty} }

// pageLines interprets one page's content stream.
func pageLines(p pdf.Page, page int) ([]pdfLine, error) {
	if err := checkStream(p.V.Key("Contents")); err != nil {
		return nil, fmt.Errorf("%w: PDF page %d content: %v", ErrMalformed, page, err)
	}
	var (
		out       []pdfLine
		cur       strings.Builder
		curY      = math.NaN()
		curSize   float64
		lastEnd   float64
		ctm       = identity
		stack     []matrix
		tm, tlm   = identity, identity
		leading   float64
		fontSize  float64
		enc       pdf.TextEncoding
		fontCache = map[string]pdf.TextEncoding{}
	)
	flush := func() {
		if t := strings.TrimSpace(cur.String()); t != "" {
			out = append(out, pdfLine{page: page, y: curY, size: curSize, text: t})
		}
		cur.Reset()
	}
	show := func(raw string) {
		if enc == nil {
			return
		}
		s := enc.Decode(raw)
		if s == "" {
			return
		}
		m := tm.mul(ctm)
		x, y := m[4], m[5]
		size := math.Abs(fontSize * m[3])
		if size == 0 {
			size = math.Abs(fontSize)
		}
		if math.IsNaN(curY) || math.Abs(y-curY) > math.Max(size, curSize)*0.5 {
			flush()
			curY, curSize = y, size
		} else if cur.Len() > 0 && x > lastEnd+0.15*size && !strings.HasSuffix(cur.String(), " ") && !strings.HasPrefix(s, " ") {
			cur.WriteByte(' ')
		}
		cur.WriteString(s)
		lastEnd = x + float64(utf8.RuneCountInString(s))*0.45*size
		// Advance roughly, so later chunks on the line are not mistaken for gaps.
		tm = translate(float64(utf8.RuneCountInString(s))*0.45*fontSize, 0).mul(tm)
	}
	pdf.Interpret(p.V.Key("Contents"), func(stk *pdf.Stack, op string) {
		n := stk.Len()
		args := make([]pdf.Value, n)
		for i := n - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		num := func(i int) float64 {
			if i < len(args) {
				return args[i].Float64()
			}
			return 0
		}
		switch op {
		case "q":
			stack = append(stack, ctm)
		case "Q":
			if l := len(stack); l > 0 {
				ctm, stack = stack[l-1], stack[:l-1]
			}
		case "cm":
			if len(args) == 6 {
				ctm = matrix{num(0), num(1), num(2), num(3), num(4), num(5)}.mul(ctm)
			}
		case "BT":
			tm, tlm = identity, identity
		case "Tf":
			if len(args) == 2 {
				name := args[0].Name()
				if e, ok := fontCache[name]; ok {
					enc = e
				} else {
					f := p.Font(name)
					enc = nil
					if checkStream(f.V.Key("ToUnicode")) == nil {
						enc = f.Encoder()
					}
					fontCache[name] = enc
				}
				fontSize = num(1)
			}
		case "TL":
			leading = num(0)
		case "Td", "TD":
			if op == "TD" {
				leading = -num(1)
			}
			tlm = translate(num(0), num(1)).mul(tlm)
			tm = tlm
		case "Tm":
			if len(args) == 6 {
				tlm = matrix{num(0), num(1), num(2), num(3), num(4), num(5)}
				tm = tlm
			}
		case "T*":
			tlm = translate(0, -leading).mul(tlm)
			tm = tlm
		case "'", "\"":
			tlm = translate(0, -leading).mul(tlm)
			tm = tlm
			if len(args) > 0 {
				show(args[len(args)-1].RawString())
			}
		case "Tj":
			if len(args) == 1 {
				show(args[0].RawString())
			}
		case "TJ":
			if len(args) == 1 {
				v := args[0]
				for i := 0; i < v.Len(); i++ {
					x := v.Index(i)
					if x.Kind() == pdf.String {
						show(x.RawString())
						continue
					}
					adj := x.Float64()
					tm = translate(-adj/1000*fontSize, 0).mul(tm)
					if adj < -200 && cur.Len() > 0 && !strings.HasSuffix(cur.String(), " ") {
						cur.WriteByte(' ')
					}
				}
			}
		}
	})
	flush()
	// Content streams may draw lines out of order; read top to bottom.
	sort.SliceStable(out, func(i, j int) bool { return out[i].y > out[j].y+0.01 })
	return out, nil
}

// pdfParagraphs joins lines into paragraphs: a larger vertical gap, a change of font size, a
// list marker, or a short line ending a sentence ends a paragraph; words hyphenated at the
// end of a line are joined.
func pdfParagraphs(lines []pdfLine) []string {
	if len(lines) == 0 {
		return nil
	}
	var gaps []float64
	maxLen := 0
	for i := 1; i < len(lines); i++ {
		if lines[i].page == lines[i-1].page {
			if g := lines[i-1].y - lines[i].y; g > 0 {
				gaps = append(gaps, g)
			}
		}
		maxLen = max(maxLen, utf8.RuneCountInString(lines[i].text))
	}
	maxLen = max(maxLen, utf8.RuneCountInString(lines[0].text))
	sort.Float64s(gaps)
	typical := 0.0
	if len(gaps) > 0 {
		typical = gaps[len(gaps)/2]
	}
	var out []string
	cur := cleanLinesJoin(lines[0].text)
	for i := 1; i < len(lines); i++ {
		prev, l := lines[i-1], lines[i]
		text := cleanLinesJoin(l.text)
		brk := false
		switch {
		case l.page != prev.page:
			brk = layout.EndsSentence(cur) && !layout.StartsLower(text)
		case typical > 0 && prev.y-l.y > typical*1.4:
			brk = true
		case math.Abs(l.size-prev.size) > 0.1*math.Max(l.size, prev.size):
			brk = true
		}
		if m, _, _ := layout.SplitMarker(text); m != "" {
			brk = true
		}
		if layout.EndsSentence(cur) && utf8.RuneCountInString(prev.text) < maxLen*6/10 {
			brk = true
		}
		if !brk && !layout.EndsSentence(cur) && layout.HeadingLike(cur, 120) && utf8.RuneCountInString(prev.text) < maxLen*6/10 && !layout.StartsLower(text) {
			brk = true // a short title line
		}
		if brk {
			out = append(out, cur)
			cur = text
			continue
		}
		cur = layout.JoinLines(cur, text)
	}
	return append(out, cur)
}

// cleanLinesJoin normalises one line of PDF text.
func cleanLinesJoin(s string) string { return layout.Clean(s) }
