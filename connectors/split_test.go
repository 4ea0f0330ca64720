package connectors_test

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/trolyao/trolyao/connectors"
)

func TestSplitPrefersBoundaries(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{"fits", "Xin chào bạn.", 100, []string{"Xin chào bạn."}},
		{"paragraph before sentence",
			"Bước một là nộp hồ sơ. Bước hai là chờ.\n\nLệ phí: 50.000 đồng.", 50,
			[]string{"Bước một là nộp hồ sơ. Bước hai là chờ.", "Lệ phí: 50.000 đồng."}},
		{"list items stay whole",
			"Hồ sơ gồm:\n- Tờ khai đăng ký khai sinh\n- Giấy chứng sinh\n- Căn cước của cha mẹ", 45,
			[]string{"Hồ sơ gồm:\n- Tờ khai đăng ký khai sinh", "- Giấy chứng sinh\n- Căn cước của cha mẹ"}},
		{"sentence before word",
			"Thời hạn giải quyết là 5 ngày làm việc. Kết quả trả tại bộ phận một cửa.", 60,
			[]string{"Thời hạn giải quyết là 5 ngày làm việc.", "Kết quả trả tại bộ phận một cửa."}},
		{"abbreviation is not a sentence end",
			"Trụ sở đặt tại TP. Hồ Chí Minh và Hà Nội, làm việc cả thứ bảy", 30,
			[]string{"Trụ sở đặt tại TP. Hồ Chí Minh", "và Hà Nội, làm việc cả thứ bảy"}},
		{"number with spaces is not split",
			"Lệ phí là 1 000 000 đồng", 14,
			[]string{"Lệ phí là", "1 000 000 đồng"}},
		{"overlong word is cut", strings.Repeat("a", 25), 10,
			[]string{strings.Repeat("a", 10), strings.Repeat("a", 10), strings.Repeat("a", 5)}},
		{"emoji count two", "😀😀😀 ab", 6, []string{"😀😀😀", "ab"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := connectors.Split(tt.text, tt.limit)
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
				t.Errorf("Split(%q, %d)\n got %q\nwant %q", tt.text, tt.limit, got, tt.want)
			}
		})
	}
}

func TestSplitHTMLKeepsMarkupWhole(t *testing.T) {
	text := `Xem <a href="https://dichvucong.gov.vn/p/home">Cổng dịch vụ công quốc gia</a> &amp; hỏi &lt;bộ phận một cửa&gt; ngay`
	for limit := 75; limit < len(text); limit++ {
		for _, p := range connectors.SplitHTML(text, limit) {
			if connectors.Length(p) > limit {
				t.Fatalf("limit %d: piece %q too long", limit, p)
			}
			checkHTML(t, p)
		}
	}
}

// Vocabulary for generated answers: Vietnamese words (some decomposed, with combining marks),
// numbers, abbreviations, a URL, an emoji.
var words = []string{
	"Thủ", "tục", "đăng", "ký", "khai", "sinh", "tại", "UBND", "xã", "phường", "cấp", "giấy",
	"chứng", "nhận", "quyền", "sử", "dụng", "đất", "1.000.000", "đồng", "TP.", "Hồ", "Chí",
	"Minh", "hồ", "sơ", "gồm", "Căn", "cước", "công", "dân", "10 000", "ngày", "làm", "việc",
	"Vie\u0302\u0323t", "Nam", "nghi\u0300n", "số", "2663/KH-UBND", "Q.", "Bình", "Thạnh",
	"https://dichvucong.gov.vn/p/home/dvc-trang-chu.html", "😀", "v.v.", "(bản", "sao)",
	"lệ", "phí:", "“miễn", "phí”", "Nghị", "định", "số", "63/2024/NĐ-CP",
}

var seps = []string{" ", " ", " ", " ", ", ", ". ", "! ", "? ", "\n", "\n\n", "\n- ", "\n1. ", ": "}

func generate(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(seps[r.IntN(len(seps))])
		}
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.String()
}

// TestSplitProperties checks on generated text that every piece is within the limit, and
// that the pieces are the text itself cut at white space: in order, byte for byte, with only
// white space (never inside a word or a spaced number) between them.
func TestSplitProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		text := generate(r, 1+r.IntN(400))
		limit := 60 + r.IntN(600)
		pieces := connectors.Split(text, limit)
		checkPieces(t, fmt.Sprintf("case %d (limit %d)", i, limit), text, pieces, limit)
	}
}

func checkPieces(t *testing.T, name, text string, pieces []string, limit int) {
	t.Helper()
	off := 0
	for j, p := range pieces {
		if p == "" || connectors.Length(p) > limit {
			t.Fatalf("%s: piece %d has length %d (limit %d): %q", name, j, connectors.Length(p), limit, p)
		}
		k := strings.Index(text[off:], p)
		if k < 0 {
			t.Fatalf("%s: piece %d is not the next part of the text: %q", name, j, p)
		}
		gap := text[off : off+k]
		if strings.TrimSpace(gap) != "" || (j > 0 && gap == "") {
			t.Fatalf("%s: piece %d does not start at white space after piece %d (gap %q)", name, j, j-1, gap)
		}
		if j > 0 && endsWithDigit(pieces[j-1]) && startsWithDigit(p) && !strings.Contains(gap, "\n") {
			t.Fatalf("%s: a number was split between pieces %d and %d: %q | %q", name, j-1, j, pieces[j-1], p)
		}
		off += k + len(p)
	}
	if strings.TrimSpace(text[off:]) != "" {
		t.Fatalf("%s: text lost after the last piece: %q", name, text[off:])
	}
	if got, want := strings.Fields(strings.Join(pieces, " ")), strings.Fields(text); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("%s: words differ after splitting", name)
	}
}

func endsWithDigit(s string) bool   { r := []rune(s); return unicode.IsDigit(r[len(r)-1]) }
func startsWithDigit(s string) bool { r := []rune(s); return unicode.IsDigit(r[0]) }

var (
	tagRe    = regexp.MustCompile(`<(/?)([a-z]+)[^<>]*>`)
	entityRe = regexp.MustCompile(`&(amp|lt|gt|quot);`)
)

// checkHTML fails unless s is well-formed Telegram HTML: balanced tags, whole entities.
func checkHTML(t *testing.T, s string) {
	t.Helper()
	var stack []string
	for _, m := range tagRe.FindAllStringSubmatch(s, -1) {
		if m[1] == "" {
			stack = append(stack, m[2])
			continue
		}
		if len(stack) == 0 || stack[len(stack)-1] != m[2] {
			t.Fatalf("unbalanced </%s> in %q", m[2], s)
		}
		stack = stack[:len(stack)-1]
	}
	if len(stack) > 0 {
		t.Fatalf("unclosed <%s> in %q", stack[len(stack)-1], s)
	}
	rest := tagRe.ReplaceAllString(entityRe.ReplaceAllString(s, ""), "")
	if strings.ContainsAny(rest, "<>&") {
		t.Fatalf("broken tag or entity in %q", s)
	}
}
