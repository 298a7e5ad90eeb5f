package notify

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/language"
)

// NoticeKind names the security-relevant change a notice reports.
type NoticeKind string

// The security notices. They are always sent: unlike the Buzz settings of
// this package, no setting switches them off, because they are how a
// person learns that someone else changed their account.
const (
	NoticePasswordChanged   NoticeKind = "password_changed"
	NoticeTokenCreated      NoticeKind = "token_created"
	NoticeAPIKeyCreated     NoticeKind = "api_key_created"
	NoticeTwoFactorDisabled NoticeKind = "two_factor_disabled"
	NoticeMergeCompleted    NoticeKind = "merge_completed"
	NoticeAccountAdded      NoticeKind = "account_added"
	NoticeAccountDeleted    NoticeKind = "account_deleted"
	// NoticeSSOLinked reports that an account now signs in through its
	// company's identity provider and its password was retired; Detail
	// is the company's name.
	NoticeSSOLinked NoticeKind = "sso_linked"
	// NoticeSignUpAttempt tells the owner of a registered address that
	// someone tried to sign up (or add an account) with it. It carries no
	// code.
	NoticeSignUpAttempt NoticeKind = "sign_up_attempt"
	// NoticeRecoveryEmailChanged tells the previous recovery email of a
	// profile that another address replaced it, or that it was removed.
	// It carries no code.
	NoticeRecoveryEmailChanged NoticeKind = "recovery_email_changed"
	// NoticeEmailChanged tells the previous login email of an account
	// that another address replaced it. It carries no code.
	NoticeEmailChanged NoticeKind = "email_changed"
	// NoticeEmailChangeAttempt tells the owner of a registered address
	// that someone asked to make it the login email of another account;
	// nothing changed. It carries no code.
	NoticeEmailChangeAttempt NoticeKind = "email_change_attempt"
	// NoticePasswordReset reports a password reset with an emailed code
	// (an account recovery): every session ended, and Items lists the
	// personal access tokens and API keys it revoked.
	NoticePasswordReset NoticeKind = "password_reset"
	// NoticePasskeyAdded and NoticePasskeyRemoved report a passkey
	// registered on, or removed from, the account; Detail is its name.
	NoticePasskeyAdded   NoticeKind = "passkey_added"
	NoticePasskeyRemoved NoticeKind = "passkey_removed"
	// NoticePasswordExpiring warns that the password of the account
	// expires soon (14 and again 3 days before, by default); Expires and
	// Left say when. It reports no change, so it ends with how to change
	// the password instead of the security advice of the others.
	NoticePasswordExpiring NoticeKind = "password_expiring"
)

// expiryDetail is the Detail of a NoticePasswordExpiring in the language
// lang: how long is left, in whole days rounded up ("in 14 days"), and
// the date and time of the expiry in UTC.
func expiryDetail(lang language.Tag, at time.Time, left time.Duration) string {
	days := int64((left + 24*time.Hour - 1) / (24 * time.Hour))
	return tr(lang, "in %s, on %s", count(lang, days, "1 day", "%s days"), formatTime(lang, at))
}

// Notice is one security notice to an account.
type Notice struct {
	Kind NoticeKind
	// Detail names the item concerned, such as a token's name or the
	// address of the added account; empty means none. For
	// NoticeTwoFactorDisabled it is the method turned off
	// ("authenticator", "sms"), which the mail names in its language. It must never hold
	// a secret. It is cut to 200 characters and control characters are
	// replaced by spaces.
	Detail string
	// Items lists what the change concerned, one line each under the
	// opening sentence, such as the credentials a password reset
	// revoked; each is cleaned like Detail, and past maxItems the rest
	// are counted. They must never hold a secret.
	Items []string
	// At is when the change happened; the zero time leaves it out.
	At time.Time
	// Expires and Left are for NoticePasswordExpiring: when the password
	// expires, and how long is left until then when the notice is made.
	// The mail says both, in its language, in place of Detail.
	Expires time.Time
	Left    time.Duration
	// Language is the language of the mail, matched against Languages;
	// the zero tag means the language of the context the Notifier is
	// given (LanguageFrom), and NoticeMessage takes it as English.
	Language language.Tag
}

// twoFactorMethods names, by catalogue key, the second factor of a
// NoticeTwoFactorDisabled whose Detail is its method (twofactor.Method).
var twoFactorMethods = map[string]string{
	"authenticator": "authenticator app",
	"sms":           "text messages (SMS)",
}

