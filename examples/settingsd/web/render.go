package web

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/seed-a97ca23f/usersettings/auth"
	"github.com/seed-a97ca23f/usersettings/errs"
	"github.com/seed-a97ca23f/usersettings/profile"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// templates holds, per language, one template set per page: the layout
// and shared parts with the page's "content". Each language's set has
// its own translating functions ("t"), bound once at start-up, so
// drawing a page in Dutch costs no more than in English.
type templates struct {
	pages map[language.Tag]map[string]*template.Template
}

// mustParseTemplates parses every page in every language; a parse error
// is a programming error and panics.
func mustParseTemplates() *templates {
	t := &templates{pages: map[language.Tag]map[string]*template.Template{}}
	for _, tag := range languages {
		t.pages[tag] = mustParsePages(translators[tag].funcs())
	}
	return t
}

// mustParsePages parses every page with the functions.
func mustParsePages(fm template.FuncMap) map[string]*template.Template {
	base := template.Must(template.New("layout.html").Funcs(fm).
		ParseFS(templateFS, "templates/layout.html", "templates/parts.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" || name == "parts" {
			continue
		}
		pages[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, n))
	}
	return pages
}

// page is what the layout shows around every page's content.
type page struct {
	// Lang is the page's language (chooseLanguage); the zero Tag means
	// the request's Accept-Language.
	Lang  language.Tag
	Title string
	// Nav is the section of the navigation that is current.
	Nav string
	// Me is the signed-in account's address; empty before sign-in.
	Me string
	// CSRF is the anti-CSRF token every POST form of the page carries.
	CSRF string
	// Flash is a one-time notice after a redirect.
	Flash string
	// Expiry warns that the signed-in account's password expires soon
	// ("Your password expires in 5 days"); empty otherwise.
	Expiry string
	// Form holds the values and errors of a form shown again.
	Form *form
	// Dev links the dev outbox.
	Dev bool
	// Secret marks a page showing a secret once.
	Secret bool
	// Support is the operator's support link (usersettings.Options.
	// SupportURL); empty means none.
	Support string
	// Code is the "Didn't get a code?" help of a code page; nil on
	// other pages.
	Code *codeHelp
	// Data is the page's own content.
	Data any
}

// form is a submitted form shown again: its values and, per field, what
// is wrong.
type form struct {
	Values map[string]string
	Errors map[string][]string
	// Order lists the fields with errors as they appear on the page, for
	// the error summary.
	Order []string
}

func newForm() *form {
	return &form{Values: map[string]string{}, Errors: map[string][]string{}}
}

// add records an error of a field.
func (f *form) add(field, msg string) {
	if _, ok := f.Errors[field]; !ok {
		f.Order = append(f.Order, field)
	}
	f.Errors[field] = append(f.Errors[field], msg)
}

// ok reports whether the form has no error.
func (f *form) ok() bool { return f == nil || len(f.Errors) == 0 }

// summary lists the errors for the box above the form.
func (f *form) Summary() []summaryItem {
	if f == nil {
		return nil
	}
	var out []summaryItem
	for _, name := range f.Order {
		label := summaryLabel(name)
		for _, m := range f.Errors[name] {
			out = append(out, summaryItem{ID: fieldID(name), Label: label, Message: m})
		}
	}
	return out
}

// summaryItem is one line of the error summary, linking to its field:
// the field's label (empty when the message says it all) and the error.
type summaryItem struct{ ID, Label, Message string }

// fieldID is the id attribute of a field's input.
func fieldID(name string) string { return "f-" + strings.ReplaceAll(name, "_", "-") }

// field is what the "field" template needs to draw one labelled input
// with its hint and errors, tied together by aria-describedby.
type field struct {
	ID, Name, Label, Type, Value, Hint, Autocomplete, Inputmode, Extra string
	Errors                                                             []string
	Required, Multiline                                                bool
	MaxLength                                                          int
	// Public marks a profile field a public profile needs: its label
	// says so instead of "(optional)".
	Public bool
	// Options make the field a select of these choices.
	Options []option
}

// option is one choice of a select field.
type option struct {
	Value, Label string
	Selected     bool
}

// profileField is newField for the profile field with the JSON name,
// labelled from the one field table (profile.Fields): its label, whether
// a public profile needs it, and for a country the list of countries by
// name (their codes as values).
func profileField(f *form, json string, attrs ...string) field {
	pf, ok := profile.Fields().Lookup(json)
	if !ok {
		panic("web: no profile field " + json)
	}
	fd := newField(f, json, pf.Label, attrs...)
	fd.Public = pf.Public != ""
	switch {
	case pf.Kind == profile.KindCountry:
		fd.Options = countryOptions(fd.Value)
	case pf.JSON == profile.FieldLanguage:
		fd.Options = languageOptions(fd.Value)
	}
	return fd
}

