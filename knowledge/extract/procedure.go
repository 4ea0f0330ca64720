package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge/layout"
	"github.com/trolyao/trolyao/knowledge/procedure"
)

// parseProcedureJSON reads one procedure record exported from the national database: a JSON
// object of string fields, parsed into its record by the procedure package.
func parseProcedureJSON(data []byte) (*Document, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: JSON is not valid UTF-8", ErrEncoding)
	}
	var raw any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: JSON: %s", ErrMalformed, describeJSONError(data, err))
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		if _, isArray := raw.([]any); isArray {
			return nil, fmt.Errorf("%w: JSON array; expected one procedure record (an object with ten_thu_tuc) per file", ErrUnsupported)
		}
		return nil, fmt.Errorf("%w: JSON %T is not a procedure record", ErrUnsupported, raw)
	}
	if _, ok := obj["ten_thu_tuc"]; !ok {
		return nil, fmt.Errorf("%w: JSON object is not a procedure record: no ten_thu_tuc field", ErrUnsupported)
	}
	names := procedure.FieldNames()
	rec := make(map[string]string, len(names))
	for _, f := range names {
		switch v := obj[f].(type) {
		case nil:
		case string:
			rec[f] = v
		default:
			return nil, fmt.Errorf("%w: procedure field %s is a JSON %s, want a string", ErrMalformed, f, jsonType(v))
		}
	}
	if layout.Clean(rec["ten_thu_tuc"]) == "" {
		return nil, fmt.Errorf("%w: procedure record has an empty ten_thu_tuc", ErrEmpty)
	}
	return procedureDocument(procedure.Parse(rec)), nil
}

// describeJSONError adds the line and column to a JSON syntax error.
func describeJSONError(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := int(min(se.Offset, int64(len(data))))
		line := 1 + bytes.Count(data[:off], []byte("\n"))
		col := off - bytes.LastIndexByte(data[:off], '\n')
		return fmt.Sprintf("syntax error at line %d, column %d: %v", line, col, err)
	}
	return err.Error()
}

func jsonType(v any) string {
	switch v.(type) {
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// procedureDocument renders a procedure as a document.
func procedureDocument(p *procedure.Record) *Document {
	doc := &Document{
		Title:     p.Name,
		Kind:      KindProcedure,
		URL:       p.URL,
		Number:    p.DecisionNumber,
		Issuer:    p.Authority,
		Procedure: p,
	}
	if doc.Issuer == "" {
		doc.Issuer = p.Agency
	}
	doc.Blocks = procedure.Render(p)
	dates := detectDates(bodyText(doc.Blocks), "")
	doc.Dates = dates
	return doc
}
