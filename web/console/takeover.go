package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/trolyao/trolyao/assistant"
	"github.com/trolyao/trolyao/knowledge"
)

// Takeover from the console: an editor takes a conversation over, writes to the person on
// their channel and hands it back; the events stream tells open consoles live who asks for
// staff and what is written in the conversations they follow.

// Takeover is what the console needs of the assistant, which owns conversations:
// *assistant.Assistant satisfies it.
type Takeover interface {
	Conversation(ctx context.Context, id string) (knowledge.Session, error)
	ReplyWindow(ctx context.Context, sess knowledge.Session) (assistant.Window, error)
	TakeOver(ctx context.Context, id, operator string) error
	HandBack(ctx context.Context, id, operator string) error
	WriteAsOperator(ctx context.Context, id, operator, text string) (knowledge.Message, error)
	Subscribe(buffer int) (<-chan assistant.Event, func())
}

// WithTakeover adds the takeover routes and the live events, served through t.
func (a *API) WithTakeover(t Takeover) *API {
	a.takeover = t
	return a
}

func (a *API) registerTakeover(mux *http.ServeMux) {
	if a.takeover == nil {
		return
	}
	mux.HandleFunc("POST /api/v1/conversations/{id}/takeover", a.authed(RoleEditor, a.handleTakeOver))
	mux.HandleFunc("POST /api/v1/conversations/{id}/messages", a.authed(RoleEditor, a.handleOperatorMessage))
	mux.HandleFunc("POST /api/v1/conversations/{id}/handback", a.authed(RoleEditor, a.handleHandBack))
	mux.HandleFunc("GET /api/v1/events", a.authed(RoleViewer, a.handleEvents))
}

// windowJSON is a platform's reply window as the console shows it.
type windowJSON struct {
	Open     bool       `json:"open"`
	Until    *time.Time `json:"until,omitempty"`
	FreeLeft *int       `json:"free_left,omitempty"`
	Note     string     `json:"note,omitempty"`
}

func newWindowJSON(w assistant.Window) windowJSON {
	out := windowJSON{Open: w.Open, Note: w.Note}
	if !w.Until.IsZero() {
		u := w.Until.UTC()
		out.Until = &u
	}
	if w.FreeLeft >= 0 {
		n := w.FreeLeft
		out.FreeLeft = &n
	}
	return out
}

// takeoverError answers the assistant's takeover errors.
func (a *API) takeoverError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, assistant.ErrUnknownSession):
		writeError(w, http.StatusNotFound, "not_found", "no such conversation")
	case errors.Is(err, assistant.ErrTakenOver):
		writeError(w, http.StatusConflict, "taken_over", "another operator has taken this conversation over")
	case errors.Is(err, assistant.ErrNotHolder):
		writeError(w, http.StatusConflict, "not_holder", "take the conversation over first")
	case errors.Is(err, assistant.ErrWindowClosed):
		writeError(w, http.StatusConflict, "window_closed", err.Error())
	case errors.Is(err, assistant.ErrInvalidRequest):
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
	case errors.Is(err, assistant.ErrNotDelivered):
		writeError(w, http.StatusBadGateway, "not_delivered", err.Error())
	default:
		a.logger.ErrorContext(r.Context(), "console: takeover", slog.Any("error", err))
		writeError(w, http.StatusInternalServerError, "internal", "the conversation could not be changed")
	}
}

func (a *API) handleTakeOver(w http.ResponseWriter, r *http.Request, o knowledge.Operator) {
	id := r.PathValue("id")
	if err := a.takeover.TakeOver(r.Context(), id, o.Name); err != nil {
		a.takeoverError(w, r, err)
		return
	}
	a.audit(r, o.Name, "conversation.takeover", id)
	a.writeHeld(w, r, id)
}

func (a *API) handleHandBack(w http.ResponseWriter, r *http.Request, o knowledge.Operator) {
	id := r.PathValue("id")
	if err := a.takeover.HandBack(r.Context(), id, o.Name); err != nil {
		a.takeoverError(w, r, err)
		return
	}
	a.audit(r, o.Name, "conversation.handback", id)
	a.writeHeld(w, r, id)
}

// writeHeld answers with who holds the conversation now and its platform's window.
func (a *API) writeHeld(w http.ResponseWriter, r *http.Request, id string) {
	sess, err := a.takeover.Conversation(r.Context(), id)
	if err != nil {
		a.takeoverError(w, r, err)
		return
	}
	win, err := a.takeover.ReplyWindow(r.Context(), sess)
	if err != nil {
		a.takeoverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": sess.ID, "channel": sess.Channel, "operator": sess.Operator, "window": newWindowJSON(win)})
}

func (a *API) handleOperatorMessage(w http.ResponseWriter, r *http.Request, o knowledge.Operator) {
	var in struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 32<<10)).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", `want {"text"}`)
		return
	}
	id := r.PathValue("id")
	m, err := a.takeover.WriteAsOperator(r.Context(), id, o.Name, in.Text)
	if m.ID != "" {
		// Stored, delivered or not: the audit log has it either way.
		a.audit(r, o.Name, "conversation.message", id)
	}
	if err != nil {
		a.takeoverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": m.ID, "role": m.Role, "text": m.Text, "status": m.Status, "created_at": m.CreatedAt})
}

// eventJSON is one event on the stream. Text is the stored (masked) form for the person's
// messages and the assistant's answers, as written for staff messages and notices.
type eventJSON struct {
	Kind      string    `json:"kind"`
	SessionID string    `json:"session_id"`
	Channel   string    `json:"channel"`
	Operator  string    `json:"operator,omitempty"`
	Role      string    `json:"role,omitempty"`
	Text      string    `json:"text,omitempty"`
	MessageID string    `json:"message_id,omitempty"`
	Status    string    `json:"status,omitempty"`
	At        time.Time `json:"at"`
}

// heartbeat keeps proxies from closing an idle event stream.
const heartbeat = 25 * time.Second

// handleEvents streams the conversations' events as server-sent events ("event: <kind>",
// "data: <JSON>") until the client goes away; a comment line every 25 s keeps it open.
func (a *API) handleEvents(w http.ResponseWriter, r *http.Request, _ knowledge.Operator) {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // the stream outlives the server's write timeout
	events, stop := a.takeover.Subscribe(256)
	defer stop()
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprint(w, "retry: 3000\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
		case e := <-events:
			out := eventJSON{Kind: e.Kind, SessionID: e.SessionID, Channel: e.Channel, Operator: e.Operator, At: e.At.UTC()}
			if m := e.Message; m != nil {
				out.Role, out.Text, out.MessageID, out.Status = m.Role, m.Text, m.ID, m.Status
			}
			b, _ := json.Marshal(out)
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Kind, b); err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
