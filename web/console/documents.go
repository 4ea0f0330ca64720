package console

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/trolyao/trolyao/knowledge"
	"github.com/trolyao/trolyao/knowledge/vietnamese"
)

// The knowledge base's documents for operators: list with filters, read, correct metadata
// (kept on re-ingestion), enable or disable, delete.

type documentView struct {
	ID        string    `json:"id"`
	Source    string    `json:"source"`
	Title     string    `json:"title"`
	Kind      string    `json:"kind"`
	Issuer    string    `json:"issuer,omitempty"`
	Locality  string    `json:"locality,omitempty"`
	Number    string    `json:"number,omitempty"`
	URL       string    `json:"url,omitempty"`
	Enabled   bool      `json:"enabled"`
	Version   int       `json:"version"`
	Locked    []string  `json:"set_by_operator,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

func viewOf(d knowledge.Document) documentView {
	return documentView{ID: d.ID, Source: d.Source, Title: d.Title, Kind: string(d.Kind), Issuer: d.Issuer, Locality: d.Locality,
		Number: d.Number, URL: d.URL, Enabled: d.Enabled, Version: d.Version, Locked: d.Locked, UpdatedAt: d.UpdatedAt}
}

func (a *API) registerDocuments(mux *http.ServeMux) {
	if a.docs == nil {
		return
	}
	mux.HandleFunc("GET /api/v1/documents", a.authed(RoleViewer, a.handleDocuments))
	mux.HandleFunc("GET /api/v1/documents/{id}", a.authed(RoleViewer, a.handleDocument))
	mux.HandleFunc("PATCH /api/v1/documents/{id}", a.authed(RoleEditor, a.handleDocumentPatch))
	mux.HandleFunc("DELETE /api/v1/documents/{id}", a.authed(RoleEditor, a.handleDocumentDelete))
}

// handleDocuments lists documents: ?kind=, ?locality=, ?enabled=true|false, ?q= (words of the
// title or source, with or without diacritics).
func (a *API) handleDocuments(w http.ResponseWriter, r *http.Request, _ knowledge.Operator) {
	q := r.URL.Query()
	kind := knowledge.Kind(q.Get("kind"))
	if kind != "" && !kind.Valid() {
		writeError(w, http.StatusBadRequest, "invalid_request", "kind is plan, procedure, faq or other")
		return
	}
	enabled := q.Get("enabled")
	if enabled != "" && enabled != "true" && enabled != "false" {
		writeError(w, http.StatusBadRequest, "invalid_request", "enabled is true or false")
		return
	}
	docs, err := a.docs.Documents(r.Context(), kind)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "the documents could not be read")
		return
	}
	locality, words := vietnamese.Key(q.Get("locality")), strings.Fields(vietnamese.Key(q.Get("q")))
	out := []documentView{}
	for _, d := range docs {
		if locality != "" && vietnamese.Key(d.Locality) != locality || enabled != "" && (enabled == "true") != d.Enabled {
			continue
		}
		hay := vietnamese.Key(d.Title + " " + d.Source)
		match := true
		for _, wd := range words {
			if !strings.Contains(hay, wd) {
				match = false
				break
			}
		}
		if match {
			out = append(out, viewOf(d))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"documents": out, "count": len(out)})
}

func (a *API) handleDocument(w http.ResponseWriter, r *http.Request, _ knowledge.Operator) {
	d, err := a.docs.Document(r.Context(), r.PathValue("id"))
	if errors.Is(err, knowledge.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no such document")
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "the document could not be read")
		return
	}
	writeJSON(w, http.StatusOK, viewOf(d))
}

// handleDocumentPatch corrects metadata: {"title","kind","issuer","locality","number","url",
// "enabled"}, each optional; the values set are kept when the file is ingested again.
func (a *API) handleDocumentPatch(w http.ResponseWriter, r *http.Request, o knowledge.Operator) {
	var in struct {
		Title    *string `json:"title"`
		Kind     *string `json:"kind"`
		Issuer   *string `json:"issuer"`
		Locality *string `json:"locality"`
		Number   *string `json:"number"`
		URL      *string `json:"url"`
		Enabled  *bool   `json:"enabled"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "want the fields to change: title, kind, issuer, locality, number, url, enabled")
		return
	}
	p := knowledge.DocumentPatch{Title: in.Title, Issuer: in.Issuer, Locality: in.Locality, Number: in.Number, URL: in.URL, Enabled: in.Enabled}
	if in.Kind != nil {
		k := knowledge.Kind(*in.Kind)
		p.Kind = &k
	}
	if err := p.Validate(); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	id := r.PathValue("id")
	d, err := a.docs.UpdateDocument(r.Context(), id, p)
	switch {
	case errors.Is(err, knowledge.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "no such document")
		return
	case errors.Is(err, knowledge.ErrInvalid):
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	case err != nil:
		a.logger.ErrorContext(r.Context(), "console: update document", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "internal", "the document could not be changed")
		return
	}
	a.audit(r, o.Name, "document.update", d.Source)
	writeJSON(w, http.StatusOK, viewOf(d))
}

func (a *API) handleDocumentDelete(w http.ResponseWriter, r *http.Request, o knowledge.Operator) {
	id := r.PathValue("id")
	d, err := a.docs.Document(r.Context(), id)
	if err == nil {
		err = a.docs.DeleteDocument(r.Context(), id)
	}
	if errors.Is(err, knowledge.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no such document")
		return
	}
	if err != nil {
		a.logger.ErrorContext(r.Context(), "console: delete document", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "internal", "the document could not be deleted")
		return
	}
	a.audit(r, o.Name, "document.delete", d.Source)
	w.WriteHeader(http.StatusNoContent)
}
