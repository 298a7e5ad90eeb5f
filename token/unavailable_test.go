package token_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/token"
)

// downValidator answers every credential with err, as a store that
// cannot be reached (or a refusal) makes the service do.
type downValidator struct{ err error }

func (d downValidator) Validate(context.Context, string) (token.Principal, error) {
	return token.Principal{}, d.err
}

func (d downValidator) ValidateAPIKey(context.Context, string, string) (token.Principal, error) {
	return token.Principal{}, d.err
}

// When the store cannot answer, the middlewares say so (503 unavailable,
// which a client retries) instead of refusing a credential nobody judged;
// a refusal stays the one 403.
func TestMiddlewareWhenTheStoreIsDown(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	pat := "mxp_" + strings.Repeat("a", 40)
	for _, c := range []struct {
		err    error
		status int
		body   string
	}{
		{fmt.Errorf("token: validating: %w", errs.ErrUnavailable), 503, `"error":"unavailable"`},
		{token.ErrInvalidToken, 403, `{"error":""}`},
	} {
		v := downValidator{c.err}
		for name, h := range map[string]http.Handler{
			"Middleware": token.Middleware(v, ok), "AnyMiddleware": token.AnyMiddleware(v, ok),
			"APIKeyMiddleware": token.APIKeyMiddleware(v, ok),
		} {
			r := httptest.NewRequest(http.MethodGet, "/api", nil)
			r.Header.Set("Authorization", "mxtoken "+pat)
			if name == "APIKeyMiddleware" {
				r.Header.Del("Authorization")
				r.Header.Set("Mendix-Username", "ada@example.com")
				r.Header.Set("Mendix-ApiKey", "key")
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != c.status || !strings.Contains(w.Body.String(), c.body) {
				t.Errorf("%s with %v: %d %s, want %d %s", name, c.err, w.Code, w.Body, c.status, c.body)
			}
		}
	}
}
