package connectors

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// ReadBody reads a webhook body of at most limit bytes. On failure it has already answered:
// 413 when the body is larger, 400 when it could not be read.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "cannot read request body", http.StatusBadRequest)
		}
		return nil, false
	}
	return body, true
}

// Accepted answers a delivery that was taken (or deliberately ignored).
func Accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(`{"ok":true}`))
}

// Unavailable answers a delivery the queue had no room for: the platform redelivers later.
func Unavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "5")
	http.Error(w, "busy, retry later", http.StatusServiceUnavailable)
}

// JSON encodes v for a platform API, leaving "&", "<" and ">" unescaped so the request
// carries the text as written.
func JSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
