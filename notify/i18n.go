package notify

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Languages are the languages the mails are written in, English first
// (the default). A front end can match a request's Accept-Language
// against them with language.NewMatcher.
var Languages = []language.Tag{language.English, language.Dutch}

// matcher picks one of Languages for any tag.
var matcher = language.NewMatcher(Languages)

// catalogue holds every text of every mail, keyed by its English text:
// English is the key itself, Dutch comes from the dutch table.
var catalogue = func() *catalog.Builder {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for en, nl := range dutch {
		if err := b.SetString(language.English, en, en); err != nil {
			panic("notify: catalogue: " + err.Error())
		}
		if err := b.SetString(language.Dutch, en, nl); err != nil {
			panic("notify: catalogue: " + err.Error())
		}
	}
	return b
}()

// printers holds one message.Printer per language of Languages.
var printers = func() map[language.Tag]*message.Printer {
	m := make(map[language.Tag]*message.Printer, len(Languages))
	for _, t := range Languages {
		m[t] = message.NewPrinter(t, message.Catalog(catalogue))
	}
	return m
}()

type languageKey struct{}

// WithLanguage returns ctx carrying the language the mails sent within
// it are written in: the one of Languages that best matches tag, English
// when none does. An undetermined tag (language.Und, such as
// language.Make("") for a profile whose language was never chosen)
// returns ctx as it is, so an earlier choice stays. A service that knows
// the recipient's profile wraps ctx with the profile's language; a front
// end may wrap a request's context with its Accept-Language for mail to
// people the SDK does not know yet (a sign-up code).
func WithLanguage(ctx context.Context, tag language.Tag) context.Context {
	if tag == language.Und {
		return ctx
	}
	return context.WithValue(ctx, languageKey{}, match(tag))
}

// LanguageFrom returns the language ctx carries (WithLanguage), English
// when it carries none.
func LanguageFrom(ctx context.Context) language.Tag {
	if t, ok := ctx.Value(languageKey{}).(language.Tag); ok {
		return t
	}
	return language.English
}

// match returns the one of Languages that best matches tag, English for
// an undetermined tag or one that matches none.
func match(tag language.Tag) language.Tag {
	_, i, conf := matcher.Match(tag)
	if tag == language.Und || conf == language.No {
		return language.English
	}
	return Languages[i]
}

// Sprintf formats the catalogue text whose English is key in the
// language of ctx (LanguageFrom), for text a service puts into a mail,
// such as the note of a code mail. A key missing from the catalogue is
// formatted as it is, in English.
func Sprintf(ctx context.Context, key string, args ...any) string {
	return tr(LanguageFrom(ctx), key, args...)
}

// missingKey, when a test sets it, is told every key looked up that the
// Dutch table lacks.
var missingKey atomic.Pointer[func(key string)]

// tr formats the catalogue text key in the language tag (a member of
// Languages; any other is matched first). Numbers must be passed as
// strings: the printer would group the digits of a year.
func tr(tag language.Tag, key string, args ...any) string {
	p, ok := printers[tag]
	if !ok {
		tag = match(tag)
		p = printers[tag]
	}
	if f := missingKey.Load(); f != nil {
		if _, ok := dutch[key]; !ok {
			(*f)(key)
		}
	}
	return p.Sprintf(key, args...)
}

// formatTime writes t in UTC as "Monday 2 January 2006, 15:04 UTC" in
// the language tag.
func formatTime(tag language.Tag, t time.Time) string {
	t = t.UTC()
	return tr(tag, "%s %s %s %s, %s UTC", tr(tag, t.Weekday().String()), strconv.Itoa(t.Day()),
		tr(tag, t.Month().String()), strconv.Itoa(t.Year()), t.Format("15:04"))
}

// count writes n of a unit in the language tag: one is the singular key
// ("1 minute"), more the plural one ("%s minutes").
func count(tag language.Tag, n int64, one, more string) string {
	if n == 1 {
		return tr(tag, one)
	}
	return tr(tag, more, strconv.FormatInt(n, 10))
}

// LanguageFunc returns the language chosen in the profile of the person
// an address belongs to, language.Und when the SDK knows no such
// profile or it chose none. usersettings.New sets one on the Notifier
// and the verification service, reading the profile's Language.
type LanguageFunc func(ctx context.Context, address string) (language.Tag, error)

// For returns the language of a mail to address: the recipient's
// profile language when f knows one, else the language of ctx
// (LanguageFrom). A nil f knows none. It returns f's error.
func (f LanguageFunc) For(ctx context.Context, address string) (language.Tag, error) {
	if f != nil {
		tag, err := f(ctx, address)
		if err != nil {
			return language.Und, fmt.Errorf("notify: reading the recipient's language: %w", err)
		}
		if tag != language.Und {
			return match(tag), nil
		}
	}
	return LanguageFrom(ctx), nil
}

// AcceptLanguage returns the one of Languages that best matches an HTTP
// Accept-Language header, language.Und when the header is empty,
// malformed or matches none. A front end passes it to WithLanguage, so
// the mails of a request to people the SDK does not know yet (a sign-up
// code) are written in the language of the browser.
func AcceptLanguage(header string) language.Tag {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return language.Und
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return language.Und
	}
	return Languages[i]
}
