package extract

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/trolyao/trolyao/knowledge/layout"
)

// maxDOCXPart bounds the size of one decompressed part, against zip bombs.
const maxDOCXPart = 64 << 20

// reHeadingStyle matches heading style names in English and Vietnamese Word.
var reHeadingStyle = regexp.MustCompile(`(?i)^(heading|đầu đề|tiêu đề|title|titre|überschrift)\s*(\d)?$`)

// parseDOCX reads a Word document: paragraphs in order, heading styles as headings, numbered
// and bulleted paragraphs as list items, tables as rows.
func parseDOCX(data []byte) (*Document, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: DOCX is not a valid zip archive (truncated or corrupt): %v", ErrMalformed, err)
	}
	parts := map[string]*zip.File{}
	for _, f := range zr.File {
		parts[f.Name] = f
	}
	docPart := parts["word/document.xml"]
	if docPart == nil {
		return nil, fmt.Errorf("%w: DOCX archive has no word/document.xml", ErrMalformed)
	}
	body, err := readPart(docPart)
	if err != nil {
		return nil, fmt.Errorf("%w: DOCX word/document.xml: %v", ErrMalformed, err)
	}
	st := docxStyles{headings: map[string]int{}}
	if f := parts["word/styles.xml"]; f != nil {
		if b, err := readPart(f); err == nil {
			st.readStyles(b)
		}
	}
	num := newDocxNumbering()
	if f := parts["word/numbering.xml"]; f != nil {
		if b, err := readPart(f); err == nil {
			num.read(b)
		}
	}
	paras, err := readDocxBody(body)
	if err != nil {
		return nil, fmt.Errorf("%w: DOCX word/document.xml: %v", ErrMalformed, err)
	}

	var (
		blocks []layout.Block
		title  string
		plain  []string // run of unstyled paragraphs, structured like plain text
	)
	flush := func() {
		if len(plain) > 0 {
			blocks = append(blocks, layout.Structure(layout.Paragraphs(layout.NonEmpty(plain)))...)
			plain = nil
		}
	}
	for _, p := range paras {
		text := layout.Clean(p.text)
		if text == "" {
			continue
		}
		switch {
		case p.row != nil:
			flush()
			blocks = append(blocks, layout.Block{Kind: layout.TableRow, Text: tableRowText(p.header, p.row)})
		case st.isTitle(p.style) && title == "":
			flush()
			title = text
		case st.headings[p.style] > 0:
			flush()
			level := st.headings[p.style]
			m, _, rest := layout.SplitMarker(text)
			blocks = append(blocks, layout.Block{Kind: layout.Heading, Level: level, Marker: m, Text: rest})
		case p.numID != "" && p.numID != "0":
			flush()
			marker := num.next(p.numID, p.ilvl)
			if m, _, rest := layout.SplitMarker(text); m != "" {
				marker, text = m, rest
			}
			blocks = append(blocks, layout.Block{Kind: layout.ListItem, Level: p.ilvl, Marker: marker, Text: text})
		default:
			plain = append(plain, text)
		}
	}
	flush()
	if title == "" {
		if f := parts["docProps/core.xml"]; f != nil {
			if b, err := readPart(f); err == nil {
				title = coreTitle(b)
			}
		}
	}
	if title == "" && len(blocks) > 0 && blocks[0].Kind == layout.Heading {
		title = strings.TrimSpace(blocks[0].Marker + " " + blocks[0].Text)
		blocks = blocks[1:]
	}
	return &Document{Title: title, Blocks: cleanBlocks(title, blocks)}, nil
}

// readPart decompresses one part of the archive, refusing oversized ones.
func readPart(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxDOCXPart+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxDOCXPart {
		return nil, fmt.Errorf("%s is larger than %d bytes", f.Name, maxDOCXPart)
	}
	return b, nil
}

// docxPara is one paragraph of the body, or one table row.
type docxPara struct {
	text   string
	style  string
	numID  string
	ilvl   int
	row    []string // set for a table row
	header []string // the table's header row, for rows after it
}

