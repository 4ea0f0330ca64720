package vietnamese_test

import (
	"testing"

	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

func TestIsSyllable(t *testing.T) {
	tests := []struct {
		word string
		want bool
	}{
		{"nghieng", true},
		{"thuy", true},
		{"a", true},
		{"quyet", true},
		{"blockchain", false},
		{"ubnd", false},
		{"psua", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			if got := vietnamese.IsSyllable(tt.word); got != tt.want {
				t.Errorf("IsSyllable(%q) = %v, want %v", tt.word, got, tt.want)
			}
		})
	}
}
