package web

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"

	"github.com/seed-a97ca23f/usersettings/profile"
)

// The pages speak English and Dutch. Every word a page shows comes from
// one message catalogue (golang.org/x/text/message), keyed by the English
// text: a template says {{t "Sign in"}}, Go code keeps writing English
// ("Your profile is saved."), and the page's language translates it when
// the page is drawn. English is the key itself, so English pages cost
// nothing extra; Dutch is a map look-up per string.

// languages are the languages of the pages, the first the default.
var languages = []language.Tag{language.English, language.Dutch}

// languageMatcher picks the best of languages for an Accept-Language
// header.
var languageMatcher = language.NewMatcher(languages)

// chooseLanguage is the language of a page: the one the person chose in
// their profile ("en" or "nl"; empty when none), else the best match of
// the browser's Accept-Language header, else English. The language never
// travels in the URL.
func chooseLanguage(chosen, acceptLanguage string) language.Tag {
	if chosen != "" {
		if t, err := language.Parse(chosen); err == nil {
			if _, i, c := languageMatcher.Match(t); c >= language.High {
				return languages[i]
			}
		}
	}
	if acceptLanguage == "" {
		return language.English
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return language.English
	}
	_, i, c := languageMatcher.Match(prefs...)
	if c == language.No {
		return language.English
	}
	return languages[i]
}

// requestLanguage is the language of an anonymous page: Accept-Language.
func requestLanguage(r *http.Request) language.Tag {
	chosen := ""
	if ck, err := r.Cookie(languageCookie); err == nil {
		chosen = ck.Value
	}
	return chooseLanguage(chosen, r.Header.Get("Accept-Language"))
}

// languageCookie keeps the language the person chose in the profile
// (profile.Profile.Language) in this browser, so that no page reads the
// profile for it: it is set at every sign-in from the profile and when
// the Profile page saves a choice, and removed when the choice is
// cleared (the pages then follow Accept-Language).
const languageCookie = "settingsd_lang"

// setLanguage keeps the profile's language in the browser, or removes it
// when none is chosen.
func (w *Web) setLanguage(rw http.ResponseWriter, r *http.Request, lang string) {
	if lang == "" {
		if _, err := r.Cookie(languageCookie); err == nil {
			http.SetCookie(rw, w.cookie(r, languageCookie, "", "/", -1))
		}
		return
	}
	http.SetCookie(rw, w.cookie(r, languageCookie, lang, "/", int(languageCookieAge.Seconds())))
}

// languageCookieAge is how long a browser keeps the language choice.
const languageCookieAge = 400 * 24 * time.Hour

// pluralMessage is a message with a count, one text per plural form:
// the English key is the "other" form.
type pluralMessage struct{ en, nl [2]string }

// pluralMessages are the counted messages, by key. English and Dutch both
// have the forms one and other.
var pluralMessages = map[string]pluralMessage{
	"Too many wrong passwords. Wait %d seconds, then try again.": {
		en: [2]string{"Too many wrong passwords. Wait %d second, then try again.", "Too many wrong passwords. Wait %d seconds, then try again."},
		nl: [2]string{"Te vaak een verkeerd wachtwoord. Wacht %d seconde en probeer het dan opnieuw.", "Te vaak een verkeerd wachtwoord. Wacht %d seconden en probeer het dan opnieuw."},
	},
	"Too many wrong passwords. Wait %d minutes, then try again.": {
		en: [2]string{"Too many wrong passwords. Wait %d minute, then try again.", "Too many wrong passwords. Wait %d minutes, then try again."},
		nl: [2]string{"Te vaak een verkeerd wachtwoord. Wacht %d minuut en probeer het dan opnieuw.", "Te vaak een verkeerd wachtwoord. Wacht %d minuten en probeer het dan opnieuw."},
	},
	"Many codes were sent to this address. Wait %d minutes before asking for another.": {
		en: [2]string{"Many codes were sent to this address. Wait %d minute before asking for another.", "Many codes were sent to this address. Wait %d minutes before asking for another."},
		nl: [2]string{"Er zijn veel codes naar dit adres gestuurd. Wacht %d minuut voordat je een nieuwe vraagt.", "Er zijn veel codes naar dit adres gestuurd. Wacht %d minuten voordat je een nieuwe vraagt."},
	},
	"We texted you a code moments ago. You can ask for a new one in %d seconds.": {
		en: [2]string{"We texted you a code moments ago. You can ask for a new one in %d second.", "We texted you a code moments ago. You can ask for a new one in %d seconds."},
		nl: [2]string{"We hebben je net een code ge-sms't. Over %d seconde kun je een nieuwe vragen.", "We hebben je net een code ge-sms't. Over %d seconden kun je een nieuwe vragen."},
	},
	"Your password expires in %d days": {
		en: [2]string{"Your password expires in %d day", "Your password expires in %d days"},
		nl: [2]string{"Je wachtwoord verloopt over %d dag", "Je wachtwoord verloopt over %d dagen"},
	},
}

