package profile

import (
	"net/url"
	"strings"
	"testing"
)

var twitterCases = []fieldCase{
	{"https://twitter.com/ada", "https://twitter.com/ada", ""},
	{"https://x.com/Ada_Lovelace1/", "https://x.com/Ada_Lovelace1", ""},
	{"https://WWW.Twitter.COM/ada", "https://www.twitter.com/ada", ""},
	{"https://www.x.com/a", "https://www.x.com/a", ""},
	{" https://x.com/ada ", "https://x.com/ada", ""},
	{"", "", ""},
	{"http://twitter.com/ada", "", ReasonNotHTTPS},
	{"javascript:alert(1)", "", ReasonInvalidURL},
	{"ftp://x.com/ada", "", ReasonNotHTTPS},
	{"//x.com/ada", "", ReasonNotHTTPS},
	{"x.com/ada", "", ReasonInvalidURL},
	{"https://twitter.com.evil.example/ada", "", ReasonWrongHost},
	{"https://eviltwitter.com/ada", "", ReasonWrongHost},
	{"https://mobile.twitter.com/ada", "", ReasonWrongHost},
	{"https://x.com./ada", "", ReasonWrongHost},
	{"https://twitter.com@evil.example/ada", "", ReasonInvalidURL},
	{"https://ada@x.com/ada", "", ReasonInvalidURL},
	{"https://x.com:443/ada", "", ReasonInvalidURL},
	{"https://x.com:8443/ada", "", ReasonInvalidURL},
	{"https://x.com/ada?ref=evil", "", ReasonInvalidURL},
	{"https://x.com/ada#frag", "", ReasonInvalidURL},
	{"https://evil.example#@x.com/ada", "", ReasonInvalidURL},
	{"https://x.com/", "", ReasonInvalidURL},
	{"https://x.com", "", ReasonInvalidURL},
	{"https://x.com/ada/status/1", "", ReasonInvalidURL},
	{"https://x.com/%61da", "", ReasonInvalidURL},
	{"https://x.com/sixteen_chars_xx", "", ReasonInvalidURL},
	{"https://x.com/ada lovelace", "", ReasonInvalidURL},
	{"https://x.com\\@evil.example/ada", "", ReasonInvalidURL},
	{"https:x.com/ada", "", ReasonInvalidURL},
	{"https:///x.com/ada", "", ReasonInvalidURL},
	{"https://x.com/ada\n", "https://x.com/ada", ""},
	{"https://x.com/a\nda", "", ReasonInvalidURL},
}

var linkedInCases = []fieldCase{
	{"https://www.linkedin.com/in/ada-lovelace", "https://www.linkedin.com/in/ada-lovelace", ""},
	{"https://linkedin.com/in/ada-lovelace-123/", "https://linkedin.com/in/ada-lovelace-123", ""},
	{"https://nl.linkedin.com/in/ada", "https://nl.linkedin.com/in/ada", ""},
	{"https://www.LinkedIn.com/company/mendix", "https://www.linkedin.com/company/mendix", ""},
	{"https://www.linkedin.com/in/j%C3%B6rg", "https://www.linkedin.com/in/j%C3%B6rg", ""},
	{"", "", ""},
	{"http://www.linkedin.com/in/ada", "", ReasonNotHTTPS},
	{"https://www.linkedin.com.evil.example/in/ada", "", ReasonWrongHost},
	{"https://evillinkedin.com/in/ada", "", ReasonWrongHost},
	{"https://abc.linkedin.com/in/ada", "", ReasonWrongHost},
	{"https://www.linkedin.com/feed/", "", ReasonInvalidURL},
	{"https://www.linkedin.com/in/", "", ReasonInvalidURL},
	{"https://www.linkedin.com/in/ada/details", "", ReasonInvalidURL},
	{"https://www.linkedin.com/in/..", "", ReasonInvalidURL},
	{"https://www.linkedin.com/in/a%2Fb", "", ReasonInvalidURL},
	{"https://www.linkedin.com/in/ada?trk=x", "", ReasonInvalidURL},
	{"https://u:p@www.linkedin.com/in/ada", "", ReasonInvalidURL},
	{"https://www.linkedin.com:444/in/ada", "", ReasonInvalidURL},
	{"https://www.linkedin.com/IN/ada", "", ReasonInvalidURL},
}

func TestCheckTwitterURL(t *testing.T) {
	for _, c := range twitterCases {
		t.Run(c.in, func(t *testing.T) { checkField(t, FieldTwitterURL, c) })
	}
}

func TestCheckLinkedInURL(t *testing.T) {
	for _, c := range linkedInCases {
		t.Run(c.in, func(t *testing.T) { checkField(t, FieldLinkedInURL, c) })
	}
}

func TestCheckEmail(t *testing.T) {
	if got, err := CheckEmail("Ada@Example.ORG"); err != nil || got != "Ada@example.org" {
		t.Errorf("CheckEmail: got %q, %v; want Ada@example.org", got, err)
	}
	if _, err := CheckEmail("Ada <ada@example.org>"); err == nil {
		t.Error("CheckEmail with a display name: got nil error")
	}
}

// checkAcceptedURL fails unless an accepted URL is https on one of the
// hosts and stable under a second check.
func checkAcceptedURL(t *testing.T, raw, got string, hostOK func(string) bool, again func(string) (string, error)) {
	t.Helper()
	if got == "" {
		if strings.TrimSpace(raw) != "" {
			t.Fatalf("%q: accepted as empty", raw)
		}
		return
	}
	u, err := url.Parse(got)
	if err != nil {
		t.Fatalf("%q: accepted %q, which does not parse: %v", raw, got, err)
	}
	if u.Scheme != "https" || !hostOK(u.Host) || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		t.Fatalf("%q: accepted %q", raw, got)
	}
	if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(raw)), "https://") {
		t.Fatalf("%q: accepted a URL that does not start with https://", raw)
	}
	if twice, err := again(got); err != nil || twice != got {
		t.Fatalf("%q: canonical form %q is not stable: %q, %v", raw, got, twice, err)
	}
}

func FuzzTwitterURL(f *testing.F) {
	for _, c := range twitterCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := CheckTwitterURL(raw)
		if err != nil {
			return
		}
		hostOK := func(h string) bool {
			return h == "twitter.com" || h == "www.twitter.com" || h == "x.com" || h == "www.x.com"
		}
		checkAcceptedURL(t, raw, got, hostOK, CheckTwitterURL)
	})
}

func FuzzLinkedInURL(f *testing.F) {
	for _, c := range linkedInCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := CheckLinkedInURL(raw)
		if err != nil {
			return
		}
		hostOK := func(h string) bool { return h == "linkedin.com" || strings.HasSuffix(h, ".linkedin.com") }
		checkAcceptedURL(t, raw, got, hostOK, CheckLinkedInURL)
		if got != "" && !strings.Contains(got, ".com/in/") && !strings.Contains(got, ".com/company/") {
			t.Fatalf("%q: accepted %q without /in/ or /company/", raw, got)
		}
	})
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{"ada@example.org", "A@B.CO", "a@b", `"a b"@c.de`, "a@b.c\r\n", "<a@b.cd>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := CheckEmail(raw)
		if err != nil || got == "" {
			return
		}
		if len(got) > MaxEmailLen || strings.ContainsAny(got, "<>\r\n ,") {
			t.Fatalf("%q: accepted %q", raw, got)
		}
		if twice, err := CheckEmail(got); err != nil || twice != got {
			t.Fatalf("%q: normalised %q is not stable: %q, %v", raw, got, twice, err)
		}
	})
}
