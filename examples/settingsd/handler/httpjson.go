package handler

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/errs/errhttp"
)

// writeJSON writes v as the JSON body with the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// created answers 201 with the Location of the new resource and v.
func created(w http.ResponseWriter, location string, v any) {
	w.Header().Set("Location", location)
	writeJSON(w, http.StatusCreated, v)
}

// list is the answer of every list route: the items and, for the pages
// to come, the cursor of the next page (always null for now).
type list[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next"`
}

// writeList answers 200 {"items":[…],"next":null}.
func writeList[T any](w http.ResponseWriter, items []T) {
	writeJSON(w, http.StatusOK, list[T]{Items: nonNil(items)})
}

// writeListOf is writeList of the items each turned into its JSON by out.
func writeListOf[T, J any](w http.ResponseWriter, items []T, out func(T) J) {
	js := make([]J, len(items))
	for i, it := range items {
		js[i] = out(it)
	}
	writeList(w, js)
}

// writeError writes {"error": code, "request_id": …} with the status,
// through errhttp as every error answer.
func writeError(w http.ResponseWriter, r *http.Request, status int, code string) {
	writeErrorWith(w, r, status, code, nil)
}

// writeErrorWith writes {"error": code, "request_id": …} plus the details.
// The request ID is the one ServeHTTP put in the X-Request-ID header.
func writeErrorWith(w http.ResponseWriter, r *http.Request, status int, code string, details map[string]any) {
	errhttp.WriteAnswer(w, r, errhttp.Answer{Status: status, Code: code, Details: details})
}

// rateLimited writes 429 {"error":"rate_limited"} with Retry-After.
func rateLimited(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	secs := errs.RetrySeconds(wait)
	errhttp.WriteAnswer(w, r, errhttp.Answer{
		Status: http.StatusTooManyRequests, Code: "rate_limited",
		Details: map[string]any{"retry_after": secs}, RetryAfter: secs,
	})
}

// errBadRequest is reported by decode after it wrote the answer.
var errBadRequest = errors.New("handler: bad request")

// Whether a JSON body may be absent.
const (
	bodyRequired = false
	bodyOptional = true
)

// decode reads the JSON body into v: sent as application/json, at most
// MaxJSONBytes, valid UTF-8, one JSON value, no unknown fields. On failure
// it writes the answer and returns errBadRequest:
//
//	415 unsupported_media_type  another Content-Type (or none with a body)
//	413 request_too_large
//	400 invalid_json            with "field" naming an unknown or mistyped
//	                            field, or "reason":"invalid_utf8"
//
// When optional is true, a request without body and without Content-Type
// decodes as {}.
func decode(w http.ResponseWriter, r *http.Request, v any, optional bool) error {
	if !isJSON(r.Header.Get("Content-Type")) {
		if optional && r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
			return nil
		}
		writeError(w, r, http.StatusUnsupportedMediaType, "unsupported_media_type")
		return errBadRequest
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxJSONBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, r, http.StatusRequestEntityTooLarge, "request_too_large")
		return errBadRequest
	case err != nil:
		writeError(w, r, http.StatusBadRequest, "invalid_json")
		return errBadRequest
	case len(bytes.TrimSpace(data)) == 0 && optional:
		return nil
	case !utf8.Valid(data) || !pairedSurrogates(data):
		writeErrorWith(w, r, http.StatusBadRequest, "invalid_json", map[string]any{"reason": "invalid_utf8"})
		return errBadRequest
	}
	if field, err := unmarshalStrict(data, v); err != nil {
		if field != "" {
			writeErrorWith(w, r, http.StatusBadRequest, "invalid_json", map[string]any{"field": field})
		} else {
			writeError(w, r, http.StatusBadRequest, "invalid_json")
		}
		return errBadRequest
	}
	return nil
}

// isJSON reports whether the Content-Type is application/json, with no
// charset or the UTF-8 one.
func isJSON(contentType string) bool {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/json" {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8")
}

// unmarshalStrict decodes exactly one JSON value of data into v,
// refusing unknown fields. On failure it returns the field at fault when
// it is known (an unknown field, or one of the wrong type).
func unmarshalStrict(data []byte, v any) (field string, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = errors.New("trailing data")
		}
	}
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return "", nil
	case errors.As(err, &te):
		return te.Field, err
	}
	// encoding/json names an unknown field only in its message.
	if name, ok := strings.CutPrefix(err.Error(), `json: unknown field "`); ok {
		return strings.TrimSuffix(name, `"`), err
	}
	return "", err
}

// pairedSurrogates reports whether every \u escape of a UTF-16 surrogate
// in the JSON text is half of a high-low pair. encoding/json would
// otherwise turn a lone one into U+FFFD without a word.
func pairedSurrogates(data []byte) bool {
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' || i+1 >= len(data) {
			continue
		}
		if data[i+1] != 'u' {
			i++ // skip the escaped character, which may be a backslash
			continue
		}
		r, ok := hex4(data[i+2:])
		switch {
		case !ok:
			return true // malformed: the decoder refuses it
		case r >= 0xDC00 && r <= 0xDFFF:
			return false
		case r >= 0xD800 && r <= 0xDBFF:
			if len(data) < i+12 || data[i+6] != '\\' || data[i+7] != 'u' {
				return false
			}
			if lo, ok := hex4(data[i+8:]); !ok || lo < 0xDC00 || lo > 0xDFFF {
				return false
			}
			i += 11
		default:
			i += 5
		}
	}
	return true
}

// hex4 parses the four hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 16)
	return rune(n), err == nil
}
