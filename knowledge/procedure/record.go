// Package procedure is the record of a public-service procedure from the national database
// (Cơ sở dữ liệu quốc gia về thủ tục hành chính): its parts (steps, submission channels with
// their times and fees, papers, agencies, conditions, results, legal basis), the rules that
// read each part back from the flattened table text the portal exports, and its rendering as
// the sections a chunker cuts into passages.
//
// A Record is stored as JSON by both stores: its field names and shapes are a storage format.
//
// The package is pure and keeps no state: every function is safe for concurrent use.
package procedure

// Record is a public-service procedure record from the national database, parsed back into
// structure from the flattened table text the portal exports.
type Record struct {
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

// Submission channels, as Channel.Name gives them.
const (
	ChannelOnline   = "Trực tuyến"
	ChannelInPerson = "Trực tiếp"
	ChannelPostal   = "Dịch vụ bưu chính"
)

// Channel is one way to submit an application, with its time limit and fees.
type Channel struct {
	Name       string  // ChannelOnline, ChannelInPerson or ChannelPostal
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
