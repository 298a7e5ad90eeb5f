package handler

import (
	"net/http"
	"net/url"
	"time"

	"github.com/seed-a97ca23f/usersettings/token"
)

type tokenJSON struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Scopes     []string  `json:"scopes"`
	Last4      string    `json:"last4"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	// Token is the secret, present only in the answer to its creation.
	Token string `json:"token,omitempty"`
}

func newTokenJSON(t token.Token) tokenJSON {
	return tokenJSON{ID: t.ID, Name: t.Name, Scopes: nonNil(t.Scopes), Last4: t.Last4, CreatedAt: t.CreatedAt,
		LastUsedAt: t.LastUsedAt, ExpiresAt: t.ExpiresAt}
}

type apiKeyJSON struct {
	ID          string    `json:"id"`
	Description string    `json:"description"`
	Last4       string    `json:"last4"`
	CreatedAt   time.Time `json:"created_at"`
	// Key is the secret, present only in the answer to its creation.
	Key string `json:"key,omitempty"`
}

// listScopes is GET /v1/scopes: the registered scopes, by name.
func (h *Handler) listScopes(w http.ResponseWriter, _ *http.Request) {
	type scopeJSON struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	out := []scopeJSON{}
	for _, s := range h.s.Scopes.Scopes() {
		out = append(out, scopeJSON{s.Name, s.Description})
	}
	writeList(w, out)
}

func (h *Handler) listTokens(w http.ResponseWriter, r *http.Request, c *caller) {
	list, err := h.s.Tokens.List(r.Context(), h.as(r, c))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeListOf(w, list, newTokenJSON)
}

// createToken is POST /v1/me/tokens {name,scopes,expires_at?} → 201 with
// the secret in "token", the only time it is shown.
func (h *Handler) createToken(w http.ResponseWriter, r *http.Request, c *caller) {
	var req struct {
		Name      string    `json:"name"`
		Scopes    []string  `json:"scopes"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if decode(w, r, &req, bodyRequired) != nil {
		return
	}
	var opts []token.CreateOption
	if !req.ExpiresAt.IsZero() {
		opts = append(opts, token.WithExpiry(req.ExpiresAt))
	}
	t, secret, err := h.s.Tokens.Create(r.Context(), h.as(r, c), req.Name, req.Scopes, opts...)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := newTokenJSON(t)
	out.Token = secret.Reveal()
	created(w, "/v1/me/tokens/"+url.PathEscape(t.ID), out)
}

func (h *Handler) getToken(w http.ResponseWriter, r *http.Request, c *caller) {
	t, err := h.s.Tokens.Get(r.Context(), h.as(r, c), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newTokenJSON(t))
}

func (h *Handler) deleteToken(w http.ResponseWriter, r *http.Request, c *caller) {
	if err := h.s.Tokens.Delete(r.Context(), h.as(r, c), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) listAPIKeys(w http.ResponseWriter, r *http.Request, c *caller) {
	list, err := h.s.Tokens.ListAPIKeys(r.Context(), h.as(r, c))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]apiKeyJSON, len(list))
	for i, k := range list {
		out[i] = apiKeyJSON{ID: k.ID, Description: k.Description, Last4: k.Last4, CreatedAt: k.CreatedAt}
	}
	writeList(w, out)
}

// createAPIKey is POST /v1/me/api-keys {description} → 201 with the secret
// in "key", the only time it is shown.
func (h *Handler) createAPIKey(w http.ResponseWriter, r *http.Request, c *caller) {
	var req struct {
		Description string `json:"description"`
	}
	if decode(w, r, &req, bodyRequired) != nil {
		return
	}
	k, secret, err := h.s.Tokens.CreateAPIKey(r.Context(), h.as(r, c), req.Description)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	created(w, "/v1/me/api-keys/"+url.PathEscape(k.ID), apiKeyJSON{ID: k.ID, Description: k.Description, Last4: k.Last4,
		CreatedAt: k.CreatedAt, Key: secret.Reveal()})
}

func (h *Handler) revokeAPIKey(w http.ResponseWriter, r *http.Request, c *caller) {
	if err := h.s.Tokens.RevokeAPIKey(r.Context(), h.as(r, c), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// whoami is GET /v1/api/whoami behind token.AnyMiddleware.
func (h *Handler) whoami(w http.ResponseWriter, r *http.Request) {
	p, _ := token.PrincipalFrom(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{
		"account_id": p.AccountID, "profile_id": p.ProfileID, "scopes": nonNil(p.Scopes), "kind": p.Kind.String(),
	})
}

// apps is GET /v1/api/apps, the sample API that needs mx:app:read: the apps
// the principal's profile watches.
func (h *Handler) apps(w http.ResponseWriter, r *http.Request) {
	p, _ := token.PrincipalFrom(r.Context())
	list, err := h.s.Notifications.WatchedAppsOf(r.Context(), p.ProfileID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	type appJSON struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	out := []appJSON{}
	for _, a := range list {
		out = append(out, appJSON{a.AppID, a.AppName})
	}
	writeList(w, out)
}
