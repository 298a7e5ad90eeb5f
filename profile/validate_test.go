package profile

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fieldCase is one value of one field: want is the normalised value, or
// reason the rejection.
type fieldCase struct {
	in, want, reason string
}

func TestTextFields(t *testing.T) {
	cases := map[string][]fieldCase{
		FieldName: {
			{"Ada Lovelace", "Ada Lovelace", ""},
			{"  Zoë Ångström\t", "Zoë Ångström", ""},
			{"", "", ""},
			{strings.Repeat("é", 100), strings.Repeat("é", 100), ""},
			{strings.Repeat("é", 101), "", ReasonTooLong},
			{"Ada\nLovelace", "", ReasonInvalidText},
			{"Ada\x00", "", ReasonInvalidText},
			{"Ada\u202eecalevoL", "", ReasonInvalidText},
			{"\xff\xfe", "", ReasonInvalidText},
		},
		FieldJobTitle: {
			{"Engineer", "Engineer", ""},
			{strings.Repeat("a", 101), "", ReasonTooLong},
			{"Eng\tineer", "", ReasonInvalidText},
		},
		FieldDepartment: {
			{" R&D ", "R&D", ""},
			{"R\x7fD", "", ReasonInvalidText},
		},
		FieldAboutYou: {
			{"Line one\r\nline two\n\ttabbed", "Line one\nline two\n\ttabbed", ""},
			{strings.Repeat("ж", 2000), strings.Repeat("ж", 2000), ""},
			{strings.Repeat("ж", 2001), "", ReasonTooLong},
			{"bell\a", "", ReasonInvalidText},
			{"line\u2028sep", "", ReasonInvalidText},
		},
		FieldCountry: {
			{"NL", "NL", ""},
			{"nl", "NL", ""},
			{" gb ", "GB", ""},
			{"", "", ""},
			{"UK", "", ReasonUnknownCountry},
			{"EU", "", ReasonUnknownCountry},
			{"XX", "", ReasonUnknownCountry},
			{"NLD", "", ReasonUnknownCountry},
			{"N", "", ReasonUnknownCountry},
			{"ﬀ", "", ReasonUnknownCountry},
		},
		FieldRecoveryEmail: {
			{"ada@example.org", "ada@example.org", ""},
			{"Ada.L+home@Gmail.COM", "Ada.L+home@gmail.com", ""},
			{" ada@example.org ", "ada@example.org", ""},
			{"", "", ""},
			{"ada", "", ReasonInvalidEmail},
			{"ada@localhost", "", ReasonInvalidEmail},
			{"Ada <ada@example.org>", "", ReasonInvalidEmail},
			{"<ada@example.org>", "", ReasonInvalidEmail},
			{"ada@example.org, bob@example.org", "", ReasonInvalidEmail},
			{"ada@-example.org", "", ReasonInvalidEmail},
			{"ada@[127.0.0.1]", "", ReasonInvalidEmail},
			{"ada@example.org\r\nBcc: x@y.z", "", ReasonInvalidEmail},
			{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 63) + ".com", "", ReasonInvalidEmail},
		},
	}
	for field, list := range cases {
		for _, c := range list {
			t.Run(fmt.Sprintf("%s/%.20q", field, c.in), func(t *testing.T) {
				checkField(t, field, c)
			})
		}
	}
}

