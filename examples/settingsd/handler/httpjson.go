package handler

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
)

// writeJSON writes v as the JSON body with the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes {"error": code}.
func writeError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]any{"error": code})
}

// writeErrorWith writes {"error": code} plus the details.
func writeErrorWith(w http.ResponseWriter, status int, code string, details map[string]any) {
	body := map[string]any{"error": code}
	for k, v := range details {
		body[k] = v
	}
	writeJSON(w, status, body)
}

// rateLimited writes 429 {"error":"rate_limited"} with Retry-After.
func rateLimited(w http.ResponseWriter, retryAfterSeconds int) {
	if retryAfterSeconds < 1 {
		retryAfterSeconds = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	writeErrorWith(w, http.StatusTooManyRequests, "rate_limited", map[string]any{"retry_after": retryAfterSeconds})
}

// errBadRequest is reported by decode after it wrote the answer.
var errBadRequest = errors.New("handler: bad request")

// decode reads the JSON body into v: at most MaxJSONBytes, one JSON value,
// no unknown fields. On failure it writes 400 {"error":"invalid_json"} or
// 413 {"error":"request_too_large"} and returns errBadRequest. An empty
// body decodes as {} when optional is true.
func decode(w http.ResponseWriter, r *http.Request, v any, optional bool) error {
	body := http.MaxBytesReader(w, r.Body, MaxJSONBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if errors.Is(err, io.EOF) && optional {
		return nil
	}
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	if err == nil {
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = errors.New("trailing data")
		}
	}
	if err == nil {
		return nil
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, http.StatusRequestEntityTooLarge, "request_too_large")
	} else {
		writeError(w, http.StatusBadRequest, "invalid_json")
	}
	return errBadRequest
}
