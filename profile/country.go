package profile

import (
	_ "embed"
	"strings"
)

// countries.txt lists the officially assigned ISO 3166-1 alpha-2 codes,
// one a line, with # comments.
//
//go:embed countries.txt
var countryList string

var countries = func() map[string]bool {
	m := make(map[string]bool, 256)
	for l := range strings.Lines(countryList) {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			m[l] = true
		}
	}
	return m
}()

// ValidCountry reports whether code is an officially assigned ISO 3166-1
// alpha-2 code, in upper case ("NL"; not "nl", "UK" or "EU").
func ValidCountry(code string) bool { return countries[code] }

// country normalises a country of residence: trimmed, upper case, one of
// the assigned codes; empty clears it.
func country(s string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	if len(s) != 2 {
		return "", ReasonUnknownCountry
	}
	s = strings.ToUpper(s)
	if !countries[s] {
		return "", ReasonUnknownCountry
	}
	return s, ""
}
