package connectors

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Length counts s as the platforms count message length: in UTF-16 code units. This is the
// rune count for Vietnamese text (all of it in the Basic Multilingual Plane); an emoji counts
// two. Limits measured this way are never looser than limits counted in runes.
func Length(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// Split cuts plain text into pieces of at most limit (as counted by Length), preferring to
// break between paragraphs, then between lines (list items), then after a sentence, then
// between words. It never breaks inside a word or a number written with spaces ("10 000");
// only a single word longer than limit is cut, between characters. Pieces are substrings of
// text trimmed of the white space at the breaks: joined by white space they give back every
// word, byte for byte.
func Split(text string, limit int) []string { return split(text, limit, false) }

// SplitHTML is Split for Telegram's HTML: in addition it never breaks inside a tag, an entity
// ("&amp;") or an element ("<a href=…>two words</a>"), so every piece stays well formed.
func SplitHTML(text string, limit int) []string { return split(text, limit, true) }

// Break ranks, best first.
const (
	rankWord = iota
	rankSentence
	rankLine
	rankParagraph
	nRanks
)

func split(text string, limit int, html bool) []string {
	limit = max(limit, 1)
	text = strings.TrimSpace(text)
	var out []string
	for text != "" {
		if Length(text) <= limit {
			return append(out, text)
		}
		cut, hard := breakAt(text, limit, html)
		if cut <= 0 {
			cut = hard
		}
		piece := strings.TrimRightFunc(text[:cut], unicode.IsSpace)
		if piece != "" {
			out = append(out, piece)
		}
		text = strings.TrimLeftFunc(text[cut:], unicode.IsSpace)
	}
	return out
}

// breakAt scans the longest prefix of text within limit and returns the byte offset of the
// best white-space break (0 when there is none) and a hard cut for when there is none: the
// end of the prefix, moved back out of a combining sequence, tag or entity.
func breakAt(text string, limit int, html bool) (cut, hard int) {
	var (
		last    [nRanks]int // last break of each rank, 0 when none
		units   int
		inTag   bool
		closing bool
		tagAt   int
		inEnt   bool
		entAt   int
		depth   int
		safe    int // last offset not inside a tag or entity (and outside elements if possible)
		prev    rune
		prevTxt rune // last non-space rune before the current position
		wordAt  int  // start of the word that ends at prevTxt
		end     = len(text)
	)
	for i, r := range text {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if units+w > limit {
			end = i
			break
		}
		if !inTag && !inEnt && (!html || depth == 0) && !isMark(r) {
			safe = i
		}
		if html {
			switch {
			case inTag:
				if r == '>' {
					inTag = false
					selfClosing := prev == '/'
					switch {
					case closing:
						depth = max(depth-1, 0)
					case !selfClosing:
						depth++
					}
				}
			case inEnt:
				if r == ';' || unicode.IsSpace(r) {
					inEnt = false
				}
			case r == '<':
				inTag, tagAt = true, i
				closing = strings.HasPrefix(text[i+1:], "/")
			case r == '&':
				inEnt, entAt = true, i
			}
		}
		if unicode.IsSpace(r) && i > 0 && !inTag && !inEnt && (!html || depth == 0) {
			if rank, ok := breakRank(text, i, r, prev, prevTxt, text[wordAt:i]); ok {
				last[rank] = i
			}
		}
		if !unicode.IsSpace(r) {
			if unicode.IsSpace(prev) || i == 0 {
				wordAt = i
			}
			prevTxt = r
		}
		prev = r
		units += w
	}
	// A white space right after the prefix is a break too: the whole prefix fits.
	if end < len(text) {
		r, _ := utf8.DecodeRuneInString(text[end:])
		if unicode.IsSpace(r) && !inTag && !inEnt && (!html || depth == 0) {
			if rank, ok := breakRank(text, end, r, prev, prevTxt, text[wordAt:end]); ok {
				last[rank] = end
			}
		}
		if !inTag && !inEnt && (!html || depth == 0) && !isMark(r) {
			safe = end
		}
	}
	// The best rank whose last break leaves at least half the limit; else the latest break.
	for rank := nRanks - 1; rank >= 0; rank-- {
		if last[rank] > 0 && Length(text[:last[rank]]) >= limit/2 {
			return last[rank], 0
		}
	}
	for _, b := range last {
		cut = max(cut, b)
	}
	if cut > 0 {
		return cut, 0
	}
	hard = safe
	if hard == 0 {
		// One tag or element fills the whole limit: cut outside a tag or entity at least.
		hard = end
		if inTag {
			hard = tagAt
		}
		if inEnt {
			hard = min(hard, entAt)
		}
		for hard > 0 {
			r, _ := utf8.DecodeLastRuneInString(text[:hard])
			if !isMark(r) {
				break
			}
			hard -= utf8.RuneLen(r)
		}
		if hard == 0 {
			_, size := utf8.DecodeRuneInString(text)
			hard = size
		}
	}
	return 0, hard
}

// breakRank ranks the white space r at offset i, after the non-space rune prevTxt ending word.
func breakRank(text string, i int, r, prev, prevTxt rune, word string) (int, bool) {
	next, _ := utf8.DecodeRuneInString(strings.TrimLeftFunc(text[i:], unicode.IsSpace))
	if unicode.IsDigit(prevTxt) && unicode.IsDigit(next) && r != '\n' {
		return 0, false // "10 000": a number written with spaces
	}
	if r == '\n' {
		after, _ := utf8.DecodeRuneInString(text[i+1:])
		if prev == '\n' || after == '\n' {
			return rankParagraph, true
		}
		return rankLine, true
	}
	if strings.ContainsRune(".!?…", prevTxt) && !abbreviation(word) {
		return rankSentence, true
	}
	return rankWord, true
}

// abbreviation reports whether word, ending with a dot, is short enough to be an abbreviation
// ("TP.", "Q.", "ThS.") rather than the end of a sentence.
func abbreviation(word string) bool {
	w := strings.TrimRight(word, ".")
	return strings.HasSuffix(word, ".") && utf8.RuneCountInString(w) <= 3 &&
		strings.IndexFunc(w, unicode.IsUpper) == 0
}

func isMark(r rune) bool { return unicode.Is(unicode.M, r) }