// readDocxBody walks word/document.xml and returns paragraphs and table rows in order.
func readDocxBody(b []byte) ([]docxPara, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	var (
		out       []docxPara
		cur       *docxPara
		text      strings.Builder
		tableRows [][]string // rows of the outermost table being read
		row       []string
		cell      strings.Builder
		tableDep  int
		inCell    bool
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "tbl":
				tableDep++
				if tableDep == 1 {
					tableRows = nil
				}
			case "tr":
				if tableDep == 1 {
					row = nil
				}
			case "tc":
				if tableDep == 1 {
					inCell = true
					cell.Reset()
				}
			case "p":
				if !inCell {
					cur = &docxPara{}
					text.Reset()
				}
			case "pStyle":
				if cur != nil && !inCell {
					cur.style = xmlAttr(t, "val")
				}
			case "numId":
				if cur != nil && !inCell {
					cur.numID = xmlAttr(t, "val")
				}
			case "ilvl":
				if cur != nil && !inCell {
					cur.ilvl, _ = strconv.Atoi(xmlAttr(t, "val"))
				}
			case "tab":
				writeDocx(inCell, &cell, &text, " ")
			case "br", "cr":
				writeDocx(inCell, &cell, &text, " ")
			case "t", "delText":
				if t.Name.Local == "delText" {
					_ = dec.Skip() // deleted text in tracked changes
					continue
				}
				var s string
				if err := dec.DecodeElement(&s, &t); err != nil {
					return nil, err
				}
				writeDocx(inCell, &cell, &text, s)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "p":
				if inCell {
					cell.WriteString("\n")
				} else if cur != nil {
					cur.text = text.String()
					out = append(out, *cur)
					cur = nil
				}
			case "tc":
				if tableDep == 1 {
					row = append(row, layout.Clean(cell.String()))
					inCell = false
				}
			case "tr":
				if tableDep == 1 {
					tableRows = append(tableRows, row)
				}
			case "tbl":
				tableDep--
				if tableDep == 0 {
					out = append(out, tableParas(tableRows)...)
				}
			}
		}
	}
	return out, nil
}

// tableParas turns table rows into paragraphs: a table of one column is text; otherwise the
// first row is a header when it is short and there are other rows.
func tableParas(rows [][]string) []docxPara {
	var out []docxPara
	single := true
	for _, r := range rows {
		if len(r) > 1 {
			single = false
		}
	}
	if single {
		for _, r := range rows {
			for _, c := range r {
				out = append(out, docxPara{text: c})
			}
		}
		return out
	}
	var header []string
	start := 0
	if len(rows) > 1 {
		isHeader := true
		for _, c := range rows[0] {
			if len(c) > 60 {
				isHeader = false
			}
		}
		if isHeader {
			header, start = rows[0], 1
		}
	}
	for _, r := range rows[start:] {
		out = append(out, docxPara{text: strings.Join(r, " "), row: r, header: header})
	}
	return out
}

func writeDocx(inCell bool, cell, text *strings.Builder, s string) {
	if inCell {
		cell.WriteString(s)
		return
	}
	text.WriteString(s)
}

func xmlAttr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// docxStyles maps style IDs to heading levels.
type docxStyles struct {
	headings map[string]int
	titles   []string
}

// readStyles reads word/styles.xml: a style whose name is "heading N" (or a localised
// equivalent) is a level-N heading; "Title" is the document title.
func (s *docxStyles) readStyles(b []byte) {
	var doc struct {
		Styles []struct {
			ID   string `xml:"styleId,attr"`
			Name struct {
				Val string `xml:"val,attr"`
			} `xml:"name"`
		} `xml:"style"`
	}
	if xml.Unmarshal(b, &doc) != nil {
		return
	}
	for _, st := range doc.Styles {
		s.classify(st.ID, st.Name.Val)
	}
}

func (s *docxStyles) classify(id, name string) {
	for _, cand := range []string{name, id} {
		m := reHeadingStyle.FindStringSubmatch(strings.TrimSpace(cand))
		if m == nil {
			continue
		}
		if m[2] == "" {
			if strings.EqualFold(m[1], "title") || strings.EqualFold(m[1], "tiêu đề") {
				s.titles = append(s.titles, id)
			}
			return
		}
		n, _ := strconv.Atoi(m[2])
		if n >= 1 && n <= 6 {
			s.headings[id] = n
		}
		return
	}
}

