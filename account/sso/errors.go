package sso

import (
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/storage"
)

// Errors of the Service. Check them with errors.Is. Every failure of a
// sign-in is one of them and leaves nothing behind: the flow is used up,
// no account is created or changed.
var (
	// ErrUnknownConnection means no connection has the ID, or no
	// connection owns the address's domain. It also matches
	// storage.ErrNotFound.
	ErrUnknownConnection = storage.NotFoundCode("sso_unknown_connection", "sso: unknown connection")
	// ErrDomainTaken means a domain of the connection, or its ID, belongs
	// to another connection.
	ErrDomainTaken = errs.New(errs.Conflict, "domain_taken", "sso: domain or id taken by another connection")
	// ErrNotConfigured means the Service has no RedirectURL, so it cannot
	// start a sign-in.
	ErrNotConfigured = errs.New(errs.NotFound, "sso_not_configured", "sso: no redirect URL configured")
	// ErrInvalidReturnTo means the return address is not a relative path
	// of this site (an open redirect is refused).
	ErrInvalidReturnTo = errs.New(errs.Invalid, "invalid_return_to", "sso: return_to must be a relative path")
	// ErrInvalidEmail means the address given to Start is malformed.
	ErrInvalidEmail = errs.New(errs.Invalid, "invalid_email", "sso: invalid email address")
	// ErrInvalidState means the callback's state names no live flow of
	// this browser: unknown, already used (a replay), older than FlowTTL,
	// or started in another browser.
	ErrInvalidState = errs.New(errs.Malformed, "sso_invalid_state", "sso: unknown, used or expired sign-in state")
	// ErrNotBound means the callback came without the binding of the
	// browser that started the sign-in (its cookie): someone else's
	// sign-in was sent to this browser, or cookies are off. Nothing is
	// used up or changed.
	ErrNotBound = errs.New(errs.Malformed, "sso_not_bound", "sso: the sign-in was not started in this browser")
	// ErrProviderError means the provider sent the browser back with an
	// error (the person cancelled, say) instead of a code.
	ErrProviderError = errs.New(errs.Forbidden, "sso_denied", "sso: the identity provider refused the sign-in")
	// ErrProviderUnavailable means the provider's discovery document or
	// userinfo endpoint could not be read.
	ErrProviderUnavailable = errs.New(errs.Upstream, "sso_provider_unavailable", "sso: identity provider unavailable")
	// ErrExchange means the provider refused to exchange the code for
	// tokens (wrong code or verifier, wrong client credentials).
	ErrExchange = errs.New(errs.Upstream, "sso_exchange_failed", "sso: code exchange failed")
	// ErrInvalidIDToken means the ID token is missing or failed
	// verification: signature (through the provider's JWKS, with the
	// algorithms of its discovery document; alg=none is never accepted),
	// issuer, audience or expiry.
	ErrInvalidIDToken = errs.New(errs.Malformed, "sso_invalid_id_token", "sso: invalid ID token")
	// ErrNonce means the ID token's nonce is not the one of this flow: a
	// token of another sign-in, replayed.
	ErrNonce = errs.New(errs.Malformed, "sso_invalid_id_token", "sso: ID token nonce does not match the sign-in")
	// ErrClaims means the provider's claims lack an email address, or the
	// userinfo answer is of another subject.
	ErrClaims = errs.New(errs.Malformed, "sso_invalid_claims", "sso: missing or inconsistent claims")
	// ErrEmailDomain means the asserted address is not on a domain of
	// the connection: a provider speaks only for its company's domains.
	ErrEmailDomain = errs.New(errs.Forbidden, "sso_email_domain", "sso: address not on a domain of the connection")
	// ErrEmailNotVerified means an existing password account would be
	// linked, but the provider did not assert email_verified=true and the
	// connection's policy is verified_email.
	ErrEmailNotVerified = errs.New(errs.Forbidden, "sso_email_not_verified", "sso: address not verified by the identity provider")
	// ErrLinkRefused means an existing password account would be linked,
	// but the connection's policy is never.
	ErrLinkRefused = errs.New(errs.Forbidden, "sso_link_refused", "sso: linking an existing account is not allowed")
	// ErrIdentityMismatch means the address's account is bound to another
	// identity (another subject, or another connection): the provider
	// gave the address to someone else, and the account is not handed
	// over.
	ErrIdentityMismatch = errs.New(errs.Forbidden, "sso_identity_mismatch", "sso: the account belongs to another identity")
	// ErrAccountInactive means the account is deactivated.
	ErrAccountInactive = errs.New(errs.Forbidden, "sso_account_inactive", "sso: account deactivated")
	// ErrInvalidLogoutToken means a back-channel logout token failed
	// verification or lacks what OpenID Connect Back-Channel Logout 1.0
	// requires (the logout event, a subject, no nonce).
	ErrInvalidLogoutToken = errs.New(errs.Malformed, "invalid_request", "sso: invalid logout token")
)
