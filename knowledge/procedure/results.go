package procedure

import (
	"regexp"
	"strings"

	"github.com/trolyao/trolyao/knowledge/layout"
)

var reResultCode = regexp.MustCompile(`Mã\s*:\s*KQ(?:\.[A-Z]?\d+)+`)

// parseResults reads ket_qua_xu_ly: result names each followed by "Mã: KQ...", then the
// portal's keyword, description and agency picker, of which only a real description is kept.
func parseResults(s string) []string {
	s = layout.Clean(s)
	tail := ""
	if i := strings.Index(s, "Từ khóa"); i >= 0 {
		s, tail = s[:i], s[i:]
	} else if i := strings.Index(s, "Chọn cơ quan thực hiện"); i >= 0 {
		s = s[:i]
	}
	var out []string
	for _, part := range reResultCode.Split(s, -1) {
		if part = strings.TrimSpace(part); part != "" && !isBlank(part) {
			out = append(out, part)
		}
	}
	if i := strings.Index(tail, "Mô tả"); i >= 0 {
		desc := tail[i+len("Mô tả"):]
		if j := strings.Index(desc, "Chọn cơ quan thực hiện"); j >= 0 {
			desc = desc[:j]
		}
		if desc = strings.TrimSpace(desc); !isBlank(desc) {
			out = append(out, desc)
		}
	}
	return out
}
