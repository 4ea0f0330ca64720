package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge/layout"
)

// Procedure is a public-service procedure record from the national database, parsed back into
// structure from the flattened table text the portal exports.
type Procedure struct {
	Code               string // ma_thu_tuc, e.g. "1.000080"
	Name               string // ten_thu_tuc
	URL                string // detail_url
	DecisionNumber     string // so_quyet_dinh: the decision that published the procedure
	Level              string // cap_thuc_hien, e.g. "Cấp xã"
	Type               string // loai_thu_tuc
	Field              string // linh_vuc
	Subjects           string // doi_tuong_thuc_hien
	Authority          string // co_quan_co_tham_quyen
	Address            string // dia_chi_tiep_nhan
	AuthorizedAgency   string // co_quan_duoc_uy_quyen
	CoordinatingAgency string // co_quan_phoi_hop
	Agency             string // co_quan_thuc_hien

	Steps       []string     // trinh_tu_thuc_hien, one entry per step, marker included ("Bước 1: ...")
	Channels    []Channel    // cach_thuc_thuc_hien, one entry per submission channel
	PaperGroups []PaperGroup // thanh_phan_ho_so, one group per case
	Notes       []string     // remarks ("Lưu ý") inside thanh_phan_ho_so
	Conditions  string       // yeu_cau_dieu_kien, lines kept
	Results     []string     // ket_qua_xu_ly, portal interface text removed
	LegalBasis  []LegalDoc   // can_cu_phap_ly
	Related     string       // thu_tuc_lien_quan
}

// Channel is one way to submit an application, with its time limit and fees.
type Channel struct {
	Name       string  // "Trực tuyến", "Trực tiếp" or "Dịch vụ bưu chính"
	Time       string  // as written, e.g. "7 Ngày làm việc"; "" when not given
	Fee        string  // as written, e.g. "10,000 Việt Nam Đồng", "Miễn phí"; "" when not given
	FeeAmounts []int64 // amounts in đồng found in the fee and its remark; empty when free or unknown
	Free       bool    // the portal says "Miễn phí" and no amount is given
	Note       string  // the parenthesised fee remark and the channel description
}

// PaperGroup is the list of papers for one case of a procedure.
type PaperGroup struct {
	Case   string // the case the papers apply to; "" for a single unnamed group
	Papers []Paper
}

// Paper is one document an applicant submits.
type Paper struct {
	Name   string
	Form   string // template file or form name when given, several joined by "; "
	Copies string // normalised, e.g. "1 bản chính", "1 bản chính, 1 bản sao"
}

// LegalDoc is one legal document a procedure is based on.
type LegalDoc struct {
	Title  string
	Number string // e.g. "123/2015/NĐ-CP"; "" when the portal gives none
}

// procedureFields are the string fields of a record, in the order of the JSON export.
var procedureFields = []string{
	"ma_thu_tuc", "detail_url", "ten_thu_tuc", "so_quyet_dinh", "cap_thuc_hien", "loai_thu_tuc",
	"linh_vuc", "doi_tuong_thuc_hien", "co_quan_co_tham_quyen", "dia_chi_tiep_nhan",
	"co_quan_duoc_uy_quyen", "co_quan_phoi_hop", "thu_tuc_lien_quan", "trinh_tu_thuc_hien",
	"cach_thuc_thuc_hien", "thanh_phan_ho_so", "can_cu_phap_ly", "co_quan_thuc_hien",
	"yeu_cau_dieu_kien", "ket_qua_xu_ly", "raw_text",
}

// parseProcedureJSON reads one procedure record.
func parseProcedureJSON(data []byte) (*Document, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: JSON is not valid UTF-8", ErrEncoding)
	}
	var raw any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: JSON: %s", ErrMalformed, describeJSONError(data, err))
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		if _, isArray := raw.([]any); isArray {
			return nil, fmt.Errorf("%w: JSON array; expected one procedure record (an object with ten_thu_tuc) per file", ErrUnsupported)
		}
		return nil, fmt.Errorf("%w: JSON %T is not a procedure record", ErrUnsupported, raw)
	}
	if _, ok := obj["ten_thu_tuc"]; !ok {
		return nil, fmt.Errorf("%w: JSON object is not a procedure record: no ten_thu_tuc field", ErrUnsupported)
	}
	rec := make(map[string]string, len(procedureFields))
	for _, f := range procedureFields {
		switch v := obj[f].(type) {
		case nil:
		case string:
			rec[f] = v
		default:
			return nil, fmt.Errorf("%w: procedure field %s is a JSON %s, want a string", ErrMalformed, f, jsonType(v))
		}
	}
	if layout.Clean(rec["ten_thu_tuc"]) == "" {
		return nil, fmt.Errorf("%w: procedure record has an empty ten_thu_tuc", ErrEmpty)
	}
	p := parseProcedure(rec)
	return procedureDocument(p), nil
}