// checkField runs one case through Normalize and checks the result.
func checkField(t *testing.T, field string, c fieldCase) {
	t.Helper()
	var p Profile
	f, ok := fields.Lookup(field)
	if !ok {
		t.Fatalf("no field %q", field)
	}
	f.Set(&p, c.in)
	got, err := Normalize(p)
	if c.reason != "" {
		var verr *ValidationError
		if !errors.As(err, &verr) || !errors.Is(err, ErrInvalid) {
			t.Fatalf("Normalize: got %v, want a *ValidationError", err)
		}
		if d := cmp.Diff(map[string]string{field: c.reason}, verr.Fields); d != "" {
			t.Errorf("Fields mismatch (-want +got):\n%s", d)
		}
		if strings.Contains(err.Error(), c.in) && c.in != "" {
			t.Errorf("error %q contains the rejected value", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Normalize: %v", err)
	}
	if v := f.Get(got); v != c.want {
		t.Errorf("got %q, want %q", v, c.want)
	}
}

func TestListFields(t *testing.T) {
	many := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("skill %d", i)
		}
		return out
	}
	tests := []struct {
		name   string
		in     []string
		want   []string
		reason string
	}{
		{"kept", []string{"Go", "SQL"}, []string{"Go", "SQL"}, ""},
		{"trimmed, empty dropped", []string{" Go ", "", "  ", "\tSQL"}, []string{"Go", "SQL"}, ""},
		{"case-insensitive duplicates keep the first", []string{"go", "Go", "GO ", "Ünïcode", "üNÏCODE"}, []string{"go", "Ünïcode"}, ""},
		{"nil", nil, []string{}, ""},
		{"50 items", many(50), many(50), ""},
		{"51 items", many(51), nil, ReasonTooMany},
		{"51 items with duplicates", append(many(50), "SKILL 0"), many(50), ""},
		{"huge input", make([]string, 10000), nil, ReasonTooMany},
		{"60 code points", []string{strings.Repeat("ß", 60)}, []string{strings.Repeat("ß", 60)}, ""},
		{"61 code points", []string{strings.Repeat("ß", 61)}, nil, ReasonItemTooLong},
		{"control character", []string{"Go\nSQL"}, nil, ReasonInvalidText},
	}
	for _, tt := range tests {
		for _, field := range []string{FieldSkills, FieldIndustries} {
			t.Run(field+"/"+tt.name, func(t *testing.T) {
				p := Profile{Skills: []string{"kept"}, Industries: []string{"kept"}}
				u := Update{Skills: &tt.in}
				if field == FieldIndustries {
					u = Update{Industries: &tt.in}
				}
				got, err := u.applyTo(p)
				list := got.Skills
				if field == FieldIndustries {
					list = got.Industries
				}
				if tt.reason != "" {
					var verr *ValidationError
					if !errors.As(err, &verr) || verr.Fields[field] != tt.reason {
						t.Fatalf("got %v, want %s=%s", err, field, tt.reason)
					}
					if !cmp.Equal(list, []string{"kept"}) {
						t.Errorf("failed update changed the list to %q", list)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff(tt.want, list); d != "" {
					t.Errorf("list mismatch (-want +got):\n%s", d)
				}
			})
		}
	}
}

func TestNormalizeReportsEveryField(t *testing.T) {
	in := Profile{
		Name: "ok", JobTitle: strings.Repeat("x", 101), Country: "ZZ",
		Skills: []string{"a\x00"}, TwitterURL: "http://x.com/a",
		LinkedInURL: "https://evil.example/in/a", RecoveryEmail: "nope",
	}
	got, err := Normalize(in)
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("got %v, want *ValidationError", err)
	}
	want := map[string]string{
		FieldJobTitle: ReasonTooLong, FieldCountry: ReasonUnknownCountry, FieldSkills: ReasonInvalidText,
		FieldTwitterURL: ReasonNotHTTPS, FieldLinkedInURL: ReasonWrongHost, FieldRecoveryEmail: ReasonInvalidEmail,
	}
	if d := cmp.Diff(want, verr.Fields); d != "" {
		t.Errorf("Fields mismatch (-want +got):\n%s", d)
	}
	if d := cmp.Diff(in, got); d != "" {
		t.Errorf("Normalize changed the profile on error (-want +got):\n%s", d)
	}
	const msg = "profile: invalid input: country=unknown_country job_title=too_long linkedin_url=wrong_host" +
		" recovery_email=invalid_email skills=invalid_text twitter_url=not_https"
	if err.Error() != msg {
		t.Errorf("Error() = %q, want %q", err.Error(), msg)
	}
}

func TestValidCountry(t *testing.T) {
	if n := len(countryTable); n != 249 {
		t.Errorf("got %d assigned codes, want 249", n)
	}
	for _, c := range []string{"AX", "BQ", "CW", "SS", "SX", "XK", "nl"} {
		want := c != "XK" && c != "nl" // Kosovo is user-assigned, not official
		if got := ValidCountry(c); got != want {
			t.Errorf("ValidCountry(%q) = %v, want %v", c, got, want)
		}
	}
}

func TestCountries(t *testing.T) {
	all := Countries()
	if len(all) != 249 {
		t.Fatalf("%d countries, want the 249 assigned codes", len(all))
	}
	for i, c := range all {
		if !ValidCountry(c.Code) || CountryName(c.Code) != c.Name || c.Name == "" {
			t.Errorf("country %+v does not round-trip", c)
		}
		if i > 0 && all[i-1].Name > c.Name && c.Name != "Åland Islands" && all[i-1].Name != "Åland Islands" {
			t.Errorf("Countries not sorted by name at %q", c.Name)
		}
	}
	for code, want := range map[string]string{"NL": "Netherlands", "US": "United States", "KR": "South Korea", "nl": "", "UK": "", "": ""} {
		if got := CountryName(code); got != want {
			t.Errorf("CountryName(%q) = %q, want %q", code, got, want)
		}
	}
}

func ExampleCountryName() {
	fmt.Println(CountryName("NL"), CountryName("XK") == "")
	// Output: Netherlands true
}
