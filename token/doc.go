// Package token implements personal access tokens (PATs), API keys and
// the net/http middleware that authenticates requests with them.
//
// A host registers the scopes its services support in a Registry, builds
// a Service over its storage adapter, and wraps its API handlers:
//
//	reg := token.NewRegistry(token.Scope{Name: "projects:read", Description: "Read projects"})
//	svc := token.NewService(token.Config{Store: st, Accounts: st, Tx: st, History: st, Scopes: reg})
//	tok, secret, err := svc.Create(ctx, caller, "CI pipeline", []string{"projects:read"}) // caller: an auth.Caller signed in within the hour
//	// show secret.Reveal() once; tok holds only metadata
//	api := token.Middleware(svc, token.RequireScopes("projects:read")(handler))
//
// # Format
//
// Secrets are "mxp_" (tokens) or "mxk_" (API keys), 32 base62 characters
// from crypto/rand and a 6-character base62 CRC-32 of the random part.
// Parse rejects a wrong prefix, length, alphabet or checksum offline, in
// well under 100 ns without allocating, so garbage never reaches the
// store. Only the SHA-256 digest and the last four characters are stored;
// Secret prints as "[REDACTED]" everywhere except Reveal.
//
// # Scheme
//
// The prefixes, the Authorization scheme ("mxtoken") and the API-key
// headers ("Mendix-Username", "Mendix-ApiKey") are the defaults of a
// Scheme. A host with its own names sets Config.Scheme once; the
// service issues and accepts secrets with its prefixes, and Middleware,
// APIKeyMiddleware and AnyMiddleware read its scheme and headers without
// options (WithScheme, WithAuthScheme and WithAPIKeyHeaders override
// them for one handler). The checksum covers the random part only, so
// Scheme.Parse is as pure and fast as Parse; a prefix change invalidates
// the secrets issued before it, whose stored digests cover the prefix.
//
// # Validation
//
// Service.Validate is the hot path: an offline Parse, then one store
// lookup by digest that returns the token joined with its account's
// status and profile, so deactivating or deleting an account blocks its
// tokens on the next request. Every refused token gets the same
// ErrInvalidToken, and every refused request the same 403 {"error":""}.
// LastUsedAt is written at most once per LastUsedInterval per token.
//
// # Callers
//
// The management methods (Create, List, Delete, the API-key ones) act for
// an auth.Caller on the caller's own account; another account's token or
// key answers storage.ErrNotFound like an unknown one. Creating a token
// or key is sensitive: it needs a recent sign-in. Principal.Caller turns a
// validated token or API key into a caller for the SDK's services, which
// refuse it every settings, credential and personal-data operation with
// auth.ErrForbidden, whatever its scopes: scopes are for the host's own
// API, never a way into the person's settings.
//
// API keys (Service.ValidateAPIKey, APIKeyMiddleware) are presented with
// the login email of their account; successful validations are cached for
// a bounded TTL, see ValidateAPIKey for the consistency this gives.
package token
