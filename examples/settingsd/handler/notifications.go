package handler

import (
	"net/http"
	"time"

	"github.com/seed-a97ca23f/usersettings/notify"
)

type watchedAppJSON struct {
	AppID   string    `json:"app_id"`
	AppName string    `json:"app_name"`
	Since   time.Time `json:"since"`
}

// writeNotifications answers with the settings and the watched apps.
func (h *Handler) writeNotifications(w http.ResponseWriter, r *http.Request, c *caller, s notify.Settings) {
	apps, err := h.s.Notifications.WatchedApps(r.Context(), h.as(r, c))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]watchedAppJSON, len(apps))
	for i, a := range apps {
		out[i] = watchedAppJSON{a.AppID, a.AppName, a.Since}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"daily_digest": s.DailyDigest, "thread_updates": s.ThreadUpdates, "watched_apps": out,
	})
}

// getNotifications is GET /v1/me/notifications.
func (h *Handler) getNotifications(w http.ResponseWriter, r *http.Request, c *caller) {
	s, err := h.s.Notifications.Settings(r.Context(), h.as(r, c))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeNotifications(w, r, c, s)
}

// patchNotifications is PATCH /v1/me/notifications {daily_digest?,
// thread_updates?}: an absent toggle stays as it is.
func (h *Handler) patchNotifications(w http.ResponseWriter, r *http.Request, c *caller) {
	var req struct {
		DailyDigest   *bool `json:"daily_digest"`
		ThreadUpdates *bool `json:"thread_updates"`
	}
	if decode(w, r, &req, bodyRequired) != nil {
		return
	}
	s, err := h.s.Notifications.Update(r.Context(), h.as(r, c),
		notify.Update{DailyDigest: req.DailyDigest, ThreadUpdates: req.ThreadUpdates})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeNotifications(w, r, c, s)
}

// watchApp is PUT /v1/me/notifications/watched-apps/{app} with an optional
// body {"name"} (the app id when absent) → 204. Watching a watched app
// changes nothing.
func (h *Handler) watchApp(w http.ResponseWriter, r *http.Request, c *caller) {
	var req struct {
		Name string `json:"name"`
	}
	if decode(w, r, &req, bodyOptional) != nil {
		return
	}
	app := r.PathValue("app")
	if req.Name == "" {
		req.Name = app
	}
	if err := h.s.Notifications.Watch(r.Context(), h.as(r, c), app, req.Name); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// unwatchApp is DELETE /v1/me/notifications/watched-apps/{app} → 204.
func (h *Handler) unwatchApp(w http.ResponseWriter, r *http.Request, c *caller) {
	if err := h.s.Notifications.StopWatching(r.Context(), h.as(r, c), r.PathValue("app")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