// noticeTexts holds the subject, the opening sentence and the closing
// paragraph per kind (empty: the security advice of a change): catalogue
// keys.
var noticeTexts = map[NoticeKind]struct{ subject, sentence, footer string }{
	NoticePasswordChanged:      {"Your password was changed", "The password of your account was changed", ""},
	NoticeTokenCreated:         {"A personal access token was created", "A new personal access token was created for your account", ""},
	NoticeAPIKeyCreated:        {"An API key was created", "A new API key was created for your account", ""},
	NoticeTwoFactorDisabled:    {"Two-factor authentication was turned off", "Two-factor authentication was turned off for your account", ""},
	NoticeMergeCompleted:       {"Your profiles were merged", "Two of your profiles were merged into one", ""},
	NoticeAccountAdded:         {"An account was added to your profile", "A login account was added to your profile", ""},
	NoticeAccountDeleted:       {"An account was deleted from your profile", "A login account was deleted from your profile", ""},
	NoticeSignUpAttempt:        {"Someone tried to create an account with your address", "Someone tried to create a new account with your email address, which already has one; no new account was made. If it was you, sign in, or reset your password if you forgot it", ""},
	NoticeRecoveryEmailChanged: {"Your recovery email was changed", "This address is no longer the recovery email of your profile: another address replaced it, or it was removed. If you did not do this, sign in and check your profile, or contact support", ""},
	NoticeEmailChanged:         {"Your login email was changed", "This address is no longer the login email of your account: another address replaced it, and sign-in and mail now use that one. If you did not do this, contact support at once", ""},
	NoticeEmailChangeAttempt:   {"Someone tried to use your address for another account", "Someone asked to make your email address the login email of another account; it already belongs to yours, so nothing changed. If it was you, you can ignore this mail", ""},
	NoticePasswordReset:        {"Your password was reset", "The password of your account was reset with a code sent by email; every session of the account was signed out, and every personal access token and API key of the account was revoked", ""},
	NoticeSSOLinked:            {"Your account now uses single sign-on", "Your account now signs in through your company's identity provider and its password no longer works", ""},
	NoticePasswordExpiring: {"Your password expires soon", "The password of your account expires soon",
		"Sign in and choose a new password on the Accounts page before then. Once it\nhas expired, changing it is the only thing you can do after signing in.\n\nThis reminder is sent before a password expires and cannot be switched off."},
	NoticePasskeyAdded:   {"A passkey was added to your account", "A new passkey was added to your account; it can sign in without a password. If you did not do this, sign in, remove it and change your password", ""},
	NoticePasskeyRemoved: {"A passkey was removed from your account", "A passkey was removed from your account and can no longer sign in", ""},
}

// maxDetail bounds Notice.Detail in characters.
const maxDetail = 200

// maxItems bounds the Notice.Items a mail lists; the rest are counted.
const maxItems = 20

// NoticeMessage returns the security notice email for n. Security notices
// are always on: the host sends them after the change committed, whatever
// the person's notification settings say. It returns ErrInvalidAddress,
// ErrHeaderInjection or ErrUnknownNotice.
func NoticeMessage(to string, n Notice) (Message, error) {
	if _, err := parseAddress(to); err != nil {
		return Message{}, err
	}
	text, ok := noticeTexts[n.Kind]
	if !ok {
		return Message{}, ErrUnknownNotice
	}
	lang := match(n.Language)
	at := ""
	if !n.At.IsZero() {
		at = formatTime(lang, n.At)
	}
	detail := cleanDetail(n.Detail)
	if n.Kind == NoticePasswordExpiring && !n.Expires.IsZero() {
		detail = expiryDetail(lang, n.Expires, n.Left)
	}
	if key, ok := twoFactorMethods[n.Detail]; ok && n.Kind == NoticeTwoFactorDisabled {
		detail = tr(lang, key)
	}
	footer := ""
	if text.footer != "" {
		footer = tr(lang, text.footer)
	}
	body, err := render(lang, "notice.txt", map[string]any{
		"Sentence": tr(lang, text.sentence), "Detail": detail, "At": at, "Items": cleanItems(lang, n.Items),
		"Footer": footer,
	})
	if err != nil {
		return Message{}, err
	}
	return Message{To: to, Subject: tr(lang, text.subject), Body: body, Language: lang.String()}, nil
}

// cleanItems cleans each item like a Detail, drops empty ones, and
// replaces those past maxItems by a count.
func cleanItems(lang language.Tag, items []string) []string {
	var out []string
	for _, it := range items {
		if it = cleanDetail(it); it != "" {
			out = append(out, it)
		}
	}
	if len(out) > maxItems {
		out = append(out[:maxItems-1], tr(lang, "and %s more", strconv.Itoa(len(out)-maxItems+1)))
	}
	return out
}

// cleanDetail replaces control characters and invalid UTF-8 by spaces,
// trims, and cuts to maxDetail characters.
func cleanDetail(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, " "))
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > maxDetail {
		s = string(r[:maxDetail-1]) + "…"
	}
	return s
}
