package procedure

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// reRemarkNumber finds numbers in a remark, with dot or comma thousands separators.
var reRemarkNumber = regexp.MustCompile(`\d{1,3}(?:[.,]\d{3})+|\d+`)

// Amounts returns the amounts a text gives ("10,000", "10.000" and "10000" are 10000), in
// order: the fees a remark or a sentence states.
func Amounts(s string) []int64 {
	var out []int64
	for _, m := range reRemarkNumber.FindAllString(s, -1) {
		out = append(out, parseAmount(m))
	}
	return out
}

// parseAmount reads "10,000", "10.000" or "10000" as 10000; 0 when it is not a number.
func parseAmount(s string) int64 {
	s = strings.NewReplacer(",", "", ".", "").Replace(s)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// FormatVND writes an amount of đồng the Vietnamese way: 10000 → "10.000 đồng".
func FormatVND(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return b.String() + " đồng"
}

// NoInformation reports whether a field of a record says it has nothing to say: empty, or the
// portal's "Không có thông tin", "Không", "Không quy định".
func NoInformation(s string) bool {
	k := vietnamese.Key(strings.TrimSpace(s))
	return k == "" || k == "khong co thong tin" || k == "khong" || k == "khong quy dinh"
}
