// Package errs is the one error vocabulary of the SDK. Every error a
// service returns matches exactly one Kind under errors.Is and carries a
// stable public Code, the string an HTTP layer answers ("invalid_code",
// "password_policy", "reauthentication_required"). Front ends and hosts
// switch on kinds and codes; they never re-decide a rule.
//
// A package declares its sentinel errors with New:
//
//	var ErrNameTaken = errs.New(errs.Conflict, "name_taken", "token: name already used")
//
// and checks them with errors.Is, as before. An error that carries
// details for the caller (the violations of a password, the fields of
// invalid input) is a typed error that wraps such a sentinel (Unwrap)
// and implements Detailer; a refusal that may be retried later wraps one
// in a *RetryError. KindOf and CodeOf read any error, wrapped or not;
// package errs/errhttp turns one into an HTTP answer.
//
// # Errors
//
// A code is a stable snake_case string, the "error" field of settingsd's
// answers; a host may switch on it. Each package's doc comments name its
// sentinels; the codes by kind (and so by HTTP status in errhttp) are:
//
//   - Invalid (422): invalid_code (ErrInvalidCode, the one invalid-code
//     error of every package), invalid_email, invalid_credentials (a
//     wrong current password), password_policy {violations},
//     password_reused, invalid_profile {fields}, profile_incomplete
//     {missing}, unknown_scopes {scopes}, invalid_input {field, reason},
//     invalid_name, invalid_description, no_scope, invalid_expiry,
//     invalid_phone, invalid_choice, same_profile, sso_required,
//     sso_managed, invalid_return_to, email_unchanged,
//     invalid_password_hash, invalid_session_id, invalid_token_scheme.
//   - Malformed (400): invalid_cursor, invalid_request, sso_invalid_state,
//     sso_not_bound, sso_invalid_id_token, sso_invalid_claims.
//   - NotFound (404): not_found (everything that matches
//     storage.ErrNotFound), sso_unknown_connection, sso_not_configured.
//   - Conflict (409): email_taken, name_taken, already_enabled,
//     not_enabled, no_enrollment, sms_unavailable, flow_invalid,
//     profile_changed, conflict (storage.ErrConflict).
//   - Expired (409): flow_expired, pending_expired.
//   - Unauthenticated (401): unauthenticated, invalid_credentials (a
//     refused sign-in), second_factor_required.
//   - Forbidden (403): forbidden, sso_denied, sso_email_domain,
//     sso_email_not_verified, sso_link_refused, sso_identity_mismatch,
//     sso_account_inactive, password_expired (only the password change
//     is open).
//   - ReauthRequired (403): reauthentication_required.
//   - Throttled (429): rate_limited {retry_after}, too_soon {retry_after},
//     locked.
//   - Precondition (412): precondition_failed.
//   - Unavailable (503): unavailable.
//   - Upstream (502): sso_provider_unavailable, sso_exchange_failed.
//   - Internal (500): a host's mistake or a failure below the SDK; its
//     code is for logs, and an HTTP answer says only "internal".
//
// Wrapping keeps the kind and the code: a package adds what it was doing
// in front, fmt.Errorf("pkg: doing x: %w", err), never behind.
//
// errs is a leaf: it imports only the standard library.
package errs

import (
	"context"
	"errors"
	"time"
)

// Kind is the class of an error: what its caller can do about it. A Kind
// is itself an error, so that errors.Is(err, errs.NotFound) asks whether
// err is of that kind.
type Kind uint8

// The kinds. Internal is the zero Kind: an error that is none of the
// others, a bug or a failure below the SDK, which a caller cannot mend.
const (
	// Internal: a bug or an unexpected failure; never shown in detail.
	Internal Kind = iota
	// Invalid: the input breaks a rule (a malformed address, a password
	// against the policy, a wrong code); fix it and retry.
	Invalid
	// Malformed: the request itself cannot be understood (a cursor, a
	// state or a token this server did not make).
	Malformed
	// NotFound: no such thing, or not the caller's (the two look alike,
	// so nothing is enumerated).
	NotFound
	// Conflict: the request conflicts with the current state (a taken
	// name, a feature already on, a flow at another step).
	Conflict
	// Unauthenticated: the caller is not signed in, or the credentials
	// are wrong.
	Unauthenticated
	// Forbidden: the caller may not do this at all (another person's
	// data, a token on the settings, an expired password).
	Forbidden
	// ReauthRequired: the caller signed in too long ago for a sensitive
	// operation; re-authenticate and retry.
	ReauthRequired
	// Throttled: too many attempts; retry after a while (*RetryError says
	// how long).
	Throttled
	// Precondition: a precondition of the request failed (the version it
	// was read at changed).
	Precondition
	// Expired: what the request continues (a flow, a code) is too old;
	// start again.
	Expired
	// Unavailable: the SDK or its store cannot serve now; retry later.
	Unavailable
	// Upstream: a service the SDK depends on (an identity provider)
	// failed or refused.
	Upstream
)

// Kinds lists every kind, Internal first.
var Kinds = []Kind{Internal, Invalid, Malformed, NotFound, Conflict, Unauthenticated, Forbidden,
	ReauthRequired, Throttled, Precondition, Expired, Unavailable, Upstream}

