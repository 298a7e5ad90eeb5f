package handler

import (
	"errors"
	"math"
	"net/http"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/account/twofactor"
	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
	"github.com/seed-a97ca23f/usersettings/securitylog"
	"github.com/seed-a97ca23f/usersettings/storage"
	"github.com/seed-a97ca23f/usersettings/token"
	"github.com/seed-a97ca23f/usersettings/verification"
)

// simpleErrors maps sentinel errors of the domain packages to a status and
// an error code, checked in order with errors.Is.
var simpleErrors = []struct {
	err    error
	status int
	code   string
}{
	{account.ErrInvalidEmail, http.StatusUnprocessableEntity, "invalid_email"},
	{account.ErrSSOManaged, http.StatusUnprocessableEntity, "sso_managed"},
	{account.ErrSSORequired, http.StatusUnprocessableEntity, "sso_required"},
	{account.ErrEmailTaken, http.StatusConflict, "email_taken"},
	{account.ErrEmailUnchanged, http.StatusUnprocessableEntity, "email_unchanged"},
	{account.ErrPasswordReused, http.StatusUnprocessableEntity, "password_reused"},
	{account.ErrInvalidCredentials, http.StatusUnprocessableEntity, "invalid_credentials"},
	{account.ErrForbidden, http.StatusForbidden, "forbidden"},
	{verification.ErrInvalidCode, http.StatusUnprocessableEntity, "invalid_code"},
	{token.ErrInvalidName, http.StatusUnprocessableEntity, "invalid_name"},
	{token.ErrNameTaken, http.StatusConflict, "name_taken"},
	{token.ErrInvalidDescription, http.StatusUnprocessableEntity, "invalid_description"},
	{token.ErrNoScope, http.StatusUnprocessableEntity, "no_scope"},
	{token.ErrInvalidExpiry, http.StatusUnprocessableEntity, "invalid_expiry"},
	{token.ErrAccountInactive, http.StatusForbidden, "forbidden"},
	{twofactor.ErrInvalidCode, http.StatusUnprocessableEntity, "invalid_code"},
	{twofactor.ErrInvalidPassword, http.StatusUnprocessableEntity, "invalid_credentials"},
	{twofactor.ErrLocked, http.StatusTooManyRequests, "locked"},
	{twofactor.ErrSSOManaged, http.StatusUnprocessableEntity, "sso_managed"},
	{twofactor.ErrNotEnabled, http.StatusConflict, "not_enabled"},
	{twofactor.ErrAlreadyEnabled, http.StatusConflict, "already_enabled"},
	{twofactor.ErrNoEnrollment, http.StatusConflict, "no_enrollment"},
	{twofactor.ErrInvalidPhone, http.StatusUnprocessableEntity, "invalid_phone"},
	{twofactor.ErrSMSUnavailable, http.StatusConflict, "sms_unavailable"},
	{twofactor.ErrTooSoon, http.StatusTooManyRequests, "too_soon"},
	{profile.ErrChanged, http.StatusPreconditionFailed, "precondition_failed"},
	{securitylog.ErrInvalidCursor, http.StatusBadRequest, "invalid_cursor"},
	{auth.ErrPasswordExpired, http.StatusForbidden, "password_expired"},
	{auth.ErrReauthenticationRequired, http.StatusForbidden, "reauthentication_required"},
	{auth.ErrForbidden, http.StatusForbidden, "forbidden"},
	{storage.ErrNotFound, http.StatusNotFound, "not_found"},
}

// fail writes the answer for an error of a domain service: a 4xx with the
// error code (and details for typed errors) for what the caller did, and
// 500 {"error":"internal"} for anything else, which is logged. Domain
// errors never hold a secret, so logging them is safe.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if h.failTyped(w, err) {
		return
	}
	for _, e := range append(mergeErrors, simpleErrors...) {
		if errors.Is(err, e.err) {
			writeError(w, e.status, e.code)
			return
		}
	}
	h.logger(r).Error("request failed", "route", r.Pattern, "err", err.Error())
	writeError(w, http.StatusInternalServerError, "internal")
}

// failTyped answers the typed errors that carry details.
func (h *Handler) failTyped(w http.ResponseWriter, err error) bool {
	var (
		pe  *password.PolicyError
		ve  *profile.ValidationError
		ie  *profile.IncompleteError
		use *token.UnknownScopeError
		te  *verification.ThrottledError
		ae  *account.ThrottledError
		ne  *notify.InputError
	)
	switch {
	case errors.As(err, &pe):
		v := make([]string, len(pe.Violations))
		for i, x := range pe.Violations {
			v[i] = string(x)
		}
		writeErrorWith(w, http.StatusUnprocessableEntity, "password_policy", map[string]any{"violations": v})
	case errors.As(err, &ve):
		writeErrorWith(w, http.StatusUnprocessableEntity, "invalid_profile", map[string]any{"fields": ve.Fields})
	case errors.As(err, &ie):
		m := make([]string, len(ie.Missing))
		for i, x := range ie.Missing {
			m[i] = string(x)
		}
		writeErrorWith(w, http.StatusUnprocessableEntity, "profile_incomplete", map[string]any{"missing": m})
	case errors.As(err, &use):
		writeErrorWith(w, http.StatusUnprocessableEntity, "unknown_scopes", map[string]any{"scopes": use.Scopes})
	case errors.As(err, &te):
		rateLimited(w, int(math.Ceil(te.RetryAfter.Seconds())))
	case errors.As(err, &ae):
		rateLimited(w, int(math.Ceil(ae.RetryAfter.Seconds())))
	case errors.As(err, &ne):
		writeErrorWith(w, http.StatusUnprocessableEntity, "invalid_input",
			map[string]any{"field": ne.Field, "reason": ne.Reason})
	default:
		return false
	}
	return true
}
