package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
)

// maxBodyBytes bounds JSON request bodies; a chat message over the assistant's own limit gets
// 413 from the assistant, a body over this one from the decoder.
const maxBodyBytes = 256 << 10

// apiError is the JSON error body: {"error": {"code": "...", "message": "..."}}.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	var e apiError
	e.Error.Code, e.Error.Message = code, msg
	writeJSON(w, status, e)
}

// decode reads a JSON body into v, answering 413 or 400 itself when it cannot.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("request body over %d bytes", maxBodyBytes))
			return false
		}
		writeError(w, http.StatusBadRequest, "bad_json", "request body is not valid JSON for this endpoint: "+err.Error())
		return false
	}
	return true
}

// chatRequest is the body of POST /api/v1/chat.
type chatRequest struct {
	Message   string `json:"message"`
	SessionID string `json:"session_id"`
	Audience  string `json:"audience"`
}

// ChatReply is the JSON answer of the chat API and of the websocket's answer frame.
type ChatReply struct {
	SessionID string     `json:"session_id"`
	MessageID string     `json:"message_id"`
	Answer    string     `json:"answer"`
	Grounded  bool       `json:"grounded"`
	Citations []Citation `json:"citations"`
	// Choices are the procedures to choose from when the assistant could not tell which one
	// the question is about (the answer then asks which, grounded is false and nothing is
	// cited); absent otherwise.
	Choices []Choice `json:"choices,omitempty"`
	// Procedure is the procedure the answer is about, at a glance, and Suggestions are
	// questions to ask next about it; both absent for other answers.
	Procedure   *Card    `json:"procedure,omitempty"`
	Suggestions []string `json:"suggestions,omitempty"`
	// Handover: a member of staff holds the conversation and answers it; answer is empty.
	Handover bool `json:"handover,omitempty"`
	// HumanRequested: the message asked for a member of staff; answer is the notice that the
	// request was passed on.
	HumanRequested bool `json:"human_requested,omitempty"`
}

func chatReply(r assistant.Reply) ChatReply {
	return ChatReply{SessionID: r.SessionID, MessageID: r.MessageID, Answer: r.Answer, Grounded: r.Grounded,
		Citations: citations(r.Citations), Choices: choices(r.Choices), Procedure: card(r.Card), Suggestions: r.Suggestions,
		Handover: r.Handover, HumanRequested: r.HumanRequested}
}

// askErrorStatus maps the assistant's request errors to HTTP statuses and codes.
func askErrorStatus(err error) (int, string) {
	switch {
	case errors.Is(err, assistant.ErrInvalidRequest):
		return http.StatusBadRequest, "invalid_request"
	case errors.Is(err, assistant.ErrTooLarge):
		return http.StatusRequestEntityTooLarge, "message_too_large"
	case errors.Is(err, assistant.ErrUnknownSession):
		return http.StatusNotFound, "unknown_session"
	}
	return http.StatusInternalServerError, "internal"
}

func (h *Handler) handleChat(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	if !decode(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.Message) == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", "message is required")
		return
	}
	aud, err := assistant.ParseAudience(req.Audience)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", `audience must be "citizen" or "staff"`)
		return
	}
	reply, err := h.assistant.Ask(r.Context(), assistant.Request{Message: req.Message, SessionID: req.SessionID, Audience: aud, Channel: "api"}, nil)
	if err != nil {
		status, code := askErrorStatus(err)
		if status == http.StatusInternalServerError {
			h.logger.ErrorContext(r.Context(), "chat failed", slog.Any("error", err))
			writeError(w, status, code, "internal error")
			return
		}
		writeError(w, status, code, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, chatReply(reply))
}

// feedbackRequest is the body of POST /api/v1/feedback and of the websocket's feedback frame.
type feedbackRequest struct {
	MessageID string `json:"message_id"`
	Rating    string `json:"rating"`
	Comment   string `json:"comment"`
}

// rate records feedback on an assistant message. When session is not empty the message must
// belong to it (a websocket rates only its own conversation's answers).
func (h *Handler) rate(ctx context.Context, req feedbackRequest, session string) error {
	return h.assistant.Rate(ctx, assistant.Rating{MessageID: req.MessageID, Rating: req.Rating, Comment: req.Comment, SessionID: session})
}

