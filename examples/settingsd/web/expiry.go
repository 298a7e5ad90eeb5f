package web

import "time"

// PasswordWarning is how long before the signed-in account's password
// expires the pages warn about it.
const PasswordWarning = 14 * 24 * time.Hour

// passwordExpiry returns the warning every signed-in page shows in the
// last PasswordWarning before the password expires at ("Your password
// expires in 5 days"), or "" (also for a zero at: it never expires). When
// the password expires is the SDK's rule, which session validation
// applied (session.Session.PasswordExpiresAt, from
// account.Service.PasswordExpiresAtOf); the page only counts the days,
// rounding up.
func (w *Web) passwordExpiry(at time.Time) string {
	left := at.Sub(w.s.Now())
	if at.IsZero() || left <= 0 || left > PasswordWarning {
		return ""
	}
	days := int((left + 24*time.Hour - 1) / (24 * time.Hour))
	return english.Sprintf("Your password expires in %d days", days)
}