// languageOptions are the choices of the language field: the browser's,
// then each language of profile.Languages by its own name.
func languageOptions(value string) []option {
	out := []option{{Value: "", Label: "The language of your browser", Selected: value == ""}}
	for _, l := range profile.Languages {
		tag := language.Make(l)
		out = append(out, option{Value: l, Label: display.Self.Name(tag), Selected: value == l})
	}
	return out
}

// countryOptions are the choices of a country field with value selected:
// none, then every country by name.
func countryOptions(value string) []option {
	all := profile.Countries()
	out := make([]option, 0, len(all)+1)
	out = append(out, option{Value: "", Label: "Choose a country", Selected: value == ""})
	for _, c := range all {
		out = append(out, option{Value: c.Code, Label: c.Name, Selected: strings.EqualFold(c.Code, value)})
	}
	return out
}

// DescribedBy is the aria-describedby of the input.
func (f field) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Extra != "" {
		ids = append(ids, f.Extra)
	}
	if len(f.Errors) > 0 {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// newField builds a field of the form: attrs are "type=email",
// "auto=email", "hint=…", "max=100", "mode=numeric", "desc=<id>" (one
// more element describing the input), "required" or "multiline".
func newField(f *form, name, label string, attrs ...string) field {
	fd := field{ID: fieldID(name), Name: name, Label: label, Type: "text"}
	if f != nil {
		fd.Value, fd.Errors = f.Values[name], f.Errors[name]
	}
	for _, a := range attrs {
		k, v, _ := strings.Cut(a, "=")
		switch k {
		case "type":
			fd.Type = v
		case "auto":
			fd.Autocomplete = v
		case "hint":
			fd.Hint = v
		case "mode":
			fd.Inputmode = v
		case "desc":
			fd.Extra = v
		case "max":
			for _, c := range v {
				fd.MaxLength = fd.MaxLength*10 + int(c-'0')
			}
		case "required":
			fd.Required = true
		case "multiline":
			fd.Multiline = true
		}
	}
	return fd
}

// secretView is a secret shown once with its copy button.
type secretView struct{ ID, Value, Label string }

var funcs = template.FuncMap{
	"field":        newField,
	"profileField": profileField,
	"countryName":  countryName,
	"date":         formatDate,
	"join":         strings.Join,
	"requirement":  requirementLabel,
	"fieldLabel":   fieldLabel,
	"secret":       func(id, value, label string) secretView { return secretView{id, value, label} },
	"inc":          func(i int) int { return i + 1 },
	"passkeyButton": func(p *page, label string) passkeyButtonView {
		return passkeyButtonView{Form: p.Form, Label: label}
	},
	"dec": func(i int) int { return i - 1 },
}

// formatDate is the date and time of t for people to read, or "never".
func formatDate(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2 Jan 2006 15:04 UTC")
}

// render writes the page with the status. The page is rendered to memory
// first, so a template error still gets a clean 500. Pages are personal:
// none is stored by a cache.
func (w *Web) render(rw http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	if p.Lang == (language.Tag{}) {
		p.Lang = requestLanguage(r)
	}
	t := w.tpl.pages[p.Lang][name]
	if t == nil {
		panic("web: no template " + name)
	}
	if p.Form == nil {
		p.Form = newForm()
	}
	p.Dev = w.outbox != nil
	p.Support = w.s.SupportURL
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		w.log.Error("rendering page failed", "route", r.Pattern, "page", name, "err", err.Error())
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.Header().Set("Cache-Control", "no-store")
		rw.WriteHeader(http.StatusInternalServerError)
		_, _ = rw.Write([]byte("internal error\n"))
		return
	}
	hd := rw.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	rw.WriteHeader(status)
	_, _ = rw.Write(buf.Bytes())
}

// errorPages are the titles and messages of the error page by status.
var errorPages = map[int][2]string{
	http.StatusBadRequest: {"This link cannot be followed",
		"The link is damaged or was made up. Start again from the page's own links."},
	http.StatusForbidden: {"This form cannot be accepted",
		"The form was sent from another site, or it has expired. Go back, reload the page and try again."},
	http.StatusNotFound:              {"Page not found", "There is nothing at this address."},
	http.StatusMethodNotAllowed:      {"Page not found", "There is nothing at this address."},
	http.StatusRequestEntityTooLarge: {"Too much data", "The form sent more data than this page accepts."},
	http.StatusTooManyRequests:       {"Too many attempts", "Wait a minute, then try again."},
	http.StatusInternalServerError:   {"Something went wrong", "The page could not be shown. Try again in a moment."},
}

// renderError writes the error page of the status.
func (w *Web) renderError(rw http.ResponseWriter, r *http.Request, status int) {
	e, ok := errorPages[status]
	if !ok {
		e = errorPages[http.StatusInternalServerError]
	}
	w.render(rw, r, status, "error", &page{Title: e[0], Data: errorData{Message: e[1]}})
}

