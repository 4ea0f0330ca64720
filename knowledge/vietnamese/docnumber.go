package vietnamese

import "regexp"

// Vietnamese document numbers: a serial, an optional year and the symbol of the document type
// and issuer ("2663/KH-UBND", "47/2020/NĐ-CP", "18/2021/QĐ-TTg", "1.5/QĐ-BTC").
var (
	// reDocumentNumber is a number as documents write it: the symbol in capitals ("TTg" aside).
	// It ends where the capitals end (Go's \b knows ASCII letters only: it would cut "QĐ" after
	// the "Q").
	reDocumentNumber = regexp.MustCompile(`\b\d{1,5}(?:\.\d{1,3})?/(?:\d{4}/)?(?:TTg|\p{Lu}[\p{Lu}\d]*)(?:-(?:TTg|\p{Lu}[\p{Lu}\d]*))*`)
	// reTypedDocumentNumber is a number as people type it: any case, "&" in the symbol.
	reTypedDocumentNumber = regexp.MustCompile(`(?i)\b\d{1,5}(?:\.\d{1,3})?/(?:\d{4}/)?[\p{L}&]+(?:-[\p{L}\d&]+)*`)
)

// DocumentNumber returns the first document number in a document's text, "" when there is
// none.
func DocumentNumber(s string) string { return reDocumentNumber.FindString(s) }

// TypedDocumentNumber returns the first document number in a question, written in any case
// ("kế hoạch 2663/kh-ubnd"), "" when there is none.
func TypedDocumentNumber(s string) string { return reTypedDocumentNumber.FindString(s) }

// WithoutTypedDocumentNumbers returns s with its typed document numbers blanked out, so that
// the year inside one ("47/2020/NĐ-CP") is not read as a year asked about.
func WithoutTypedDocumentNumbers(s string) string {
	return reTypedDocumentNumber.ReplaceAllString(s, " ")
}
