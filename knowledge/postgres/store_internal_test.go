package postgres

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
)

func TestPGTermVector(t *testing.T) {
	long := strings.Repeat("x", maxLexeme+1)
	set := map[string]uint8{"stale": 3} // scratch left by an earlier call
	tsv := termVector("thu_tuc dang ky dang", "ky ho_so ho_so "+long+" a\x00b  thu_tuc", set)
	a := pgtype.TSVectorPosition{Position: 1, Weight: pgtype.TSVectorWeightA}
	b := pgtype.TSVectorPosition{Position: 2, Weight: pgtype.TSVectorWeightB}
	want := []struct {
		word string
		pos  []pgtype.TSVectorPosition
	}{
		{"dang", []pgtype.TSVectorPosition{a}},
		{"ho_so", []pgtype.TSVectorPosition{b}},
		{"ky", []pgtype.TSVectorPosition{a, b}},
		{"thu_tuc", []pgtype.TSVectorPosition{a, b}},
	}
	if !tsv.Valid || len(tsv.Lexemes) != len(want) {
		t.Fatalf("got %d lexemes %v, want %d", len(tsv.Lexemes), tsv.Lexemes, len(want))
	}
	for i, w := range want {
		l := tsv.Lexemes[i]
		if l.Word != w.word || len(l.Positions) != len(w.pos) {
			t.Fatalf("lexeme %d = %v, want %s %v", i, l, w.word, w.pos)
		}
		for j := range w.pos {
			if l.Positions[j] != w.pos[j] {
				t.Errorf("lexeme %s position %d = %v, want %v", w.word, j, l.Positions[j], w.pos[j])
			}
		}
	}
	if empty := termVector("", "", set); !empty.Valid || len(empty.Lexemes) != 0 {
		t.Errorf("empty terms: %v", empty)
	}
}
