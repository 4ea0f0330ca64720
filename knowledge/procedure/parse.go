package procedure

import (
	"strings"

	"github.com/trolyao/trolyao/knowledge/layout"
)

// FieldNames returns the string fields of a record in the portal's JSON export, in the order
// of the export. Parse reads them.
func FieldNames() []string {
	return []string{
		"ma_thu_tuc", "detail_url", "ten_thu_tuc", "so_quyet_dinh", "cap_thuc_hien", "loai_thu_tuc",
		"linh_vuc", "doi_tuong_thuc_hien", "co_quan_co_tham_quyen", "dia_chi_tiep_nhan",
		"co_quan_duoc_uy_quyen", "co_quan_phoi_hop", "thu_tuc_lien_quan", "trinh_tu_thuc_hien",
		"cach_thuc_thuc_hien", "thanh_phan_ho_so", "can_cu_phap_ly", "co_quan_thuc_hien",
		"yeu_cau_dieu_kien", "ket_qua_xu_ly", "raw_text",
	}
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

// Parse turns the fields of an exported record, by the names FieldNames returns, into a
// Record. Missing fields and fields that carry no information leave their part empty.
func Parse(rec map[string]string) *Record {
	p := &Record{
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
