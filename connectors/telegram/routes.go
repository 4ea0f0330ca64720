package telegram

import "net/http"

// Register adds the webhook route to mux: POST /connectors/telegram/webhook.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /connectors/telegram/webhook", h.webhook)
}
