package assistant

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// Vocabulary is how people write to the assistant beside how the procedure records say it:
// the chat forms of words ("ko", "đc", "bn") and everyday phrases ("lấy vợ", "bằng lái") with
// the records' wording. A question is read in standard words (Standard) before its cues are
// read, and in the records' wording (Official) before it is searched; it is stored and shown as
// typed. The shipped vocabulary (vocabulary.txt) is extended by an operator's file in the same
// format (Extend), read when the assistant starts: nothing needs re-indexing. A Vocabulary is
// immutable once built and safe for concurrent use.
type Vocabulary struct {
	chat    map[string]string // a chat form, lower case NFC, to its word
	phrases []phraseRule
	order   []string // the everyday phrases, in file order, for rebuilding with overrides
	entries map[string]phraseEntry
}

// phraseEntry is one everyday phrase of the file.
type phraseEntry struct {
	official string
	exact    bool // matched only as written with its marks
}

// phraseRule is an everyday phrase compiled: it matches on word boundaries, any case, each
// syllable as written or (unless exact) without its marks.
type phraseRule struct {
	re       *regexp.Regexp
	official string
}

//go:embed vocabulary.txt
var shippedVocabulary string

// DefaultVocabulary returns the shipped vocabulary.
func DefaultVocabulary() *Vocabulary {
	v, err := (&Vocabulary{}).Extend(strings.NewReader(shippedVocabulary))
	if err != nil {
		panic("assistant: shipped vocabulary: " + err.Error())
	}
	return v
}

// Extend returns a vocabulary with the entries read from r added to v's; an entry for a form
// or phrase v already has replaces it. r holds "[chat]" and "[phrases]" sections of
// "form, form = word" lines (see vocabulary.txt); a malformed line is an error naming it.
func (v *Vocabulary) Extend(r io.Reader) (*Vocabulary, error) {
	out := &Vocabulary{chat: make(map[string]string, len(v.chat)), entries: make(map[string]phraseEntry, len(v.entries))}
	for k, w := range v.chat {
		out.chat[k] = w
	}
	out.order = append(out.order, v.order...)
	for k, e := range v.entries {
		out.entries[k] = e
	}
	sc := bufio.NewScanner(r)
	section, n := "", 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case line == "[chat]" || line == "[phrases]":
			section = line
			continue
		}
		exact := false
		if section == "[phrases]" && strings.HasPrefix(line, "!") {
			exact, line = true, strings.TrimSpace(line[1:])
		}
		forms, word, ok := strings.Cut(line, "=")
		word = vietnamese.Normalize(strings.TrimSpace(word))
		if !ok || word == "" || strings.Contains(word, "=") {
			return nil, fmt.Errorf("vocabulary line %d: want \"form, form = word\", got %q", n, line)
		}
		for _, f := range strings.Split(forms, ",") {
			f = strings.ToLower(vietnamese.Normalize(strings.TrimSpace(f)))
			switch {
			case f == "":
				return nil, fmt.Errorf("vocabulary line %d: an empty form", n)
			case section == "[chat]":
				if strings.ContainsFunc(f, func(r rune) bool { return r == ' ' }) {
					return nil, fmt.Errorf("vocabulary line %d: chat form %q is more than one word (put phrases under [phrases])", n, f)
				}
				out.chat[f] = word
			case section == "[phrases]":
				if _, seen := out.entries[f]; !seen {
					out.order = append(out.order, f)
				}
				out.entries[f] = phraseEntry{official: word, exact: exact}
			default:
				return nil, fmt.Errorf("vocabulary line %d: no [chat] or [phrases] section above it", n)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("vocabulary: %w", err)
	}
	out.compile()
	return out, nil
}

// compile builds the phrase rules, longer phrases first so that they win over the shorter ones
// they contain ("bằng lái xe" before "bằng lái").
func (v *Vocabulary) compile() {
	phrases := slices.Clone(v.order)
	slices.SortStableFunc(phrases, func(a, b string) int { return len(strings.Fields(b)) - len(strings.Fields(a)) })
	v.phrases = v.phrases[:0]
	for _, p := range phrases {
		e := v.entries[p]
		var syl []string
		for _, w := range strings.Fields(p) {
			alt := regexp.QuoteMeta(w)
			if f := vietnamese.Fold(w); f != w && !e.exact {
				alt = "(?:" + alt + "|" + regexp.QuoteMeta(f) + ")"
			}
			syl = append(syl, alt)
		}
		re := regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}])` + strings.Join(syl, `\s+`) + `($|[^\p{L}\p{N}])`)
		v.phrases = append(v.phrases, phraseRule{re: re, official: e.official})
	}
}

// Size returns how many chat forms and everyday phrases the vocabulary holds.
func (v *Vocabulary) Size() (chat, phrases int) { return len(v.chat), len(v.entries) }

// reWord finds the words of a text: runs of letters and digits.
var reWord = regexp.MustCompile(`[\p{L}\p{N}]+`)

// Standard returns text with its chat forms written as the words they stand for ("lệ phí bn
// vậy, có làm online đc ko" → "lệ phí bao nhiêu vậy, có làm online được không"), without
// marks when the text has none (a question typed without marks is read as such). Two forms
// depend on what follows them: "bn" is "bạn" before "ơi" or at the start and "bao nhiêu"
// elsewhere; "đk" is "được" at the end of a clause or before a negation and "đăng ký"
// elsewhere.
func (v *Vocabulary) Standard(text string) string {
	text = vietnamese.Normalize(text)
	locs := reWord.FindAllStringIndex(text, -1)
	if len(locs) == 0 {
		return text
	}
	marked := vietnamese.HasMarks(text)
	var b strings.Builder
	last := 0
	for i, loc := range locs {
		w := strings.ToLower(text[loc[0]:loc[1]])
		next := ""
		if i+1 < len(locs) && onlySpaces(text[loc[1]:locs[i+1][0]]) {
			next = strings.ToLower(text[locs[i+1][0]:locs[i+1][1]])
		}
		word, ok := v.chat[w]
		switch w {
		case "bn":
			word, ok = "bao nhiêu", true
			if i == 0 || next == "ơi" || next == "oi" {
				word = "bạn"
			}
		case "đk", "dk":
			word, ok = "đăng ký", true
			if next == "" || v.chat[next] == "không" || next == "không" || next == "khong" || next == "chưa" || next == "chua" {
				word = "được"
			}
		}
		if !ok {
			continue
		}
		if !marked {
			word = vietnamese.Fold(word)
		}
		b.WriteString(text[last:loc[0]])
		b.WriteString(word)
		last = loc[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

func onlySpaces(s string) bool { return strings.TrimSpace(s) == "" }

// Official returns text with its everyday phrases replaced by the wording of the procedure
// records, for searching and for choosing sentences.
func (v *Vocabulary) Official(text string) string {
	text = vietnamese.Normalize(text)
	for _, r := range v.phrases {
		text = r.re.ReplaceAllString(text, "${1}"+r.official+"${2}")
	}
	return text
}
