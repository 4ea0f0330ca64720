package zalo

import "net/http"

// Register adds the webhook route to mux: POST /connectors/zalo/webhook.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /connectors/zalo/webhook", h.webhook)
}
