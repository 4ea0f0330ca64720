package layout_test

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/trolyao/trolyao/knowledge/layout"
)

// CollapseSpaces answers as strings.Fields joined by spaces, whatever the whitespace and bytes.
func TestCollapseSpacesEquivalence(t *testing.T) {
	alphabet := []string{"a", "b", " ", " ", "\t", "\n", "\u00a0", "\u2003", "đ", "\xff", "ệ", "\r"}
	r := rand.New(rand.NewSource(1))
	for n := 0; n < 20000; n++ {
		var sb strings.Builder
		for k := r.Intn(12); k > 0; k-- {
			sb.WriteString(alphabet[r.Intn(len(alphabet))])
		}
		s := sb.String()
		if got, want := layout.CollapseSpaces(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Fatalf("CollapseSpaces(%q) = %q, want %q", s, got, want)
		}
	}
}