// describeJSONError adds the line and column to a JSON syntax error.
func describeJSONError(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := int(min(se.Offset, int64(len(data))))
		line := 1 + bytes.Count(data[:off], []byte("\n"))
		col := off - bytes.LastIndexByte(data[:off], '\n')
		return fmt.Sprintf("syntax error at line %d, column %d: %v", line, col, err)
	}
	return err.Error()
}

func jsonType(v any) string {
	switch v.(type) {
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// blankValues are what the portal writes for a missing value.
var blankValues = map[string]bool{
	"": true, "không có thông tin": true, "không": true, "không có": true, "không.": true,
	"--": true, "-": true, "không quy định": true, "không có.": true, "chưa có thông tin": true,
}

// isBlank reports whether a field value carries no information.
func isBlank(s string) bool {
	if t := strings.TrimSpace(s); len(t) > 64 {
		return false
	}
	c := layout.Clean(s)
	return blankValues[strings.ToLower(strings.Trim(c, " -"))] || blankValues[strings.ToLower(c)]
}

// value returns the cleaned single-line value of a field, "" when it carries no information.
func value(s string) string {
	if isBlank(s) {
		return ""
	}
	return layout.Clean(s)
}

// parseProcedure turns a record's fields into a Procedure.
func parseProcedure(rec map[string]string) *Procedure {
	p := &Procedure{
		Code:               value(rec["ma_thu_tuc"]),
		Name:               layout.Clean(rec["ten_thu_tuc"]),
		URL:                strings.TrimSpace(rec["detail_url"]),
		DecisionNumber:     value(rec["so_quyet_dinh"]),
		Level:              value(rec["cap_thuc_hien"]),
		Type:               value(rec["loai_thu_tuc"]),
		Field:              value(rec["linh_vuc"]),
		Subjects:           value(rec["doi_tuong_thuc_hien"]),
		Authority:          value(rec["co_quan_co_tham_quyen"]),
		Address:            value(rec["dia_chi_tiep_nhan"]),
		AuthorizedAgency:   value(rec["co_quan_duoc_uy_quyen"]),
		CoordinatingAgency: value(rec["co_quan_phoi_hop"]),
		Agency:             value(rec["co_quan_thuc_hien"]),
		Related:            parseRelated(rec["thu_tuc_lien_quan"]),
	}
	p.Steps = parseSteps(rec["trinh_tu_thuc_hien"])
	p.Channels = parseChannels(rec["cach_thuc_thuc_hien"])
	p.PaperGroups, p.Notes = parsePapers(rec["thanh_phan_ho_so"])
	if !isBlank(rec["yeu_cau_dieu_kien"]) {
		p.Conditions = strings.Join(layout.Paragraphs(layout.NonEmpty(layout.CleanLines(rec["yeu_cau_dieu_kien"]))), "\n")
	}
	p.Results = parseResults(rec["ket_qua_xu_ly"])
	p.LegalBasis = parseLegalBasis(rec["can_cu_phap_ly"])
	if len(p.Steps) == 0 && len(p.Channels) == 0 && len(p.PaperGroups) == 0 {
		// Some exports only carry the page text; keep it readable rather than lose it.
		if raw := rec["raw_text"]; !isBlank(raw) {
			p.Steps = parseSteps(raw)
		}
	}
	return p
}

// parseRelated reads thu_tuc_lien_quan, a table "#Tên thủ tục1<name>2<name>" on the portal.
func parseRelated(s string) string {
	s = value(s)
	s = strings.TrimPrefix(s, "#Tên thủ tục")
	return strings.TrimSpace(s)
}

// procedureDocument renders a procedure as a document.
func procedureDocument(p *Procedure) *Document {
	doc := &Document{
		Title:     p.Name,
		Kind:      KindProcedure,
		URL:       p.URL,
		Number:    p.DecisionNumber,
		Issuer:    p.Authority,
		Procedure: p,
	}
	if doc.Issuer == "" {
		doc.Issuer = p.Agency
	}
	doc.Blocks = renderProcedure(p)
	dates := detectDates(bodyText(doc.Blocks), "")
	doc.Dates = dates
	return doc
}
