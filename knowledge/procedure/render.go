package procedure

import (
	"strings"

	"github.com/trolyao/trolyao/knowledge/layout"
)

// Section headings of a rendered procedure record, in order. Passages of a procedure carry
// them as their section path, so answers can pick the passage that holds a field.
const (
	SectionSteps      = "Trình tự thực hiện"
	SectionChannels   = "Cách thức thực hiện"
	SectionPapers     = "Thành phần hồ sơ"
	SectionAgency     = "Cơ quan thực hiện"
	SectionAddress    = "Địa chỉ tiếp nhận"
	SectionSubjects   = "Đối tượng thực hiện"
	SectionConditions = "Yêu cầu, điều kiện"
	SectionResults    = "Kết quả"
	SectionLegal      = "Căn cứ pháp lý"
	SectionGeneral    = "Thông tin chung"
)

// Render lays a procedure out as readable sections, each a level-1 heading followed
// by its content, so a chunker can cut at headings. Empty sections are left out.
func Render(p *Record) []layout.Block {
	var out []layout.Block
	section := func(title string, body []layout.Block) {
		if len(body) == 0 {
			return
		}
		out = append(out, layout.Block{Kind: layout.Heading, Level: 1, Text: title})
		out = append(out, body...)
	}
	para := func(text string) layout.Block { return layout.Block{Kind: layout.Paragraph, Text: text} }
	item := func(marker, text string) layout.Block {
		return layout.Block{Kind: layout.ListItem, Marker: marker, Text: text}
	}

	var steps []layout.Block
	for _, s := range p.Steps {
		marker, family, rest := layout.SplitMarker(s)
		switch family {
		case "":
			steps = append(steps, item("", s))
		case "buoc":
			steps = append(steps, item("Bước "+strings.TrimLeft(marker[len("Bước"):], " "), rest))
		default:
			steps = append(steps, item(marker, rest))
		}
	}
	section(SectionSteps, steps)

	var channels []layout.Block
	for _, c := range p.Channels {
		channels = append(channels, item("", renderChannel(c)))
	}
	section(SectionChannels, channels)

	var papers []layout.Block
	for _, g := range p.PaperGroups {
		if g.Case != "" {
			papers = append(papers, layout.Block{Kind: layout.Heading, Level: 2, Text: g.Case})
		}
		for _, pp := range g.Papers {
			papers = append(papers, item("", renderPaper(pp)))
		}
	}
	if len(p.Notes) > 0 {
		papers = append(papers, layout.Block{Kind: layout.Heading, Level: 2, Text: "Lưu ý"})
		for _, n := range p.Notes {
			marker, _, rest := layout.SplitMarker(n)
			papers = append(papers, item(marker, rest))
		}
	}
	section(SectionPapers, papers)

	var agency []layout.Block
	if p.Agency != "" {
		agency = append(agency, para(p.Agency))
	}
	if p.Authority != "" && p.Authority != p.Agency {
		agency = append(agency, para("Cơ quan có thẩm quyền: "+p.Authority))
	}
	if p.AuthorizedAgency != "" {
		agency = append(agency, para("Cơ quan được ủy quyền: "+p.AuthorizedAgency))
	}
	if p.CoordinatingAgency != "" {
		agency = append(agency, para("Cơ quan phối hợp: "+p.CoordinatingAgency))
	}
	section(SectionAgency, agency)

	if p.Address != "" {
		section(SectionAddress, []layout.Block{para(p.Address)})
	}
	if p.Subjects != "" {
		section(SectionSubjects, []layout.Block{para(p.Subjects)})
	}
	if p.Conditions != "" {
		section(SectionConditions, layout.Structure(strings.Split(p.Conditions, "\n")))
	}

	var results []layout.Block
	for _, r := range p.Results {
		results = append(results, item("", r))
	}
	section(SectionResults, results)

	var legal []layout.Block
	for _, d := range p.LegalBasis {
		text := d.Title
		if d.Number != "" && !strings.Contains(d.Title, d.Number) {
			text += " (" + d.Number + ")"
		}
		legal = append(legal, item("", text))
	}
	section(SectionLegal, legal)

	var general []layout.Block
	for _, kv := range [][2]string{
		{"Mã thủ tục", p.Code},
		{"Cấp thực hiện", p.Level},
		{"Loại thủ tục", p.Type},
		{"Lĩnh vực", p.Field},
		{"Quyết định công bố", p.DecisionNumber},
		{"Thủ tục liên quan", p.Related},
	} {
		if kv[1] != "" {
			general = append(general, para(kv[0]+": "+kv[1]))
		}
	}
	section(SectionGeneral, general)
	return out
}

// renderChannel writes a channel as a sentence: "Trực tuyến: thời hạn giải quyết 7 Ngày làm
// việc; phí, lệ phí: 10.000 đồng (remark); mức ghi trên Cổng: 10,000 Việt Nam Đồng".
func renderChannel(c Channel) string {
	var parts []string
	if c.Time != "" {
		parts = append(parts, "thời hạn giải quyết "+c.Time)
	}
	fee := ""
	switch {
	case c.Free:
		fee = "miễn phí"
	case len(c.FeeAmounts) > 0:
		var amounts []string
		for _, a := range c.FeeAmounts {
			amounts = append(amounts, FormatVND(a))
		}
		fee = strings.Join(amounts, "; ")
	case c.Fee != "":
		fee = c.Fee
	}
	if fee != "" {
		fee = "phí, lệ phí: " + fee
		if c.Note != "" {
			fee += " (" + c.Note + ")"
		}
		parts = append(parts, fee)
	} else if c.Note != "" {
		parts = append(parts, c.Note)
	}
	if c.Fee != "" && !c.Free && len(c.FeeAmounts) > 0 {
		parts = append(parts, "mức ghi trên Cổng: "+c.Fee)
	}
	text := c.Name
	if len(parts) > 0 {
		text += ": " + strings.Join(parts, "; ")
	}
	return text
}

// renderPaper writes a paper as "Name (1 bản chính; mẫu: Form.docx)".
func renderPaper(p Paper) string {
	var extra []string
	if p.Copies != "" && !strings.HasPrefix(p.Copies, "0 ") {
		extra = append(extra, p.Copies)
	}
	if p.Form != "" {
		extra = append(extra, "mẫu: "+p.Form)
	}
	name := p.Name
	if name == "" {
		name = p.Form
		extra = extra[:len(extra)-1]
	}
	if len(extra) == 0 {
		return name
	}
	return name + " (" + strings.Join(extra, "; ") + ")"
}
