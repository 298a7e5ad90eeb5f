package sso

import (
	"net/http"
	"net/url"
)

// BindingCookieName is the name of the cookie that carries a sign-in's
// browser binding from Start to Callback.
const BindingCookieName = "usersettings_sso"

// BindingCookie returns the cookie that gives the browser the binding of
// a sign-in Start just began. It is HttpOnly, scoped to the path of the
// RedirectURL, lives as long as the flow, is Secure when the RedirectURL
// is https, and is SameSite=Lax: the provider sends the browser back with
// a cross-site top-level navigation, which a Strict cookie would miss.
func (s *Service) BindingCookie(st Started) *http.Cookie {
	c := s.bindingCookie()
	c.Value, c.MaxAge = st.Binding, int(s.flowTTL.Seconds())
	return c
}

// ClearBindingCookie returns the cookie that deletes the binding: the
// host sets it on the callback's answer, whatever the outcome.
func (s *Service) ClearBindingCookie() *http.Cookie {
	c := s.bindingCookie()
	c.MaxAge = -1
	return c
}

// bindingCookie is the binding cookie without value or lifetime.
func (s *Service) bindingCookie() *http.Cookie {
	c := &http.Cookie{Name: BindingCookieName, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode}
	if u, err := url.Parse(s.redirectURL); err == nil {
		c.Secure = u.Scheme == "https"
		if u.Path != "" {
			c.Path = u.Path
		}
	}
	return c
}

// BindingOf returns the binding the request's cookie carries, or "" when
// it has none: the binding argument of Callback.
func BindingOf(r *http.Request) string {
	c, err := r.Cookie(BindingCookieName)
	if err != nil {
		return ""
	}
	return c.Value
}
