package main

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// passkeyParty returns the WebAuthn relying party of the server as
// browsers reach it (-public-url, default http://<addr>): the URL's host
// is the relying-party ID and its origin the one origin passkey
// ceremonies may come from. Browsers and the SDK refuse an IP address as
// a relying-party ID, so a URL whose host is one (the default
// http://127.0.0.1:8080) leaves passkeys off: rpID is empty and why
// says so. Reach the server by a name instead (-public-url
// http://localhost:8080, or its https:// name behind a proxy).
func passkeyParty(c config) (rpID string, origins []string, why string) {
	base := c.publicURL
	if base == "" {
		base = "http://" + c.addr
	}
	u, err := url.Parse(base)
	if err != nil || u.Hostname() == "" {
		return "", nil, fmt.Sprintf("%q is no URL with a host", base)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if _, err := netip.ParseAddr(host); err == nil {
		return "", nil, "the public URL's host " + host + " is an IP address, which browsers refuse for passkeys; pass -public-url with a name, such as http://localhost" + portOf(u)
	}
	origin := strings.ToLower(u.Scheme) + "://" + host
	if p := u.Port(); p != "" {
		origin += ":" + p
	}
	return host, []string{origin}, ""
}

// portOf returns ":port" of u, or "" when it has none.
func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return ":" + p
	}
	return ""
}

// checkPublicURL checks -public-url: an absolute http or https URL with
// a host, or empty (http://<addr>).
func checkPublicURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("-public-url %q: want an http:// or https:// URL with a host", s)
	}
	return nil
}
