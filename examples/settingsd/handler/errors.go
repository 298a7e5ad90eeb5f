package handler

import (
	"net/http"

	"github.com/seed-a97ca23f/usersettings/errs/errhttp"
)

// fail writes the answer for an error of a domain service through
// errhttp, the SDK's one mapping: the status of the error's kind, its
// public code and details (and Retry-After) for what the caller did, and
// 500 {"error":"internal"} for anything else, which is logged, as is a
// 503 (the database unreachable, the disk full). Domain errors never hold
// a secret, so logging them is safe.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch a := errhttp.Write(w, r, err); a.Status {
	case http.StatusInternalServerError:
		h.logger(r).Error("request failed", "route", r.Pattern, "err", err.Error())
	case http.StatusServiceUnavailable:
		h.logger(r).Warn("service unavailable", "route", r.Pattern, "err", err.Error())
	}
}