var kindNames = [...]string{
	Internal: "internal", Invalid: "invalid", Malformed: "malformed", NotFound: "not found",
	Conflict: "conflict", Unauthenticated: "unauthenticated", Forbidden: "forbidden",
	ReauthRequired: "re-authentication required", Throttled: "throttled",
	Precondition: "precondition failed", Expired: "expired", Unavailable: "unavailable",
	Upstream: "upstream failure",
}

// String names the kind, for people.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "internal"
}

// Error makes a Kind an error, the target of errors.Is.
func (k Kind) Error() string { return "errs: " + k.String() }

// Code returns the public code of an error of the kind that has no code
// of its own.
func (k Kind) Code() string {
	switch k {
	case Invalid:
		return "invalid_input"
	case Malformed:
		return "invalid_request"
	case NotFound:
		return "not_found"
	case Conflict:
		return "conflict"
	case Unauthenticated:
		return "unauthenticated"
	case Forbidden:
		return "forbidden"
	case ReauthRequired:
		return "reauthentication_required"
	case Throttled:
		return "rate_limited"
	case Precondition:
		return "precondition_failed"
	case Expired:
		return "expired"
	case Unavailable:
		return "unavailable"
	case Upstream:
		return "upstream_failed"
	}
	return "internal"
}

// Error is an error of the vocabulary: a kind, a public code and a
// message for logs. Its message never holds a secret or a personal value.
type Error struct {
	// Kind is what the caller can do about it.
	Kind Kind
	// Code is the stable public code, in snake_case.
	Code string
	// Msg is "package: what went wrong", for logs.
	Msg string
	// Err is the cause, or nil.
	Err error
}

// New returns a sentinel error of the kind with the public code and the
// message.
func New(kind Kind, code, msg string) *Error { return &Error{Kind: kind, Code: code, Msg: msg} }

// Error returns the message, followed by the cause's.
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the error's Kind.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k == e.Kind
}

// Wrap returns an error of the kind and code with a message and a cause:
// for an error the package does not declare as a sentinel.
func Wrap(kind Kind, code, msg string, cause error) *Error {
	return &Error{Kind: kind, Code: code, Msg: msg, Err: cause}
}

// Detailer is an error that carries details for its caller beyond the
// code: the fields of invalid input, the violations of a password. The
// keys are snake_case and the values marshal to JSON; they never hold a
// secret.
type Detailer interface {
	Details() map[string]any
}

// RetryError is a refusal that may be retried after a while: throttled
// sign-ins, codes asked for too often, a second factor locked, merges
// started too often. It wraps the sentinel of the refusal (errors.Is
// matches it and its kind, Throttled) and says how long to wait.
type RetryError struct {
	// Err is the sentinel of the refusal, of kind Throttled.
	Err *Error
	// After is how long until a retry may succeed; 0 when unknown.
	After time.Duration
}

// Retry returns the refusal err, which may be retried after d.
func Retry(err *Error, d time.Duration) *RetryError { return &RetryError{Err: err, After: d} }

// Error returns the sentinel's message.
func (e *RetryError) Error() string { return e.Err.Error() }

// Unwrap returns the sentinel.
func (e *RetryError) Unwrap() error { return e.Err }

// Details returns retry_after, in whole seconds (at least 1).
func (e *RetryError) Details() map[string]any {
	return map[string]any{"retry_after": RetrySeconds(e.After)}
}

// RetrySeconds rounds d up to whole seconds, at least 1: the value of a
// Retry-After header.
func RetrySeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(1, s)
}

// The errors of the vocabulary itself, shared by every package.
var (
	// ErrInvalidCode means a one-time code (emailed, texted, from an
	// authenticator, or a recovery code) is wrong, expired or used up:
	// the caller cannot tell which.
	ErrInvalidCode = New(Invalid, "invalid_code", "invalid code")
	// ErrUnavailable means the store or a dependency cannot serve now.
	ErrUnavailable = New(Unavailable, "unavailable", "unavailable")
)

// As returns the first *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// KindOf returns the kind of err: that of the first *Error in its chain;
// Unavailable for a cancelled or timed-out context; Internal for nil and
// for any other error.
func KindOf(err error) Kind {
	if e := As(err); e != nil {
		return e.Kind
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return Unavailable
	}
	return Internal
}

// CodeOf returns the public code of err: that of the first *Error in its
// chain with a code, else its kind's.
func CodeOf(err error) string {
	for e := As(err); e != nil; e = As(e.Err) {
		if e.Code != "" {
			return e.Code
		}
	}
	return KindOf(err).Code()
}

// DetailsOf returns the details of the first Detailer in err's chain, or
// nil.
func DetailsOf(err error) map[string]any {
	var d Detailer
	if errors.As(err, &d) {
		return d.Details()
	}
	return nil
}

// RetryAfter returns how long to wait before retrying err, and whether
// err says so.
func RetryAfter(err error) (time.Duration, bool) {
	var r *RetryError
	if errors.As(err, &r) {
		return r.After, true
	}
	return 0, false
}