func (s *docxStyles) isTitle(style string) bool {
	if style == "" {
		return false
	}
	for _, t := range s.titles {
		if t == style {
			return true
		}
	}
	return strings.EqualFold(style, "Title") || strings.EqualFold(style, "TieuDe")
}

// docxNumbering numbers list paragraphs from word/numbering.xml.
type docxNumbering struct {
	abstract map[string]map[int]docxLevel // abstractNumId → level → format
	nums     map[string]string            // numId → abstractNumId
	counters map[string][]int             // numId → counter per level
}

type docxLevel struct {
	format string // decimal, bullet, lowerLetter, upperRoman, ...
	text   string // "%1.", "%1)", "•"
	start  int
}

func newDocxNumbering() *docxNumbering {
	return &docxNumbering{abstract: map[string]map[int]docxLevel{}, nums: map[string]string{}, counters: map[string][]int{}}
}

func (n *docxNumbering) read(b []byte) {
	var doc struct {
		Abstract []struct {
			ID     string `xml:"abstractNumId,attr"`
			Levels []struct {
				Ilvl  int `xml:"ilvl,attr"`
				Start struct {
					Val int `xml:"val,attr"`
				} `xml:"start"`
				Fmt struct {
					Val string `xml:"val,attr"`
				} `xml:"numFmt"`
				Text struct {
					Val string `xml:"val,attr"`
				} `xml:"lvlText"`
			} `xml:"lvl"`
		} `xml:"abstractNum"`
		Nums []struct {
			ID       string `xml:"numId,attr"`
			Abstract struct {
				Val string `xml:"val,attr"`
			} `xml:"abstractNumId"`
		} `xml:"num"`
	}
	if xml.Unmarshal(b, &doc) != nil {
		return
	}
	for _, a := range doc.Abstract {
		lv := map[int]docxLevel{}
		for _, l := range a.Levels {
			lv[l.Ilvl] = docxLevel{format: l.Fmt.Val, text: l.Text.Val, start: l.Start.Val}
		}
		n.abstract[a.ID] = lv
	}
	for _, x := range doc.Nums {
		n.nums[x.ID] = x.Abstract.Val
	}
}

// next returns the marker of the next item of list numID at level ilvl.
func (n *docxNumbering) next(numID string, ilvl int) string {
	lvl, ok := n.abstract[n.nums[numID]][ilvl]
	if !ok {
		return "-"
	}
	c := n.counters[numID]
	for len(c) <= ilvl {
		c = append(c, 0)
	}
	if c[ilvl] == 0 {
		c[ilvl] = max(lvl.start, 1)
	} else {
		c[ilvl]++
	}
	for i := ilvl + 1; i < len(c); i++ {
		c[i] = 0
	}
	n.counters[numID] = c
	if lvl.format == "bullet" || lvl.format == "none" || lvl.format == "" {
		return "-"
	}
	text := lvl.text
	if text == "" {
		text = "%" + strconv.Itoa(ilvl+1) + "."
	}
	for i := 0; i <= ilvl && i < len(c); i++ {
		f := lvl.format
		if i != ilvl {
			if l, ok := n.abstract[n.nums[numID]][i]; ok {
				f = l.format
			}
		}
		text = strings.ReplaceAll(text, "%"+strconv.Itoa(i+1), formatNumber(c[i], f))
	}
	return text
}

// formatNumber writes a list counter in a Word number format.
func formatNumber(n int, format string) string {
	switch format {
	case "lowerLetter":
		return string(rune('a' + (n-1)%26))
	case "upperLetter":
		return string(rune('A' + (n-1)%26))
	case "lowerRoman":
		return strings.ToLower(roman(n))
	case "upperRoman":
		return roman(n)
	}
	return strconv.Itoa(n)
}

func roman(n int) string {
	vals := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, v := range vals {
		for n >= v {
			b.WriteString(syms[i])
			n -= v
		}
	}
	return b.String()
}

// coreTitle reads dc:title from docProps/core.xml.
func coreTitle(b []byte) string {
	var core struct {
		Title string `xml:"title"`
	}
	if xml.Unmarshal(b, &core) != nil {
		return ""
	}
	return layout.Clean(core.Title)
}
