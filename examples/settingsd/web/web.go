package web

import (
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/account/password"
	"github.com/seed-a97ca23f/usersettings/examples/settingsd/handler"
	"github.com/seed-a97ca23f/usersettings/notify"
	"github.com/seed-a97ca23f/usersettings/profile"
)

// CSP is the Content-Security-Policy of every page: scripts, styles and
// images only from this origin (images also as data: URLs, for the QR
// code), requests of the page script (a passkey ceremony's options) only
// here, no inline script or style, no framing, forms posting only here.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// Limits of the pages.
const (
	// MaxFormBytes bounds a urlencoded form.
	MaxFormBytes = 64 << 10
	// maxMultipartBytes bounds the avatar upload form: twice
	// profile.MaxAvatarBytes, so an image somewhat over the limit gets
	// the domain's message next to the field rather than an error page.
	maxMultipartBytes = 2 * profile.MaxAvatarBytes
	// HistoryPageSize is how many change-history entries the Personal
	// Data page shows at once.
	HistoryPageSize = 20
	// secondFactorTTL is how long the code step of a sign-in waits after
	// the password was accepted.
	secondFactorTTL = 5 * time.Minute
)

// Option configures New.
type Option func(*Web)

// WithLogger logs one line per request (method, route pattern, status,
// duration) and every unexpected error to l. Form values, cookies, query
// strings and secrets are never logged. The default discards.
func WithLogger(l *slog.Logger) Option { return func(w *Web) { w.log = l } }

// WithDevOutbox adds the page /dev/outbox, which shows the mail of o
// (sign-up codes and notices), and links it from every page. Use it only
// in development.
func WithDevOutbox(o notify.MailList) Option { return func(w *Web) { w.outbox = o } }

// WithDevSMS adds the text messages of o to the page /dev/outbox (with
// WithDevOutbox), so the codes texted in development can be read there;
// give o to usersettings.Options.SMS too. Use it only in development.
func WithDevSMS(o *handler.SMSOutbox) Option { return func(w *Web) { w.sms = o } }

// WithPolicy is the password policy the pages describe next to password
// fields; it should be the one given to usersettings.Options. The default
// is password.Mendix().
func WithPolicy(p password.Policy) Option { return func(w *Web) { w.policy = p } }

// WithSecureCookies marks the cookies Secure even on plain-HTTP requests,
// for a server behind a TLS-terminating proxy. They are always Secure on
// TLS requests.
func WithSecureCookies() Option { return func(w *Web) { w.secureCookies = true } }

// WithLimiter makes the pages take rate-limit tokens from l, the Limiter
// the JSON API uses too (handler.WithLimiter), so that both draw on one
// budget per address and client. The default is a Limiter of their own.
func WithLimiter(l *handler.Limiter) Option { return func(w *Web) { w.limiter = l } }

// WithRateLimits replaces the rate limits of sign-in and of the forms that
// send or check codes: perAddress applies to each email address (or
// flow), perClient to each client IP address. The defaults are the JSON
// API's.
func WithRateLimits(perAddress, perClient handler.Limit) Option {
	return func(w *Web) { w.addrLimit, w.clientLimit = perAddress, perClient }
}

// WithClientIP replaces how the client address used for rate limits is
// found; the default is the host of the request's RemoteAddr.
func WithClientIP(f func(*http.Request) string) Option { return func(w *Web) { w.clientIP = f } }

// WithKey sets the key that signs the short-lived cookie of a sign-in
// waiting for its second factor and seals (AES-GCM, a key derived per
// purpose) the cookies of a secret shown once and of a form waiting for
// re-authentication: 32 secret bytes, the same on every replica. The
// default is a random key for the life of the process, so a sign-in half
// done on one replica cannot finish on another.
func WithKey(key []byte) Option { return func(w *Web) { w.key = append([]byte(nil), key...) } }

// Web serves the settings pages over a usersettings.Settings.
type Web struct {
	s             *usersettings.Settings
	mux           *http.ServeMux
	log           *slog.Logger
	outbox        notify.MailList
	sms           *handler.SMSOutbox
	policy        password.Policy
	secureCookies bool
	limiter       *handler.Limiter
	addrLimit     handler.Limit
	clientLimit   handler.Limit
	clientIP      func(*http.Request) string
	key           []byte
	now           func() time.Time
	tpl           *templates
	cop           *http.CrossOriginProtection
}

// New returns the web pages over settings, to be mounted at "/" of the
// server (the JSON API keeps "/v1/"). It panics on nil settings or on a
// template that does not parse, programming errors.
func New(settings *usersettings.Settings, opts ...Option) *Web {
	if settings == nil {
		panic("web: New with nil settings")
	}
	w := &Web{
		s: settings, mux: http.NewServeMux(), log: slog.New(slog.DiscardHandler), policy: password.Mendix(),
		addrLimit:   handler.DefaultAddressLimit,
		clientLimit: handler.DefaultClientLimit, clientIP: handler.RemoteHost, now: settings.Now,
		cop: http.NewCrossOriginProtection(),
	}
	if w.now == nil {
		w.now = time.Now
	}
	for _, o := range opts {
		o(w)
	}
	if w.limiter == nil {
		w.limiter = handler.NewLimiter(w.now)
	}
	if len(w.key) == 0 {
		w.key = make([]byte, 32)
		if _, err := io.ReadFull(rand.Reader, w.key); err != nil {
			panic("web: making a key: " + err.Error())
		}
	}
	w.tpl = mustParseTemplates()
	w.routes()
	return w
}

// ServeHTTP implements http.Handler: security headers, the cross-origin
// check of state-changing requests, panic recovery and the access log
// around the router.
func (w *Web) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := handler.NewStatusRecorder(rw)
	hd := rec.Header()
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			w.log.Error("panic serving page", "route", r.Pattern, "panic", p)
			if !rec.Wrote() {
				w.renderError(rec, r, http.StatusInternalServerError)
			}
		}
		w.log.Info("page", "method", r.Method, "route", r.Pattern, "status", rec.Status(),
			"duration_ms", float64(time.Since(start).Microseconds())/1000)
	}()
	if err := w.cop.Check(r); err != nil {
		w.renderError(rec, r, http.StatusForbidden)
		return
	}
	// Mail to people the SDK does not know yet follows the browser.
	r = r.WithContext(notify.WithLanguage(r.Context(), notify.AcceptLanguage(r.Header.Get("Accept-Language"))))
	w.mux.ServeHTTP(rec, r)
}
