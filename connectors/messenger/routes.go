package messenger

import "net/http"

// Register adds the webhook routes to mux: GET /connectors/messenger/webhook (the
// subscription check) and POST /connectors/messenger/webhook (events).
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /connectors/messenger/webhook", h.verifySubscription)
	mux.HandleFunc("POST /connectors/messenger/webhook", h.webhook)
}