// catalogue holds every message in both languages.
var catalogue = func() *catalog.Builder {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for k, v := range dutch {
		if err := b.SetString(language.Dutch, k, v); err != nil {
			panic(err)
		}
	}
	for k, m := range pluralMessages {
		for tag, forms := range map[language.Tag][2]string{language.English: m.en, language.Dutch: m.nl} {
			if err := b.Set(tag, k, plural.Selectf(1, "%d", plural.One, forms[0], plural.Other, forms[1])); err != nil {
				panic(err)
			}
		}
	}
	return b
}()

// english formats the counted messages in English for Go code; the page
// translates the result when it is drawn (translator.t).
var english = message.NewPrinter(language.English, message.Catalog(catalogue))

// pattern recognises a message Go code formatted in English ("Use at
// most 100 characters.") so the page can format it again in its own
// language.
type pattern struct {
	re    *regexp.Regexp
	key   string
	verbs []byte // 'd' or 's' per argument
}

// verbRE finds the verbs of a format. Only formats Go code uses (%d,
// %s) become patterns: a template passes its arguments itself (%v).
var verbRE = regexp.MustCompile(`%[dsv]`)

// goVerbRE finds a verb of a format Go code fills in.
var goVerbRE = regexp.MustCompile(`%[ds]`)

// newPattern compiles the English text format of the key.
func newPattern(format, key string) pattern {
	p := pattern{key: key}
	var re strings.Builder
	re.WriteString("^")
	last := 0
	for _, loc := range verbRE.FindAllStringIndex(format, -1) {
		re.WriteString(regexp.QuoteMeta(strings.ReplaceAll(format[last:loc[0]], "%%", "%")))
		v := format[loc[1]-1]
		p.verbs = append(p.verbs, v)
		if v == 'd' {
			re.WriteString(`(\d+)`)
		} else {
			re.WriteString(`(.+?)`)
		}
		last = loc[1]
	}
	re.WriteString(regexp.QuoteMeta(strings.ReplaceAll(format[last:], "%%", "%")) + "$")
	p.re = regexp.MustCompile(re.String())
	return p
}

// patterns are the formatted messages Go code makes, by English format.
var patterns = func() []pattern {
	var out []pattern
	for k := range dutch {
		if goVerbRE.MatchString(k) {
			out = append(out, newPattern(k, k))
		}
	}
	for k, m := range pluralMessages {
		out = append(out, newPattern(m.en[0], k), newPattern(m.en[1], k))
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i].key) > len(out[j].key) })
	return out
}()

// translator draws the words of one language.
type translator struct {
	tag     language.Tag
	printer *message.Printer
	english bool
}

var translators = map[language.Tag]*translator{
	language.English: {tag: language.English, printer: english, english: true},
	language.Dutch:   {tag: language.Dutch, printer: message.NewPrinter(language.Dutch, message.Catalog(catalogue))},
}

// t translates the English text key, formatted with args. Text that is
// no key (a person's own words) stays as it is; English text Go code
// formatted ("Use at most 100 characters.") is recognised by its format
// and formatted again.
func (tr *translator) t(key string, args ...any) string { return tr.lookup(key, args) }

// word translates a text without arguments (lookup).
func (tr *translator) word(key string) string { return tr.lookup(key, nil) }

