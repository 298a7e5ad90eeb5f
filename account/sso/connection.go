package sso

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/seed-a97ca23f/usersettings/account"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/internal/secret"
)

// Secret is a value that prints, logs and marshals as "[REDACTED]"; call
// Reveal to read it.
type Secret = secret.Secret

// NewSecret wraps a client secret read from configuration.
func NewSecret(s string) Secret { return secret.New(s) }

// LinkPolicy says when the first single sign-on of an address that
// already has a password account takes that account over.
type LinkPolicy string

// Link policies.
const (
	// LinkVerifiedEmail links only when the identity provider asserts
	// that the address is verified (email_verified=true). The default.
	LinkVerifiedEmail LinkPolicy = "verified_email"
	// LinkDomain links on the connection's word: the company proved it
	// owns its domains, so every address on them is taken as verified.
	LinkDomain LinkPolicy = "domain"
	// LinkNever never links: the sign-in is refused with ErrLinkRefused
	// and the password account stays as it is.
	LinkNever LinkPolicy = "never"
)

// Claims names the ID token (or userinfo) claims a connection reads.
type Claims struct {
	Email         string `json:"email"`
	EmailVerified string `json:"email_verified"`
	Name          string `json:"name"`
}

// DefaultClaims are the standard OpenID Connect claim names.
func DefaultClaims() Claims {
	return Claims{Email: "email", EmailVerified: "email_verified", Name: "name"}
}

// Connection is a company that signs its people in through its own
// OpenID Provider. The connection is the company: the addresses on its
// Domains belong to it, cannot use passwords and sign in through it.
type Connection struct {
	// ID names the connection in URLs and on accounts: 1 to 64 of a-z,
	// 0-9, '-' and '_'. Empty on create means a random one.
	ID string
	// Name is the company's name, shown in the accounts overview.
	Name string
	// Domains are the email domains the company owns, lower case. A
	// domain belongs to at most one connection; subdomains are not
	// included.
	Domains []string
	// Issuer is the provider's issuer URL (https; http only for a
	// loopback host, for tests); discovery reads
	// Issuer + "/.well-known/openid-configuration".
	Issuer string
	// ClientID and ClientSecret are the credentials the provider gave
	// this relying party. The secret is only ever held in clear on the
	// way in: it is sealed before it is stored, and connections read back
	// have it empty. An empty secret makes a public client (PKCE only).
	ClientID     string
	ClientSecret Secret
	// Scopes asked for; "openid" is always included. Empty means openid,
	// email and profile.
	Scopes []string
	// Claims maps the provider's claims; zero fields take DefaultClaims.
	Claims Claims
	// Link is the link policy; empty means LinkVerifiedEmail.
	Link      LinkPolicy
	CreatedAt time.Time
	UpdatedAt time.Time
}

// String describes the connection without its secret.
func (c Connection) String() string {
	return fmt.Sprintf("sso.Connection{id=%s name=%q domains=%v issuer=%s}", c.ID, c.Name, c.Domains, c.Issuer)
}

// GoString is String.
func (c Connection) GoString() string { return c.String() }

// ErrInvalidConnection is wrapped by every *ConnectionError.
var ErrInvalidConnection = errs.New(errs.Invalid, "invalid_connection", "sso: invalid connection")

// ConnectionError says which field of a Connection is wrong and why. It
// wraps ErrInvalidConnection.
type ConnectionError struct {
	Field  string // "id", "name", "domains", "issuer", "client_id", "scopes", "claims", "link"
	Reason string
}

// Error names the field and the reason.
func (e *ConnectionError) Error() string {
	return "sso: invalid connection " + e.Field + ": " + e.Reason
}

// Unwrap returns ErrInvalidConnection.
func (e *ConnectionError) Unwrap() error { return ErrInvalidConnection }

// Details returns the field and the reason.
func (e *ConnectionError) Details() map[string]any {
	return map[string]any{"field": e.Field, "reason": e.Reason}
}

// Normalize returns c with its defaults filled in and its domains and
// scopes in canonical form (lower case, sorted, without duplicates;
// "openid" first), then checks it. It returns a *ConnectionError for the
// first field that is wrong. It is pure.
func Normalize(c Connection) (Connection, error) {
	c.Name = strings.TrimSpace(c.Name)
	c.Issuer = strings.TrimSpace(c.Issuer)
	c.ClientID = strings.TrimSpace(c.ClientID)
	doms := make([]string, 0, len(c.Domains))
	for _, d := range c.Domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if !validDomain(d) {
			return c, &ConnectionError{"domains", fmt.Sprintf("%q is not a domain name", d)}
		}
		doms = append(doms, d)
	}
	slices.Sort(doms)
	c.Domains = slices.Compact(doms)
	c.Scopes = normalScopes(c.Scopes)
	def := DefaultClaims()
	c.Claims.Email = cmpOr(strings.TrimSpace(c.Claims.Email), def.Email)
	c.Claims.EmailVerified = cmpOr(strings.TrimSpace(c.Claims.EmailVerified), def.EmailVerified)
	c.Claims.Name = cmpOr(strings.TrimSpace(c.Claims.Name), def.Name)
	if c.Link == "" {
		c.Link = LinkVerifiedEmail
	}
	return c, check(c)
}

func check(c Connection) error {
	switch {
	case c.ID != "" && !validID(c.ID):
		return &ConnectionError{"id", "use 1 to 64 of a-z, 0-9, '-' and '_'"}
	case c.Name == "" || len(c.Name) > 200:
		return &ConnectionError{"name", "give the company's name, at most 200 bytes"}
	case len(c.Domains) == 0:
		return &ConnectionError{"domains", "give at least one email domain"}
	case c.ClientID == "":
		return &ConnectionError{"client_id", "required"}
	case c.Link != LinkVerifiedEmail && c.Link != LinkDomain && c.Link != LinkNever:
		return &ConnectionError{"link", fmt.Sprintf("%q is not verified_email, domain or never", c.Link)}
	}
	for _, s := range c.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n\"\\") {
			return &ConnectionError{"scopes", fmt.Sprintf("%q is not a scope", s)}
		}
	}
	return checkIssuer(c.Issuer)
}

// checkIssuer accepts an absolute https URL without query or fragment, or
// http for a loopback host.
func checkIssuer(issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return &ConnectionError{"issuer", "give the provider's issuer URL"}
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if loopback(u.Hostname()) {
			return nil
		}
	}
	return &ConnectionError{"issuer", "the issuer must use https (http only on a loopback host)"}
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validDomain accepts a lower-case domain name of at least two labels,
// as NormalizeEmail leaves it.
func validDomain(d string) bool {
	n, err := account.NormalizeEmail("x@" + d)
	return err == nil && n == "x@"+d && strings.Contains(d, ".")
}

func validID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := range len(id) {
		c := id[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// normalScopes puts "openid" first and drops duplicates; empty means
// openid, email and profile.
func normalScopes(in []string) []string {
	if len(in) == 0 {
		return []string{"openid", "email", "profile"}
	}
	out := []string{"openid"}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// domainOf returns the domain of a normalised address.
func domainOf(email string) string {
	return email[strings.LastIndexByte(email, '@')+1:]
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
