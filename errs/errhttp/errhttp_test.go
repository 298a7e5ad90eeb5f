package errhttp_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/errs/errhttp"
)

var (
	errTaken  = errs.New(errs.Conflict, "name_taken", "test: name taken")
	errLimit  = errs.New(errs.Throttled, "rate_limited", "test: too many")
	errPolicy = errs.New(errs.Invalid, "password_policy", "test: policy")
)

type policyError struct{ v []string }

func (e *policyError) Error() string           { return "test: policy " + fmt.Sprint(e.v) }
func (e *policyError) Unwrap() error           { return errPolicy }
func (e *policyError) Details() map[string]any { return map[string]any{"violations": e.v} }

// answer runs Write for err on a request with the Accept header and the
// request ID, and returns the recorder.
func answer(t *testing.T, err error, accept, requestID string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/v1/things", nil)
	if accept != "" {
		r.Header.Set("Accept", accept)
	}
	w := httptest.NewRecorder()
	if requestID != "" {
		w.Header().Set(errhttp.RequestIDHeader, requestID)
	}
	errhttp.Write(w, r, err)
	return w
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		status     int
		body       string
		retryAfter string
	}{
		{"sentinel", fmt.Errorf("test: x: %w", errTaken), 409, `{"error":"name_taken","request_id":"rq1"}`, ""},
		{"details", &policyError{[]string{"too_short"}}, 422, `{"error":"password_policy","request_id":"rq1","violations":["too_short"]}`, ""},
		{"retry", errs.Retry(errLimit, 2500*time.Millisecond), 429, `{"error":"rate_limited","request_id":"rq1","retry_after":3}`, "3"},
		{"internal masked", errors.New("sql: connection refused at 10.0.0.1"), 500, `{"error":"internal","request_id":"rq1"}`, ""},
		{"internal kind masked", errs.New(errs.Internal, "schema_too_new", "x"), 500, `{"error":"internal","request_id":"rq1"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := answer(t, tt.err, "", "rq1")
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			if got := w.Body.String(); got != tt.body+"\n" {
				t.Errorf("body %s, want %s", got, tt.body)
			}
			if got := w.Header().Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type %q", got)
			}
			if got := w.Header().Get("Retry-After"); got != tt.retryAfter {
				t.Errorf("Retry-After %q, want %q", got, tt.retryAfter)
			}
		})
	}
}

func TestStatusOfEveryKind(t *testing.T) {
	want := map[errs.Kind]int{
		errs.Internal: 500, errs.Invalid: 422, errs.Malformed: 400, errs.NotFound: 404, errs.Conflict: 409,
		errs.Unauthenticated: 401, errs.Forbidden: 403, errs.ReauthRequired: 403, errs.Throttled: 429,
		errs.Precondition: 412, errs.Expired: 409, errs.Unavailable: 503, errs.Upstream: 502,
	}
	for _, k := range errs.Kinds {
		if got := errhttp.Status(k); got != want[k] {
			t.Errorf("Status(%v) = %d, want %d", k, got, want[k])
		}
	}
}

func TestProblemDetails(t *testing.T) {
	w := answer(t, &policyError{[]string{"no_digit"}}, "application/json;q=0.5, application/problem+json", "rq2")
	if got := w.Header().Get("Content-Type"); got != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", got)
	}
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"type": errhttp.ProblemType + "password_policy", "title": "Unprocessable Entity", "status": 422.0,
		"instance": "/v1/things", "error": "password_policy", "request_id": "rq2", "violations": []any{"no_digit"},
	}
	if fmt.Sprint(body) != fmt.Sprint(want) {
		t.Errorf("body %v, want %v", body, want)
	}
}

func TestWantsProblem(t *testing.T) {
	for accept, want := range map[string]bool{
		"":                         false,
		"application/json":         false,
		"*/*":                      false,
		"application/problem+json": true,
		"application/problem+json;q=0.4, application/json":       false,
		"application/json;q=0.1, application/problem+json;q=0.9": true,
		"text/html, application/problem+json":                    true,
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept", accept)
		if got := errhttp.WantsProblem(r); got != want {
			t.Errorf("WantsProblem(%q) = %v, want %v", accept, got, want)
		}
	}
}

func TestRequestIDFromRequest(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set(errhttp.RequestIDHeader, "from-request")
	w := httptest.NewRecorder()
	errhttp.WriteAnswer(w, r, errhttp.Answer{Status: 400, Code: "invalid_json", Details: map[string]any{"field": "name"}})
	if got, want := w.Body.String(), `{"error":"invalid_json","field":"name","request_id":"from-request"}`+"\n"; got != want {
		t.Errorf("body %s, want %s", got, want)
	}
}

func ExampleWrite() {
	errNameTaken := errs.New(errs.Conflict, "name_taken", "token: name already used")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(errhttp.RequestIDHeader, "req-1")
		errhttp.Write(w, r, fmt.Errorf("token: creating: %w", errNameTaken))
	})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/v1/me/tokens", nil))
	fmt.Println(w.Code)
	_, _ = os.Stdout.Write(w.Body.Bytes())
	// Output:
	// 409
	// {"error":"name_taken","request_id":"req-1"}
}

func ExampleWrite_retryAfter() {
	errThrottled := errs.New(errs.Throttled, "rate_limited", "account: too many failed attempts")
	w := httptest.NewRecorder()
	errhttp.Write(w, httptest.NewRequest(http.MethodPost, "/v1/sessions", nil), errs.Retry(errThrottled, 30*time.Second))
	fmt.Println(w.Code, w.Header().Get("Retry-After"))
	_, _ = os.Stdout.Write(w.Body.Bytes())
	// Output:
	// 429 30
	// {"error":"rate_limited","retry_after":30}
}

func ExampleWrite_problemDetails() {
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/v1/me/profile", nil)
	r.Header.Set("Accept", "application/problem+json")
	errhttp.Write(w, r, errs.New(errs.NotFound, "not_found", "profile: not found"))
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	_, _ = os.Stdout.Write(w.Body.Bytes())
	// Output:
	// 404 application/problem+json
	// {"error":"not_found","instance":"/v1/me/profile","status":404,"title":"Not Found","type":"urn:usersettings:error:not_found"}
}

func ExampleWrite_internal() {
	w := httptest.NewRecorder()
	a := errhttp.Write(w, httptest.NewRequest(http.MethodGet, "/", nil), errors.New("sqlstore: connection reset"))
	fmt.Println(a.Status, a.Code)
	_, _ = os.Stdout.Write(w.Body.Bytes())
	// Output:
	// 500 internal
	// {"error":"internal"}
}
