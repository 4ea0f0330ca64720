// Package layout is the plain-text layer every extracted document shares: the blocks a body is
// made of (headings, paragraphs, list items, table rows), the clean-up of inline text (NFC,
// invisible characters, collapsed spaces), lines broken in the middle of a sentence joined back,
// lines of web-page furniture told apart, numbering markers ("Điều 5", "Bước 2", "a)") split
// from their text, and running paragraphs structured into blocks.
//
// The package is pure and keeps no state: every function is safe for concurrent use.
package layout

import "fmt"

// Kind tells how a block is laid out.
type Kind int

// Block kinds.
const (
	Heading Kind = iota
	Paragraph
	ListItem
	TableRow
)

// String returns the lowercase English name of the kind.
func (k Kind) String() string {
	switch k {
	case Heading:
		return "heading"
	case Paragraph:
		return "paragraph"
	case ListItem:
		return "list item"
	case TableRow:
		return "table row"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Block is one unit of the body. Sentences are never split across blocks.
type Block struct {
	Kind   Kind
	Level  int    // heading level (1 = top) or list nesting depth (0 = top)
	Marker string // numbering as written: "1.", "a)", "Điều 5", "Bước 2", "-", "I."; "" when none
	Text   string // NFC text without the marker
}
