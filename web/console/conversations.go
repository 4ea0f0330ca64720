package console

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trolyao/trolyao/knowledge"
)

// Conversations for operators: the list (latest first, by channel and rating) and a
// transcript with its citations and ratings. Citizens' text is stored with personal data
// masked, and shown so.

// TranscriptStore is what reading a conversation needs of the knowledge base.
type TranscriptStore interface {
	Session(ctx context.Context, id string) (knowledge.Session, error)
	Messages(ctx context.Context, sessionID string, limit int) ([]knowledge.Message, error)
}

// WithConversations adds the conversation routes, reading transcripts from ts.
func (a *API) WithConversations(ts TranscriptStore) *API {
	a.transcripts = ts
	return a
}

func (a *API) registerConversations(mux *http.ServeMux) {
	if a.transcripts == nil {
		return
	}
	mux.HandleFunc("GET /api/v1/conversations", a.authed(RoleViewer, a.handleConversations))
	mux.HandleFunc("GET /api/v1/conversations/{id}", a.authed(RoleViewer, a.handleTranscript))
}

func (a *API) handleConversations(w http.ResponseWriter, r *http.Request, _ knowledge.Operator) {
	n, ok := days(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	rating := q.Get("rating")
	if rating != "" && rating != "up" && rating != "down" {
		writeError(w, http.StatusBadRequest, "invalid_request", "rating is up or down")
		return
	}
	limit, ok := intParam(w, r, "limit", 100, 1, 1000)
	if !ok {
		return
	}
	waiting := q.Get("waiting")
	if waiting != "" && waiting != "true" && waiting != "false" {
		writeError(w, http.StatusBadRequest, "invalid_request", "waiting is true or false")
		return
	}
	text := strings.TrimSpace(q.Get("q"))
	if utf8.RuneCountInString(text) > 200 {
		writeError(w, http.StatusBadRequest, "invalid_request", "q is at most 200 characters")
		return
	}
	list, err := a.store.Conversations(r.Context(), knowledge.ConversationFilter{Since: a.now().AddDate(0, 0, -n), Channel: q.Get("channel"),
		Rating: rating, Text: text, Waiting: waiting == "true", Limit: limit})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "the conversations could not be read")
		return
	}
	type row struct {
		ID       string `json:"id"`
		Channel  string `json:"channel"`
		Operator string `json:"operator,omitempty"`
		// HumanRequested: the person asked for staff and waits (since then).
		HumanRequested *time.Time `json:"human_requested,omitempty"`
		CreatedAt      time.Time  `json:"created_at"`
		LastAt         time.Time  `json:"last_at"`
		Messages       int        `json:"messages"`
		FirstQuestion  string     `json:"first_question"`
		RatedUp        bool       `json:"rated_up"`
		RatedDown      bool       `json:"rated_down"`
	}
	out := make([]row, 0, len(list))
	for _, c := range list {
		var asked *time.Time
		if !c.HumanRequested.IsZero() {
			t := c.HumanRequested.UTC()
			asked = &t
		}
		out = append(out, row{c.SessionID, c.Channel, c.Operator, asked, c.CreatedAt, c.LastAt, c.Messages, c.FirstQuestion, c.RatedUp, c.RatedDown})
	}
	writeJSON(w, http.StatusOK, map[string]any{"conversations": out})
}

func (a *API) handleTranscript(w http.ResponseWriter, r *http.Request, _ knowledge.Operator) {
	id := r.PathValue("id")
	sess, err := a.transcripts.Session(r.Context(), id)
	if errors.Is(err, knowledge.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no such conversation")
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "the conversation could not be read")
		return
	}
	msgs, err := a.transcripts.Messages(r.Context(), id, 0)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "the conversation could not be read")
		return
	}
	type source struct {
		N     int    `json:"n"`
		Title string `json:"title"`
		URL   string `json:"url,omitempty"`
	}
	type message struct {
		ID        string    `json:"id"`
		Role      string    `json:"role"`
		Text      string    `json:"text"`
		Grounded  bool      `json:"grounded,omitempty"`
		Sources   []source  `json:"sources,omitempty"`
		Rating    string    `json:"rating,omitempty"`
		Status    string    `json:"status"`
		Detail    string    `json:"detail,omitempty"` // why it was not delivered
		CreatedAt time.Time `json:"created_at"`
	}
	out := make([]message, 0, len(msgs))
	for _, m := range msgs {
		var src []source
		for _, c := range m.Citations {
			src = append(src, source{c.N, c.Title, c.URL})
		}
		out = append(out, message{m.ID, m.Role, m.Text, m.Grounded, src, m.Rating, m.Status, m.Detail, m.CreatedAt})
	}
	res := map[string]any{"id": sess.ID, "channel": sess.Channel, "operator": sess.Operator, "messages": out}
	if !sess.HumanRequested.IsZero() {
		res["human_requested"] = sess.HumanRequested.UTC()
	}
	if a.takeover != nil {
		// What the platform allows now, for the operator about to write.
		win, err := a.takeover.ReplyWindow(r.Context(), sess)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "internal", "the conversation could not be read")
			return
		}
		res["window"] = newWindowJSON(win)
	}
	writeJSON(w, http.StatusOK, res)
}
