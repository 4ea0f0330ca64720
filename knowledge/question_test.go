package knowledge_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// A question analysed beforehand is searched exactly as its text and context would be, and a
// follow-up's context does not analyse its text again.
func TestQuestion(t *testing.T) {
	ctx := context.Background()
	idx := indexFixture(t, openSQLite(t))
	for _, tt := range []struct{ text, context string }{
		{"tỷ lệ hồ sơ trực tuyến cấp huyện", ""},
		{"còn cấp xã thì sao?", "Tỷ lệ hồ sơ trực tuyến của Đồng Nai"},
	} {
		byText, err := idx.Search(ctx, knowledge.Query{Text: tt.text, Context: tt.context})
		if err != nil {
			t.Fatal(err)
		}
		q := idx.Question(tt.text, tt.context)
		byQuestion, err := idx.Search(ctx, knowledge.Query{Question: q, Text: "ignored when a question is given"})
		if err != nil {
			t.Fatal(err)
		}
		if len(byText) == 0 || !reflect.DeepEqual(byText, byQuestion) {
			t.Errorf("%q: search by text and by question differ:\n%+v\n%+v", tt.text, byText, byQuestion)
		}
		if got := idx.Snippet(ctx, byText[0].Chunk.Text, q); got != byText[0].Snippet && tt.context == "" {
			t.Errorf("Snippet = %q, want the search's own %q", got, byText[0].Snippet)
		}
	}

	a := vietnamese.NewAnalyzer(nil)
	q := knowledge.NewQuestion(a, "lệ phí đăng ký tạm trú", "")
	terms := q.Terms()
	f := q.WithContext("thủ tục đăng ký thường trú")
	if got := f.Terms(); &got[0] != &terms[0] {
		t.Error("WithContext analysed the question's text again")
	}
	if f.Context != "thủ tục đăng ký thường trú" || q.Context != "" {
		t.Errorf("contexts: %q and %q", f.Context, q.Context)
	}
	if !reflect.DeepEqual(f.ContextQueryTerms(), a.QueryTerms(f.Context)) || !reflect.DeepEqual(f.QueryTerms(), a.QueryTerms(q.Text)) {
		t.Error("a question's terms are not its analyzer's")
	}
}
