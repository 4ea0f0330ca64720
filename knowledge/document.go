package knowledge

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trolyao/trolyao/knowledge/procedure"
)

// Kind classifies a document.
type Kind string

// Document kinds.
const (
	KindPlan      Kind = "plan"
	KindProcedure Kind = "procedure"
	KindFAQ       Kind = "faq"
	KindOther     Kind = "other"
)

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	switch k {
	case KindPlan, KindProcedure, KindFAQ, KindOther:
		return true
	}
	return false
}

// Document is one source document of the knowledge base with its metadata.
type Document struct {
	ID          string   // assigned by the store
	Source      string   // unique: the path relative to the ingested folder, or "faq/<id>"
	Title       string   //
	Kind        Kind     //
	Issuer      string   // issuing body
	Locality    string   // province or city the document is about; "" when national
	Number      string   // document number, e.g. "2663/KH-UBND"
	Dates       []string // ISO dates, the issue date first when known
	URL         string   // citation link
	Enabled     bool     // disabled documents are kept but never retrieved
	Version     int      // 1 on first ingestion, +1 on every content change
	ContentHash string   // hash of the source bytes; unchanged files are not re-ingested
	// Procedure holds the structured record of a public-service procedure; nil otherwise.
	Procedure *procedure.Record
	// Locked lists the metadata fields an operator has set ("title", "kind", "issuer",
	// "locality", "number", "url", "enabled"); re-ingesting the file keeps their values.
	Locked []string
	// Forms are the short forms the document defines ("Người nộp thuế (NNT)"), found at
	// ingestion; the index learns from them (LearnForms).
	Forms     []Form
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DocRef is the part of a document that search results carry.
type DocRef struct {
	ID       string
	Source   string
	Title    string
	Kind     Kind
	Locality string
	Number   string
	URL      string
}

// Ref returns the document's reference.
func (d Document) Ref() DocRef {
	return DocRef{ID: d.ID, Source: d.Source, Title: d.Title, Kind: d.Kind, Locality: d.Locality, Number: d.Number, URL: d.URL}
}

// The rules about documents that every store follows, written once.

// Lockable fields: the metadata an operator may set (DocumentPatch), kept when the document's
// file is ingested again.
const (
	FieldTitle    = "title"
	FieldKind     = "kind"
	FieldIssuer   = "issuer"
	FieldLocality = "locality"
	FieldNumber   = "number"
	FieldURL      = "url"
	FieldEnabled  = "enabled"
)

// Prepare readies a document for storing: its title is trimmed, and it must have a source, a
// title and a known kind (ErrInvalid otherwise). Stores call it on every document they put.
func (d *Document) Prepare() error {
	d.Title = strings.TrimSpace(d.Title)
	if d.Source == "" || d.Title == "" || !d.Kind.Valid() {
		return fmt.Errorf("%w: document %q needs a source, a title and a known kind", ErrInvalid, d.Source)
	}
	return nil
}

// KeepLocked gives d, a new version of stored, the values of the fields an operator set on
// stored, and stored's Locked list. Stores call it when a put replaces a document.
func (d *Document) KeepLocked(stored Document) {
	d.Locked = slices.Clone(stored.Locked)
	for _, f := range stored.Locked {
		switch f {
		case FieldTitle:
			d.Title = stored.Title
		case FieldKind:
			d.Kind = stored.Kind
		case FieldIssuer:
			d.Issuer = stored.Issuer
		case FieldLocality:
			d.Locality = stored.Locality
		case FieldNumber:
			d.Number = stored.Number
		case FieldURL:
			d.URL = stored.URL
		case FieldEnabled:
			d.Enabled = stored.Enabled
		}
	}
}

// DocumentPatch changes an operator-editable part of a document's metadata. Nil fields are
// left alone; every field set is added to the document's Locked list.
type DocumentPatch struct {
	Title    *string
	Kind     *Kind
	Issuer   *string
	Locality *string
	Number   *string
	URL      *string
	Enabled  *bool
}

// Validate reports a patch no document may take (ErrInvalid): an empty title, an unknown kind.
func (p DocumentPatch) Validate() error {
	if p.Title != nil && strings.TrimSpace(*p.Title) == "" {
		return fmt.Errorf("%w: title must not be empty", ErrInvalid)
	}
	if p.Kind != nil && !p.Kind.Valid() {
		return fmt.Errorf("%w: unknown kind %q (plan, procedure, faq, other)", ErrInvalid, *p.Kind)
	}
	return nil
}

// Apply validates the patch, sets its fields on d (text trimmed) and adds them to d.Locked,
// which stays sorted and without repeats. Stores call it inside the transaction that saves d.
func (p DocumentPatch) Apply(d *Document) error {
	if err := p.Validate(); err != nil {
		return err
	}
	set := func(dst *string, v *string, field string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
			d.Locked = append(d.Locked, field)
		}
	}
	set(&d.Title, p.Title, FieldTitle)
	set(&d.Issuer, p.Issuer, FieldIssuer)
	set(&d.Locality, p.Locality, FieldLocality)
	set(&d.Number, p.Number, FieldNumber)
	set(&d.URL, p.URL, FieldURL)
	if p.Kind != nil {
		d.Kind = *p.Kind
		d.Locked = append(d.Locked, FieldKind)
	}
	if p.Enabled != nil {
		d.Enabled = *p.Enabled
		d.Locked = append(d.Locked, FieldEnabled)
	}
	slices.Sort(d.Locked)
	d.Locked = slices.Compact(d.Locked)
	return nil
}