// lookup is t with the arguments as a slice.
func (tr *translator) lookup(key string, args []any) string {
	if tr.english {
		if len(args) == 0 {
			return key
		}
		return fmt.Sprintf(key, args...)
	}
	if _, ok := dutch[key]; ok || len(args) > 0 {
		return tr.printer.Sprintf(key, args...)
	}
	if _, ok := pluralMessages[key]; ok {
		return key
	}
	for _, p := range patterns {
		m := p.re.FindStringSubmatch(key)
		if m == nil {
			continue
		}
		a := make([]any, len(p.verbs))
		for i, v := range p.verbs {
			if v == 'd' {
				n, _ := strconv.Atoi(m[i+1])
				a[i] = n
			} else {
				a[i] = tr.word(m[i+1])
			}
		}
		return tr.printer.Sprintf(p.key, a...)
	}
	return key
}

// th is t for a text holding markup of its own ("We sent a code to
// <strong>%v</strong>."): the catalogue's text is trusted, the args are
// escaped.
func (tr *translator) th(key string, args ...any) template.HTML {
	esc := make([]any, len(args))
	for i, a := range args {
		esc[i] = html.EscapeString(fmt.Sprint(a))
	}
	if tr.english {
		return template.HTML(fmt.Sprintf(key, esc...)) //nolint:gosec // the format is a catalogue key; args are escaped
	}
	return template.HTML(tr.printer.Sprintf(key, esc...)) //nolint:gosec // the catalogue is trusted; args are escaped
}

// months are the Dutch abbreviations of the months, for dates.
var dutchMonths = strings.NewReplacer("Jan ", "jan ", "Feb ", "feb ", "Mar ", "mrt ", "Apr ", "apr ", "May ", "mei ",
	"Jun ", "jun ", "Jul ", "jul ", "Aug ", "aug ", "Sep ", "sep ", "Oct ", "okt ", "Nov ", "nov ", "Dec ", "dec ")

// countryName is the name of a country in the language ("Nederland" for
// "NL" in Dutch), or its English name from the profile's table.
func (tr *translator) countryName(code string) string {
	if !tr.english {
		if r, err := language.ParseRegion(code); err == nil {
			if n := display.Regions(tr.tag).Name(r); n != "" {
				return n
			}
		}
	}
	return countryName(code)
}

// countryOptions are countryOptions in the language, sorted by their
// names in it.
func (tr *translator) countryOptions(opts []option) []option {
	if tr.english || len(opts) == 0 {
		return opts
	}
	out := make([]option, len(opts))
	copy(out, opts)
	out[0].Label = tr.word(out[0].Label)
	rest := out[1:]
	for i := range rest {
		rest[i].Label = tr.countryName(rest[i].Value)
	}
	c := collate.New(tr.tag)
	sort.SliceStable(rest, func(i, j int) bool { return c.CompareString(rest[i].Label, rest[j].Label) < 0 })
	return out
}

// funcs are the template functions of the language.
func (tr *translator) funcs() template.FuncMap {
	fm := template.FuncMap{}
	for k, v := range funcs {
		fm[k] = v
	}
	fm["t"] = tr.t
	fm["th"] = tr.th
	fm["lang"] = func() string { return tr.tag.String() }
	if tr.english {
		return fm
	}
	fm["countryName"] = tr.countryName
	fm["profileField"] = func(f *form, json string, attrs ...string) field {
		fd := profileField(f, json, attrs...)
		fd.Options = tr.countryOptions(fd.Options)
		return fd
	}
	fm["date"] = func(t time.Time) string { return tr.word(dutchMonths.Replace(formatDate(t))) }
	fm["requirement"] = func(r profile.Requirement) string { return tr.word(requirementLabel(r)) }
	fm["fieldLabel"] = func(name string) string { return tr.word(fieldLabel(name)) }
	return fm
}

// callerLanguage is the language of a signed-in person's page: the
// language chosen in their profile, else Accept-Language.
func (w *Web) callerLanguage(r *http.Request, _ *caller) language.Tag {
	return requestLanguage(r)
}
