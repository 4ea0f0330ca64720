package extract

import (
	"regexp"
	"strings"
	"unicode"
)

// noiseKind classifies a line of a saved web page.
type noiseKind int

const (
	noiseNone       noiseKind = iota
	noiseDrop                 // counters, share buttons, comment boxes, image names, captions, URLs
	noiseMeta                 // publication date/time or view-count line next to the headline
	noiseCut                  // heading of a related-articles list: drop it and what follows
	noiseByline               // source or author line, dropped only at the end of the article
	noiseBullet               // a bullet, marker or symbol alone
	noiseFontSize             // font-size and contrast widgets
	noiseUnreadable           // digits and symbols only
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

// classifyNoise tells what kind of page noise a line is, if any.
func classifyNoise(line string) noiseKind {
	s := strings.TrimSpace(strings.TrimLeft(line, "•·●○■□▪◦-–—*+|>» "))
	if s == "" {
		return noiseBullet
	}
	f := collapseSpaces(fold(s))
	letters := 0
	for _, r := range f {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	short := len(f) <= 60
	switch {
	case letters == 0 && len(f) <= 12:
		return noiseUnreadable
	case reMeta.MatchString(f) || len(f) <= 80 && reMeta.MatchString(reTimezone.ReplaceAllString(reMetaPrefix.ReplaceAllString(f, ""), "")):
		return noiseMeta
	case short && (reContact.MatchString(f) || reSignIn.MatchString(f)):
		return noiseDrop
	case len(f) <= 120 && reCrumbs.MatchString(f):
		return noiseDrop
	case len(f) <= 200 && (reCopyright.MatchString(f) || reKeywords.MatchString(f)):
		return noiseDrop
	case short && reViews.MatchString(f):
		return noiseMeta
	case short && reCounter.MatchString(f):
		return noiseDrop
	case short && reRelated.MatchString(f):
		return noiseCut
	case short && reShare.MatchString(f):
		return noiseDrop
	case short && reComment.MatchString(f):
		return noiseDrop
	case short && reFont.MatchString(f):
		return noiseFontSize
	case reImage.MatchString(f):
		return noiseDrop
	case len(f) <= 100 && reURL.MatchString(f):
		return noiseDrop
	case len(f) <= 300 && reCaption.MatchString(f):
		return noiseDrop
	case len(f) <= 80 && !endsSentence(s) && reByline.MatchString(f):
		return noiseByline
	}
	return noiseNone
}

// stripSourceTag removes a news-agency tag at the start of a paragraph: "(BKTO) - ".
func stripSourceTag(s string) string {
	if m := reSource.FindStringSubmatchIndex(s); m != nil {
		tag := s[m[2]:m[3]]
		if !strings.Contains(tag, " ") {
			return s[m[1]:]
		}
	}
	return s
}

// looksLikeByline reports whether a short closing line names an author or a source: initials
// ("M.T"), a personal name, optionally followed by an organisation ("Trần Trang, Vụ Cải
// cách hành chính, Bộ Nội vụ").
func looksLikeByline(s string) bool {
	if len(s) > 100 || endsSentence(strings.TrimSuffix(s, ".")) && !strings.HasSuffix(s, ".") {
		return false
	}
	if reByline.MatchString(collapseSpaces(fold(s))) {
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
		r := firstRune(t)
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

// vietnameseSyllable matches a Vietnamese syllable written without diacritics.
var vietnameseSyllable = regexp.MustCompile(`^(ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdghklmnprstvx])?(a|e|i|o|u|y|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ya|ye|ieu|iua|oai|oay|oeo|uay|uoi|uou|uya|uye|uyu|yeu)(ng|nh|ch|[cmnpt])?$`)

// isUnaccentedVietnamese reports whether s is Vietnamese written without any diacritics: at
// least five words, most of them plausible syllables, and not a single accented letter.
func isUnaccentedVietnamese(s string) bool {
	if hasDiacritics(s) {
		return false
	}
	ws := words(strings.ToLower(s))
	if len(ws) < 5 {
		return false
	}
	n := 0
	for _, w := range ws {
		if vietnameseSyllable.MatchString(w) {
			n++
		}
	}
	return n*10 >= len(ws)*7
}

// dedup drops paragraphs that repeat earlier text: exact repeats, near repeats (most of their
// word trigrams already seen) and copies written without diacritics. Comparison is on the
// folded form, so a diacritic-free copy of an earlier paragraph is a repeat too. seed holds
// text already shown (the title).
type dedup struct {
	seen     map[string]bool
	trigrams map[string]bool
	richDoc  bool // the document is written with diacritics
}

func newDedup(richDoc bool, seed ...string) *dedup {
	d := &dedup{seen: map[string]bool{}, trigrams: map[string]bool{}, richDoc: richDoc}
	for _, s := range seed {
		d.seen[foldKey(s)] = true
	}
	return d
}

// keep reports whether s is new, and remembers it.
func (d *dedup) keep(s string) bool {
	key := foldKey(s)
	if key == "" {
		return false
	}
	if d.seen[key] {
		return false
	}
	if d.richDoc && isUnaccentedVietnamese(s) {
		return false
	}
	ws := strings.Fields(key)
	var grams []string
	for i := 0; i+3 <= len(ws); i++ {
		grams = append(grams, strings.Join(ws[i:i+3], " "))
	}
	if len(grams) >= 6 {
		old := 0
		for _, g := range grams {
			if d.trigrams[g] {
				old++
			}
		}
		if old*10 >= len(grams)*9 {
			return false
		}
	}
	d.seen[key] = true
	for _, g := range grams {
		d.trigrams[g] = true
	}
	return true
}

// diacriticRich reports whether most substantial paragraphs carry diacritics.
func diacriticRich(paras []string) bool {
	with, total := 0, 0
	for _, p := range paras {
		if len(words(p)) < 5 {
			continue
		}
		total++
		if hasDiacritics(p) {
			with++
		}
	}
	return total > 0 && with*2 >= total
}
