package web

import "net/http"

// Register adds the handler's routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/chat", h.handleChat)
	mux.HandleFunc("POST /api/v1/feedback", h.handleFeedback)
	mux.HandleFunc("POST /api/v1/search", h.handleSearch)
	mux.HandleFunc("GET /healthz", h.handleHealth)

	mux.HandleFunc("GET /ws/chat", h.handleSocket)
	mux.HandleFunc("GET /{$}", h.handlePage)
	mux.HandleFunc("GET /static/{name}", h.handleStatic)
	mux.HandleFunc("GET /widget.js", h.handleWidget)
	mux.HandleFunc("GET /widget-config", h.handleWidgetConfig)
	if h.cfg.DebugVars {
		mux.HandleFunc("GET /debug/vars", h.handleDebugVars)
	}
}
