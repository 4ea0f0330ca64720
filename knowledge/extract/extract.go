// Package extract reads documents in the formats operators upload and turns them into clean,
// structured text: plain text (.txt), Markdown (.md), web pages (.html, .htm), Word documents
// (.docx), the text layer of PDF files (.pdf) and procedure records exported from the national
// public-service database (.json).
//
// Every output string is Unicode NFC with normalised whitespace. Web-page noise that survives
// in saved pages (menus, visitor counters, share buttons, comment boxes, related-article lists,
// photo captions, bylines, a second copy of the article without diacritics, duplicated
// paragraphs) is removed, lines broken in the middle of a sentence are joined back, and the
// body is returned as headings, paragraphs, list items and table rows in reading order,
// together with metadata detected from the content: kind, issuing body, locality, document
// number and dates.
//
// The package is pure: it does no I/O of its own and keeps no state between calls, so File is
// safe for concurrent use.
package extract

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/trolyao/trolyao/knowledge/layout"
	"github.com/trolyao/trolyao/knowledge/procedure"
)

// Sentinel errors returned (wrapped) by File. Test for them with errors.Is.
var (
	// ErrEmpty reports a document with no text left after extraction.
	ErrEmpty = errors.New("empty document")
	// ErrEncoding reports text that is not UTF-8, UTF-16 with a byte-order mark or
	// Windows-1258, or that contains binary data.
	ErrEncoding = errors.New("undecodable text")
	// ErrMalformed reports a broken container or syntax: a truncated DOCX archive, a PDF
	// that cannot be parsed, invalid JSON, a procedure record with wrongly typed fields.
	ErrMalformed = errors.New("malformed document")
	// ErrUnsupported reports a format the package does not read, including JSON that is
	// not a procedure record.
	ErrUnsupported = errors.New("unsupported format")
)

// Document kinds detected from the content.
const (
	KindPlan      = "plan"
	KindProcedure = "procedure"
	KindFAQ       = "faq"
	KindOther     = "other"
)

// Document is one extracted file: metadata detected from the content and the body as blocks.
type Document struct {
	Title     string
	Kind      string            // KindPlan, KindProcedure, KindFAQ or KindOther
	Issuer    string            // issuing body, e.g. "UBND tỉnh Đồng Nai", "Bộ Khoa học và Công nghệ"
	Locality  string            // province or centrally-run city, e.g. "Đồng Nai"; "" if national or unknown
	Number    string            // main document number, e.g. "2663/KH-UBND"
	Dates     []string          // ISO dates (YYYY-MM-DD) in the document, the issue date first when identifiable
	URL       string            // source link carried by the content (procedure detail_url)
	Blocks    []layout.Block    // body in reading order, title excluded
	Procedure *procedure.Record // set only for national public-service procedure records
}

// Text renders the document body as plain text: the title, then one line per block, headings
// preceded by a blank line and list items indented by their depth with their marker. It is
// meant for indexing, display and golden tests.
func (d *Document) Text() string {
	var b strings.Builder
	if d.Title != "" {
		b.WriteString(d.Title)
		b.WriteString("\n")
	}
	for i, bl := range d.Blocks {
		switch bl.Kind {
		case layout.Heading:
			if i > 0 || d.Title != "" {
				b.WriteString("\n")
			}
			b.WriteString(strings.Repeat("#", max(bl.Level, 1)))
			b.WriteString(" ")
		case layout.ListItem:
			b.WriteString(strings.Repeat("  ", bl.Level))
			if bl.Marker == "" {
				b.WriteString("- ")
			}
		case layout.TableRow:
			b.WriteString("| ")
		}
		if bl.Marker != "" {
			b.WriteString(bl.Marker)
			b.WriteString(" ")
		}
		b.WriteString(bl.Text)
		b.WriteString("\n")
	}
	return b.String()
}

// format is an input format understood by File.
type format int

const (
	formatUnknown format = iota
	formatText
	formatMarkdown
	formatHTML
	formatDOCX
	formatPDF
	formatJSON
)

// File parses one file. name is used for format detection (by extension, falling back to
// sniffing the content when the extension is missing or unknown) and as a fallback title.
//
// The error wraps ErrEmpty when no text is left (empty or whitespace-only files, PDFs without
// a text layer), ErrEncoding for undecodable or binary text, ErrMalformed for broken DOCX,
// PDF or JSON input, and ErrUnsupported for other formats and for JSON that is not a
// procedure record. The message names the file and what was wrong.
func File(name string, data []byte) (*Document, error) {
	doc, err := parse(name, data)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", path.Base(name), err)
	}
	return doc, nil
}

func parse(name string, data []byte) (*Document, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		if len(data) == 0 {
			return nil, fmt.Errorf("%w: file has no content", ErrEmpty)
		}
		return nil, fmt.Errorf("%w: file contains only whitespace", ErrEmpty)
	}
	f, err := detectFormat(name, data)
	if err != nil {
		return nil, err
	}
	var doc *Document
	switch f {
	case formatJSON:
		return parseProcedureJSON(data)
	case formatDOCX:
		doc, err = parseDOCX(data)
	case formatPDF:
		doc, err = parsePDF(data)
	case formatHTML:
		doc, err = parseHTML(data)
	case formatMarkdown:
		doc, err = parseMarkdown(data)
	default:
		doc, err = parseText(data)
	}
	if err != nil {
		return nil, err
	}
	if len(doc.Blocks) == 0 && doc.Title == "" {
		return nil, fmt.Errorf("%w: no text left after removing page noise", ErrEmpty)
	}
	finish(doc, name)
	return doc, nil
}

// detectFormat picks the parser from the extension, or by sniffing the content.
func detectFormat(name string, data []byte) (format, error) {
	ext := strings.ToLower(path.Ext(name))
	switch ext {
	case ".txt", ".text":
		return formatText, nil
	case ".md", ".markdown":
		return formatMarkdown, nil
	case ".html", ".htm", ".xhtml":
		return formatHTML, nil
	case ".docx":
		return formatDOCX, nil
	case ".pdf":
		return formatPDF, nil
	case ".json":
		return formatJSON, nil
	case ".doc", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".rtf", ".png", ".jpg", ".jpeg",
		".gif", ".zip", ".rar", ".7z", ".exe":
		return formatUnknown, fmt.Errorf("%w: %s files are not read (accepted: .txt, .md, .html, .docx, .pdf, .json)", ErrUnsupported, ext)
	}
	return sniff(data)
}

// sniff guesses the format of content whose extension is missing or unknown.
func sniff(data []byte) (format, error) {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return formatPDF, nil
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		if bytes.Contains(data, []byte("word/")) {
			return formatDOCX, nil
		}
		return formatUnknown, fmt.Errorf("%w: zip archive that is not a Word document", ErrUnsupported)
	}
	head := bytes.TrimLeft(bytes.TrimPrefix(data, utf8BOM), " \t\r\n")
	if len(head) > 512 {
		head = head[:512]
	}
	lower := bytes.ToLower(head)
	switch {
	case bytes.HasPrefix(head, []byte("{")) || bytes.HasPrefix(head, []byte("[")):
		return formatJSON, nil
	case bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")) ||
		bytes.Contains(lower, []byte("<body")):
		return formatHTML, nil
	}
	return formatText, nil
}
