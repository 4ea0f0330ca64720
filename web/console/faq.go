package console

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/trolyao/trolyao/knowledge"
)

// Answer once: an operator writes the answer to a question the assistant missed, and the
// assistant gives it from then on for that question and close paraphrases (with or without
// diacritics), on every channel: the entry is an FAQ document of the knowledge base, source
// "faq/<id>.md", searchable as soon as it is stored.

// FAQStore is what the FAQ API needs of the knowledge base.
type FAQStore interface {
	Documents(ctx context.Context, kind knowledge.Kind) ([]knowledge.Document, error)
	Document(ctx context.Context, id string) (knowledge.Document, error)
	UpdateDocument(ctx context.Context, id string, patch knowledge.DocumentPatch) (knowledge.Document, error)
	DeleteDocument(ctx context.Context, id string) error
}

// Limits of an FAQ entry, in characters.
const (
	maxFAQQuestion = 300
	maxFAQAnswer   = 4000
)

// WithFAQ adds the FAQ routes, writing entries through in into docs.
func (a *API) WithFAQ(in *knowledge.Ingester, docs FAQStore) *API {
	a.ingester, a.docs = in, docs
	return a
}

func (a *API) registerFAQ(mux *http.ServeMux) {
	if a.ingester == nil {
		return
	}
	mux.HandleFunc("POST /api/v1/faq", a.authed(RoleEditor, a.handleFAQCreate))
	mux.HandleFunc("GET /api/v1/faq", a.authed(RoleViewer, a.handleFAQList))
	mux.HandleFunc("PATCH /api/v1/faq/{id}", a.authed(RoleEditor, a.handleFAQPatch))
	mux.HandleFunc("DELETE /api/v1/faq/{id}", a.authed(RoleEditor, a.handleFAQDelete))
}

type faqEntry struct {
	ID        string    `json:"id"`
	Source    string    `json:"source"`
	Question  string    `json:"question"`
	Enabled   bool      `json:"enabled"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (a *API) handleFAQCreate(w http.ResponseWriter, r *http.Request, o knowledge.Operator) {
	var in struct {
		Question  string `json:"question"`
		Answer    string `json:"answer"`
		FromGroup string `json:"from_group"` // the unanswered group it answers, dismissed with it
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", `want {"question", "answer", "from_group"?}`)
		return
	}
	q, ans := oneLine(in.Question), strings.TrimSpace(in.Answer)
	switch {
	case q == "" || ans == "":
		writeError(w, http.StatusBadRequest, "invalid_request", "question and answer must both be given")
		return
	case utf8.RuneCountInString(q) > maxFAQQuestion || utf8.RuneCountInString(ans) > maxFAQAnswer:
		writeError(w, http.StatusBadRequest, "invalid_request", "the question is limited to 300 characters and the answer to 4000")
		return
	}
	source := "faq/" + uuid.NewString() + ".md"
	md := "# Hỏi đáp\n\n## " + q + "\n\n" + ans + "\n"
	if _, _, err := a.ingester.Ingest(r.Context(), source, []byte(md)); err != nil {
		a.logger.ErrorContext(r.Context(), "console: store FAQ entry", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "internal", "the entry could not be stored")
		return
	}
	doc, err := a.faqDocument(r.Context(), source)
	if err != nil {
		a.logger.ErrorContext(r.Context(), "console: read FAQ entry", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "internal", "the entry could not be stored")
		return
	}
	a.audit(r, o.Name, "faq.create", source)
	if g := strings.TrimSpace(in.FromGroup); g != "" {
		if err := a.store.DismissMissed(r.Context(), g, o.Name, a.now()); err != nil {
			a.logger.ErrorContext(r.Context(), "console: dismiss the answered group", slog.Any("error", err))
		} else {
			a.audit(r, o.Name, "unanswered.dismiss", g)
		}
	}
	writeJSON(w, http.StatusCreated, faqEntry{ID: doc.ID, Source: doc.Source, Question: q, Enabled: doc.Enabled, UpdatedAt: doc.UpdatedAt})
}

// handleFAQPatch enables or disables an entry: {"enabled": false} takes it out of the answers
// without deleting it.
func (a *API) handleFAQPatch(w http.ResponseWriter, r *http.Request, o knowledge.Operator) {
	var in struct {
		Enabled *bool `json:"enabled"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil || in.Enabled == nil {
		writeError(w, http.StatusBadRequest, "invalid_request", `want {"enabled": true|false}`)
		return
	}
	d, ok := a.faqByID(w, r)
	if !ok {
		return
	}
	d, err := a.docs.UpdateDocument(r.Context(), d.ID, knowledge.DocumentPatch{Enabled: in.Enabled})
	if err != nil {
		a.logger.ErrorContext(r.Context(), "console: update FAQ entry", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "internal", "the entry could not be changed")
		return
	}
	action := "faq.enable"
	if !d.Enabled {
		action = "faq.disable"
	}
	a.audit(r, o.Name, action, d.Source)
	writeJSON(w, http.StatusOK, faqEntry{ID: d.ID, Source: d.Source, Question: d.Title, Enabled: d.Enabled, UpdatedAt: d.UpdatedAt})
}

