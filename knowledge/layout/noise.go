package layout

import (
	"regexp"
	"strings"
	"unicode"
)

// Noise classifies a line of a saved web page.
type Noise int

// Noise kinds.
const (
	NoiseNone       Noise = iota
	NoiseDrop             // counters, share buttons, comment boxes, image names, captions, URLs
	NoiseMeta             // publication date/time or view-count line next to the headline
	NoiseCut              // heading of a related-articles list: drop it and what follows
	NoiseByline           // source or author line, dropped only at the end of the article
	NoiseBullet           // a bullet, marker or symbol alone
	NoiseFontSize         // font-size and contrast widgets
	NoiseUnreadable       // digits and symbols only
)

// The patterns below match the folded form of a line (no diacritics, lowercase), so they work
// on pages saved with or without Vietnamese diacritics.
var (
	reCounter = regexp.MustCompile(`^(luot truy cap|so luot truy cap|khach online|dang online|dang truy cap|thong ke truy cap|truy cap hom nay|tong luot truy cap|tong truy cap|truy cap trong ngay|thanh vien online|online|hom nay|hom qua|tuan nay|thang nay|tat ca)\b`)
	reViews   = regexp.MustCompile(`^(luot xem|luot doc|so lan xem)\b`)
	reShare   = regexp.MustCompile(`^(chia se|gioi thieu cho ban be|gui cho ban be|gui ban be|xem voi co chu|co chu|in bai|in trang|ban in|gui email|gui bai|luu bai|luu tin|inverts|gplus|google\+?|pinterest|facebook|twitter|zalo|linkedin|tweet|like|share|print|email|quay lai|ve dau trang|len dau trang|tro ve|tai ve)\b`)
	reComment = regexp.MustCompile(`^(binh luan|dang binh luan|gui binh luan|viet binh luan|y kien ban doc|y kien cua ban|gui y kien|danh gia|nhan xet|ho va ten|ho ten|dia chi email|ma xac nhan|noi dung binh luan)\b`)
	reRelated = regexp.MustCompile(`^(cung chuyen muc|tin cung chuyen muc|bai cung chuyen muc|tin lien quan|tin bai lien quan|bai viet lien quan|bai lien quan|cac bai lien quan|tin khac|cac tin khac|bai viet khac|cac bai viet khac|tin da dua|cac tin da dua|tin moi|tin moi nhat|tin moi hon|tin cu hon|xem them|doc them|lien ket|lien ket website|lien ket web|tin noi bat|tin xem nhieu|doc nhieu nhat|xem nhieu nhat|cac tin moi|tu khoa|tags?)\b\s*:?\s*(>>)?$`)
	reImage   = regexp.MustCompile(`^\S+\.(jpe?g|png|gif|webp|bmp|svg|tiff?)$`)
	reCaption = regexp.MustCompile(`(^|[\s(.])anh\s*(minh hoa|minh hoa\s*:[^:]{0,40}|:\s*[^:]{1,40}|\s*-\s*[^:]{1,20})\)?\s*\.?$|^\(?anh\s*:`)
	reURL     = regexp.MustCompile(`^(https?://)?(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(:\d+)?(/\S*)?$`)
	reMeta    = regexp.MustCompile(`^(\d{1,2}:\d{2}(:\d{2})?\s*(am|pm|sa|ch)?\s*[-,|]?\s*)?(thu (hai|ba|tu|nam|sau|bay)|chu nhat)?,?\s*(ngay\s*)?\d{1,2}[/.-]\d{1,2}[/.-]\d{4}(\s*[-,|]?\s*\d{1,2}:\d{2}(:\d{2})?\s*(gmt\+?7)?)?(\s*[|-]?\s*(luot xem|luot doc)\s*:?\s*[\d.,]+)?$`)
	reFont    = regexp.MustCompile(`^(t\s*){2,}$|^a\s*[-+]?\s*a\s*[-+]?$|^[-+]?a\s*[-+]?a$`)
	// A publication line may say what it dates: "Cập nhật lúc 08:15, 14/10/2024 (GMT+7)".
	reMetaPrefix = regexp.MustCompile(`^(ngay cap nhat|cap nhat|ngay dang|dang|thoi gian dang|xuat ban|ngay xuat ban)\s*(luc|ngay|vao)?\s*:?\s*`)
	reTimezone   = regexp.MustCompile(`\s*\(?gmt\s*\+\s*7\)?$`)
	// Site chrome: contact lines, sign-in links, breadcrumbs, copyright and licence footers,
	// keyword lists.
	reContact   = regexp.MustCompile(`^(hotline|duong day nong|dien thoai|so dien thoai|tel|fax|email|e-mail|dia chi email)\s*:`)
	reSignIn    = regexp.MustCompile(`^(dang nhap|dang ky|dang xuat|tim kiem)(\s*[|/]\s*(dang nhap|dang ky|dang xuat|tim kiem))*$`)
	reCrumbs    = regexp.MustCompile(`^trang chu(\s*[>»/|]\s*[^>»/|]{1,40})*$`)
	reCopyright = regexp.MustCompile(`^(ban quyen|copyright|©|\(c\) )|giay phep (so|xuat ban)\b.*\d+/gp`)
	reKeywords  = regexp.MustCompile(`^(tu khoa|the|tags?)\s*:`)
	reByline    = regexp.MustCompile(`^(theo|nguon|nguon tin|tac gia|bai va anh|bai, anh|anh va bai|thuc hien|tong hop|tin, anh|tin va anh|pv|ctv|btv)\b`)
	reSource    = regexp.MustCompile(`^\(([\p{L}\d.]{2,25})\)\s*[-–—]\s*`)
)

