package handler

import (
	"context"
	"net/http"
	"time"
)

// ReadinessTimeout bounds one readiness check (GET /readyz).
const ReadinessTimeout = 2 * time.Second

// healthz is GET /healthz: the process is up and serving.
func (h *Handler) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz is GET /readyz: 200 when the readiness check of WithReadiness
// passes (always, without one), else 503 {"error":"not_ready"}. The
// reason is logged, never answered.
func (h *Handler) readyz(w http.ResponseWriter, r *http.Request) {
	if h.ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), ReadinessTimeout)
		defer cancel()
		if err := h.ready(ctx); err != nil {
			h.logger(r).Warn("not ready", "err", err.Error())
			writeError(w, r, http.StatusServiceUnavailable, "not_ready")
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
