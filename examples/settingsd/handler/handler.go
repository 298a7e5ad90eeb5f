package handler

import (
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/seed-a97ca23f/usersettings"
	"github.com/seed-a97ca23f/usersettings/notify"
)

// Limits and defaults of the handler.
const (
	// MaxJSONBytes bounds a JSON request body.
	MaxJSONBytes = 1 << 20
	// MaxAvatarBody bounds an avatar upload: profile.MaxAvatarBytes plus
	// slack, so an image just over the limit gets the domain's too_large
	// reason rather than a cut-off read.
	MaxAvatarBody = 5<<20 + 64<<10
	// DefaultReauthAfter is how old a session may be for the sensitive
	// routes (password change, token and API key creation, merge,
	// account deletion, two-factor deactivation).
	DefaultReauthAfter = time.Hour
	// CookieName is the name of the session cookie.
	CookieName = "settingsd_session"
	// CSRFHeader carries the anti-CSRF token of cookie-authenticated
	// state-changing requests.
	CSRFHeader = "X-CSRF-Token"
)

// Default rate limits of the login and code routes.
var (
	DefaultAddressLimit = Limit{Burst: 10, Every: time.Minute}
	DefaultClientLimit  = Limit{Burst: 60, Every: time.Second}
)

// Option configures New.
type Option func(*Handler)

// WithLogger logs one line per request (method, route pattern, status,
// duration) and every unexpected error to l. Bodies, headers, query
// strings and secrets are never logged. The default discards.
func WithLogger(l *slog.Logger) Option { return func(h *Handler) { h.log = l } }

// WithDevOutbox serves GET /v1/dev/outbox, the messages of o oldest first.
// Without it the route does not exist. Use it only in development.
func WithDevOutbox(o *notify.Outbox) Option { return func(h *Handler) { h.outbox = o } }

// WithRateLimits replaces the rate limits of the login and code routes:
// perAddress applies to each email address (or flow), perClient to each
// client IP address.
func WithRateLimits(perAddress, perClient Limit) Option {
	return func(h *Handler) { h.addrLimit, h.clientLimit = perAddress, perClient }
}

// WithLimiter makes the handler take its rate-limit tokens from l, shared
// with another front end of the same server; the default is a Limiter of
// its own.
func WithLimiter(l *Limiter) Option { return func(h *Handler) { h.limiter = l } }

// WithReauthAfter sets how old a session may be for the sensitive routes;
// the default is DefaultReauthAfter.
func WithReauthAfter(d time.Duration) Option { return func(h *Handler) { h.reauthAfter = d } }

// WithSecureCookies marks the session cookie Secure even on plain-HTTP
// requests, for a server behind a TLS-terminating proxy. The cookie is
// always Secure on TLS requests.
func WithSecureCookies() Option { return func(h *Handler) { h.secureCookies = true } }

// WithClientIP replaces how the client address used for rate limits is
// found; the default is the host of the request's RemoteAddr. Behind a
// trusted proxy, read its forwarding header here.
func WithClientIP(f func(*http.Request) string) Option { return func(h *Handler) { h.clientIP = f } }

// Handler serves the settingsd JSON API over a usersettings.Settings.
type Handler struct {
	s             *usersettings.Settings
	mux           *http.ServeMux
	log           *slog.Logger
	outbox        *notify.Outbox
	addrLimit     Limit
	clientLimit   Limit
	limiter       *Limiter
	reauthAfter   time.Duration
	secureCookies bool
	clientIP      func(*http.Request) string
	now           func() time.Time
}

// New returns the API handler over settings. It panics on nil
// settings, a programming error.
func New(settings *usersettings.Settings, opts ...Option) http.Handler {
	if settings == nil {
		panic("handler: New with nil settings")
	}
	h := &Handler{
		s: settings, mux: http.NewServeMux(), log: slog.New(slog.DiscardHandler),
		addrLimit: DefaultAddressLimit, clientLimit: DefaultClientLimit,
		reauthAfter: DefaultReauthAfter, clientIP: remoteHost, now: settings.Now,
	}
	if h.now == nil {
		h.now = time.Now
	}
	for _, o := range opts {
		o(h)
	}
	if h.limiter == nil {
		h.limiter = NewLimiter(h.now)
	}
	h.routes()
	return h
}

// ServeHTTP implements http.Handler: security headers, panic recovery and
// the access log around the router.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	hd := rec.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.log.Error("panic serving request", "route", r.Pattern, "panic", p)
			if !rec.wrote {
				writeError(rec, http.StatusInternalServerError, "internal")
			}
		}
		h.log.Info("request", "method", r.Method, "route", r.Pattern, "status", rec.status,
			"duration_ms", float64(time.Since(start).Microseconds())/1000)
	}()
	h.mux.ServeHTTP(rec, r)
}

// statusRecorder remembers the status written, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