// fail answers an error no form field explains, by its kind: the
// password prompt for a sensitive action from a stale sign-in
// (errs.ReauthRequired), 403 for what the SDK refuses the caller
// outright (errs.Forbidden), 404 for what does not exist or is not the
// caller's (errs.NotFound), 500 for anything else, which is logged.
// Domain errors never hold a secret, so logging them is safe.
func (w *Web) fail(rw http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, auth.ErrPasswordExpired) {
		// Only the password change is open: show its form.
		seeOther(rw, r, "/accounts#password")
		return
	}
	switch errs.KindOf(err) {
	case errs.ReauthRequired:
		// A sensitive action with a stale sign-in: sign in again, then
		// finish the action (toReauth).
		w.toReauth(rw, r)
	case errs.Forbidden:
		w.renderError(rw, r, http.StatusForbidden)
	case errs.NotFound:
		w.renderError(rw, r, http.StatusNotFound)
	default:
		w.log.Error("page failed", "route", r.Pattern, "err", err.Error())
		w.renderError(rw, r, http.StatusInternalServerError)
	}
}

// Flash messages, by the key the flash cookie holds: the cookie never
// carries text, so it cannot be used to put words on a page.
var flashes = map[string]string{
	"welcome":              "Your account is ready. Welcome!",
	"code_resent":          "We sent a new code. It replaces the one before.",
	"code_request_expired": "That request has expired. Start again to get a new code.",
	"signed_out":           "You are signed out.",
	"session_ended":        "That session is signed out.",
	"others_ended":         "Your other sessions are signed out.",
	"profile_saved":        "Your profile is saved.",
	"recovery_pending":     "Your profile is saved. We sent a code to your new recovery email: enter it below to confirm the address.",
	"recovery_done":        "Your recovery email is confirmed.",
	"avatar_saved":         "Your avatar is saved.",
	"avatar_removed":       "Your avatar is removed.",
	"public":               "Your profile is public.",
	"private":              "Your profile is private.",
	"merged":               "The profiles are merged. This is your merged profile.",
	"merge_cancelled":      "The merge is cancelled. Nothing was changed.",
	"password_changed":     "Your password is changed. Your other sessions were signed out. Your personal access tokens and API keys still work: review them in Developer Settings.",
	"password_reset":       "Your password is changed. Your sessions were signed out and your personal access tokens and API keys revoked. Sign in with the new one.",
	"account_added":        "The new account is added to your profile.",
	"account_deleted":      "The account is deleted.",
	"email_changed":        "The login email is changed. The account's other sessions were signed out.",
	"data_erased":          "Your profile, your accounts and all your personal data are erased.",
	"notifications":        "Your notification settings are saved.",
	"stopped_watching":     "You no longer watch that app.",
	"watching":             "You watch that app now.",
	"token_deleted":        "The token is deleted. It no longer works.",
	"key_revoked":          "The API key is revoked.",
	"2fa_off":              "Two-factor authentication is off.",
	"reset_sent":           "If the address has an account, we sent it a code. Enter it below with a new password.",
	"recovery_sent":        "If the address is the verified recovery email of a profile, we sent it a code and the accounts it can reset. Enter them below with a new password.",
	"data_erased_kept":     "Your personal data is erased. Your accounts stay, and you can sign in with them as before.",
	"code_texted":          "We texted you a code. It can take a minute to arrive.",
	"reauth_retype":        "Thank you. The form had a password or a code, which we never keep: enter it again to finish.",
	"unlock_sent":          "If the address has an account, we sent it an unlock code. Enter it below.",
	"unlocked":             "This browser is unlocked. Sign in with your password.",
	"passkey_added":        "The passkey is added. You can sign in with it now.",
	"passkey_renamed":      "The passkey is renamed.",
	"passkey_removed":      "The passkey is removed. It no longer signs you in.",
}

// setFlash shows a notice on the next page.
func (w *Web) setFlash(rw http.ResponseWriter, r *http.Request, key string) {
	http.SetCookie(rw, w.cookie(r, flashCookie, key, "/", 60))
}

// takeFlash returns the notice left by the previous request, once.
func (w *Web) takeFlash(rw http.ResponseWriter, r *http.Request) string {
	ck, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(rw, w.cookie(r, flashCookie, "", "/", -1))
	return flashes[ck.Value]
}

// signedInPage returns the page frame of a signed-in person.
func (w *Web) signedInPage(rw http.ResponseWriter, r *http.Request, c *caller, title, nav string) *page {
	return &page{Lang: w.callerLanguage(r, c), Title: title, Nav: nav, Me: c.acct.Email, CSRF: c.csrf(), Flash: w.takeFlash(rw, r),
		Expiry: w.passwordExpiry(c.ses.PasswordExpiresAt)}
}

// anonymousPage returns the page frame of a form shown before sign-in.
func (w *Web) anonymousPage(rw http.ResponseWriter, r *http.Request, title string) *page {
	return &page{Lang: requestLanguage(r), Title: title, CSRF: w.formToken(rw, r), Flash: w.takeFlash(rw, r)}
}
