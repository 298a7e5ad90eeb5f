package notify

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template/parse"
	"time"

	"golang.org/x/text/language"

	"github.com/seed-a97ca23f/usersettings/usersettingstest"
)

// testKey is a key of a code mail (verification.Purpose.Keyed).
const testKey = "abcde-fghij-klmno-pqrst-uvwxy-z2345"

// everyMail renders every mail the package writes in lang: a code mail
// of each purpose (with a note, and with a key and with a link), and a
// notice of each kind (with a detail, items past the limit, and a time).
func everyMail(t *testing.T, lang language.Tag) map[string]Message {
	t.Helper()
	out := map[string]Message{}
	for purpose := range codeTexts {
		for name, m := range map[string]CodeMail{
			"":      {Note: "note"},
			"/key":  {Key: testKey},
			"/link": {Link: "https://settings.example/k?key=" + testKey},
		} {
			m.To, m.Purpose, m.Code, m.TTL, m.Language = "ann@example.com", purpose, "042137", 90*time.Minute, lang
			msg, err := m.Message()
			if err != nil {
				t.Fatalf("%s%s: %v", purpose, name, err)
			}
			out["code/"+purpose+name] = msg
		}
	}
	for _, ttl := range []time.Duration{time.Second, 90 * time.Second, time.Minute, time.Hour, 3 * time.Hour} {
		m, err := CodeMail{To: "ann@example.com", Purpose: PurposeSignUp, Code: "042137", TTL: ttl, Language: lang}.Message()
		if err != nil {
			t.Fatal(err)
		}
		out["code/ttl/"+ttl.String()] = m
	}
	items := make([]string, maxItems+2)
	for i := range items {
		items[i] = "item"
	}
	for kind := range noticeTexts {
		n := Notice{Kind: kind, Detail: "ci deploy", Items: items, At: time.Date(2030, 5, 6, 7, 8, 0, 0, time.UTC), Language: lang}
		if kind == NoticePasswordExpiring {
			n.Expires, n.Left = n.At, 14*24*time.Hour
		}
		m, err := NoticeMessage("ann@example.com", n)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		out["notice/"+string(kind)] = m
		n.Left = time.Hour
		if m, err = NoticeMessage("ann@example.com", n); err != nil {
			t.Fatal(err)
		}
		out["notice/"+string(kind)+"/hour"] = m
	}
	return out
}

// Every key a mail looks up, and every key in a template, has a Dutch
// text with the same formatting verbs.
func TestCatalogueComplete(t *testing.T) {
	var missing []string
	record := func(key string) { missing = append(missing, key) }
	missingKey.Store(&record)
	defer missingKey.Store(nil)
	for _, lang := range Languages {
		everyMail(t, lang)
	}
	for _, key := range templateKeys(t) {
		if _, ok := dutch[key]; !ok {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		t.Errorf("keys missing from the Dutch catalogue:\n%q", slices.Compact(missing))
	}
	for en, nl := range dutch {
		if nl == "" {
			t.Errorf("Dutch text of %q is empty", en)
		}
		if got, want := verbs(nl), verbs(en); !slices.Equal(got, want) {
			t.Errorf("Dutch %q has verbs %v, English %v", nl, got, want)
		}
	}
}

// verbs returns the formatting verbs of a catalogue text, sorted.
func verbs(s string) []string {
	v := regexp.MustCompile(`%(\[\d+\])?[a-z]`).FindAllString(s, -1)
	slices.Sort(v)
	return v
}

// templateKeys returns the keys the templates give to t, and fails when a
// template holds a word outside t: every text of a mail comes from the
// catalogue.
func templateKeys(t *testing.T) []string {
	t.Helper()
	var keys []string
	var walk func(name string, n parse.Node)
	walk = func(name string, n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(name, c)
			}
		case *parse.TextNode:
			if s := string(n.Text); strings.ContainsFunc(s, func(r rune) bool { return !strings.ContainsRune(" \n.:-", r) }) {
				t.Errorf("template %s holds text outside the catalogue: %q", name, s)
			}
		case *parse.ActionNode:
			for _, cmd := range n.Pipe.Cmds {
				if id, ok := cmd.Args[0].(*parse.IdentifierNode); ok && id.Ident == "t" {
					s, ok := cmd.Args[1].(*parse.StringNode)
					if !ok {
						t.Errorf("template %s: t without a literal key", name)
						continue
					}
					keys = append(keys, s.Text)
				}
			}
		case *parse.IfNode:
			walk(name, n.List)
			walk(name, n.ElseList)
		case *parse.RangeNode:
			walk(name, n.List)
			walk(name, n.ElseList)
		}
	}
	for _, tpl := range templates.Templates() {
		if tpl.Tree != nil {
			walk(tpl.Name(), tpl.Tree.Root)
		}
	}
	if len(keys) < 5 {
		t.Fatalf("found %d keys in the templates, want more", len(keys))
	}
	return keys
}