// feedbackError maps the assistant's rating errors to an HTTP status, a code and the message
// shown to the caller; ok is false for internal errors.
func feedbackError(err error) (status int, code, msg string, ok bool) {
	switch {
	case errors.Is(err, assistant.ErrUnknownMessage):
		return http.StatusNotFound, "unknown_message", "no such message", true
	case errors.Is(err, assistant.ErrInvalidRequest):
		return http.StatusBadRequest, "invalid_request", publicMessage(err, assistant.ErrInvalidRequest), true
	}
	return http.StatusInternalServerError, "internal", "internal error", false
}

// publicMessage returns what an error says after its sentinel's text ("invalid request: x" →
// "x").
func publicMessage(err, sentinel error) string {
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, sentinel.Error()+": "); ok {
		return after
	}
	return msg
}

func (h *Handler) handleFeedback(w http.ResponseWriter, r *http.Request) {
	var req feedbackRequest
	if !decode(w, r, &req) {
		return
	}
	if err := h.rate(r.Context(), req, ""); err != nil {
		status, code, msg, ok := feedbackError(err)
		if !ok {
			h.logger.ErrorContext(r.Context(), "feedback failed", slog.Any("error", err))
		}
		writeError(w, status, code, msg)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// searchRequest is the body of POST /api/v1/search.
type searchRequest struct {
	Query   string        `json:"query"`
	K       int           `json:"k"`
	Filters searchFilters `json:"filters"`
}

type searchFilters struct {
	Kind     stringList `json:"kind"`
	Locality string     `json:"locality"`
	Source   stringList `json:"source"`
}

// stringList accepts a JSON string or array of strings.
type stringList []string

func (s *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		if one != "" {
			*s = []string{one}
		}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("expected a string or an array of strings")
	}
	*s = many
	return nil
}

type searchResult struct {
	Source     string  `json:"source"`
	Title      string  `json:"title"`
	Snippet    string  `json:"snippet"`
	Score      float64 `json:"score"`
	DocumentID string  `json:"document_id"`
	ChunkID    int64   `json:"chunk_id"`
	Section    string  `json:"section"`
	URL        string  `json:"url,omitempty"`
	Kind       string  `json:"kind"`
}

// maxSearchK bounds the results of one search.
const maxSearchK = 50

func (h *Handler) handleSearch(w http.ResponseWriter, r *http.Request) {
	var req searchRequest
	if !decode(w, r, &req) {
		return
	}
	req.Query = strings.TrimSpace(req.Query)
	switch {
	case req.Query == "":
		writeError(w, http.StatusBadRequest, "invalid_request", "query is required")
		return
	case utf8.RuneCountInString(req.Query) > h.cfg.MaxQueryRunes:
		writeError(w, http.StatusRequestEntityTooLarge, "query_too_large", fmt.Sprintf("query over %d characters", h.cfg.MaxQueryRunes))
		return
	case req.K < 0 || req.K > maxSearchK:
		writeError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("k must be between 1 and %d", maxSearchK))
		return
	}
	if req.K == 0 {
		req.K = 5
	}
	f := knowledge.Filters{Locality: req.Filters.Locality, Sources: req.Filters.Source}
	for _, k := range req.Filters.Kind {
		if !knowledge.Kind(k).Valid() {
			writeError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("unknown kind %q (plan, procedure, faq, other)", k))
			return
		}
		f.Kinds = append(f.Kinds, knowledge.Kind(k))
	}
	results, err := h.index.Search(r.Context(), knowledge.Query{Text: req.Query, K: req.K, Filters: f, PerDocument: 2})
	if err != nil {
		h.logger.ErrorContext(r.Context(), "search failed", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "internal", "internal error")
		return
	}
	out := make([]searchResult, 0, len(results))
	for _, res := range results {
		out = append(out, searchResult{
			Source: res.Doc.Source, Title: res.Doc.Title, Snippet: res.Snippet, Score: res.Score, DocumentID: res.Doc.ID,
			ChunkID: res.Chunk.ID, Section: res.Chunk.Section, URL: res.Doc.URL, Kind: string(res.Doc.Kind),
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
}

func (h *Handler) handleHealth(w http.ResponseWriter, r *http.Request) {
	if err := h.index.Ping(r.Context()); err != nil {
		h.logger.ErrorContext(r.Context(), "health check: store unreachable", slog.Any("error", err))
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