// faqDocument returns the stored entry as an FAQ document, whatever extraction guessed of its
// kind (the operator said it is one).
func (a *API) faqDocument(ctx context.Context, source string) (knowledge.Document, error) {
	docs, err := a.docs.Documents(ctx, "")
	if err != nil {
		return knowledge.Document{}, err
	}
	for _, d := range docs {
		if d.Source != source {
			continue
		}
		if d.Kind == knowledge.KindFAQ {
			return d, nil
		}
		kind := knowledge.KindFAQ
		return a.docs.UpdateDocument(ctx, d.ID, knowledge.DocumentPatch{Kind: &kind})
	}
	return knowledge.Document{}, knowledge.ErrNotFound
}

func (a *API) handleFAQList(w http.ResponseWriter, r *http.Request, _ knowledge.Operator) {
	docs, err := a.docs.Documents(r.Context(), knowledge.KindFAQ)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "the FAQ could not be read")
		return
	}
	out := make([]faqEntry, 0, len(docs))
	for _, d := range docs {
		out = append(out, faqEntry{ID: d.ID, Source: d.Source, Question: d.Title, Enabled: d.Enabled, UpdatedAt: d.UpdatedAt})
	}
	writeJSON(w, http.StatusOK, map[string]any{"faq": out})
}

func (a *API) handleFAQDelete(w http.ResponseWriter, r *http.Request, o knowledge.Operator) {
	d, ok := a.faqByID(w, r)
	if !ok {
		return
	}
	if err := a.docs.DeleteDocument(r.Context(), d.ID); err != nil {
		a.logger.ErrorContext(r.Context(), "console: delete FAQ entry", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "internal", "the entry could not be deleted")
		return
	}
	a.audit(r, o.Name, "faq.delete", d.Source)
	w.WriteHeader(http.StatusNoContent)
}

// faqByID returns the FAQ entry the path's {id} names, answering 404 (or 500) itself and
// reporting false when there is none.
func (a *API) faqByID(w http.ResponseWriter, r *http.Request) (knowledge.Document, bool) {
	d, err := a.docs.Document(r.Context(), r.PathValue("id"))
	if errors.Is(err, knowledge.ErrNotFound) || err == nil && d.Kind != knowledge.KindFAQ {
		writeError(w, http.StatusNotFound, "not_found", "no such FAQ entry")
		return knowledge.Document{}, false
	}
	if err != nil {
		a.logger.ErrorContext(r.Context(), "console: read FAQ entry", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "internal", "the entry could not be read")
		return knowledge.Document{}, false
	}
	return d, true
}

// oneLine is s with its runs of white space made one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