// Each mail in Dutch differs from its English, holds its code (alone on
// its line) and says nothing in English that the catalogue would have
// translated.
func TestDutchMails(t *testing.T) {
	en, nl := everyMail(t, language.English), everyMail(t, language.Dutch)
	english := regexp.MustCompile(`\b(Hello|Your verification code|expires in|If this was you|When:|and \d+ more|minutes|Monday|January)\b`)
	for name, n := range nl {
		e := en[name]
		if n.Subject == e.Subject || n.Body == e.Body {
			t.Errorf("%s: Dutch mail equals the English one:\n%s", name, n.Body)
		}
		if strings.HasPrefix(name, "code/") && !regexp.MustCompile(`(?m)^    042137$`).MatchString(n.Body) {
			t.Errorf("%s: Dutch body lacks the code on its own line:\n%s", name, n.Body)
		}
		if strings.HasPrefix(name, "code/") && usersettingstest.MailCode(t, name, n.Body) != "042137" {
			t.Errorf("%s: MailCode does not find the code in Dutch:\n%s", name, n.Body)
		}
		if key, _ := usersettingstest.FindMailKey(n.Body); (strings.HasSuffix(name, "/key") || strings.HasSuffix(name, "/link")) && key != testKey {
			t.Errorf("%s: FindMailKey = %q in Dutch:\n%s", name, key, n.Body)
		}
		if m := english.FindString(n.Body); m != "" {
			t.Errorf("%s: Dutch body says %q:\n%s", name, m, n.Body)
		}
		if !strings.HasPrefix(n.Body, "Hallo,\n") {
			t.Errorf("%s: Dutch body does not open with Hallo:\n%s", name, n.Body)
		}
	}
	if got := nl["notice/password_expiring"].Body; !strings.Contains(got, "verloopt binnenkort: over 14 dagen, op maandag 6 mei 2030, 07:08 UTC.") {
		t.Errorf("Dutch expiry notice:\n%s", got)
	}
	if got := nl["notice/password_expiring/hour"].Body; !strings.Contains(got, "over 1 dag, op") {
		t.Errorf("Dutch expiry notice an hour before:\n%s", got)
	}
	if got := nl["code/signup"].Body; !strings.Contains(got, "verloopt over 90 minuten ") {
		t.Errorf("Dutch TTL:\n%s", got)
	}
	if got := nl["notice/password_reset"].Body; !strings.Contains(got, "- en nog 3\n") {
		t.Errorf("Dutch count of items past the limit:\n%s", got)
	}
}

func TestWithLanguage(t *testing.T) {
	ctx := t.Context()
	if got := LanguageFrom(ctx); got != language.English {
		t.Errorf("LanguageFrom(empty) = %v, want en", got)
	}
	tests := []struct {
		tag  language.Tag
		want language.Tag
	}{
		{language.Dutch, language.Dutch},
		{language.MustParse("nl-BE"), language.Dutch},
		{language.MustParse("en-GB"), language.English},
		{language.French, language.English},
	}
	for _, tt := range tests {
		if got := LanguageFrom(WithLanguage(ctx, tt.tag)); got != tt.want {
			t.Errorf("LanguageFrom(WithLanguage(%v)) = %v, want %v", tt.tag, got, tt.want)
		}
	}
	nl := WithLanguage(ctx, language.Dutch)
	if got := LanguageFrom(WithLanguage(nl, language.Make(""))); got != language.Dutch {
		t.Errorf("an undetermined tag replaced the language: %v", got)
	}
	if got := Sprintf(nl, "API key %q", "ci"); got != `API-sleutel "ci"` {
		t.Errorf("Sprintf = %q", got)
	}
}

func TestAcceptLanguage(t *testing.T) {
	for header, want := range map[string]language.Tag{
		"nl-NL,nl;q=0.9,en;q=0.5": language.Dutch,
		"fr, nl;q=0.5":            language.Dutch,
		"en-GB":                   language.English,
		"fr":                      language.Und,
		"":                        language.Und,
		";;;=":                    language.Und,
	} {
		if got := AcceptLanguage(header); got != want {
			t.Errorf("AcceptLanguage(%q) = %v, want %v", header, got, want)
		}
	}
}
