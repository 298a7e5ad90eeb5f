package web

import (
	"context"
	"time"
)

// PasswordWarning is how long before the signed-in account's password
// expires the pages warn about it.
const PasswordWarning = 14 * 24 * time.Hour

// passwordExpiry returns the warning every signed-in page shows in the
// last PasswordWarning before the password of account id expires ("Your
// password expires in 5 days"), or "". When the password expires is the
// SDK's rule (account.Service.PasswordExpiresAt); the page only counts
// the days, rounding up. A failed read shows no warning: the page itself
// still works, and an expired password is caught by the services.
func (w *Web) passwordExpiry(ctx context.Context, id string) string {
	at, ok, err := w.s.Accounts.PasswordExpiresAt(ctx, id)
	if err != nil {
		w.log.Error("reading the password expiry", "err", err.Error())
		return ""
	}
	left := at.Sub(w.s.Now())
	if !ok || left <= 0 || left > PasswordWarning {
		return ""
	}
	days := int((left + 24*time.Hour - 1) / (24 * time.Hour))
	return "Your password expires in " + plural(days, "day")
}