// ClassifyNoise tells what kind of page noise a line is, if any.
func ClassifyNoise(line string) Noise {
	s := strings.TrimSpace(strings.TrimLeft(line, "•·●○■□▪◦-–—*+|>» "))
	if s == "" {
		return NoiseBullet
	}
	f := CollapseSpaces(Fold(s))
	letters := 0
	for _, r := range f {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	short := len(f) <= 60
	switch {
	case letters == 0 && len(f) <= 12:
		return NoiseUnreadable
	case reMeta.MatchString(f) || len(f) <= 80 && reMeta.MatchString(reTimezone.ReplaceAllString(reMetaPrefix.ReplaceAllString(f, ""), "")):
		return NoiseMeta
	case short && (reContact.MatchString(f) || reSignIn.MatchString(f)):
		return NoiseDrop
	case len(f) <= 120 && reCrumbs.MatchString(f):
		return NoiseDrop
	case len(f) <= 200 && (reCopyright.MatchString(f) || reKeywords.MatchString(f)):
		return NoiseDrop
	case short && reViews.MatchString(f):
		return NoiseMeta
	case short && reCounter.MatchString(f):
		return NoiseDrop
	case short && reRelated.MatchString(f):
		return NoiseCut
	case short && reShare.MatchString(f):
		return NoiseDrop
	case short && reComment.MatchString(f):
		return NoiseDrop
	case short && reFont.MatchString(f):
		return NoiseFontSize
	case reImage.MatchString(f):
		return NoiseDrop
	case len(f) <= 100 && reURL.MatchString(f):
		return NoiseDrop
	case len(f) <= 300 && reCaption.MatchString(f):
		return NoiseDrop
	case len(f) <= 80 && !EndsSentence(s) && reByline.MatchString(f):
		return NoiseByline
	}
	return NoiseNone
}

// StripSourceTag removes a news-agency tag at the start of a paragraph: "(BKTO) - ".
func StripSourceTag(s string) string {
	if m := reSource.FindStringSubmatchIndex(s); m != nil {
		tag := s[m[2]:m[3]]
		if !strings.Contains(tag, " ") {
			return s[m[1]:]
		}
	}
	return s
}

// LooksLikeByline reports whether a short closing line names an author or a source: initials
// ("M.T"), a personal name, optionally followed by an organisation ("Trần Trang, Vụ Cải
// cách hành chính, Bộ Nội vụ").
func LooksLikeByline(s string) bool {
	if len(s) > 100 || EndsSentence(strings.TrimSuffix(s, ".")) && !strings.HasSuffix(s, ".") {
		return false
	}
	if reByline.MatchString(CollapseSpaces(Fold(s))) {
		return true
	}
	first, _, _ := strings.Cut(s, ",")
	first = strings.TrimSpace(first)
	first = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(first, "(tổng hợp)"), "(TH)"))
	toks := strings.Fields(first)
	if len(toks) == 0 || len(toks) > 4 {
		return false
	}
	for _, t := range toks {
		r := FirstRune(t)
		if !unicode.IsUpper(r) {
			return false
		}
	}
	// Initials such as "M.T", "T.H." or an all-caps short tag.
	if len(toks) == 1 {
		t := toks[0]
		return len([]rune(t)) <= 8 && (strings.Contains(t, ".") || strings.ToUpper(t) == t)
	}
	// A personal name: 2–4 capitalised words, no digits. Lines without a comma must be short.
	for _, t := range toks {
		for _, r := range t {
			if unicode.IsDigit(r) {
				return false
			}
		}
	}
	return true
}
