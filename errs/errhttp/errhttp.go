// Package errhttp turns any error of the SDK into an HTTP answer: one
// table from kind to status, the public code, the details and, for a
// refusal that may be retried, Retry-After. The body is settingsd's JSON
// shape, {"error": code, "request_id": …, …details}, or RFC 9457 problem
// details (application/problem+json) when the request's Accept asks for
// them. A host that writes its own HTTP layer on the SDK's services calls
// Write and answers exactly as settingsd does.
package errhttp

import (
	"encoding/json"
	"maps"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/seed-a97ca23f/usersettings/errs"
)

// RequestIDHeader is the header the request ID is read from, on the
// answer (set by the host's middleware) or else on the request.
const RequestIDHeader = "X-Request-ID"

// ProblemType is the prefix of the type URI of a problem-details body:
// the code follows it.
const ProblemType = "urn:usersettings:error:"

// statuses is the one table from kind to status.
var statuses = map[errs.Kind]int{
	errs.Internal:        http.StatusInternalServerError,
	errs.Invalid:         http.StatusUnprocessableEntity,
	errs.Malformed:       http.StatusBadRequest,
	errs.NotFound:        http.StatusNotFound,
	errs.Conflict:        http.StatusConflict,
	errs.Unauthenticated: http.StatusUnauthorized,
	errs.Forbidden:       http.StatusForbidden,
	errs.ReauthRequired:  http.StatusForbidden,
	errs.Throttled:       http.StatusTooManyRequests,
	errs.Precondition:    http.StatusPreconditionFailed,
	errs.Expired:         http.StatusConflict,
	errs.Unavailable:     http.StatusServiceUnavailable,
	errs.Upstream:        http.StatusBadGateway,
}

// Status returns the HTTP status of an error of the kind.
func Status(k errs.Kind) int {
	if s, ok := statuses[k]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Answer is the HTTP answer of an error.
type Answer struct {
	// Status is the HTTP status.
	Status int
	// Code is the public code; "internal" for an error outside the
	// vocabulary, whose message is never shown.
	Code string
	// Details are the error's details (Detailer), or nil.
	Details map[string]any
	// RetryAfter is the Retry-After value in seconds, 0 for none.
	RetryAfter int
}

// Of returns the answer of err.
func Of(err error) Answer {
	k := errs.KindOf(err)
	a := Answer{Status: Status(k), Code: errs.CodeOf(err)}
	if k == errs.Internal {
		a.Code = "internal"
		return a
	}
	a.Details = errs.DetailsOf(err)
	if d, ok := errs.RetryAfter(err); ok {
		a.RetryAfter = errs.RetrySeconds(d)
	}
	return a
}

// Write answers err on w: its status, Retry-After, and the JSON body, or
// problem details when r's Accept prefers application/problem+json. It
// returns the answer; the caller logs an Internal one (Status 500) with
// err, which holds no secret.
func Write(w http.ResponseWriter, r *http.Request, err error) Answer {
	a := Of(err)
	WriteAnswer(w, r, a)
	return a
}

// WriteAnswer writes a, as Write does: for answers a host makes itself
// (a malformed body, a refused CSRF token) in the same shape.
func WriteAnswer(w http.ResponseWriter, r *http.Request, a Answer) {
	if a.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(a.RetryAfter))
	}
	id := w.Header().Get(RequestIDHeader)
	if id == "" && r != nil {
		id = r.Header.Get(RequestIDHeader)
	}
	body := make(map[string]any, len(a.Details)+5)
	maps.Copy(body, a.Details)
	ctype := "application/json"
	if r != nil && WantsProblem(r) {
		ctype = "application/problem+json"
		body["type"] = ProblemType + a.Code
		body["title"] = http.StatusText(a.Status)
		body["status"] = a.Status
		if r.URL != nil {
			body["instance"] = r.URL.Path
		}
	}
	body["error"] = a.Code
	if id != "" {
		body["request_id"] = id
	}
	data, err := json.Marshal(body)
	if err != nil {
		data = []byte(`{"error":"internal"}`)
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)+1))
	w.WriteHeader(a.Status)
	_, _ = w.Write(append(data, '\n'))
}

// WantsProblem reports whether r's Accept header ranks
// application/problem+json above application/json.
func WantsProblem(r *http.Request) bool {
	best, bestQ := "", -1.0
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				q = f
			}
		}
		if (mt == "application/problem+json" || mt == "application/json") && q > bestQ {
			best, bestQ = mt, q
		}
	}
	return best == "application/problem+json"
}
