package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
)

// The contract: the OpenAPI document the handler serves, loaded once.
var (
	contractOnce   sync.Once
	contractDoc    *openapi3.T
	contractRouter routers.Router
	contractErr    error
)

// loadContract loads and validates the embedded OpenAPI document.
func loadContract(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	contractOnce.Do(func() {
		loader := openapi3.NewLoader()
		contractDoc, contractErr = loader.LoadFromData(handler.OpenAPI())
		if contractErr == nil {
			contractErr = contractDoc.Validate(loader.Context)
		}
		if contractErr == nil {
			contractRouter, contractErr = legacy.NewRouter(contractDoc)
		}
	})
	if contractErr != nil {
		t.Fatalf("the OpenAPI document: %v", contractErr)
	}
	return contractDoc, contractRouter
}

// validation is how the contract checks requests and answers: every
// documented header and body, undocumented statuses refused.
var validation = &openapi3filter.Options{
	IncludeResponseStatus:             true,
	RejectWhenRequestBodyNotSpecified: true,
	SkipSettingDefaults:               true,
	MultiError:                        true,
	AuthenticationFunc:                credentialPresent,
}

// credentialPresent accepts a security scheme when the request carries
// its credential (validity is the handler's business).
func credentialPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s, r := in.SecurityScheme, in.RequestValidationInput.Request
	switch {
	case s.In == "cookie":
		if _, err := r.Cookie(s.Name); err == nil {
			return nil
		}
	case in.SecuritySchemeName == "session" && strings.HasPrefix(r.Header.Get(s.Name), "Session "),
		in.SecuritySchemeName == "mxtoken" && strings.HasPrefix(r.Header.Get(s.Name), "mxtoken "),
		in.SecuritySchemeName == "apiKey" && r.Header.Get(s.Name) != "":
		return nil
	}
	return fmt.Errorf("no %s credential", in.SecuritySchemeName)
}

// contract wraps h so that every request and answer is checked against
// the OpenAPI document, failing t on any mismatch:
//
//   - a request the document allows gets an answer the document allows;
//   - a request it refuses (a test of bad input) gets a documented 4xx;
//   - a path it lacks answers 404, a method it lacks 405 with Allow, both
//     with the documented error body;
//   - every answer has X-Request-ID, and an answer documented without a
//     body has none.
func contract(t *testing.T, h http.Handler) http.Handler {
	t.Helper()
	doc, router := loadContract(t)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("contract: reading the request body: %v", err)
		}
		check := r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)

		check.Body = io.NopCloser(bytes.NewReader(body))
		check.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		if err := checkExchange(doc, router, check, rec); err != nil {
			t.Errorf("contract: %s %s → %d %s:\n%v", r.Method, r.URL, rec.Code, clip(rec.Body.Bytes()), err)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// checkExchange checks one request and its answer against the document.
func checkExchange(doc *openapi3.T, router routers.Router, req *http.Request, rec *httptest.ResponseRecorder) error {
	if rec.Header().Get(handler.RequestIDHeader) == "" {
		return errors.New("no X-Request-ID")
	}
	ctx := context.Background()
	route, params, err := router.FindRoute(req)
	var re *routers.RouteError // the router makes new ones: compare reasons
	errors.As(err, &re)
	switch {
	case re != nil && re.Reason == routers.ErrPathNotFound.Error():
		return checkUnrouted(doc, rec, http.StatusNotFound)
	case re != nil && re.Reason == routers.ErrMethodNotAllowed.Error():
		if rec.Header().Get("Allow") == "" {
			return errors.New("405 without Allow")
		}
		return checkUnrouted(doc, rec, http.StatusMethodNotAllowed)
	case err != nil:
		return fmt.Errorf("finding the route: %w", err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: validation}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	if reqErr != nil && (rec.Code < 400 || rec.Code > 499) {
		return fmt.Errorf("the document refuses the request, the handler answered %d: %w", rec.Code, reqErr)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(), Options: validation}
	out.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	if res := route.Operation.Responses.Status(rec.Code); res != nil && len(res.Value.Content) == 0 && rec.Body.Len() > 0 {
		return fmt.Errorf("a body on an answer %d documented without one", rec.Code)
	}
	return nil
}

// unroutedCodes are the codes of the answers to a request the document
// has no operation for. No operation can list 405 (an operation is a
// method the path serves), so the document states it in its description
// and has no Error405 schema; 404 has its schema, Error404.
var unroutedCodes = map[int]string{http.StatusNotFound: "not_found", http.StatusMethodNotAllowed: "method_not_allowed"}

// checkUnrouted checks the answer to a request the document has no
// operation for: the status, the Error body and its code.
func checkUnrouted(doc *openapi3.T, rec *httptest.ResponseRecorder, status int) error {
	if rec.Code != status {
		return fmt.Errorf("no operation in the document, answered %d, want %d", rec.Code, status)
	}
	var v struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		return err
	}
	if v.Error != unroutedCodes[status] {
		return fmt.Errorf("error %q, want %q", v.Error, unroutedCodes[status])
	}
	var body any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		return err
	}
	return doc.Components.Schemas["Error"].Value.VisitJSON(body, openapi3.EnableJSONSchema2020())
}

// clip shortens a body for a message.
func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
