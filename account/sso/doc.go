// Package sso lets a company bring its own identity provider: single
// sign-on with OpenID Connect, accounts made just in time, and safe
// linking of the accounts its people already had.
//
// # Connections
//
// A Connection is a company: its name, the email domains it owns (a
// domain belongs to at most one connection), its OpenID Provider's issuer,
// the client ID and secret the provider gave this relying party, the
// scopes, the claim names and a LinkPolicy. Manage them with
// Service.CreateConnection, UpdateConnection and DeleteConnection. The
// client secret is sealed with the host's key (AES-256-GCM, as TOTP
// secrets are) before it is stored, and never read back in clear.
//
// The connection is also the company: Companies is an
// account.CompanyResolver that finds the company of an address by its
// domain, so the account service refuses passwords (sign-in, change,
// reset) and "Create Account" for the company's addresses, and the
// accounts overview shows them as single sign-on.
//
// # Signing in
//
// Service.Start takes the person's address (or a connection ID) and a
// relative return path, stores the flow server-side (single use, ten
// minutes) and returns the provider's authorization URL for the
// authorization code flow with PKCE (S256), state and nonce. The provider
// sends the browser back to Config.RedirectURL; Service.Callback takes
// that query, exchanges the code (golang.org/x/oauth2), verifies the ID
// token with github.com/coreos/go-oidc/v3 (signature through the
// provider's JWKS with the algorithms of its discovery document, issuer,
// audience, expiry, nonce; alg=none never passes), maps the claims and
// returns a SignIn: the account, Method "sso" and the connection. The
// host then starts a session (session.Service.Start). Every failure is an
// error of this package and leaves nothing behind.
//
// The first sign-in of an address creates its account just in time,
// without a password and with a new empty profile: the "regular sign-up"
// of an SSO company's people, who then merge that profile into an older
// one with the normal merge flow (package merge; the code is mailed to the
// SSO address). The next sign-in of an address that already has a
// password account links that account and retires its password, as the
// connection's LinkPolicy allows: LinkVerifiedEmail (the default) needs
// the provider to assert email_verified=true, LinkDomain trusts the
// company's domains, LinkNever refuses with ErrLinkRefused. A link is
// recorded in the history and the address gets a notice.
//
// # Leavers
//
// Deactivating an account (account.Service.Deactivate) ends its sessions
// and stops its tokens at once; its next single sign-on is refused.
// Service.BackChannelLogout takes an OpenID Connect Back-Channel Logout
// 1.0 token from the provider and ends the sessions of its subject.
//
// Package ssotest runs a real OpenID Provider in-process for tests and
// examples.
package sso
