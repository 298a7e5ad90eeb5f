package profile

import (
	"net/mail"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CheckTwitterURL validates a Twitter (X) profile URL and returns it in
// canonical form: https, host twitter.com or x.com (optionally www.), and a
// path that is one handle of 1–15 letters, digits or underscores, with no
// user info, port, query or fragment. An empty string is valid and clears
// the field. Errors are *ValidationError for FieldTwitterURL.
func CheckTwitterURL(raw string) (string, error) {
	s, reason := twitterURL(raw)
	return checked(FieldTwitterURL, s, reason)
}

// CheckLinkedInURL validates a LinkedIn URL and returns it in canonical
// form: https, host linkedin.com, www.linkedin.com or a country subdomain
// such as nl.linkedin.com, and a path /in/<name> or /company/<name>, with
// no user info, port, query or fragment. An empty string is valid and
// clears the field. Errors are *ValidationError for FieldLinkedInURL.
func CheckLinkedInURL(raw string) (string, error) {
	s, reason := linkedInURL(raw)
	return checked(FieldLinkedInURL, s, reason)
}

// CheckEmail validates a recovery email address: one plain address
// (local@domain, no display name or angle brackets), at most MaxEmailLen
// bytes, with a domain of at least two labels. It returns it with the domain
// in lower case. An empty string is valid and clears the field. Errors are
// *ValidationError for FieldRecoveryEmail.
func CheckEmail(raw string) (string, error) {
	s, reason := email(raw)
	return checked(FieldRecoveryEmail, s, reason)
}

func checked(field, s, reason string) (string, error) {
	if reason != "" {
		e := &ValidationError{}
		e.add(field, reason)
		return "", e
	}
	return s, nil
}

// httpsURL parses raw as an absolute https URL without user info, port,
// query or fragment, and returns it with its host in lower case.
func httpsURL(raw string) (*url.URL, string) {
	if len(raw) > MaxURLLen || !utf8.ValidString(raw) {
		return nil, ReasonInvalidURL
	}
	for _, r := range raw {
		if r <= ' ' || r == '\\' || r == 0x7f || unicode.IsSpace(r) || forbidden(r) {
			return nil, ReasonInvalidURL
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return nil, ReasonInvalidURL
	}
	if u.Scheme != "https" {
		return nil, ReasonNotHTTPS
	}
	if u.User != nil || strings.Contains(u.Host, ":") || strings.ContainsAny(raw, "?#") {
		return nil, ReasonInvalidURL
	}
	u.Host = strings.ToLower(u.Host)
	return u, ""
}

func twitterURL(raw string) (string, string) {
	if raw = strings.TrimSpace(raw); raw == "" {
		return "", ""
	}
	u, reason := httpsURL(raw)
	if reason != "" {
		return "", reason
	}
	switch u.Host {
	case "twitter.com", "www.twitter.com", "x.com", "www.x.com":
	default:
		return "", ReasonWrongHost
	}
	handle, ok := strings.CutPrefix(strings.TrimSuffix(u.EscapedPath(), "/"), "/")
	if !ok || len(handle) < 1 || len(handle) > 15 || !isHandle(handle) {
		return "", ReasonInvalidURL
	}
	return "https://" + u.Host + "/" + handle, ""
}

func isHandle(s string) bool {
	for _, r := range s {
		if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func linkedInURL(raw string) (string, string) {
	if raw = strings.TrimSpace(raw); raw == "" {
		return "", ""
	}
	u, reason := httpsURL(raw)
	if reason != "" {
		return "", reason
	}
	if !linkedInHost(u.Host) {
		return "", ReasonWrongHost
	}
	parts := strings.Split(strings.TrimSuffix(u.Path, "/"), "/")
	if len(parts) != 3 || parts[0] != "" || (parts[1] != "in" && parts[1] != "company") {
		return "", ReasonInvalidURL
	}
	name := parts[2]
	if n := utf8.RuneCountInString(name); n < 2 || n > 100 || !isSlug(name) {
		return "", ReasonInvalidURL
	}
	canon := url.URL{Scheme: "https", Host: u.Host, Path: "/" + parts[1] + "/" + name}
	return canon.String(), ""
}

// linkedInHost accepts linkedin.com, www.linkedin.com and two-letter
// country subdomains (nl.linkedin.com).
func linkedInHost(h string) bool {
	sub, ok := strings.CutSuffix(h, ".linkedin.com")
	if !ok {
		return h == "linkedin.com"
	}
	return sub == "www" || len(sub) == 2 && isLower(sub[0]) && isLower(sub[1])
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }

// isSlug reports a LinkedIn public name: letters, digits, '-' and '_'.
func isSlug(s string) bool {
	for _, r := range s {
		if !(r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

func email(raw string) (string, string) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", ""
	}
	if len(s) > MaxEmailLen || !utf8.ValidString(s) {
		return "", ReasonInvalidEmail
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", ReasonInvalidEmail
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if !validDomain(domain) {
		return "", ReasonInvalidEmail
	}
	return local + "@" + domain, ""
}

// validDomain accepts host names of at least two labels of letters,
// digits and inner hyphens, each 1–63 bytes; no IP literals.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return false
			}
		}
	}
	return true
}
