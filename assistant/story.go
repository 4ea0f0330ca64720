package assistant

import (
	"strings"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// People often tell their situation before they ask ("nhà em có chiếc ghe đăng ký ở An Giang,
// giờ chuyển hộ khẩu qua Cần Thơ nên phải đăng ký lại phương tiện. lệ phí bao nhiêu?"). The
// whole message is searched, the story helping to find the procedure; whether the knowledge
// base answers it is judged on what is asked, so that a long story with a clear ask is not
// refused for the story's words that no record holds.

// needMarkers introduce what a person needs done ("muốn", "cần", "phải", "xin"…): the words
// after one name the procedure. Matched on the key.
var needMarkers = []string{"muon", "can", "phai", "xin", "dinh", "tinh", "de nghi", "lam thu tuc", "lam ho so"}

// questionWords mark a clause that asks something, beside the intent phrases.
var questionWords = []string{"gi", "nao", "dau", "sao", "khong", "chua", "bao", "may", "ai", "the nao", "ra sao"}

// minStoryWords is how long a message must be to be read as a story and an ask.
const minStoryWords = 14

// askOf returns the part of a message that states what it asks when the message tells a
// situation first: the last clause that asks something, with, when that clause names no topic
// of its own ("lệ phí bao nhiêu vậy?"), what the nearest clause before it says is needed. It
// returns "" for a short message, one that asks nothing, or one that is all ask.
func askOf(msg string, a *vietnamese.Analyzer) string {
	if len(strings.Fields(msg)) < minStoryWords {
		return ""
	}
	clauses := storyClauses(msg)
	if len(clauses) < 2 {
		return ""
	}
	last := -1
	for i := len(clauses) - 1; i >= 0; i-- {
		if asks(clauses[i]) {
			last = i
			break
		}
	}
	if last < 0 {
		return ""
	}
	ask := clauses[last]
	if topicWords(keyText(ask), a.Terms(ask)) >= 2 {
		return ask
	}
	if last == 0 {
		return ""
	}
	// The ask leans on what was said before it: take the need stated nearest to it.
	for i := last - 1; i >= 0; i-- {
		if need := needOf(clauses[i]); need != "" {
			return need + ", " + ask
		}
	}
	return clauses[last-1] + ", " + ask
}

// storyClauses splits a message into its clauses: at sentence ends, commas and semicolons
// followed by a space or the end (citizens start sentences in lower case; "1.000" and
// "2,5" stay whole).
func storyClauses(msg string) []string {
	var out []string
	start := 0
	for i, r := range msg {
		if !strings.ContainsRune(".?!;,\n", r) {
			continue
		}
		end := i + utf8.RuneLen(r)
		if r != '\n' && end < len(msg) && msg[end] != ' ' && msg[end] != '\n' {
			continue
		}
		if c := strings.TrimSpace(msg[start:end]); strings.Trim(c, ".?!;,") != "" {
			out = append(out, strings.TrimRight(c, ".,;"))
		}
		start = end
	}
	if c := strings.TrimSpace(msg[start:]); c != "" {
		out = append(out, c)
	}
	return out
}

// asks reports whether a clause asks something: a question mark or a question word (what a
// clause states, "có kết quả rồi", asks nothing).
func asks(clause string) bool {
	if strings.Contains(clause, "?") {
		return true
	}
	key := keyText(clause)
	for _, w := range questionWords {
		if hasPhrase(key, w) {
			return true
		}
	}
	return false
}

// needOf returns a clause from its first need marker on ("muốn đăng ký chấm dứt giám sát…" of
// "nay cháu đủ 18 tuổi nên muốn đăng ký chấm dứt giám sát…"), or "" when it has none.
func needOf(clause string) string {
	words := strings.Fields(clause)
	for i := range words {
		for _, m := range needMarkers {
			n := len(strings.Fields(m))
			if i+n <= len(words) && vietnamese.Key(strings.Join(words[i:i+n], " ")) == m {
				return strings.Join(words[i:], " ")
			}
		}
	}
	return ""
}
