package knowledge

import (
	"slices"
	"testing"
)

// Terms that share a table slot are still told apart, and a passage's terms are counted by
// their position in the question.
func TestCountQueryTermsSharedSlots(t *testing.T) {
	// Same first two bytes, last byte and length: the same slot ("ho_xo" shares the slot of
	// "ho_so" alone).
	terms := []queryTerm{{text: "coap"}, {text: "cobp"}, {text: "ho_so"}, {text: "cocp"}}
	if termSlot("coap") != termSlot("cobp") || termSlot("coap") != termSlot("cocp") {
		t.Fatal("test terms do not share a slot")
	}
	index := newTermPositions(terms)
	counts, n := countQueryTerms("coap cobp coap ho_so cocp codp  ho so ho_xo", index)
	if want := []int{2, 1, 1, 1}; !slices.Equal(counts, want) || n != 9 {
		t.Errorf("counts = %v, %v; want %v, 9", counts, n, want)
	}
	if _, ok := index.lookup("codp"); ok {
		t.Error(`lookup("codp") found a term the question does not hold`)
	}
}
