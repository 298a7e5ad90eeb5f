package token

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/seed-a97ca23f/usersettings/errs"
)

// MaxPrefixLen is the longest prefix a Scheme may give tokens or API keys.
const MaxPrefixLen = 16

// ErrInvalidScheme means a Scheme field is not usable: a prefix that is
// empty after defaulting, too long or not made of letters, digits, '_'
// and '-', two equal prefixes, an Authorization scheme or header name that
// is not an HTTP token, or API-key headers that collide. Scheme.Check
// wraps it with the field at fault.
var ErrInvalidScheme = errs.New(errs.Invalid, "invalid_token_scheme", "token: invalid credential scheme")

// Scheme is how credentials look on the wire: the prefixes of the
// secrets, the Authorization scheme that carries a personal access token
// and the two headers that carry an API key. Every empty field means its
// default (DefaultScheme): "mxtoken", "mxp_", "mxk_", "Mendix-Username" and
// "Mendix-ApiKey". A host sets it once in Config.Scheme (or
// usersettings.Options.TokenScheme); the middleware of a Service then
// follows it without options.
//
// The prefix is part of the secret: the service stores the digest of the
// whole secret, so the tokens and keys issued under one prefix stop
// working when it changes. The checksum covers the random part only and
// does not depend on the prefix.
type Scheme struct {
	// Authorization is the scheme of "Authorization: <scheme> <PAT>",
	// matched without case (default AuthScheme, "mxtoken").
	Authorization string
	// TokenPrefix starts every personal access token (default
	// TokenPrefix, "mxp_"): 1–MaxPrefixLen letters, digits, '_' or '-'.
	TokenPrefix string
	// APIKeyPrefix starts every API key (default APIKeyPrefix, "mxk_"),
	// with the rules of TokenPrefix; it must differ from TokenPrefix.
	APIKeyPrefix string
	// UsernameHeader carries the login email that goes with an API key
	// (default DefaultUsernameHeader, "Mendix-Username").
	UsernameHeader string
	// APIKeyHeader carries the API key (default DefaultAPIKeyHeader,
	// "Mendix-ApiKey"). The two header names differ, case aside, from
	// each other and from "Authorization".
	APIKeyHeader string
}

// DefaultScheme returns the scheme with every default filled in:
// "Authorization: mxtoken mxp_…", API keys "mxk_…" in Mendix-ApiKey with
// the login email in Mendix-Username.
func DefaultScheme() Scheme {
	return Scheme{
		Authorization:  AuthScheme,
		TokenPrefix:    TokenPrefix,
		APIKeyPrefix:   APIKeyPrefix,
		UsernameHeader: DefaultUsernameHeader,
		APIKeyHeader:   DefaultAPIKeyHeader,
	}
}

// withDefaults fills the empty fields and canonicalises the header
// names.
func (s Scheme) withDefaults() Scheme {
	d := DefaultScheme()
	s.Authorization = cmpOrString(s.Authorization, d.Authorization)
	s.TokenPrefix = cmpOrString(s.TokenPrefix, d.TokenPrefix)
	s.APIKeyPrefix = cmpOrString(s.APIKeyPrefix, d.APIKeyPrefix)
	s.UsernameHeader = http.CanonicalHeaderKey(cmpOrString(s.UsernameHeader, d.UsernameHeader))
	s.APIKeyHeader = http.CanonicalHeaderKey(cmpOrString(s.APIKeyHeader, d.APIKeyHeader))
	return s
}

func cmpOrString(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// Check returns nil when the scheme, its empty fields defaulted, is
// usable, and otherwise an error wrapping ErrInvalidScheme that names the
// field at fault.
func (s Scheme) Check() error {
	s = s.withDefaults()
	bad := func(field, why string) error {
		return fmt.Errorf("%w: %s %s", ErrInvalidScheme, field, why)
	}
	switch {
	case !validPrefix(s.TokenPrefix):
		return bad("TokenPrefix", fmt.Sprintf("must be 1–%d letters, digits, '_' or '-'", MaxPrefixLen))
	case !validPrefix(s.APIKeyPrefix):
		return bad("APIKeyPrefix", fmt.Sprintf("must be 1–%d letters, digits, '_' or '-'", MaxPrefixLen))
	case s.TokenPrefix == s.APIKeyPrefix:
		return bad("APIKeyPrefix", "must differ from TokenPrefix")
	case !httpToken(s.Authorization, 32):
		return bad("Authorization", "must be an HTTP token of at most 32 characters")
	case !httpToken(s.UsernameHeader, 64):
		return bad("UsernameHeader", "must be an HTTP header name of at most 64 characters")
	case !httpToken(s.APIKeyHeader, 64):
		return bad("APIKeyHeader", "must be an HTTP header name of at most 64 characters")
	case s.UsernameHeader == s.APIKeyHeader:
		return bad("APIKeyHeader", "must differ from UsernameHeader")
	case s.UsernameHeader == "Authorization" || s.APIKeyHeader == "Authorization":
		return bad("UsernameHeader and APIKeyHeader", "must not be Authorization")
	}
	return nil
}

// normalized returns the scheme with its defaults, or panics with the
// error of Check: the constructors that cannot return an error
// (NewService, the middleware) treat a bad scheme as a programming error.
func (s Scheme) normalized() Scheme {
	if err := s.Check(); err != nil {
		panic(err.Error())
	}
	return s.withDefaults()
}

// validPrefix reports whether p is 1–MaxPrefixLen characters from
// [A-Za-z0-9_-].
func validPrefix(p string) bool {
	if p == "" || len(p) > MaxPrefixLen {
		return false
	}
	for i := 0; i < len(p); i++ {
		if digitOf[p[i]] == 0 && p[i] != '_' && p[i] != '-' {
			return false
		}
	}
	return true
}

// httpToken reports whether s is an RFC 9110 token (the syntax of an
// authentication scheme and of a header name) of 1–maxLen characters.
func httpToken(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if digitOf[c] == 0 && !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// Prefix returns the prefix of the kind's secrets under the scheme ("" for
// an invalid kind).
func (s Scheme) Prefix(k Kind) string {
	switch k {
	case KindToken:
		return cmpOrString(s.TokenPrefix, TokenPrefix)
	case KindAPIKey:
		return cmpOrString(s.APIKeyPrefix, APIKeyPrefix)
	}
	return ""
}

// Parse is the package's Parse for the scheme's prefixes: it checks the
// format of a token or API key offline and returns its kind, without a
// store, a clock or an allocation.
func (s Scheme) Parse(secret string) (Kind, bool) {
	return s.format().parse(secret)
}

// Generate is the package's Generate with the scheme's prefixes.
func (s Scheme) Generate(r io.Reader, k Kind) (Secret, error) {
	return generate(r, k, s.Prefix(k))
}

// ParseAuthorization is the package's ParseAuthorization for the
// scheme's Authorization scheme.
func (s Scheme) ParseAuthorization(v string) (string, bool) {
	return parseAuthorization(cmpOrString(s.Authorization, AuthScheme), v)
}

// format returns the two prefixes Parse compares.
func (s Scheme) format() format {
	return format{token: s.Prefix(KindToken), key: s.Prefix(KindAPIKey)}
}
